"""Tables recovered from PDF lines: rows of cells aligned on shared columns.

Two or more consecutive lines whose cells start at the same columns make a
table; a wrapped cell is folded back into its row, and a table split by a page
break is joined to its first part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.ingest.pdf_layout import Line
from service.ingest.pdf_text import join_all, join_words


@dataclass
class Table:
    lines: list[Line]
    anchors: list[float]
    multi: int = 0  # lines with two or more cells
    rows: list[list[str]] = field(default_factory=list)


def find_tables(lines: list[Line]) -> list[Table]:
    """Runs of lines whose cells start at shared column positions."""
    tables: list[Table] = []
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
            tables.append(Table(run, anchors, multi))
            i = j
        else:
            i += 1
    for table in tables:
        _table_rows(table)
    return tables


def join_split_tables(pages: list[list[Line]], page_tables: list[list[Table]]) -> set[int]:
    """Append a table continuing at the top of the next page to the one ending this page.

    Returns the ids of the first lines of the continuation parts, which are then skipped.
    """
    consumed: set[int] = set()
    root: dict[int, Table] = {}
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


def _table_rows(table: Table) -> None:
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
    prev: Line | None = None
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
