"""The eval dataset: one JSON object per plan in ``eval/datasets/*.jsonl`` (see contracts.md).

``load_dataset`` reads and checks every file; ``validate_dataset`` reports every problem it
finds (schema, missing plan files, unknown codes, lines outside the file, scope/line
mismatches, anchors no longer on their line) instead of stopping at the first one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.rules.catalogue import BY_CODE

Split = Literal["dev", "test", "holdout", "real"]


class GoldFinding(BaseModel):
    """One expected finding. ``line`` is null for document-scope codes."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="A rule code from the catalogue.")
    line: int | None = Field(
        default=None,
        ge=1,
        description="First line (1-based) of the offending block; null for document scope.",
    )
    anchor: str | None = Field(
        default=None, description="Optional text that must occur on `line` (guards against drift)."
    )
    note: str | None = Field(default=None, description="Optional labeller's note.")


class RetrievalGold(BaseModel):
    query: str = Field(
        description="A question a reviewer of this plan would ask the knowledge base."
    )
    relevant_chunk_ids: list[str] = Field(description="Chunks that answer it.")


class EvalItem(BaseModel):
    """One plan of the dataset with its exhaustive gold list."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="Unique plan id, e.g. 'en-retail-q3-01'.")
    split: Split = Field(
        description=(
            "dev (tune on it), test (report only), holdout (hand-written blind sets, since tuned on) "
            "or real (real published plans; first-contact scores recorded per wave in eval/README.md)."
        )
    )
    language: Literal["en", "zh"]
    source: str = Field(description="'hand-written', 'injected:<base id>' or 'public:<repo/path>'.")
    licence: str
    plan_file: str = Field(description="Path of the plan relative to eval/.")
    negative_control: bool = Field(
        description="A well-made plan: no error-severity finding expected."
    )
    gold: list[GoldFinding] = Field(default_factory=list)
    retrieval_gold: list[RetrievalGold] = Field(default_factory=list)
    kind: str | None = Field(default=None, description="Plan kind (okr, charter, campaign, ...).")
    industry: str | None = None
    quality: str | None = Field(default=None, description="good, mixed, weak or injected.")
    defect: str | None = Field(default=None, description="Injected variants: the defect injected.")
    description: str | None = Field(default=None, description="Injected variants: what changed.")

    def path(self, eval_dir: Path) -> Path:
        return eval_dir / self.plan_file

    @property
    def base_id(self) -> str | None:
        """The plan a generated variant was made from."""
        return self.source.split(":", 1)[1] if self.source.startswith("injected:") else None


class DatasetError(Exception):
    """The dataset cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))


def default_eval_dir() -> Path:
    """eval/ at the repository root (next to service/)."""
    return Path(__file__).resolve().parents[2] / "eval"


def dataset_files(eval_dir: Path) -> list[Path]:
    return sorted((eval_dir / "datasets").glob("*.jsonl"))


def _read_file(path: Path, problems: list[str]) -> list[EvalItem]:
    items: list[EvalItem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return items
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{n}: not valid JSON: {exc.msg}")
            continue
        try:
            items.append(EvalItem.model_validate(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problems.append(f"{path.name}:{n}: {where}: {first['msg']}")
    return items


def check_item(item: EvalItem, eval_dir: Path) -> list[str]:
    """Every problem with one dataset entry (empty when it is sound)."""
    problems: list[str] = []
    where = item.id
    plan_path = item.path(eval_dir)
    if not plan_path.is_file():
        return [f"{where}: plan file {item.plan_file} does not exist under {eval_dir}"]
    lines = plan_path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    for g in item.gold:
        spec = BY_CODE.get(g.code)
        if spec is None:
            problems.append(f"{where}: unknown code {g.code!r} (see `planreview rules`)")
            continue
        if spec.llm_only or g.code == "smart.relevant":
            problems.append(
                f"{where}: {g.code} is judged by the LLM tier only; rule gold must not list it"
            )
        if spec.scope == "block" and g.line is None:
            problems.append(f"{where}: {g.code} is block-scope and needs a line")
        if spec.scope == "document" and g.line is not None:
            problems.append(
                f"{where}: {g.code} is document-scope; its line must be null (got {g.line})"
            )
        if g.line is not None:
            if g.line > len(lines):
                problems.append(
                    f"{where}: {g.code} line {g.line} is past the end ({len(lines)} lines)"
                )
            elif not lines[g.line - 1].strip():
                problems.append(
                    f"{where}: {g.code} line {g.line} is blank; use the block's first line"
                )
            elif g.anchor and g.anchor not in lines[g.line - 1]:
                problems.append(f"{where}: {g.code} line {g.line} no longer holds {g.anchor!r}")
    if item.language == "zh" and not item.id.startswith(("zh", "gen-zh")):
        problems.append(f"{where}: Chinese plans' ids start with 'zh' (or 'gen-zh')")
    return problems


def validate_dataset(
    eval_dir: Path | None = None, files: list[Path] | None = None
) -> tuple[list[EvalItem], list[str]]:
    """Load every dataset file and return (items, problems)."""
    eval_dir = eval_dir or default_eval_dir()
    problems: list[str] = []
    items: list[EvalItem] = []
    for path in files if files is not None else dataset_files(eval_dir):
        items.extend(_read_file(path, problems))
    seen: dict[str, int] = {}
    for item in items:
        seen[item.id] = seen.get(item.id, 0) + 1
        problems.extend(check_item(item, eval_dir))
    problems.extend(f"{pid}: id used {n} times" for pid, n in seen.items() if n > 1)
    by_id = {i.id: i for i in items}
    for item in items:
        base = item.base_id
        if base is None:
            continue
        if base not in by_id:
            problems.append(f"{item.id}: base plan {base!r} is not in the dataset")
        elif by_id[base].split != item.split:
            problems.append(
                f"{item.id}: split {item.split} differs from its base {base} ({by_id[base].split})"
            )
    return items, problems


def load_dataset(
    eval_dir: Path | None = None,
    *,
    split: str = "all",
    language: str | None = None,
    ids: list[str] | None = None,
    waves: list[str] | None = None,
) -> list[EvalItem]:
    """The dataset, filtered; raises DatasetError when any file has a problem."""
    items, problems = validate_dataset(eval_dir)
    if problems:
        raise DatasetError(problems)
    if split == "all":
        # the holdout and the real published plans are asked for by name only
        items = [i for i in items if i.split not in ("holdout", "real")]
    else:
        items = [i for i in items if i.split == split]
    if language:
        items = [i for i in items if i.language == language]
    if ids:
        wanted = set(ids)
        items = [i for i in items if i.id in wanted]
    if waves:
        chosen = set(waves)
        items = [i for i in items if (i.model_extra or {}).get("wave") in chosen]
    return sorted(items, key=lambda i: i.id)
