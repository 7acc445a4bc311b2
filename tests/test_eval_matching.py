"""The matcher follows contracts.md: same code, gold line inside the span widened by one line,
document scope by code alone, each prediction used at most once, deterministic."""

from __future__ import annotations

from service.evaluation.dataset import GoldFinding
from service.evaluation.matching import Prediction, match_findings


def pred(code: str, start: int | None, end: int | None = None, scope: str = "block") -> Prediction:
    return Prediction(
        code=code, start_line=start, end_line=end if end is not None else start, scope=scope
    )


def gold(code: str, line: int | None) -> GoldFinding:
    return GoldFinding(code=code, line=line)


def test_off_by_one_widening_matches_but_two_lines_off_does_not() -> None:
    g = [gold("smart.measurable", 10)]
    assert len(match_findings([pred("smart.measurable", 11)], g).matches) == 1
    assert len(match_findings([pred("smart.measurable", 9)], g).matches) == 1
    miss = match_findings([pred("smart.measurable", 12)], g)
    assert miss.matches == [] and miss.unmatched_gold == [0] and miss.unmatched_pred == [0]


def test_multi_line_span_is_widened_at_both_ends() -> None:
    g = [gold("raci.no-owner", 20)]
    assert len(match_findings([pred("raci.no-owner", 15, 19)], g).matches) == 1
    assert len(match_findings([pred("raci.no-owner", 21, 25)], g).matches) == 1
    assert match_findings([pred("raci.no-owner", 22, 25)], g).matches == []


def test_code_must_be_equal() -> None:
    m = match_findings([pred("smart.specific", 10)], [gold("smart.measurable", 10)])
    assert m.matches == [] and m.unmatched_pred == [0] and m.unmatched_gold == [0]


def test_one_prediction_cannot_match_two_gold_entries() -> None:
    g = [gold("risk.no-mitigation", 30), gold("risk.no-mitigation", 31)]
    m = match_findings([pred("risk.no-mitigation", 30, 31)], g)
    assert len(m.matches) == 1
    assert m.unmatched_gold == [1]  # the closer gold line (30) wins, deterministically
    assert m.unmatched_pred == []


def test_two_predictions_two_gold_pair_by_distance() -> None:
    g = [gold("risk.no-assessment", 30), gold("risk.no-assessment", 31)]
    p = [pred("risk.no-assessment", 31), pred("risk.no-assessment", 30)]
    m = match_findings(p, g)
    assert {(x.gold, x.pred) for x in m.matches} == {(0, 1), (1, 0)}


def test_document_scope_matches_by_code_alone() -> None:
    g = [
        gold("risk.no-register", None),
        gold("bsc.missing-perspective", None),
        gold("bsc.missing-perspective", None),
    ]
    p = [
        pred("bsc.missing-perspective", 1, scope="document"),
        pred("risk.no-register", 57, scope="document"),
        pred("bsc.missing-perspective", None, scope="document"),
        pred("bsc.missing-perspective", 3, scope="document"),
    ]
    m = match_findings(p, g)
    assert len(m.matches) == 3
    assert m.unmatched_gold == []
    assert m.unmatched_pred == [3]  # a third perspective finding is a false positive


def test_prediction_without_span_never_matches_block_gold() -> None:
    m = match_findings([pred("smart.measurable", None)], [gold("smart.measurable", 4)])
    assert m.matches == []


def test_matching_is_deterministic() -> None:
    g = [gold("raci.no-owner", n) for n in (5, 6, 7, 8)]
    p = [pred("raci.no-owner", n, n + 1) for n in (8, 4, 6, 5)]
    first = match_findings(p, g)
    for _ in range(5):
        assert match_findings(p, g) == first
