"""Scores per framework family and the one-paragraph summary.

Formula (documented in README): each family starts at 100 and loses 20 per
error, 10 per warning and 4 per info finding of that family on a line of the plan,
and 50 / 15 / 5 for a document-scope finding (a part missing), counting at most
three findings of any one code (one systematic gap should not zero a family on
its own), floored at 0. A family is ``None`` when it does not apply (``smart``
with no goal statements, ``okr`` with no objectives). ``overall`` is the
weighted mean of the applicable families (``applicable_families``: raci needs tasks or RACI
rows, bsc at least two goals or key results, consistency a budget, a set of shares or a plan
period). LLM codes count towards the family
they concern: ``llm.risk`` -> risk, ``llm.inconsistency`` -> consistency,
``llm.gap`` -> smart.
"""

from __future__ import annotations

from collections import Counter

from service.models import Finding, Review
from service.rules.extract.facts import PlanFacts

PENALTY = {"error": 20, "warning": 10, "info": 4}
# A part missing from the whole plan (no risk register, no monitoring, no timeline) weighs
# more than one weak line: it leaves the family with nothing in place.
DOCUMENT_PENALTY = {"error": 50, "warning": 15, "info": 5}
MAX_PER_CODE = 3
WEIGHTS = {
    "smart": 2.0,
    "okr": 1.0,
    "raci": 1.5,
    "pdca": 1.5,
    "bsc": 1.0,
    "risk": 1.5,
    "resource": 1.5,
    "consistency": 1.0,
    "comm": 0.5,
    "plan": 0.5,
}
_LLM_FAMILY = {"llm.risk": "risk", "llm.inconsistency": "consistency", "llm.gap": "smart"}


def family_of(finding: Finding) -> str:
    return _LLM_FAMILY.get(finding.code, finding.family)


def applicable_families(facts: PlanFacts) -> dict[str, bool]:
    """Families that had something to check in this plan. A family with nothing to check
    (no goal statements, no tasks or RACI rows, too few goals for a scorecard, no budget, share
    or dated line to cross-check) scores ``None``, not a perfect 100."""
    goals = len(facts.goals) + len(facts.krs)
    return {
        "smart": bool(facts.goals),
        "okr": bool(facts.objectives),
        "raci": bool(facts.tasks or facts.raci_rows),
        "bsc": goals >= 2,
        "consistency": bool(
            facts.budget_groups or facts.percent_groups or facts.plan_period is not None
        ),
    }


def score(findings: list[Finding], facts: PlanFacts) -> dict[str, int | None]:
    applicable = applicable_families(facts)
    scores: dict[str, int | None] = {}
    per_code: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for f in findings:
        per_code[f.code] += 1
        if per_code[f.code] > MAX_PER_CODE:
            continue
        table = DOCUMENT_PENALTY if f.scope == "document" else PENALTY
        lost[family_of(f)] += table.get(f.severity, 0)
    for family in WEIGHTS:
        if not applicable.get(family, True) and not lost[family]:
            scores[family] = None
            continue
        scores[family] = max(0, 100 - lost[family])
    total_weight = sum(WEIGHTS[f] for f, s in scores.items() if s is not None)
    overall = sum(WEIGHTS[f] * s for f, s in scores.items() if s is not None) / total_weight
    return {"overall": round(overall), **scores}


def summarise(review: Review, lang: str) -> str:
    counts = Counter(f.severity for f in review.findings)
    weakest = sorted(
        ((k, v) for k, v in review.scores.items() if k != "overall" and v is not None and v < 100),
        key=lambda kv: kv[1],
    )[:3]
    top = Counter(f.code for f in review.findings if f.severity == "error").most_common(3)
    if lang == "zh":
        parts = [
            f"共 {len(review.findings)} 条意见（错误 {counts['error']}，警告 {counts['warning']}，"
            f"提示 {counts['info']}），总分 {review.scores.get('overall')}。"
        ]
        if weakest:
            parts.append("最薄弱：" + "、".join(f"{k}（{v}）" for k, v in weakest) + "。")
        if top:
            parts.append("主要问题：" + "、".join(code for code, _ in top) + "。")
        return "".join(parts)
    parts = [
        f"{len(review.findings)} findings ({counts['error']} errors, {counts['warning']} warnings, "
        f"{counts['info']} info); overall score {review.scores.get('overall')}."
    ]
    if weakest:
        parts.append(" Weakest: " + ", ".join(f"{k} ({v})" for k, v in weakest) + ".")
    if top:
        parts.append(" Main errors: " + ", ".join(code for code, _ in top) + ".")
    return "".join(parts)
