"""Finding a model's quote in the plan, tolerantly, and computing the span from the match.

Both texts are normalised the same way before matching: NFKC (full-width
letters, digits and punctuation become half-width), case folded, and every
whitespace, punctuation and symbol character removed (but % and currency signs). The match is mapped
back to offsets in ``Plan.text``: the quote reported to the user is the
plan's own text between those offsets, and the span is computed from them,
never taken from the model. A quote shortened with an ellipsis ("Improve …
regions") matches from its first piece to its last within one stretch.

A quote must be a phrase, not a word: at least ``MIN_CHARS`` normalised
characters (``MIN_CJK_CHARS`` for Chinese), unless it is a whole block (a
short heading). It is looked for in the block the model named first; found
elsewhere, the occurrence nearest to that block is taken.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.models import Plan, Span

MIN_CHARS = 12
"""Normalised characters a quote needs to be matched at all (about two words)."""
MIN_CJK_CHARS = 6
"""The same for a quote in Chinese (a short phrase)."""
_ELLIPSIS = re.compile(r"(?:\.\s*){3,}|…+|⋯+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _keep(ch: str) -> bool:
    """Letters, digits, percent and currency signs: what a quote's meaning rests on."""
    cat = unicodedata.category(ch)
    if ch in "%‰" or cat == "Sc":
        return True
    return not (cat[0] in ("P", "S", "Z", "C") or ch.isspace())


@dataclass
class Normalised:
    """A normalised text and, per character, the offset it came from in the original."""

    text: str
    offsets: list[int]


def normalise(text: str, simplify: bool = False) -> Normalised:
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        if simplify and _CJK.match(folded):
            folded = _to_simplified(folded)
        for c in folded:
            if _keep(c):
                chars.append(c)
                offsets.append(i)
    return Normalised("".join(chars), offsets)


def _to_simplified(ch: str) -> str:
    try:
        from service.knowledge.lexical import to_simplified
    except ImportError:  # pragma: no cover - the knowledge package is part of the install
        return ch
    out = to_simplified(ch)
    return out if len(out) == len(ch) else ch


@dataclass
class Match:
    start: int
    end: int
    """Offsets in Plan.text, end exclusive."""
    quote: str
    span: Span


def span_for(text: str, start: int, end: int) -> Span:
    """1-based lines, 1-based columns, end_col after the last character."""
    line_start = text.rfind("\n", 0, start) + 1
    start_line = text.count("\n", 0, start) + 1
    last = max(end - 1, start)
    last_line_start = text.rfind("\n", 0, last) + 1
    end_line = text.count("\n", 0, last) + 1
    return Span(
        start_line=start_line,
        end_line=end_line,
        start_col=start - line_start + 1,
        end_col=max(last - last_line_start + 2, 1),
    )


class QuoteFinder:
    """Locates quotes in one plan (the normalised text is built once)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.text = plan.text
        self._norm = normalise(plan.text)
        self._simple: Normalised | None = None
        self._blocks: set[str] | None = None
        self._line_starts = [0]
        for m in re.finditer("\n", self.text):
            self._line_starts.append(m.end())

    def _range_of_block(self, block_id: str) -> tuple[int, int] | None:
        block = self.plan.block(block_id.strip()) if block_id else None
        if block is None:
            return None
        lo = (
            self._line_starts[block.start_line - 1]
            if block.start_line - 1 < len(self._line_starts)
            else 0
        )
        hi = (
            self._line_starts[block.end_line]
            if block.end_line < len(self._line_starts)
            else len(self.text)
        )
        return lo, hi

    def _search(self, norm: Normalised, needle: str, lo: int, hi: int) -> tuple[int, int] | None:
        """First occurrence of ``needle`` whose original offsets lie in [lo, hi)."""
        pos = norm.text.find(needle)
        while pos >= 0:
            start = norm.offsets[pos]
            if lo <= start < hi:
                return pos, pos + len(needle)
            pos = norm.text.find(needle, pos + 1)
        return None

    def why_not(self, quote: str, block_id: str = "") -> str:
        """Why ``find`` returned None, in a few words (for the model's second try)."""
        pieces = [p for p in _ELLIPSIS.split(quote) if p.strip()]
        length = sum(len(normalise(p).text) for p in pieces)
        if length < _min_chars(quote) and not self._whole_block(quote):
            return f"quote too short: copy a phrase of at least {_min_chars(quote)} characters"
        if block_id and self.plan.block(block_id.strip()) is None:
            return f"block_id {block_id!r} does not exist; quote not found in the plan either"
        if block_id:
            return f"quote not found in block {block_id} (nor anywhere in the plan)"
        return "quote not found in the plan"

    def _whole_block(self, quote: str) -> bool:
        needle = normalise(quote).text
        if not needle:
            return False
        if self._blocks is None:
            self._blocks = {normalise(b.text).text for b in self.plan.blocks}
        return needle in self._blocks

    def find(self, quote: str, block_id: str = "") -> Match | None:
        """The quote's place in the plan (inside its block first, else nearest to it), or None."""
        pieces = [p for p in _ELLIPSIS.split(quote) if p.strip()]
        if not pieces:
            return None
        short = sum(len(normalise(p).text) for p in pieces) < _min_chars(quote)
        if short and not self._whole_block(quote):
            return None
        for simplify in (False, True):
            if simplify:
                if not _CJK.search(quote):
                    break
                if self._simple is None:
                    self._simple = normalise(self.text, simplify=True)
                norm = self._simple
            else:
                norm = self._norm
            needles = [normalise(p, simplify=simplify).text for p in pieces]
            needles = [n for n in needles if n]
            if not needles:
                return None
            ranges = []
            block_range = self._range_of_block(block_id)
            if block_range is not None:
                ranges.append(block_range)
            ranges.append((0, len(self.text)))
            for lo, hi in ranges:
                near = block_range[0] if block_range is not None and lo == 0 else None
                hit = self._match_pieces(norm, needles, lo, hi, near=near)
                if hit is not None:
                    return self._result(norm, *hit)
        return None

    def _match_pieces(
        self, norm: Normalised, needles: list[str], lo: int, hi: int, near: int | None = None
    ) -> tuple[int, int] | None:
        """The first match in [lo, hi); with ``near``, the match closest to that offset."""
        if near is None:
            return self._first_match(norm, needles, lo, hi)
        best: tuple[int, int] | None = None
        start = lo
        while True:
            hit = self._first_match(norm, needles, start, hi)
            if hit is None:
                return best
            if best is None or abs(norm.offsets[hit[0]] - near) < abs(norm.offsets[best[0]] - near):
                best = hit
            start = norm.offsets[hit[0]] + 1

    def _first_match(
        self, norm: Normalised, needles: list[str], lo: int, hi: int
    ) -> tuple[int, int] | None:
        first = self._search(norm, needles[0], lo, hi)
        while first is not None:
            start, end = first
            ok = True
            for needle in needles[1:]:
                nxt = norm.text.find(needle, end, end + 600)
                if nxt < 0:
                    ok = False
                    break
                end = nxt + len(needle)
            if ok:
                return start, end
            pos = norm.text.find(needles[0], start + 1)
            first = None
            while pos >= 0:
                if lo <= norm.offsets[pos] < hi:
                    first = (pos, pos + len(needles[0]))
                    break
                pos = norm.text.find(needles[0], pos + 1)
        return None

    def _result(self, norm: Normalised, nstart: int, nend: int) -> Match:
        start = norm.offsets[nstart]
        end = norm.offsets[nend - 1] + 1
        return Match(
            start=start, end=end, quote=self.text[start:end], span=span_for(self.text, start, end)
        )


def _min_chars(quote: str) -> int:
    return MIN_CJK_CHARS if _CJK.search(quote) else MIN_CHARS
