"""Tables of a .docx as rows of cell text.

Merged cells (``gridSpan``, ``vMerge``) and skipped grid columns (``gridBefore``)
are spread over the grid; a vertically merged cell repeats its text in each row.
A table nested in a cell becomes lines of " / "-joined cells. A one-column table
(a framed box of text) is kept as paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from service.ingest.docx_xml import (
    CUSTOM_XML,
    SDT,
    SDT_CONTENT,
    TBL,
    TC,
    TR,
    W_VAL,
    P,
    children,
    clean_line,
    int_val,
    runs_text,
    w,
)
from service.ingest.mdwriter import MdItem

MAX_TABLE_COLUMNS = 64

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def table_items(tbl: Any, count_paragraph: Callable[[], None]) -> list[MdItem]:
    """A ``w:tbl`` as items: one table, paragraphs for a one-column table, or nothing if empty.

    ``count_paragraph`` is called for every paragraph read from a cell (the size limit).
    """
    grid: list[list[str]] = []
    prev: list[str] = []
    for tr in children(tbl, TR):
        row: list[str] = []
        trpr = tr.find(w("trPr"))
        if trpr is not None:
            row.extend(
                [""] * max(0, min(int_val(trpr.find(w("gridBefore"))) or 0, MAX_TABLE_COLUMNS))
            )
        for tc in children(tr, TC):
            tcpr = tc.find(w("tcPr"))
            span = 1
            continued = False
            if tcpr is not None:
                span = max(1, min(int_val(tcpr.find(w("gridSpan"))) or 1, 64))
                vmerge = tcpr.find(w("vMerge"))
                continued = vmerge is not None and vmerge.get(W_VAL) in (None, "continue")
            col = len(row)
            text = (
                (prev[col] if col < len(prev) else "")
                if continued
                else cell_text(tc, count_paragraph)
            )
            row.append(text)
            row.extend([""] * (span - 1))
        grid.append(row)
        prev = row
    # Spans are capped per cell; the row width is capped too (no plan table is wider).
    width = min(max((len(r) for r in grid), default=0), MAX_TABLE_COLUMNS)
    if width == 0:
        return []
    grid = [r[:width] for r in grid]
    rows = [r + [""] * (width - len(r)) for r in grid]
    rows = [r for i, r in enumerate(rows) if i == 0 or any(c for c in r)]
    if not any(c for r in rows for c in r):
        return []
    if width == 1 or (len(rows) == 1 and sum(1 for c in rows[0] if c) <= 1):
        # A one-column table is a framed box of text, not data: keep it as paragraphs.
        return [MdItem("paragraph", c) for r in rows for c in r if c]
    return [MdItem("table", rows=rows)]


def cell_text(tc: Any, count_paragraph: Callable[[], None]) -> str:
    """The text of a ``w:tc``: its paragraphs' lines joined with spaces (none between Chinese)."""
    parts: list[str] = []
    for child in tc.iterchildren():
        parts.extend(_cell_parts(child, count_paragraph))
    return _join_cell(parts)


def _cell_parts(el: Any, count_paragraph: Callable[[], None]) -> list[str]:
    if el.tag == P:
        count_paragraph()
        text = "".join(t for t, _ in runs_text(el))
        return [clean_line(line) for line in text.split("\n") if clean_line(line)]
    if el.tag == TBL:
        rows = []
        for tr in children(el, TR):
            cells = [cell_text(tc, count_paragraph) for tc in children(tr, TC)]
            rows.append(" / ".join(c for c in cells if c))
        return [r for r in rows if r]
    if el.tag in (SDT, CUSTOM_XML):
        content = el.find(SDT_CONTENT) if el.tag == SDT else el
        out: list[str] = []
        if content is not None:
            for child in content.iterchildren():
                out.extend(_cell_parts(child, count_paragraph))
        return out
    return []


def _join_cell(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if not out:
            out = part
        elif _CJK.search(out[-1]) and _CJK.search(part[0]):
            out += part
        else:
            out += " " + part
    return out
