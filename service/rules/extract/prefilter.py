"""Cheap necessary conditions for long alternations of cue words.

A pattern such as ``cues.ACT_CUES`` (dozens of alternatives) is tried at every position of a
plan's text; on a long plan that holds none of its cues the scan costs tens of milliseconds.
Every match of it, though, contains one of a few literal strings (one per alternative: "retro",
"debrief", "而定", ...). ``literals`` reads them off the pattern's syntax tree, and ``Prefiltered``
searches only a text that contains one of them (casefolded, so case-insensitive patterns are
covered), which is a substring test in C. The answer is exactly the pattern's: a text without
any of the literals cannot match.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


def literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Casefolded strings one of which occurs in every match, or None when the pattern has an
    alternative without a literal it needs (then no shortcut is safe)."""
    return _sequence(list(_parser.parse(pattern.pattern, pattern.flags)))


def _score(found: frozenset[str]) -> tuple[int, int]:
    """A requirement is better when its shortest literal is longer, then when it has fewer."""
    return (min(len(s) for s in found), -len(found))


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and all(found) and (best is None or _score(found) > _score(best)):
            best = found

    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            consider(frozenset({"".join(run).casefold()}))
            run = []
        if op is sre.SUBPATTERN:
            consider(_sequence(list(av[-1])))
        elif op is sre.BRANCH:
            consider(_branches(av[1]))
        elif op in _REPEATS and av[0] >= 1:
            consider(_sequence(list(av[2])))
        elif op is sre.IN and av and all(o is sre.LITERAL for o, _ in av):
            consider(frozenset(chr(v).casefold() for _, v in av))
    if run:
        consider(frozenset({"".join(run).casefold()}))
    return best


def _branches(branches: list[Any]) -> frozenset[str] | None:
    out: set[str] = set()
    for branch in branches:
        found = _sequence(list(branch))
        if found is None:
            return None
        out |= found
    return frozenset(out)


class Prefiltered:
    """A compiled pattern whose ``search`` first asks whether the text can match at all."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.literals = literals(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        if self.literals is not None:
            folded = text.casefold()
            if not any(lit in folded for lit in self.literals):
                return None
        return self.pattern.search(text)
