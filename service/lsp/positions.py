"""Positions: plan spans (1-based lines, 1-based code-point columns) <-> LSP positions.

LSP columns count code units of the negotiated position encoding: UTF-16 by
default (so a Chinese character is 1 unit and an emoji outside the BMP is 2),
UTF-8 or UTF-32 when client and server agree on it. Lines end at ``\\n``,
``\\r\\n`` or ``\\r`` (never at U+2028 and friends, which ``str.splitlines``
would split on).

The plan is reviewed on *normalised* text (``\\n`` line ends, no BOM); the
editor holds the original buffer. Line numbers agree between the two; columns
agree except on line 1 when the buffer starts with a BOM, which this module
accounts for.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

from service.models import Span

_EOL = re.compile(r"\r\n|\r|\n")
BOM = "\ufeff"


def normalise(text: str) -> str:
    """The text the reviewer sees: ``\\n`` line ends, no leading BOM."""
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix(BOM)


def split_lines(text: str) -> list[str]:
    """Lines as LSP counts them (a trailing line end gives a last, empty line)."""
    return _EOL.split(text)


def code_units(s: str, encoding: str = "utf-16") -> int:
    """Length of ``s`` in code units of ``encoding`` ('utf-16', 'utf-8' or 'utf-32')."""
    if encoding == "utf-32":
        return len(s)
    if encoding == "utf-8":
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def column_from_units(line: str, units: int, encoding: str = "utf-16") -> int:
    """0-based code-point column of ``units`` code units into ``line`` (clamped to the line)."""
    if units <= 0:
        return 0
    if encoding == "utf-32":
        return min(units, len(line))
    seen = 0
    for i, ch in enumerate(line):
        step = code_units(ch, encoding)
        if seen + step > units:
            return i  # inside a character: snap to its start
        seen += step
        if seen == units:
            return i + 1
    return len(line)


class LineIndex:
    """Converts between the normalised text's coordinates and the editor buffer's."""

    def __init__(self, buffer: str, encoding: str = "utf-16") -> None:
        self.encoding = encoding
        self.bom = buffer.startswith(BOM)
        self.lines = split_lines(normalise(buffer))
        # Offsets (code points, in the normalised text) at which each line starts.
        self.starts: list[int] = []
        pos = 0
        for line in self.lines:
            self.starts.append(pos)
            pos += len(line) + 1

    def _shift(self, line0: int) -> int:
        return 1 if self.bom and line0 == 0 else 0

    def position(self, line0: int, col0: int) -> types.Position:
        """LSP position of a 0-based line and 0-based code-point column (both clamped)."""
        line0 = min(max(line0, 0), len(self.lines) - 1)
        text = self.lines[line0]
        col0 = min(max(col0, 0), len(text))
        prefix = (BOM if self._shift(line0) else "") + text[:col0]
        return types.Position(line=line0, character=code_units(prefix, self.encoding))

    def span_range(self, span: Span) -> types.Range:
        """The LSP range of a plan span (end column exclusive, as in the span)."""
        start = self.position(span.start_line - 1, span.start_col - 1)
        end = self.position(span.end_line - 1, span.end_col - 1)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start=start, end=end)

    def line_range(self, line0: int) -> types.Range:
        """The whole of one line (without its line end)."""
        line0 = min(max(line0, 0), len(self.lines) - 1)
        length = len(self.lines[line0])
        return types.Range(start=self.position(line0, 0), end=self.position(line0, length))

    def offset_position(self, offset: int) -> types.Position:
        """LSP position of a code-point offset into the normalised text."""
        offset = min(max(offset, 0), self.starts[-1] + len(self.lines[-1]))
        line0 = bisect.bisect_right(self.starts, offset) - 1
        return self.position(line0, offset - self.starts[line0])

    def offset(self, position: types.Position) -> int:
        """Code-point offset into the normalised text of an LSP position (clamped)."""
        line0 = min(max(position.line, 0), len(self.lines) - 1)
        text = (BOM if self._shift(line0) else "") + self.lines[line0]
        col0 = column_from_units(text, position.character, self.encoding) - self._shift(line0)
        return self.starts[line0] + max(col0, 0)


def contains(rng: types.Range, pos: types.Position) -> bool:
    """Does ``rng`` contain ``pos`` (end inclusive, so a cursor just after a word counts)?"""
    start = (rng.start.line, rng.start.character)
    end = (rng.end.line, rng.end.character)
    return start <= (pos.line, pos.character) <= end
