"""The defect generator: make flawed variants of well-made plans, with their gold labels.

Recipes live in ``eval/injections.toml``. Each ``[[variant]]`` names a base plan of the
dataset, the defect it injects, a list of edits and the gold entries the edit adds::

    [[variant]]
    base = "en-mfg-scrap-05"
    defect = "remove-owner"
    edits = [{op = "replace", anchor = "| 3 | Write the changeover", old = "| Petr Dvořák |", new = "| |"}]
    add = [{code = "raci.no-owner", anchor = "| 3 | Write the changeover"}]

Edits (applied in order; an ``anchor`` must occur on exactly one line of the current text):

- ``replace``: on the anchored line, replace ``old`` (must occur) with ``new``;
- ``delete``: delete the anchored line;
- ``delete_section``: delete the anchored heading and everything up to the next heading of the
  same or a higher level (and the blank line before it);
- ``blank_owner`` (pattern edit): in the table whose header row is anchored, empty the
  owner/responsible/lead/负责人 cell of one data row chosen by the seeded generator, and add
  ``raci.no-owner`` for that row;
- ``bump_total`` (pattern edit): on the anchored Total/合计 line, raise the last number by
  ``percent`` (default 10%) and add ``consistency.budget-sum`` for that line.

The base plan's gold is carried over with its lines shifted for deleted lines; entries on a
deleted line disappear; ``drop`` removes entries that the edit makes untrue (``{code, line}``
in base-plan lines, or ``{code}`` for document scope). ``add`` entries name an anchor in the
*edited* text (or none for document scope). A variant inherits its base's split, so test plans
never leak into dev. The output is deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from service.evaluation.dataset import EvalItem, GoldFinding, default_eval_dir, validate_dataset

OWNER_HEADERS = re.compile(
    r"owner|responsible|lead|负责人|責任人|责任人|負責人|主责人|主責人|牵头", re.I
)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class InjectError(Exception):
    """A recipe that cannot be applied (names the variant and the reason)."""


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: str = Field(description="replace | delete | delete_section | blank_owner | bump_total")
    anchor: str
    old: str | None = None
    new: str | None = None
    percent: float = 10.0


class GoldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    anchor: str | None = None
    line: int | None = Field(default=None, description="For `drop`: the base plan's line.")


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base: str
    defect: str
    description: str = ""
    id: str | None = None
    edits: list[Edit]
    add: list[GoldSpec] = Field(default_factory=list)
    drop: list[GoldSpec] = Field(default_factory=list)

    @property
    def variant_id(self) -> str:
        return self.id or f"gen-{self.base}-{self.defect}"


class Variant(BaseModel):
    item: EvalItem
    text: str


def _find(lines: list[str], anchor: str, where: str) -> int:
    hits = [i for i, line in enumerate(lines) if anchor in line]
    if len(hits) != 1:
        raise InjectError(f"{where}: anchor {anchor!r} is on {len(hits)} lines, need exactly one")
    return hits[0]


def _heading_level(line: str) -> int:
    m = re.match(r"^(#{1,6})\s", line)
    return len(m.group(1)) if m else 0


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


class _Doc:
    """Lines being edited, with the map from base-plan line index to current index."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.origin: list[int | None] = list(range(len(self.lines)))  # current idx -> base idx

    def delete(self, start: int, end: int) -> None:
        del self.lines[start:end]
        del self.origin[start:end]

    def new_index(self, base_idx: int) -> int | None:
        try:
            return self.origin.index(base_idx)
        except ValueError:
            return None


def _apply(doc: _Doc, edit: Edit, where: str, rng: random.Random) -> list[GoldFinding]:
    lines = doc.lines
    i = _find(lines, edit.anchor, where)
    added: list[GoldFinding] = []
    if edit.op == "replace":
        if edit.old is None or edit.new is None or edit.old not in lines[i]:
            raise InjectError(f"{where}: replace needs `old` (on the anchored line) and `new`")
        lines[i] = lines[i].replace(edit.old, edit.new, 1)
    elif edit.op == "delete":
        doc.delete(i, i + 1)
    elif edit.op == "delete_section":
        level = _heading_level(lines[i])
        if not level:
            raise InjectError(f"{where}: delete_section anchor must be a heading line")
        end = i + 1
        while end < len(lines) and not (0 < _heading_level(lines[end]) <= level):
            end += 1
        start = i - 1 if i > 0 and not lines[i - 1].strip() else i
        doc.delete(start, end if end < len(lines) else len(lines))
        while doc.lines and not doc.lines[-1].strip():
            doc.delete(len(doc.lines) - 1, len(doc.lines))
        doc.lines.append("")
        doc.origin.append(None)
    elif edit.op == "blank_owner":
        header = _cells(lines[i])
        col = next((k for k, h in enumerate(header) if OWNER_HEADERS.search(h)), None)
        if col is None:
            raise InjectError(f"{where}: no owner column in the anchored table header")
        rows = []
        j = i + 2  # skip the delimiter row
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            if _cells(lines[j])[col]:
                rows.append(j)
            j += 1
        if not rows:
            raise InjectError(f"{where}: the table has no row with an owner to remove")
        r = rng.choice(rows)
        cells = _cells(lines[r])
        cells[col] = ""
        lines[r] = "| " + " | ".join(cells) + " |"
        added.append(GoldFinding(code="raci.no-owner", line=r + 1))
    elif edit.op == "bump_total":
        nums = list(NUMBER.finditer(lines[i]))
        if not nums:
            raise InjectError(f"{where}: no number on the anchored total line")
        m = nums[-1]
        raw = m.group(0)
        value = float(raw.replace(",", ""))
        bumped = value * (1 + edit.percent / 100)
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        text = f"{bumped:,.{decimals}f}" if "," in raw else f"{bumped:.{decimals}f}"
        lines[i] = lines[i][: m.start()] + text + lines[i][m.end() :]
        added.append(GoldFinding(code="consistency.budget-sum", line=i + 1))
    else:
        raise InjectError(f"{where}: unknown edit op {edit.op!r}")
    return added


def make_variant(recipe: Recipe, base: EvalItem, base_text: str, seed: int) -> Variant:
    """Apply one recipe to its base plan and compute the variant's gold."""
    where = recipe.variant_id
    digest = hashlib.sha256(f"{seed}:{where}".encode()).hexdigest()
    rng = random.Random(int(digest[:16], 16))
    doc = _Doc(base_text)
    auto: list[tuple[str, int | None]] = []  # (code, base-plan line index) of pattern-edit gold
    for edit in recipe.edits:
        for g in _apply(doc, edit, where, rng):
            assert g.line is not None
            auto.append((g.code, doc.origin[g.line - 1]))
    dropped_doc = {d.code for d in recipe.drop if d.line is None}
    dropped_block = {(d.code, d.line) for d in recipe.drop if d.line is not None}
    gold: list[GoldFinding] = []
    for g in base.gold:
        if g.line is None:
            if g.code in dropped_doc:
                dropped_doc.discard(g.code)
                continue
            gold.append(g)
            continue
        if (g.code, g.line) in dropped_block:
            continue
        new = doc.new_index(g.line - 1)
        if new is None:
            continue  # the labelled line was deleted with the defect
        gold.append(GoldFinding(code=g.code, line=new + 1, anchor=g.anchor))
    for code, base_idx in auto:
        new = doc.new_index(base_idx) if base_idx is not None else None
        if new is None:
            raise InjectError(f"{where}: a later edit deleted the line an earlier edit labelled")
        gold.append(GoldFinding(code=code, line=new + 1))
    for spec in recipe.add:
        if spec.anchor is None:
            gold.append(GoldFinding(code=spec.code, line=None))
        else:
            gold.append(
                GoldFinding(
                    code=spec.code,
                    line=_find(doc.lines, spec.anchor, where) + 1,
                    anchor=spec.anchor,
                )
            )
    gold.sort(key=lambda g: (g.line is None, g.line or 0, g.code))
    text = "\n".join(doc.lines)
    item = EvalItem(
        id=where,
        split=base.split,
        language=base.language,
        source=f"injected:{base.id}",
        licence=base.licence,
        plan_file=f"plans/{where}.md",
        negative_control=False,
        gold=gold,
        retrieval_gold=[],
        kind=base.kind,
        industry=base.industry,
        quality="injected",
        defect=recipe.defect,
        description=recipe.description or None,
    )
    return Variant(item=item, text=text)


def dataset_row(item: EvalItem) -> dict[str, object]:
    """The JSONL row: optional top-level fields left out when empty, gold lines always present."""
    data = {k: v for k, v in item.model_dump().items() if v is not None}
    data["gold"] = [
        {k: v for k, v in g.items() if v is not None or k == "line"} for g in data["gold"]
    ]
    return data


def load_recipes(path: Path) -> list[Recipe]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InjectError(f"{path}: cannot read recipes: {exc}") from None
    return [Recipe.model_validate(v) for v in data.get("variant", [])]


def generate(
    eval_dir: Path | None = None,
    recipes_path: Path | None = None,
    seed: int = 20261126,
    write: bool = True,
) -> list[Variant]:
    """Build every variant; with ``write`` also write plans and datasets/generated.jsonl."""
    eval_dir = eval_dir or default_eval_dir()
    recipes = load_recipes(recipes_path or eval_dir / "injections.toml")
    generated = eval_dir / "datasets" / "generated.jsonl"
    files = [p for p in sorted((eval_dir / "datasets").glob("*.jsonl")) if p != generated]
    items, _ = validate_dataset(eval_dir, files)
    by_id = {i.id: i for i in items}
    variants: list[Variant] = []
    seen: set[str] = set()
    for recipe in recipes:
        if recipe.variant_id in seen:
            raise InjectError(f"{recipe.variant_id}: two recipes make the same variant id")
        seen.add(recipe.variant_id)
        base = by_id.get(recipe.base)
        if base is None:
            raise InjectError(
                f"{recipe.variant_id}: base plan {recipe.base!r} is not in the dataset"
            )
        text = base.path(eval_dir).read_text(encoding="utf-8")
        variants.append(make_variant(recipe, base, text, seed))
    if write:
        for old in (eval_dir / "plans").glob("gen-*.md"):
            old.unlink()
        for v in variants:
            (eval_dir / v.item.plan_file).write_text(v.text, encoding="utf-8")
        with generated.open("w", encoding="utf-8") as fh:
            for v in variants:
                fh.write(json.dumps(dataset_row(v.item), ensure_ascii=False) + "\n")
    return variants


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        description="Write defect-injected variants of well-made plans."
    )
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--recipes", type=Path, default=None)
    parser.add_argument("--dry-run", action="store_true", help="Check the recipes, write nothing.")
    args = parser.parse_args(argv)
    try:
        variants = generate(recipes_path=args.recipes, seed=args.seed, write=not args.dry_run)
    except InjectError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    langs: dict[str, int] = {}
    for v in variants:
        langs[v.item.language] = langs.get(v.item.language, 0) + 1
    print(f"{len(variants)} variants {langs}" + (" (dry run)" if args.dry_run else ""))
    return 0
