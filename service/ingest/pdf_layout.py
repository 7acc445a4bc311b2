"""Lines and cells rebuilt from positioned PDF text; running headers and list markers.

Pieces on one baseline make a line; within a line, pieces separated by a gap
wider than a space are separate cells (table columns, or a list marker set
apart from its text). Running headers, footers and page numbers (the same text
at the same height at the top or bottom of most pages, or a bare page number)
are dropped. A bullet glyph (•, ·, -, Word's symbol-font bullets) or a number
("1.", "2)", "(3)", "①") at the start of a line is split off as its list marker.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from service.ingest.pdf_pieces import Piece
from service.ingest.pdf_text import join_all

# List markers: a bullet or number opening a line, or standing alone in its own cell.
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
# A bare page number ("3", "Page 3 of 9", "- 3 -", "第 3 页").
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|of|／)\s*\d{1,4})?$"
    r"|^第\s*\d{1,4}\s*[页頁](?:\s*[,，/／]?\s*共\s*\d{1,4}\s*[页頁])?$"
    r"|^[-–—]?\s*\d{1,4}\s*/\s*\d{1,4}\s*[-–—]?$",
    re.IGNORECASE,
)


@dataclass
class Cell:
    x: float
    text: str
    size: float
    bold: bool
    end: float = 0.0


@dataclass
class Line:
    page: int
    top: float
    cells: list[Cell]
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


def lines_from_pieces(pieces: list[Piece], page_no: int) -> list[Line]:
    # Pass 1, in content-stream order: pieces pypdf reported at a stale position (after a
    # font change mid-line it repeats the line start) continue the previous piece.
    merged: list[Piece] = []
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
            Piece(piece.x, piece.top, piece.size, "", piece.bold, piece.ended, piece.width)
        )
        texts.append([piece.text])
    for piece, parts in zip(merged, texts, strict=True):
        piece.text = "".join(parts)
    merged = [p for p in merged if p.text.strip()]
    # Pass 2: cluster by baseline, then cells by horizontal gap.
    merged.sort(key=lambda p: p.top)
    lines: list[Line] = []
    group: list[Piece] = []
    for piece in merged:
        if group and abs(piece.top - group[0].top) > 0.45 * max(piece.size, group[0].size):
            lines.append(_make_line(group, page_no))
            group = []
        group.append(piece)
    if group:
        lines.append(_make_line(group, page_no))
    return [ln for ln in lines if ln.cells]


def _make_line(group: list[Piece], page_no: int) -> Line:
    group = sorted(group, key=lambda p: p.x)
    cells: list[Cell] = []
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
        cells.append(Cell(p.x, "", p.size, p.bold, p.x + p.width))
        parts.append([text])
    for cell, runs in zip(cells, parts, strict=True):
        cell.text = re.sub(r"\s+", " ", "".join(runs)).strip()
    cells = [c for c in cells if c.text]
    top = min(p.top for p in group)
    return Line(page_no, top, cells)


# -- running headers and footers -------------------------------------------------------------------


def drop_running_lines(pages: list[list[Line]]) -> None:
    """Remove page numbers and text repeated at the top or bottom of most pages."""

    def key(line: Line) -> str:
        # Running headers and footers repeat their text at the same height on every page.
        text = re.sub(r"\d+", "#", line.text.strip().lower())
        return f"{round(line.top / 6)}:{text}"

    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    highest_page_number = 2 * len(pages) + 20

    def page_number(line: Line) -> bool:
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


# -- list markers ----------------------------------------------------------------------------------


def split_marker(line: Line) -> None:
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
            line.cells[0] = Cell(first.x, rest, first.size, first.bold, first.end)
        else:
            line.cells = line.cells[1:]
            line.marker = ""  # nothing after the marker: not a list item
            if not line.cells:
                line.cells = [first]
    return


def marker_number(marker: str, fallback: int) -> tuple[bool, int]:
    """(ordered, number) for a list marker."""
    m = _NUMBER.match(marker + " x")
    if not m:
        return False, 0
    if m.group(1) or m.group(2):
        return True, int(m.group(1) or m.group(2))
    if m.group(3):
        return True, ord(m.group(3)) - ord("①") + 1
    return True, fallback
