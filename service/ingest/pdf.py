""".pdf -> normalised Markdown text, recovering structure from the page layout.

pypdf reports each piece of text with its position and font (``visitor_text``
of ``PageObject.extract_text``; public API, the same decoding as plain text
extraction, Form XObjects included). From those pieces this module rebuilds:

- lines (pieces on one baseline) and cells (pieces separated by a gap wider
  than a space; widths come from the font where pypdf knows them);
- running headers, footers and page numbers (the same text at the same height
  at the top or bottom of most pages, or a bare page number), which are dropped;
- headings: lines set clearly larger than the body text (levels by size rank),
  or short bold lines followed by body text;
- list items: a bullet glyph (•, ·, -, Word's symbol-font bullets) or a number
  ("1.", "2)", "(3)", "①") at the line start; nesting by indentation;
- tables: two or more consecutive lines whose cells start at the same columns,
  wrapped cells folded back into their row, a table split by a page break joined;
- paragraphs: wrapped lines joined (without a space next to Chinese characters;
  a hyphen split across lines is mended). A line that stops although the next
  line's first word would have fitted was broken by the writer: at the usual
  leading it stays a line break inside the paragraph (label lines such as
  "Owner: ..." / "Budget: ..."), after paragraph spacing a new paragraph starts.
  A page break continues a paragraph unless it had ended.

Short outline lines such as "一、背景" or "第一章 总则" stay on a line of their own,
so the Markdown parser sees them as the headings they are.

The result is approximate, so every PDF plan carries a warning saying so.
Not handled: multi-column page layouts (read across, line by line), text in
rotated orientation, and text boxes drawn out of reading order.

A damaged page is skipped with a warning when other pages can be read; a PDF
with images but no text is a scan ("run OCR first").

Bounding the work (pypdf on adversarial input can be slow): the page limit
(``settings.max_pages``) is checked before any page is read; pypdf's own
resource limits (decompressed stream size, content stream parsing budget) are
applied through ``pypdf.apply_configuration`` where available, with external
decoders disabled; and a wall-clock budget (``Settings.pdf_time_budget``) is checked
between pages and inside the text callback, which pypdf calls for every text
operation, so a pathological page is abandoned mid-way (a 20 KB file whose one
page holds 300,000 text operations is refused after the budget instead of
taking minutes). Reading runs in the calling thread: no worker thread or
process is left running after an error. ``Settings.pdf_time_budget`` sets
the budget.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import math
import re
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from service.errors import InputError, InputTooLarge
from service.ingest.docx import MANUAL_BULLET, MdItem, render_markdown
from service.ingest.safety import short_reason
from service.settings import Settings

APPROXIMATE_WARNING = (
    "PDF structure is approximate: headings, lists and tables were recovered from the page layout; "
    "check the normalised text (--show-source) or review the .docx or Markdown original if you have it"
)

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_BULLET = re.compile(
    r"^(?:[•·▪▫◦●○■□◆◇➢➤►▶✓✔☐☑\u2022\u2023\u2043\u2219\x7f\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06c\uf06e\uf0a8]\s*|[-–*]\s+)(?=\S)"
)
_BULLET_ONLY = re.compile(
    r"^[•·▪▫◦●○■□◆◇➢➤►▶✓✔☐☑\u2022\u2023\u2043\u2219\x7f\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06c\uf06e\uf0a8\-–*]$"
)
_NUMBER = re.compile(
    r"^(?:(\d{1,2})[.)](?=\s|[\u4e00-\u9fff])|[(（](\d{1,2})[)）]|([①-⑳])|([a-z])[.)](?=\s))\s*(?=\S)"
)
_NUMBER_ONLY = re.compile(r"^(?:\d{1,2}[.)]|[(（]\d{1,2}[)）]|[①-⑳]|[a-z][.)])$")
_OUTLINE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章节節部篇条條]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d+(?:\.\d+){1,3}\.?\s)"
)
_TERMINAL = re.compile(r"[。．.!！?？;；:：]$")
_LABEL = re.compile(r"^[^\s:：，,。.]{1,20}(?: [^\s:：，,。.]{1,15}){0,2}\s?[:：]")
_SENTENCE_END = re.compile(r"[。．.!！?？;；]$")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|of|／)\s*\d{1,4})?$"
    r"|^第\s*\d{1,4}\s*[页頁](?:\s*[,，/／]?\s*共\s*\d{1,4}\s*[页頁])?$"
    r"|^[-–—]?\s*\d{1,4}\s*/\s*\d{1,4}\s*[-–—]?$",
    re.IGNORECASE,
)


class _OutOfTime(Exception):
    """Raised from the text callback when the time budget is spent."""


@dataclass
class _Piece:
    """Text pypdf reported at one position."""

    x: float
    top: float  # distance from the top of the page (grows downwards)
    size: float
    text: str
    bold: bool
    ended: bool = False  # pypdf ended this piece with a line break
    width: float = 0.0  # advance of the text, from the font's widths where known


@dataclass
class _Cell:
    x: float
    text: str
    size: float
    bold: bool
    end: float = 0.0


@dataclass
class _Line:
    page: int
    top: float
    cells: list[_Cell]
    marker: str = ""  # a list marker cell split off the front
    marker_x: float = 0.0
    kind: str = "body"  # body | heading | list | table | outline
    level: int = 0
    ordered: bool = False
    number: int = 0

    @property
    def x(self) -> float:
        return self.cells[0].x

    @property
    def size(self) -> float:
        return max(c.size for c in self.cells)

    @property
    def bold(self) -> bool:
        return all(c.bold for c in self.cells if c.text.strip())

    @property
    def text(self) -> str:
        return join_all([c.text for c in self.cells])


@dataclass
class _Table:
    lines: list[_Line]
    anchors: list[float]
    multi: int = 0  # lines with two or more cells
    rows: list[list[str]] = field(default_factory=list)


def _separator(left: str, right: str, mend_hyphen: bool) -> tuple[str, bool]:
    """(what goes between two non-empty runs, whether the left run's final hyphen goes)."""
    a, b = left[-1], right[0]
    if _CJK.match(a) and (_CJK.match(b) or b in "，。、；：！？）》」』"):
        return "", False
    if mend_hyphen and (_CJK.match(a) or _CJK.match(b)):
        return "", False  # a line wrapped next to a Chinese character: no space was there
    if mend_hyphen and a == "-" and len(left) > 1 and left[-2].islower() and b.islower():
        return "", True
    return " ", False


def join_all(parts: list[str], *, mend_hyphen: bool = False) -> str:
    """Join runs of text: no space between Chinese characters, one space otherwise.

    ``mend_hyphen`` marks joins across line wraps: a hyphen splitting a word is
    removed, and no space is added next to a Chinese character. Linear in the
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


def _text_width(text: str, size: float) -> float:
    """Estimated advance of ``text``: full width for CJK, about half an em for Latin."""
    width = 0.0
    for ch in text:
        if _CJK.match(ch):
            width += 1.0
        elif ch == " ":
            width += 0.28
        elif ch.isupper() or ch in "mwMW%@":
            width += 0.68
        else:
            width += 0.5
    return width * size


# -- reading pages ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _pypdf_limits() -> Iterator[None]:
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


def _quiet_pypdf() -> None:
    # pypdf logs recoverable damage as warnings; users get our one-line summary instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def _page_pieces(page: Any, deadline: float) -> list[_Piece]:
    pieces: list[_Piece] = []
    calls = 0
    fonts: dict[int, Any] = {}

    def measure(font: Any, text: str, size: float) -> float:
        """The text's advance from the font's widths, or an estimate if they are unusable."""
        estimate = _text_width(text, size)
        key = id(font)
        if key not in fonts:
            fonts[key] = _width_table(font)
        table = fonts[key]
        if table is None:
            return estimate
        try:
            width = float(table.get_text_width(text)) * size / 1000.0
        except Exception:  # a font pypdf cannot measure
            return estimate
        return width if 0.3 * estimate <= width <= 3.0 * estimate else estimate

    def visit(text: Any, cm: Any, tm: Any, font: Any, size: Any) -> None:
        nonlocal calls
        calls += 1
        if calls % 64 == 0 and time.monotonic() > deadline:
            raise _OutOfTime
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
        for k, part in enumerate(parts):
            part = part.replace("\t", " ")
            last = k == len(parts) - 1
            pieces.append(
                _Piece(
                    x,
                    top + k * eff * 1.2,
                    eff,
                    part,
                    bold,
                    ended or not last,
                    measure(font, part, eff),
                )
            )

    page.extract_text(visitor_text=visit, orientations=(0, 180))
    return pieces


def _lines_from_pieces(pieces: list[_Piece], page_no: int) -> list[_Line]:
    # Pass 1, in content-stream order: pieces pypdf reported at a stale position (after a
    # font change mid-line it repeats the line start) continue the previous piece.
    merged: list[_Piece] = []
    texts: list[list[str]] = []
    for piece in pieces:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and not prev.ended
            and abs(piece.top - prev.top) <= 0.4 * max(piece.size, prev.size)
            and piece.x <= prev.x + 0.5
        ):
            texts[-1].append(piece.text)
            prev.width += piece.width
            prev.ended = piece.ended
            prev.bold = prev.bold and (piece.bold or not piece.text.strip())
            prev.size = max(prev.size, piece.size)
            continue
        merged.append(
            _Piece(piece.x, piece.top, piece.size, "", piece.bold, piece.ended, piece.width)
        )
        texts.append([piece.text])
    for piece, parts in zip(merged, texts, strict=True):
        piece.text = "".join(parts)
    merged = [p for p in merged if p.text.strip()]
    # Pass 2: cluster by baseline, then cells by horizontal gap.
    merged.sort(key=lambda p: p.top)
    lines: list[_Line] = []
    group: list[_Piece] = []
    for piece in merged:
        if group and abs(piece.top - group[0].top) > 0.45 * max(piece.size, group[0].size):
            lines.append(_make_line(group, page_no))
            group = []
        group.append(piece)
    if group:
        lines.append(_make_line(group, page_no))
    return [ln for ln in lines if ln.cells]


def _make_line(group: list[_Piece], page_no: int) -> _Line:
    group = sorted(group, key=lambda p: p.x)
    cells: list[_Cell] = []
    parts: list[list[str]] = []  # text runs of each cell, joined once at the end
    for p in group:
        text = re.sub(r"\s+", " ", p.text)
        if cells:
            last = cells[-1]
            gap = p.x - last.end
            first = parts[-1][0].strip()
            marker = len(parts[-1]) == 1 and (
                _BULLET_ONLY.match(first) or _NUMBER_ONLY.match(first)
            )
            if gap < 0.75 * max(p.size, last.size) and not (marker and p.x > last.x + 0.5):
                # Touching runs are one word; a small gap is a space.
                if (
                    gap > 0.15 * p.size
                    and not text.startswith(" ")
                    and not parts[-1][-1].endswith(" ")
                ):
                    parts[-1].append(" ")
                parts[-1].append(text)
                last.bold = last.bold and p.bold
                last.size = max(last.size, p.size)
                last.end = max(last.end, p.x + p.width)
                continue
        cells.append(_Cell(p.x, "", p.size, p.bold, p.x + p.width))
        parts.append([text])
    for cell, runs in zip(cells, parts, strict=True):
        cell.text = re.sub(r"\s+", " ", "".join(runs)).strip()
    cells = [c for c in cells if c.text]
    top = min(p.top for p in group)
    return _Line(page_no, top, cells)


# -- running headers and footers -------------------------------------------------------------------


def _drop_running_lines(pages: list[list[_Line]]) -> None:
    """Remove page numbers and text repeated at the top or bottom of most pages."""

    def key(line: _Line) -> str:
        # Running headers and footers repeat their text at the same height on every page.
        text = re.sub(r"\d+", "#", line.text.strip().lower())
        return f"{round(line.top / 6)}:{text}"

    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    highest_page_number = 2 * len(pages) + 20

    def page_number(line: _Line) -> bool:
        text = line.text.strip()
        if line.size >= 1.12 * body or not _PAGE_NUMBER.match(text):
            return False
        return all(int(n) <= highest_page_number for n in re.findall(r"\d+", text))

    edge_keys: Counter[str] = Counter()
    for lines in pages:
        edges = {key(ln) for ln in lines[:2] + lines[-2:]}
        edge_keys.update(edges)
    text_pages = sum(1 for lines in pages if lines)
    repeated = {
        k
        for k, n in edge_keys.items()
        if text_pages >= 2 and n >= max(2, math.ceil(0.6 * text_pages))
    }
    for lines in pages:
        if not lines:
            continue
        edge = set(map(id, lines[:2] + lines[-2:]))
        keep = []
        for ln in lines:
            if id(ln) in edge and (key(ln) in repeated or page_number(ln)):
                continue
            keep.append(ln)
        lines[:] = keep


# -- classification --------------------------------------------------------------------------------


def _split_marker(line: _Line) -> None:
    """Recognise a list marker at the start of a line (its own cell or a text prefix)."""
    first = line.cells[0]
    line.marker_x = first.x
    if len(line.cells) > 1 and (_BULLET_ONLY.match(first.text) or _NUMBER_ONLY.match(first.text)):
        line.marker = first.text
        line.cells = line.cells[1:]
        return
    m = _BULLET.match(first.text) or _NUMBER.match(first.text)
    if m:
        line.marker = first.text[: m.end()].strip()
        rest = first.text[m.end() :].strip()
        if rest:
            line.cells[0] = _Cell(first.x, rest, first.size, first.bold, first.end)
        else:
            line.cells = line.cells[1:]
            line.marker = ""  # nothing after the marker: not a list item
            if not line.cells:
                line.cells = [first]
    return


def _marker_number(marker: str, fallback: int) -> tuple[bool, int]:
    """(ordered, number) for a list marker."""
    m = _NUMBER.match(marker + " x")
    if not m:
        return False, 0
    if m.group(1) or m.group(2):
        return True, int(m.group(1) or m.group(2))
    if m.group(3):
        return True, ord(m.group(3)) - ord("①") + 1
    return True, fallback


def _find_tables(lines: list[_Line]) -> list[_Table]:
    """Runs of lines whose cells start at shared column positions."""
    tables: list[_Table] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if len(line.cells) < 2 or line.marker:
            i += 1
            continue
        anchors = [c.x for c in line.cells]
        tol = 0.9 * line.size
        run = [line]
        multi = 1
        j = i + 1
        while j < len(lines):
            nxt = lines[j]
            if nxt.page != line.page or nxt.top - run[-1].top > 4.0 * max(nxt.size, run[-1].size):
                break
            matched = [a for a in anchors for c in nxt.cells if abs(c.x - a) <= tol]
            if len(nxt.cells) >= 2 and len(matched) >= 2 and not nxt.marker:
                multi += 1
                for c in nxt.cells:
                    if not any(abs(c.x - a) <= tol for a in anchors):
                        anchors.append(c.x)
            elif (
                len(nxt.cells) == 1
                and matched
                and not nxt.marker
                and (
                    (nxt.top - run[-1].top <= 1.6 * nxt.size and abs(nxt.x - min(anchors)) > tol)
                    or nxt.top - run[-1].top <= 1.35 * nxt.size
                )
            ):
                pass  # a wrapped cell continuing the row above
            else:
                break
            run.append(nxt)
            j += 1
        # One row at the very end or start of a page may be part of a table the page break split.
        if multi >= 2 or (multi == 1 and (j == len(lines) or i == 0)):
            anchors.sort()
            tables.append(_Table(run, anchors, multi))
            i = j
        else:
            i += 1
    for table in tables:
        _table_rows(table)
    return tables


def _join_split_tables(pages: list[list[_Line]], page_tables: list[list[_Table]]) -> set[int]:
    """Append a table continuing at the top of the next page to the one ending this page.

    Returns the ids of the first lines of the continuation parts, which are then skipped.
    """
    consumed: set[int] = set()
    root: dict[int, _Table] = {}
    for p in range(len(pages) - 1):
        if not page_tables[p] or not page_tables[p + 1] or not pages[p] or not pages[p + 1]:
            continue
        a, b = page_tables[p][-1], page_tables[p + 1][0]
        if a.lines[-1] is not pages[p][-1] or b.lines[0] is not pages[p + 1][0]:
            continue
        tol = 0.9 * max(ln.size for ln in a.lines + b.lines)
        aligned = sum(1 for x in b.anchors if any(abs(x - y) <= tol for y in a.anchors))
        if aligned < min(2, len(b.anchors)):
            continue
        head = root.get(id(a), a)
        for row in b.rows:
            mapped = [""] * len(head.anchors)
            for k, text in enumerate(row):
                col = min(
                    range(len(head.anchors)), key=lambda c: abs(head.anchors[c] - b.anchors[k])
                )
                mapped[col] = join_words(mapped[col], text) if mapped[col] else text
            head.rows.append(mapped)
        head.multi += b.multi
        root[id(b)] = head
        consumed.add(id(b.lines[0]))
    return consumed


def _table_rows(table: _Table) -> None:
    n = len(table.anchors)
    tol = 0.9 * max(ln.size for ln in table.lines)

    def column(x: float) -> int:
        return min(range(n), key=lambda k: abs(table.anchors[k] - x))

    # Wrapped cells put lines of one row closer together than the rows themselves; when the
    # gaps fall into two groups, the smaller one is the line pitch inside a row.
    gaps = [b.top - a.top for a, b in zip(table.lines, table.lines[1:], strict=False)]
    inner = min(gaps) if gaps else 0.0
    two_groups = bool(gaps) and max(gaps) > 1.25 * inner
    rows: list[list[list[str]]] = []
    prev: _Line | None = None
    for line in table.lines:
        first_col = column(line.x)
        gap = line.top - prev.top if prev is not None else 0.0
        continuation = (
            prev is not None
            and rows
            and (
                # Lines of one row sit closer together than rows (cell padding).
                (
                    first_col > 0
                    and abs(line.x - table.anchors[0]) > tol
                    and (gap <= 1.12 * inner if two_groups else gap <= 1.35 * line.size)
                )
                or (two_groups and gap <= 1.12 * inner and gap <= 1.6 * line.size)
                # Only the first cell goes on, one line below a fuller row: it wrapped.
                or (
                    not two_groups
                    and len(line.cells) == 1
                    and prev is not None
                    and len(prev.cells) > 1
                    and gap <= 1.35 * line.size
                )
            )
        )
        if not continuation:
            rows.append([[] for _ in range(n)])
        row = rows[-1]
        for cell in line.cells:
            row[column(cell.x)].append(cell.text)
        prev = line
    table.rows = [[join_all(cell, mend_hyphen=True) for cell in row] for row in rows]


def _classify(pages: list[list[_Line]]) -> list[MdItem]:
    lines = [ln for page in pages for ln in page]
    if not lines:
        return []
    for ln in lines:
        _split_marker(ln)
    page_tables = [_find_tables(page) for page in pages]
    continued = _join_split_tables(pages, page_tables)
    tables: dict[int, _Table] = {}
    for found in page_tables:
        for table in found:
            tables[id(table.lines[0])] = table
    in_tables = {id(ln) for found in page_tables for table in found for ln in table.lines}

    # Body text: the size most text outside tables is set in (tables often use a smaller one).
    sizes: Counter[float] = Counter()
    for ln in lines:
        if id(ln) not in in_tables:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else round(lines[0].size * 2) / 2
    heading_sizes = sorted(
        {
            round(ln.size * 2) / 2
            for ln in lines
            if ln.size >= body * 1.12 and id(ln) not in in_tables
        },
        reverse=True,
    )
    level_of = {s: min(k + 1, 6) for k, s in enumerate(heading_sizes)}
    bold_level = min(len(heading_sizes) + 1, 6)

    # Left margin per page: the smallest x of body-size lines.
    margins: dict[int, float] = {}
    for ln in lines:
        if abs(ln.size - body) < 1.0:
            margins[ln.page] = min(margins.get(ln.page, ln.x), ln.x)
    # Where wrapped lines end: a line ending well short of it was broken on purpose.
    ends = sorted(
        ln.cells[-1].end for ln in lines if abs(ln.size - body) < 1.0 and id(ln) not in in_tables
    )
    right_edge = ends[int(0.9 * (len(ends) - 1))] if len(ends) >= 3 else None
    pitch = _line_pitch(lines, body, in_tables)

    items: list[MdItem] = []
    # Continuation lines of an item, joined at the end; True marks a hard line break before it.
    lines_of: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    marker_stack: list[float] = []
    counters: dict[int, int] = {}
    prev: _Line | None = None
    current: MdItem | None = None  # a paragraph or list item still open for continuation lines
    text_x = 0.0
    i = 0
    while i < len(lines):
        ln = lines[i]
        if id(ln) in tables:
            table = tables[id(ln)]
            if id(ln) not in continued and table.multi >= 2:
                items.append(MdItem("table", rows=table.rows))
            elif id(ln) not in continued:
                # A lone row of cells: text, with the cells in reading order.
                items.extend(MdItem("paragraph", line.text) for line in table.lines)
            current = None
            marker_stack = []
            prev = table.lines[-1]
            i += len(table.lines)
            continue
        text = ln.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        is_heading_size = ln.size >= body * 1.12 and len(text) <= 150
        if is_heading_size:
            # A larger line is a heading even when it starts with a number or a symbol.
            if ln.marker:
                text = f"{ln.marker} {text}"
            level = level_of.get(round(ln.size * 2) / 2, 1)
            if (
                current is not None
                and current.kind == "heading"
                and prev is not None
                and prev.page == ln.page
                and abs(prev.size - ln.size) < 0.5
                and ln.top - prev.top <= 1.6 * ln.size
            ):
                lines_of[id(current)].append((text, False))
            else:
                current = MdItem("heading", text, level=level)
                items.append(current)
            marker_stack = []
            prev = ln
            i += 1
            continue
        if (
            ln.bold
            and not ln.marker
            and len(text) <= (30 if _CJK.search(text) else 70)
            and not _SENTENCE_END.search(text)
            and nxt is not None
            and not nxt.bold
            and abs(nxt.size - body) < 1.0
            and _continues(prev, ln, current, body) is None
        ):
            current = MdItem("heading", text, level=bold_level)
            items.append(current)
            marker_stack = []
            prev = ln
            i += 1
            continue
        if ln.marker:
            # Nesting by the marker's indentation.
            while marker_stack and ln.marker_x < marker_stack[-1] - 3:
                marker_stack.pop()
            if not marker_stack or ln.marker_x > marker_stack[-1] + 3:
                marker_stack.append(ln.marker_x)
            level = len(marker_stack) - 1
            for deeper in [k for k in counters if k > level]:
                del counters[deeper]
            counters[level] = counters.get(level, 0) + 1
            ordered, number = _marker_number(ln.marker, counters[level])
            current = MdItem(
                "list", text, level=level, ordered=ordered, number=number or counters[level]
            )
            items.append(current)
            text_x = ln.marker_x
            prev = ln
            i += 1
            continue
        if current is not None and current.kind == "list" and _continues_item(prev, ln, text_x):
            lines_of[id(current)].append((text, False))
            prev = ln
            i += 1
            continue
        outline = bool(_OUTLINE.match(text)) and len(text) <= 40 and not _TERMINAL.search(text)
        how = (
            None
            if outline or current is None or current.kind != "paragraph" or current.bold_only
            else _continues(
                prev,
                ln,
                current,
                body,
                right_edge=right_edge,
                pitch=pitch,
                margin=margins.get(ln.page),
            )
        )
        if how is not None:
            lines_of[id(current)].append((text, how == "break"))
        else:
            current = MdItem("paragraph", text, bold_only=outline)
            items.append(current)
            marker_stack = []
            counters = {}
        prev = ln
        i += 1
    for it in items:
        it.bold_only = False
        if id(it) in lines_of:
            it.text = _join_lines(it.text, lines_of[id(it)], mend_hyphen=True)
    return items


def _join_lines(first: str, rest: list[tuple[str, bool]], *, mend_hyphen: bool) -> str:
    """Wrapped lines joined into one; hard line breaks kept as line breaks."""
    groups: list[list[str]] = [[first]]
    for text, hard in rest:
        if hard:
            groups.append([text])
        else:
            groups[-1].append(text)
    return "\n".join(join_all(g, mend_hyphen=mend_hyphen) for g in groups)


def _line_pitch(lines: list[_Line], body: float, skip: set[int]) -> float | None:
    """The usual distance between consecutive lines of body text (the leading)."""
    gaps: Counter[float] = Counter()
    for a, b in itertools.pairwise(lines):
        if a.page != b.page or id(a) in skip or id(b) in skip:
            continue
        if abs(a.size - body) < 1.0 and abs(b.size - body) < 1.0:
            gap = b.top - a.top
            if 0.9 * body <= gap <= 2.5 * body:
                gaps[round(gap * 2) / 2] += 1
    return gaps.most_common(1)[0][0] if gaps else None


def _continues(
    prev: _Line | None,
    line: _Line,
    current: MdItem | None,
    body: float,
    *,
    right_edge: float | None = None,
    pitch: float | None = None,
    margin: float | None = None,
) -> str | None:
    """How ``line`` continues the paragraph whose last line is ``prev``.

    "wrap" (the text wrapped), "break" (the writer broke the line inside the
    paragraph) or None (a new paragraph starts).
    """
    if prev is None or current is None or current.kind != "paragraph":
        return None
    if abs(line.size - prev.size) >= 1.0 or prev.marker:
        return None
    prev_text = prev.text
    if _OUTLINE.match(prev_text) and len(prev_text) <= 40 and not _TERMINAL.search(prev_text):
        return None
    early = _ended_early(prev, line, right_edge)
    if prev.page != line.page:
        # Across a page break: continue unless the paragraph had ended.
        if early or _TERMINAL.search(prev_text):
            return None
        return "wrap" if margin is None or line.x <= margin + line.size else None
    gap = line.top - prev.top
    if gap <= 0 or gap > 1.65 * line.size:
        return None
    if line.x > prev.x + 1.2 * line.size:
        return None  # an indented first line starts a new paragraph
    if not early:
        # A sentence ending at the margin followed by a label line ("Owner: ...") is a break.
        if _SENTENCE_END.search(prev_text) and _LABEL.match(line.text):
            return "break" if pitch is not None and gap <= 1.15 * pitch else None
        return "wrap"
    # Lines set at the usual leading belong to one paragraph; paragraph spacing separates.
    return "break" if pitch is not None and gap <= 1.15 * pitch else None


def _ended_early(prev: _Line, line: _Line, right_edge: float | None) -> bool:
    """The previous line stopped although the next line's first word would have fitted.

    Wrapping only moves a word to the next line when it does not fit, so room for it
    at the end of the previous line means the writer broke the line (a new paragraph,
    or a hard line break between label lines such as "Owner: ..." and "Budget: ...").
    """
    if right_edge is None:
        return False
    text = line.text
    first = text[:1] if _CJK.match(text[:1] or " ") else text.split(" ", 1)[0]
    room = right_edge - prev.cells[-1].end
    return room > _text_width(first, line.size) + 1.5 * line.size


def _continues_item(prev: _Line | None, line: _Line, text_x: float) -> bool:
    if prev is None or line.marker:
        return False
    if prev.page != line.page:
        return line.x > text_x + 0.5 * line.size and not _TERMINAL.search(prev.text)
    gap = line.top - prev.top
    return 0 < gap <= 1.65 * line.size and line.x > text_x + 0.5 * line.size


# -- entry point -----------------------------------------------------------------------------------


def pdf_to_markdown(data: bytes, source: str, settings: Settings) -> tuple[str, list[str]]:
    """Convert a PDF to normalised Markdown; returns (text, warnings)."""
    _quiet_pypdf()
    budget = settings.pdf_time_budget
    deadline = time.monotonic() + budget
    try:
        with _pypdf_limits():
            return _convert(data, source, settings, deadline)
    except InputError:
        raise
    except _OutOfTime:
        raise InputTooLarge(
            source,
            f"reading the PDF took longer than {budget:.0f} s; it is too complex or damaged",
            hint="export the plan to PDF again, or save it as .docx or Markdown",
        ) from None
    except MemoryError:
        raise InputTooLarge(
            source, "the PDF needs too much memory to read", hint="export it again or split it"
        ) from None
    except Exception as exc:  # pypdf raises many exception types on damaged files
        raise InputError(
            source,
            "not a readable PDF: the file is damaged",
            hint=f"{short_reason(exc)}; export the plan to PDF again, or save it as .docx or Markdown",
        ) from None


def _convert(
    data: bytes, source: str, settings: Settings, deadline: float
) -> tuple[str, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        unlocked: object
        try:
            unlocked = reader.decrypt("")
        except DependencyError:
            raise InputError(
                source,
                "the PDF is encrypted with AES, which needs the 'cryptography' package to read",
                hint="save an unencrypted copy (print to PDF), or install cryptography",
            ) from None
        except (FileNotDecryptedError, NotImplementedError, ValueError, KeyError):
            unlocked = 0
        if not unlocked:  # PasswordType.NOT_DECRYPTED is 0
            raise InputError(
                source,
                "the PDF is password-protected",
                hint="remove the password (save an unprotected copy) and retry",
            )
    n_pages = len(reader.pages)
    if n_pages == 0:
        raise InputError(source, "the PDF has no pages", hint="export the plan to PDF again")
    if n_pages > settings.max_pages:
        raise InputTooLarge(
            source,
            f"the PDF has {n_pages:,} pages, more than the {settings.max_pages:,} limit",
            hint="split the plan, or raise PLANREVIEW_MAX_PAGES",
        )
    pages: list[list[_Line]] = []
    empty_pages: list[int] = []
    damaged: list[tuple[int, BaseException]] = []
    for number in range(1, n_pages + 1):
        if time.monotonic() > deadline:
            raise _OutOfTime
        try:
            lines = _lines_from_pieces(_page_pieces(reader.pages[number - 1], deadline), number)
        except (DependencyError, FileNotDecryptedError, _OutOfTime, MemoryError):
            raise
        except Exception as exc:  # one damaged page: keep the others
            damaged.append((number, exc))
            lines = []
        else:
            if not lines:
                empty_pages.append(number)
        pages.append(lines)
    if not any(pages):
        if damaged:
            raise InputError(
                source,
                "not a readable PDF: no page could be read",
                hint=f"{short_reason(damaged[0][1])}; export the plan to PDF again",
            )
        if any(_has_images(reader.pages[k]) for k in range(min(n_pages, 20))):
            raise InputError(
                source,
                "the PDF has no text layer: it is a scan or images of text",
                hint="run OCR first (e.g. ocrmypdf), or review the original document",
            )
        raise InputError(
            source,
            "the PDF has no readable text: its pages are blank or their content is damaged",
            hint="export the plan to PDF again, or save it as .docx or Markdown",
        )
    _drop_running_lines(pages)
    items = _classify(pages)
    text = render_markdown(items)
    if not text.strip():
        raise InputError(
            source,
            "the PDF has no text apart from headers and page numbers",
            hint="run OCR first if it is a scan, or review the original document",
        )
    notes = [APPROXIMATE_WARNING]
    if empty_pages:
        notes.append(
            f"{_pages_phrase(empty_pages)} of the PDF {'has' if len(empty_pages) == 1 else 'have'} "
            "no text layer (scanned?); that content is missing"
        )
    if damaged:
        notes.append(
            f"{_pages_phrase([n for n, _ in damaged])} of the PDF could not be read "
            f"({short_reason(damaged[0][1])}); that content is missing"
        )
    return text, notes


def _has_images(page: Any) -> bool:
    """Whether a page shows an image (a scanned page is one big image)."""
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        if xobjects is None:
            return False
        xobjects = xobjects.get_object()
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:  # damaged resources: no evidence of images
        return False


def _pages_phrase(numbers: list[int]) -> str:
    listed = ", ".join(map(str, numbers[:10])) + (" …" if len(numbers) > 10 else "")
    return f"page {listed}" if len(numbers) == 1 else f"pages {listed}"


__all__ = [
    "APPROXIMATE_WARNING",
    "MANUAL_BULLET",
    "join_words",
    "pdf_to_markdown",
]
