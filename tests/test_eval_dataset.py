"""The committed dataset is sound, big and varied enough, and the validator catches mistakes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from service.evaluation.dataset import default_eval_dir, validate_dataset


def test_committed_dataset_has_no_problems_and_meets_the_issue_minimums() -> None:
    items, problems = validate_dataset()
    assert problems == []
    assert len(items) >= 60
    assert sum(i.language == "zh" for i in items) >= 25
    assert any(i.id.startswith("zht") for i in items), "some Chinese plans are in 繁體"
    assert sum(i.negative_control for i in items) >= 10
    # the original hand-written sets (the four blind holdout sets were consumed and are dev now)
    hand = [i for i in items if i.source == "hand-written" and "holdout" not in i.id]
    assert len(hand) >= 20
    assert sum(i.source.startswith("injected:") for i in items) >= 20
    splits = Counter(i.split for i in hand)
    assert 0.5 <= splits["dev"] / len(hand) <= 0.7


def test_english_hand_written_plans_are_varied() -> None:
    items, _ = validate_dataset()
    en = [i for i in items if i.language == "en" and i.source == "hand-written"]
    assert len(en) >= 22
    assert len({i.kind for i in en}) >= 7
    assert len({i.industry for i in en}) >= 10
    assert sum(i.negative_control for i in en) >= 6
    # both splits hold negative controls and weak plans
    for split in ("dev", "test"):
        assert any(i.negative_control for i in en if i.split == split)
        assert any(i.quality == "weak" for i in en if i.split == split)


def test_negative_controls_carry_no_error_gold() -> None:
    from service.rules.catalogue import BY_CODE

    items, _ = validate_dataset()
    for i in items:
        if i.negative_control:
            assert all(BY_CODE[g.code].severity != "error" for g in i.gold), i.id


def _write(tmp: Path, row: dict[str, object], plan_text: str = "# Plan\n\nGoal: grow\n") -> Path:
    (tmp / "plans").mkdir(parents=True, exist_ok=True)
    (tmp / "datasets").mkdir(parents=True, exist_ok=True)
    (tmp / "plans" / "p.md").write_text(plan_text, encoding="utf-8")
    (tmp / "datasets" / "x.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    return tmp


def _row(**over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "en-x",
        "split": "dev",
        "language": "en",
        "source": "hand-written",
        "licence": "CC0-1.0",
        "plan_file": "plans/p.md",
        "negative_control": False,
        "gold": [],
        "retrieval_gold": [],
    }
    row.update(over)
    return row


def test_validator_reports_each_kind_of_mistake(tmp_path: Path) -> None:
    bad_gold = [
        {"code": "smart.nonsense", "line": 3},
        {"code": "smart.measurable", "line": None},
        {"code": "risk.no-register", "line": 3},
        {"code": "smart.measurable", "line": 40},
        {"code": "smart.measurable", "line": 2},
        {"code": "smart.measurable", "line": 3, "anchor": "not there"},
        {"code": "smart.relevant", "line": 3},
    ]
    _, problems = validate_dataset(_write(tmp_path, _row(gold=bad_gold)))
    text = "\n".join(problems)
    for fragment in (
        "unknown code",
        "needs a line",
        "must be null",
        "past the end",
        "is blank",
        "no longer holds",
        "LLM tier only",
    ):
        assert fragment in text
    _, missing = validate_dataset(_write(tmp_path / "b", _row(plan_file="plans/none.md")))
    assert "does not exist" in missing[0]
    _, schema = validate_dataset(_write(tmp_path / "c", _row(split="train")))
    assert "split" in schema[0]


def test_variants_never_leak_from_test_into_dev(tmp_path: Path) -> None:
    items, _ = validate_dataset()
    by_id = {i.id: i for i in items}
    for i in items:
        if i.base_id:
            assert by_id[i.base_id].split == i.split, i.id
    assert default_eval_dir().name == "eval"
