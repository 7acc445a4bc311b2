"""The defect generator: deterministic, shifts gold lines when lines go, and its committed
output is up to date with the recipes."""

from __future__ import annotations

import json

from service.evaluation.dataset import EvalItem, GoldFinding, default_eval_dir
from service.evaluation.inject import Edit, Recipe, dataset_row, generate, make_variant

BASE_TEXT = """# Plan 2027

Period: 2027
Owner: Ann

## Tasks

| Task | Owner | Due |
|---|---|---|
| Build it | Bob | May |
| Ship it | Cid | June |

## Budget

| Item | Cost |
|---|---|
| Kit | 1,000 |
| Total | 1,000 |

## Risks

- Supplier late
"""


def _base() -> EvalItem:
    return EvalItem(
        id="en-base",
        split="test",
        language="en",
        source="hand-written",
        licence="CC0-1.0",
        plan_file="plans/en-base.md",
        negative_control=False,
        gold=[
            GoldFinding(code="risk.no-mitigation", line=22),
            GoldFinding(code="resource.no-buffer", line=None),
        ],
    )


def test_deleting_a_line_shifts_later_gold_and_keeps_document_gold() -> None:
    recipe = Recipe(
        base="en-base",
        defect="remove-owner-line",
        edits=[
            Edit(op="delete", anchor="Owner: Ann"),
            Edit(op="replace", anchor="| Ship it |", old="Cid", new=""),
        ],
        add=[{"code": "raci.no-owner", "anchor": "| Ship it |"}],
    )  # type: ignore[list-item]
    v = make_variant(recipe, _base(), BASE_TEXT, seed=1)
    lines = v.text.split("\n")
    assert "Owner: Ann" not in v.text
    got = {(g.code, g.line) for g in v.item.gold}
    assert ("risk.no-mitigation", 21) in got and lines[20] == "- Supplier late"
    assert ("resource.no-buffer", None) in got
    assert ("raci.no-owner", 10) in got and lines[9].startswith("| Ship it |")
    assert v.item.split == "test" and v.item.source == "injected:en-base"


def test_dropping_a_section_removes_its_gold_and_pattern_edits_label_themselves() -> None:
    recipe = Recipe(
        base="en-base",
        defect="combo",
        edits=[
            Edit(op="delete_section", anchor="## Risks"),
            Edit(op="bump_total", anchor="| Total | 1,000 |", percent=10),
            Edit(op="blank_owner", anchor="| Task | Owner | Due |"),
        ],
        add=[{"code": "risk.no-register"}],
    )  # type: ignore[list-item]
    v = make_variant(recipe, _base(), BASE_TEXT, seed=7)
    codes = sorted((g.code, g.line) for g in v.item.gold if g.line is not None)
    assert "Supplier late" not in v.text
    assert "| Total | 1,100 |" in v.text
    assert [c for c, _ in codes] == ["consistency.budget-sum", "raci.no-owner"] or sorted(
        c for c, _ in codes
    ) == ["consistency.budget-sum", "raci.no-owner"]
    lines = v.text.split("\n")
    for code, line in codes:
        text = lines[line - 1]
        assert (
            ("Total" in text)
            if code == "consistency.budget-sum"
            else ("| Bob |" not in text or "| Cid |" not in text)
        )
    assert ("risk.no-register", None) in {(g.code, g.line) for g in v.item.gold}
    again = make_variant(recipe, _base(), BASE_TEXT, seed=7)
    assert again.text == v.text and again.item == v.item


def test_committed_variants_match_the_recipes() -> None:
    eval_dir = default_eval_dir()
    variants = generate(eval_dir, write=False)
    committed = [
        json.loads(line)
        for line in (eval_dir / "datasets" / "generated.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
        if line
    ]
    keys = ("id", "split", "language", "source", "plan_file", "gold")
    fresh = [{k: dataset_row(v.item)[k] for k in keys} for v in variants]
    assert fresh == [{k: row[k] for k in keys} for row in committed], "stale: run eval/generate.py"
    for v in variants:
        assert (eval_dir / v.item.plan_file).read_text(encoding="utf-8") == v.text
    assert len(variants) >= 20
    assert {v.item.language for v in variants} == {"en", "zh"}
