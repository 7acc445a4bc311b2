"""Markdown output shared by the .docx and .pdf converters: body items and their rendering.

Both converters reduce a document to a list of ``MdItem`` (headings, paragraphs,
list items, tables) and ``render_markdown`` writes them out as plain Markdown:
blank lines between blocks, tight lists, GFM tables, no emphasis markers except
``**label**`` for a short paragraph that is bold throughout. Body lines that would
turn into Markdown structure (a leading ``#``, ``>``, a fence) are escaped; typed
bullets ("• item", "- item") become list items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Characters people type to make a bullet by hand, and Word's symbol-font bullets.
MANUAL_BULLET = re.compile(
    r"^(?:[•·▪▫◦●○■□◆◇➢➤►▶✓✔☐☑\x7f\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06c\uf06e]\s*|[-*–]\s+)(?=\S)"
)
_TERMINAL = re.compile(r"[。．.;；,，!！?？、]$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class MdItem:
    """One body element (from a .docx or a .pdf) before it is rendered as Markdown."""

    kind: str  # heading | title | paragraph | list | table
    text: str = ""
    level: int = 0
    ordered: bool = False
    number: int = 1
    rows: list[list[str]] = field(default_factory=list)
    bold_only: bool = False
    list_key: str = ""


_MD_START = re.compile(r"^(#{1,6}(?:\s|$)|>|```|~~~|<[A-Za-z/!?])")
_SETEXT = re.compile(r"^(=+|-+)\s*$")


def escape_line(line: str) -> str:
    """Keep a body line from turning into Markdown structure it did not have."""
    if _MD_START.match(line) or _SETEXT.match(line):
        return "\\" + line
    return line


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(items: list[MdItem]) -> str:
    """Items -> Markdown: blank lines between blocks, tight lists, GFM tables."""
    heading_levels = [it.level for it in items if it.kind == "heading"]
    # Title is level 1; Heading 1 moves down a level only if the document uses both.
    shift = (
        1 if any(it.kind == "title" for it in items) and min(heading_levels, default=2) == 1 else 0
    )
    styled_headings = bool(heading_levels) or shift == 1 or any(it.kind == "title" for it in items)
    chunks: list[tuple[str, str]] = []  # (kind, markdown)
    list_cols: list[int] = []
    prev_key: str | None = None
    for i, it in enumerate(items):
        if it.kind != "list":
            list_cols = []
            prev_key = None
        if it.kind == "title":
            chunks.append(("block", f"# {it.text}"))
        elif it.kind == "heading":
            level = min(it.level + shift, 6)
            chunks.append(("block", f"{'#' * level} {it.text}"))
        elif it.kind == "list":
            level = min(it.level, len(list_cols))
            indent = list_cols[level - 1] if level > 0 else 0
            marker = f"{it.number}." if it.ordered else "-"
            col = indent + len(marker) + 1
            list_cols = [*list_cols[:level], col]
            body = [escape_line(line) for line in it.text.split("\n")]
            first = " " * indent + marker + " " + body[0]
            rest = [" " * col + line for line in body[1:]]
            new_list = level == 0 and prev_key is not None and it.list_key != prev_key
            if level == 0:
                prev_key = it.list_key
            chunks.append(("newlist" if new_list else "list", "\n".join([first, *rest])))
        elif it.kind == "table":
            chunks.append(("block", _render_table(it.rows)))
        else:
            nxt = items[i + 1] if i + 1 < len(items) else None
            if not styled_headings and _pseudo_heading(it, nxt):
                level = 1 if not chunks else 2
                chunks.append(("block", f"{'#' * level} {it.text}"))
                continue
            if _bold_label(it):
                # Keep the emphasis: the Markdown parser reads a bold line as a label/heading.
                chunks.append(("block", f"**{it.text}**"))
                continue
            m = MANUAL_BULLET.match(it.text)
            if m and "\n" not in it.text:
                list_cols = [2]
                chunks.append(("list", "- " + escape_line(it.text[m.end() :])))
                continue
            chunks.append(("block", "\n".join(escape_line(line) for line in it.text.split("\n"))))
    out: list[str] = []
    prev_kind = ""
    for kind, md in chunks:
        if out:
            out.append("\n" if kind == "list" and prev_kind in ("list", "newlist") else "\n\n")
        out.append(md)
        prev_kind = kind
    return "".join(out) + "\n" if out else ""


def _pseudo_heading(it: MdItem, nxt: MdItem | None) -> bool:
    """A short bold-only line followed by body text, in a document without heading styles."""
    if not it.bold_only or "\n" in it.text or nxt is None or nxt.bold_only:
        return False
    limit = 30 if _CJK.search(it.text) else 60
    return (
        len(it.text) <= limit and not _TERMINAL.search(it.text) and not MANUAL_BULLET.match(it.text)
    )


def _bold_label(it: MdItem) -> bool:
    """A short single-line paragraph that is bold throughout."""
    return (
        it.bold_only
        and "\n" not in it.text
        and len(it.text) <= 80
        and not any(ch in it.text for ch in "*_`")
        and not MANUAL_BULLET.match(it.text)
    )


def _render_table(rows: list[list[str]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(_escape_cell(c) for c in header) + " |"]
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    lines.extend("| " + " | ".join(_escape_cell(c) for c in r) + " |" for r in body)
    return "\n".join(lines)


__all__ = ["MANUAL_BULLET", "MdItem", "escape_line", "render_markdown"]
