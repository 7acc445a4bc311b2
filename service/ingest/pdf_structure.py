"""Document structure from PDF lines: headings, list items, tables and paragraphs.

- headings: lines set clearly larger than the body text (levels by size rank),
  or short bold lines followed by body text;
- list items: lines with a list marker; nesting by the marker's indentation;
- tables: see ``pdf_tables``;
- paragraphs: wrapped lines joined (without a space next to Chinese characters;
  a hyphen split across lines is mended). A line that stops although the next
  line's first word would have fitted was broken by the writer: at the usual
  leading it stays a line break inside the paragraph (label lines such as
  "Owner: ..." / "Budget: ..."), after paragraph spacing a new paragraph starts.
  A page break continues a paragraph unless it had ended.

Short outline lines such as "一、背景" or "第一章 总则" stay on a line of their own,
so the Markdown parser sees them as the headings they are.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict

from service.ingest.mdwriter import MdItem
from service.ingest.pdf_layout import Line, marker_number, split_marker
from service.ingest.pdf_tables import Table, find_tables, join_split_tables
from service.ingest.pdf_text import CJK, join_all, text_width

_OUTLINE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章节節部篇条條]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d+(?:\.\d+){1,3}\.?\s)"
)
_TERMINAL = re.compile(r"[。．.!！?？;；:：]$")
_LABEL = re.compile(r"^[^\s:：，,。.]{1,20}(?: [^\s:：，,。.]{1,15}){0,2}\s?[:：]")
_SENTENCE_END = re.compile(r"[。．.!！?？;；]$")


def classify(pages: list[list[Line]]) -> list[MdItem]:
    lines = [ln for page in pages for ln in page]
    if not lines:
        return []
    for ln in lines:
        split_marker(ln)
    page_tables = [find_tables(page) for page in pages]
    continued = join_split_tables(pages, page_tables)
    tables: dict[int, Table] = {}
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
    prev: Line | None = None
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
            and len(text) <= (30 if CJK.search(text) else 70)
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
            ordered, number = marker_number(ln.marker, counters[level])
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


def _line_pitch(lines: list[Line], body: float, skip: set[int]) -> float | None:
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
    prev: Line | None,
    line: Line,
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


def _ended_early(prev: Line, line: Line, right_edge: float | None) -> bool:
    """The previous line stopped although the next line's first word would have fitted.

    Wrapping only moves a word to the next line when it does not fit, so room for it
    at the end of the previous line means the writer broke the line (a new paragraph,
    or a hard line break between label lines such as "Owner: ..." and "Budget: ...").
    """
    if right_edge is None:
        return False
    text = line.text
    first = text[:1] if CJK.match(text[:1] or " ") else text.split(" ", 1)[0]
    room = right_edge - prev.cells[-1].end
    return room > text_width(first, line.size) + 1.5 * line.size


def _continues_item(prev: Line | None, line: Line, text_x: float) -> bool:
    if prev is None or line.marker:
        return False
    if prev.page != line.page:
        return line.x > text_x + 0.5 * line.size and not _TERMINAL.search(prev.text)
    gap = line.top - prev.top
    return 0 < gap <= 1.65 * line.size and line.x > text_x + 0.5 * line.size
