"""Run every rule family over a plan, then apply configuration and suppressions."""

from __future__ import annotations

import hashlib
import re

from service.config import ReviewConfig
from service.models import Finding, Plan
from service.rules import catalogue, vocabulary
from service.rules.base import Emitter
from service.rules.extract.facts import PlanFacts, build_facts
from service.rules.families import FAMILIES
from service.rules.messages import to_traditional

RULES_VERSION = "2026.12.1"

_SUPPRESS = re.compile(
    r"<!--\s*planreview\s*:\s*(?P<kind>ignore-file|ignore-next-line|ignore)\s+(?P<codes>[\w.,\s-]+?)\s*-->",
    re.I,
)


def fingerprint(code: str, quote: str, plan_sha: str) -> str:
    norm = " ".join(quote.split()).lower()
    return hashlib.sha256(f"{code}\0{norm}\0{plan_sha}".encode()).hexdigest()[:16]


def suppressions(plan: Plan) -> tuple[set[str], dict[int, set[str]]]:
    """(codes ignored in the whole file, line -> codes ignored on the block starting there)."""
    whole: set[str] = set()
    by_line: dict[int, set[str]] = {}
    lines = plan.lines
    starts = sorted({b.start_line for b in plan.blocks})
    for idx, line in enumerate(lines, start=1):
        for m in _SUPPRESS.finditer(line):
            codes: set[str] = set()
            for token in re.split(r"[,\s]+", m.group("codes").strip()):
                if token:
                    codes.update(catalogue.codes_matching(token) or {token})
            if m.group("kind").lower() == "ignore-file":
                whole |= codes
            else:
                # The next block after the comment (or the block on the same line).
                target = next((s for s in starts if s > idx), None)
                same = [
                    b
                    for b in plan.blocks
                    if b.start_line <= idx <= b.end_line and "<!--" not in b.text
                ]
                if same:
                    target = same[0].start_line
                if target is not None:
                    by_line.setdefault(target, set()).update(codes)
    return whole, by_line


def analyse(
    plan: Plan, config: ReviewConfig | None = None, lang: str | None = None
) -> tuple[PlanFacts, list[Finding]]:
    """Read the plan and run every rule, with the project's vocabulary in force."""
    config = config or ReviewConfig()
    with vocabulary.using(config.vocabulary):
        facts = build_facts(plan)
        return facts, run_rules(plan, config, lang=lang, facts=facts)


def run_rules(
    plan: Plan,
    config: ReviewConfig | None = None,
    lang: str | None = None,
    facts: PlanFacts | None = None,
) -> list[Finding]:
    """All rule findings for a plan, configured, suppressed, fingerprinted and sorted."""
    config = config or ReviewConfig()
    facts = facts or build_facts(plan)
    emit = Emitter(facts, lang or plan.language)
    for family in FAMILIES:
        family.check(facts, emit)
    if emit.lang == "zh" and plan.script == "hant":
        for f in emit.findings:
            f.message = to_traditional(f.message)
            f.suggestion = to_traditional(f.suggestion)
            if f.rewrite:
                f.rewrite = to_traditional(f.rewrite)
    enabled = config.enabled_codes()
    whole, by_line = suppressions(plan)
    out: list[Finding] = []
    seen: set[str] = set()
    for f in emit.findings:
        if f.code not in enabled or f.code in whole:
            continue
        if (
            f.span is not None
            and f.scope == "block"
            and f.code in by_line.get(f.span.start_line, set())
        ):
            continue
        f.severity = config.severity_for(f.code, f.severity)  # type: ignore[assignment]
        key = f"{f.code}|{f.span.start_line if f.span else 0}|{f.message}"
        if key in seen:
            continue
        seen.add(key)
        f.id = fingerprint(
            f.code, f.quote + (f.message if f.scope == "document" else ""), plan.sha256
        )
        out.append(f)
    out.sort(
        key=lambda f: (
            f.span.start_line if f.span and f.scope == "block" else 0,
            f.scope != "document",
            f.code,
        )
    )
    return out
