"""The Chinese half of the eval dataset: schema, coverage and anchors stay consistent with the plans."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from service.rules.catalogue import BY_CODE

EVAL = Path(__file__).resolve().parents[1] / "eval"
DATASET = EVAL / "datasets" / "zh.jsonl"
ANCHORS = EVAL / "datasets" / "zh-anchors.json"
RULE_CODES = {c for c, spec in BY_CODE.items() if not spec.llm_only and c != "smart.relevant"}


def _items() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for line in DATASET.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _lines(item: dict[str, Any]) -> list[str]:
    return (EVAL / item["plan_file"]).read_text(encoding="utf-8").split("\n")


def test_items_follow_the_schema() -> None:
    items = _items()
    assert len({i["id"] for i in items}) == len(items), "duplicate ids"
    for i in items:
        assert i["id"].startswith(("zh-", "zht-")), i["id"]
        assert i["language"] == "zh" and i["source"] == "hand-written" and i["licence"] == "CC0-1.0"
        assert i["split"] in {"dev", "test"}
        assert i["plan_file"] in {f"plans/{i['id']}.md", f"plans/{i['id']}.txt"}, i["plan_file"]
        assert (EVAL / i["plan_file"]).is_file(), i["plan_file"]
        assert i["retrieval_gold"] == []


@pytest.mark.parametrize("item", _items(), ids=lambda i: i["id"])
def test_gold_entries_point_at_the_right_lines(item: dict[str, Any]) -> None:
    lines = _lines(item)
    for g in item["gold"]:
        assert g["code"] in RULE_CODES, g["code"]
        if BY_CODE[g["code"]].scope == "document":
            assert g["line"] is None, g
            continue
        assert isinstance(g["line"], int) and 1 <= g["line"] <= len(lines), g
        assert g["anchor"] in lines[g["line"] - 1], f"{item['id']}: {g}"
    perspectives = sum(g["code"] == "bsc.missing-perspective" for g in item["gold"])
    assert perspectives <= 4
    if item["negative_control"]:
        assert all(BY_CODE[g["code"]].severity != "error" for g in item["gold"]), item["id"]


def test_dataset_has_the_promised_mix() -> None:
    items = _items()
    assert len(items) >= 28
    trad = [i for i in items if i["id"].startswith("zht-")]
    assert len(trad) >= 9
    negatives = [i for i in items if i["negative_control"]]
    assert len(negatives) >= 6
    assert sum(i["plan_file"].endswith(".txt") for i in items) >= 3
    for split in ("dev", "test"):
        in_split = [i for i in items if i["split"] == split]
        assert any(i["id"].startswith("zht-") for i in in_split)
        assert any(i["id"].startswith("zh-") for i in in_split)
        assert any(i["negative_control"] for i in in_split)
        # weak plans (5+ document-level gaps) in both splits
        assert any(sum(g["line"] is None for g in i["gold"]) >= 5 for i in in_split)
    dev = sum(i["split"] == "dev" for i in items)
    assert 0.5 <= dev / len(items) <= 0.7
    codes = Counter(g["code"] for i in items for g in i["gold"])
    for code in RULE_CODES:
        assert codes[code] >= 1, f"no gold example of {code}"


def test_negative_control_anchors_sit_on_their_lines() -> None:
    anchors = json.loads(ANCHORS.read_text(encoding="utf-8"))
    items = {i["id"]: i for i in _items()}
    assert set(anchors) == {k for k, i in items.items() if i["negative_control"]}
    for pid, entry in anchors.items():
        lines = _lines(items[pid])
        assert entry["plan_file"] == items[pid]["plan_file"]
        for kind, value in entry.items():
            if kind == "plan_file":
                continue
            for a in value if isinstance(value, list) else [value]:
                assert a["text"] in lines[a["line"] - 1], f"{pid} {kind}: {a}"
        for kind in (
            "risk_heading",
            "risk_last_line",
            "risk_mitigation",
            "budget_total",
            "milestone_date",
        ):
            assert kind in entry, f"{pid} lacks {kind}"
