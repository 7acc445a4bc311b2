"""P/R/F1 arithmetic, "not evaluated" instead of 0, and an independent re-scoring of a real run."""

from __future__ import annotations

from collections import Counter

import pytest

from service.evaluation.dataset import GoldFinding
from service.evaluation.matching import Prediction, match_findings
from service.evaluation.metrics import Counts, PlanOutcome, compute, percentile


def test_precision_recall_f1_arithmetic() -> None:
    c = Counts(tp=6, fp=2, fn=4).finish()
    assert c.precision == 0.75
    assert c.recall == 0.6
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35, abs=1e-4)


def test_zero_denominators_are_not_evaluated_and_misses_are_zero() -> None:
    empty = Counts().finish()
    assert (empty.precision, empty.recall, empty.f1) == (None, None, None)
    only_misses = Counts(fn=3).finish()
    assert only_misses.precision is None and only_misses.recall == 0.0 and only_misses.f1 == 0.0
    only_fps = Counts(fp=2).finish()
    assert only_fps.precision == 0.0 and only_fps.recall is None and only_fps.f1 == 0.0


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([10, 20, 30, 40], 50) == 20
    assert percentile([10, 20, 30, 40], 95) == 40


def _outcome(
    pid: str, lang: str, preds: list[Prediction], gold: list[GoldFinding], negative: bool = False
) -> PlanOutcome:
    return PlanOutcome(
        id=pid,
        language=lang,
        split="dev",
        predictions=preds,
        gold=gold,
        match=match_findings(preds, gold),
        negative_control=negative,
        quote_found=[True] * len(preds),
        latency_ms=10.0,
    )


def test_compute_breaks_down_by_code_family_language_and_controls() -> None:
    a = _outcome(
        "en-a",
        "en",
        [
            Prediction(code="smart.measurable", start_line=3, end_line=3, severity="error"),
            Prediction(code="smart.specific", start_line=9, end_line=9),
        ],
        [GoldFinding(code="smart.measurable", line=4), GoldFinding(code="risk.no-register")],
    )
    b = _outcome(
        "zh-b",
        "zh",
        [Prediction(code="raci.no-owner", start_line=5, end_line=5, severity="error")],
        [],
        negative=True,
    )
    m = compute([a, b])
    assert (m.overall.tp, m.overall.fp, m.overall.fn) == (1, 2, 1)
    assert m.by_language["en"].tp == 1 and m.by_language["zh"].fp == 1
    assert m.by_family["smart"].tp == 1 and m.by_family["smart"].fp == 1
    assert m.by_code["risk.no-register"].fn == 1
    assert m.span_accuracy.value == 0.0  # matched one line off
    assert m.negative_controls.fp_per_plan == 1.0
    assert m.negative_controls.errors == [{"plan": "zh-b", "code": "raci.no-owner", "line": 5}]
    assert m.quote_fidelity.value == 1.0


def _independent_counts(outcomes: list[PlanOutcome]) -> Counter[tuple[str, str]]:
    """Re-score from raw predictions and gold with a maximum bipartite matching (augmenting
    paths), written without the package's matcher, as an outside check would do it."""
    counts: Counter[tuple[str, str]] = Counter()
    for o in outcomes:
        edges: dict[int, list[int]] = {}
        for gi, g in enumerate(o.gold):
            edges[gi] = []
            for pi, p in enumerate(o.predictions):
                if p.code != g.code:
                    continue
                if g.line is None:
                    edges[gi].append(pi)
                elif p.start_line is not None:
                    end = p.end_line if p.end_line is not None else p.start_line
                    if p.start_line - 1 <= g.line <= end + 1:
                        edges[gi].append(pi)
        owner: dict[int, int] = {}

        def augment(
            gi: int,
            seen: set[int],
            owner: dict[int, int] = owner,
            edges: dict[int, list[int]] = edges,
        ) -> bool:
            for pi in edges[gi]:
                if pi in seen:
                    continue
                seen.add(pi)
                if pi not in owner or augment(owner[pi], seen):
                    owner[pi] = gi
                    return True
            return False

        matched_gold = {gi for gi in edges if augment(gi, set())}
        for gi, g in enumerate(o.gold):
            counts[(g.code, "tp" if gi in matched_gold else "fn")] += 1
        for pi, p in enumerate(o.predictions):
            if pi not in owner:
                counts[(p.code, "fp")] += 1
    return counts


def test_numbers_agree_with_an_independent_scoring_of_the_same_outputs() -> None:
    from service.evaluation.runner import run_eval

    run = run_eval(split="dev", retrieval=None)
    independent = _independent_counts(run.plans)
    for code, c in run.metrics.by_code.items():
        assert (c.tp, c.fp, c.fn) == (
            independent[(code, "tp")],
            independent[(code, "fp")],
            independent[(code, "fn")],
        ), code
    total = sum(v for (_, kind), v in independent.items() if kind == "tp")
    assert run.metrics.overall.tp == total


def test_plan_retrieval_recall_and_mrr_with_a_fake_retriever() -> None:
    from types import SimpleNamespace

    from service.evaluation.dataset import RetrievalGold
    from service.evaluation.runner import plan_retrieval

    class Fake:
        def search(self, query: str, k: int = 10, mode: str = "lexical") -> list[SimpleNamespace]:
            order = ["a", "b", "c", "d"] if query == "q1" else ["x", "y", "z"]
            return [SimpleNamespace(chunk_id=c) for c in order[:k]]

    out = plan_retrieval(
        Fake(),
        [
            RetrievalGold(query="q1", relevant_chunk_ids=["c"]),
            RetrievalGold(query="q2", relevant_chunk_ids=["nope"]),
        ],
        "lexical",
    )
    assert out == {
        "n": 2,
        "recall@1": 0.0,
        "recall@3": 0.5,
        "recall@5": 0.5,
        "mrr": round(1 / 3 / 2, 4),
    }
