"""Joining runs of text recovered from a PDF, and estimating how wide text is set.

Runs are joined with one space, or none between Chinese characters (and next
to one when a line wrapped); a hyphen splitting a word across lines is mended
(``normalize_text.hyphen_join``: "organi-" + "sation" -> "organisation"), a
hyphen that belongs to the text is kept without a space ("2024-" + "2025").
Widths are estimated from character classes when the font gives none.
"""

from __future__ import annotations

import re

from service.ingest.normalize_text import hyphen_join

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def _separator(left: str, right: str, mend_hyphen: bool) -> tuple[str, bool]:
    """(what goes between two non-empty runs, whether the left run's final hyphen goes)."""
    a, b = left[-1], right[0]
    if CJK.match(a) and (CJK.match(b) or b in "，。、；：！？）》」』"):
        return "", False
    if mend_hyphen and (CJK.match(a) or CJK.match(b)):
        return "", False  # a line wrapped next to a Chinese character: no space was there
    if mend_hyphen and a == "-":
        how = hyphen_join(left, right)
        if how is not None:
            return "", how == "mend"
    return " ", False


def join_all(parts: list[str], *, mend_hyphen: bool = False) -> str:
    """Join runs of text: no space between Chinese characters, one space otherwise.

    ``mend_hyphen`` marks joins across line wraps: a hyphen splitting a word is
    removed, one that belongs to the text ("2024-" + "2025") is kept without a
    space, and no space is added next to a Chinese character. Linear in the
    total length, however many lines a paragraph has.
    """
    out: list[str] = []
    for raw in parts:
        part = raw.strip()
        if not part:
            continue
        if out:
            sep, drop = _separator(out[-1], part, mend_hyphen)
            if drop:
                out[-1] = out[-1][:-1]
            if sep:
                out.append(sep)
        out.append(part)
    return "".join(out)


def join_words(left: str, right: str, *, mend_hyphen: bool = False) -> str:
    return join_all([left, right], mend_hyphen=mend_hyphen)


def text_width(text: str, size: float) -> float:
    """Estimated advance of ``text``: full width for CJK, about half an em for Latin."""
    width = 0.0
    for ch in text:
        if CJK.match(ch):
            width += 1.0
        elif ch == " ":
            width += 0.28
        elif ch.isupper() or ch in "mwMW%@":
            width += 0.68
        else:
            width += 0.5
    return width * size


__all__ = ["CJK", "join_all", "join_words", "text_width"]
