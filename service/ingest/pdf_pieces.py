"""Positioned text pypdf reports for a page: where each piece sits, its size, font and width.

pypdf reports each piece of text with its position and font (``visitor_text``
of ``PageObject.extract_text``; public API, the same decoding as plain text
extraction, Form XObjects included). Each piece's text is normalised
(``normalize_text``: Kangxi radicals, compatibility ideographs, ligatures,
full-width letters, odd spaces) before anything reads it, so layout, list
markers and headings see ordinary characters. Widths come from the font where
pypdf can measure them (on the text as drawn), otherwise from an estimate. The
callback checks the wall-clock deadline every 64 text operations and raises ``OutOfTime`` when it has passed,
so a pathological page is abandoned mid-way. ``pypdf_limits`` applies pypdf's
own resource limits with external decoders disabled.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from service.ingest.normalize_text import normalize_line
from service.ingest.pdf_text import text_width


class OutOfTime(Exception):
    """Raised from the text callback when the time budget is spent."""


@dataclass
class Piece:
    """Text pypdf reported at one position."""

    x: float
    top: float  # distance from the top of the page (grows downwards)
    size: float
    text: str
    bold: bool
    ended: bool = False  # pypdf ended this piece with a line break
    width: float = 0.0  # advance of the text, from the font's widths where known


@contextlib.contextmanager
def pypdf_limits() -> Iterator[None]:
    """pypdf's resource limits for this read, with external decoders switched off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pypdf

        apply = getattr(pypdf, "apply_configuration", None)
        if apply is None:
            yield
            return
        try:
            ctx = apply(jbig2dec_binary=None)
        except TypeError:  # an older pypdf without this field
            ctx = apply()
        with ctx:
            yield


def _matmul(a: Any, b: Any) -> list[float]:
    """Product of two PDF matrices [a b c d e f] (text matrix x current transformation)."""
    a0, a1, a2, a3, a4, a5 = (float(v) for v in a[:6])
    b0, b1, b2, b3, b4, b5 = (float(v) for v in b[:6])
    return [
        a0 * b0 + a1 * b2,
        a0 * b1 + a1 * b3,
        a2 * b0 + a3 * b2,
        a2 * b1 + a3 * b3,
        a4 * b0 + a5 * b2 + b4,
        a4 * b1 + a5 * b3 + b5,
    ]


def _width_table(font: Any) -> Any:
    """pypdf's character widths for a font resource (pypdf >= 6), or None to estimate.

    A composite (CID) font that is not embedded, such as the Adobe Asian fonts
    (STSong-Light, MSung-Light), often carries no real widths: estimating is
    closer than pypdf's defaults there.
    """
    if font is None:
        return None
    try:
        if font.get("/Subtype") == "/Type0" and not _embedded_cid(font):
            return None
        from pypdf.generic._font import Font

        return Font.from_font_resource(font)
    except Exception:  # older pypdf, or a font dictionary it cannot read
        return None


def _embedded_cid(font: Any) -> bool:
    descendants = font.get("/DescendantFonts")
    if descendants is None:
        return False
    for ref in descendants.get_object():
        descriptor = ref.get_object().get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                return True
    return False


def quiet_pypdf() -> None:
    # pypdf logs recoverable damage as warnings; users get our one-line summary instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def page_pieces(page: Any, deadline: float) -> list[Piece]:
    pieces: list[Piece] = []
    calls = 0
    fonts: dict[int, Any] = {}

    def measure(font: Any, drawn: str, text: str, size: float) -> float:
        """The advance of ``drawn`` from the font's widths, or an estimate from ``text``.

        ``drawn`` is the text as the PDF gives it, ``text`` its normalised form, whose
        character classes the estimate knows (a Kangxi radical is as wide as an ideograph).
        """
        estimate = text_width(text, size)
        key = id(font)
        if key not in fonts:
            fonts[key] = _width_table(font)
        table = fonts[key]
        if table is None:
            return estimate
        try:
            width = float(table.get_text_width(drawn)) * size / 1000.0
        except Exception:  # a font pypdf cannot measure
            return estimate
        return width if 0.3 * estimate <= width <= 3.0 * estimate else estimate

    def visit(text: Any, cm: Any, tm: Any, font: Any, size: Any) -> None:
        nonlocal calls
        calls += 1
        if calls % 64 == 0 and time.monotonic() > deadline:
            raise OutOfTime
        if not isinstance(text, str) or not text:
            return
        try:
            m = _matmul(tm, cm)
            scale = math.hypot(m[2], m[3]) or 1.0
            eff = float(size or 0) * scale or 10.0
            x, y = float(m[4]), float(m[5])
            top = -y if m[3] >= 0 else y
        except (TypeError, ValueError, IndexError):
            return
        name = ""
        with contextlib.suppress(Exception):
            name = str(font.get("/BaseFont", "")) if font is not None else ""
        bold = bool(re.search(r"bold|heavy|black|semibold|demi|黑体|黑體", name, re.IGNORECASE))
        ended = text.endswith("\n")
        parts = text.split("\n")
        if ended:
            parts = parts[:-1]
        for k, drawn in enumerate(parts):
            drawn = drawn.replace("\t", " ")
            part = normalize_line(drawn, line_end_hyphen=True)
            last = k == len(parts) - 1
            pieces.append(
                Piece(
                    x,
                    top + k * eff * 1.2,
                    eff,
                    part,
                    bold,
                    ended or not last,
                    measure(font, drawn, part, eff),
                )
            )

    page.extract_text(visitor_text=visit, orientations=(0, 180))
    return pieces
