"""Balanced Scorecard: perspectives the goals ignore, and lagging-only KPIs."""

from __future__ import annotations

import re

from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts
from service.rules.extract.signals import has_metric
from service.rules.messages import PERSPECTIVES


def _kpi_texts(facts: PlanFacts) -> list[str]:
    texts = [g.text for g in facts.goals]
    texts += [kr.text for kr in facts.krs]
    texts += [facts.folded[o.block.id] for o in facts.objectives]
    texts += [m.text for m in facts.measures]
    return texts


def check(facts: PlanFacts, emit: Emitter) -> None:
    # A goal paragraph with several targets ("…；…；…") counts each target.
    goals = [c for g in facts.goals for c in re.split(r"[；;]", g.text) if c.strip()] + [
        kr.text for kr in facts.krs
    ]
    if len(goals) + len(facts.measures) >= 3:
        joined = "\n".join(_kpi_texts(facts))
        for key, pattern in cues.BSC_PERSPECTIVES.items():
            if not pattern.search(joined):
                en, zh = PERSPECTIVES[key]
                emit.document(
                    "bsc.missing-perspective",
                    emit.section_anchor("goals", "okr"),
                    perspective=zh if emit.lang == "zh" else en,
                    confidence=0.7,
                )
    kpis = [t for t in goals if has_metric(t)]
    if (
        len(kpis) >= 2
        and all(cues.LAGGING_CUES.search(t) for t in kpis)
        and not any(cues.LEADING_CUES.search(t) for t in kpis)
    ):
        emit.document("bsc.lagging-only", emit.section_anchor("goals", "okr"), confidence=0.75)
