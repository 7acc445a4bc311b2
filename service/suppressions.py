"""Checks on the plan's suppression comments (``<!-- planreview: ignore CODE -->``).

The rule engine (service/rules/engine.py) applies them; this module says what
is wrong with them, as ruff does for ``# noqa``:

- an unknown code or family ("smart.measureable") suppresses nothing and is
  almost always a typo: always reported, with the nearest codes;
- a suppression that no finding needed (``--report-unused-suppressions``):
  the rules are run once more with the comments switched off, and each code of
  each comment is checked against what it would have removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.config import ReviewConfig
from service.models import Finding, Plan
from service.rules import catalogue
from service.rules.engine import _SUPPRESS  # the one definition of the comment syntax


@dataclass(frozen=True)
class Suppression:
    line: int  # 1-based line of the comment in the plan's text
    kind: str  # ignore-file, ignore-next-line or ignore
    tokens: tuple[str, ...]  # codes and families as written
    target: int | None  # first line of the block it applies to (None: the whole file)


@dataclass(frozen=True)
class Problem:
    line: int
    token: str
    kind: str  # "unknown" or "unused"
    suggestions: tuple[str, ...] = ()

    def message(self, lang: str = "en") -> str:
        if self.kind == "unknown":
            if lang == "zh":
                hint = (
                    f"（是否想输入 {' 或 '.join(self.suggestions)}？）" if self.suggestions else ""
                )
                return f"忽略注释中的规则代码“{self.token}”不存在，什么也不会忽略{hint}"
            hint = f" (did you mean {' or '.join(self.suggestions)}?)" if self.suggestions else ""
            return (
                f"unknown code {self.token!r} in a suppression comment: it suppresses nothing{hint}"
            )
        if lang == "zh":
            return f"忽略注释“{self.token}”未被使用：这里没有需要忽略的发现"
        return f"unused suppression {self.token!r}: there is nothing here for it to suppress"


def scan(plan: Plan) -> list[Suppression]:
    """Every suppression comment, with the block it applies to (as the engine applies it)."""
    out: list[Suppression] = []
    starts = sorted({b.start_line for b in plan.blocks})
    for idx, line in enumerate(plan.lines, start=1):
        for m in _SUPPRESS.finditer(line):
            tokens = tuple(t for t in re.split(r"[,\s]+", m.group("codes").strip()) if t)
            kind = m.group("kind").lower()
            target: int | None = None
            if kind != "ignore-file":
                target = next((s for s in starts if s > idx), None)
                same = [
                    b
                    for b in plan.blocks
                    if b.start_line <= idx <= b.end_line and "<!--" not in b.text
                ]
                if same:
                    target = same[0].start_line
                if target is None:
                    target = -1  # nothing after it: it applies to nothing
            out.append(Suppression(idx, kind, tokens, target))
    return out


def unknown_codes(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    for s in scan(plan):
        for token in s.tokens:
            if not catalogue.codes_matching(token):
                from service.explain import suggest  # the rule help: only for a wrong code

                problems.append(Problem(s.line, token, "unknown", tuple(suggest(token))))
    return problems


def _without_comments(plan: Plan) -> Plan:
    """The plan with its suppression comments switched off, every line and span kept."""

    def off(text: str) -> str:
        return _SUPPRESS.sub(lambda m: m.group(0).replace("planreview", "planrevie_", 1), text)

    copy = plan.model_copy(deep=True)
    copy.text = off(plan.text)
    for b in copy.blocks:
        b.text = off(b.text)
    return copy


def unused(
    plan: Plan, findings: list[Finding], config: ReviewConfig | None = None, lang: str | None = None
) -> list[Problem]:
    """Codes of suppression comments that removed no finding (unknown codes are left to
    ``unknown_codes``). ``findings`` are the review's (suppressed) rule findings."""
    from service.rules.engine import analyse

    found = scan(plan)
    if not found:
        return []
    _, everything = analyse(_without_comments(plan), config, lang=lang)
    kept = {(f.code, f.id) for f in findings}
    removed = [f for f in everything if (f.code, f.id) not in kept]
    problems: list[Problem] = []
    for s in found:
        for token in s.tokens:
            codes = set(catalogue.codes_matching(token))
            if not codes:
                continue
            if s.target is None:
                used = any(f.code in codes for f in removed)
            else:
                used = any(
                    f.code in codes
                    and f.scope == "block"
                    and f.span is not None
                    and f.span.start_line == s.target
                    for f in removed
                )
            if not used:
                problems.append(Problem(s.line, token, "unused"))
    return problems


__all__ = ["Problem", "Suppression", "scan", "unknown_codes", "unused"]
