""".docx -> normalised Markdown text (headings, lists, tables, paragraphs in document order).

The body XML is walked directly (through python-docx's parsed package) rather
than through ``Document.paragraphs``/``Document.tables`` so that:

- paragraphs and tables keep their document order, including those inside
  content controls (``w:sdt``);
- inserted text of tracked changes counts and deleted text does not;
- heading levels come from the style chain (built-in "Heading n", localised
  "标题 n"/"標題 n", "Title") or from an outline level set on the paragraph or
  its style;
- list nesting and numbering come from ``w:numPr`` (on the paragraph or its
  style) and the numbering part.

Text boxes are read once, after the paragraph they are anchored to. Headers,
footers, footnotes and comments are not part of the plan text. The result is
plain Markdown without emphasis markers, so quotes taken from it read as the
document does; the one exception is a short paragraph that is bold throughout,
written ``**like this**`` so the Markdown parser can treat it as a label.
Characters that would turn body text into Markdown structure (a leading ``#``,
``>``, a fence) are escaped; typed bullets ("• item", "- item") become list items.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from service.errors import InputError, InputTooLarge
from service.ingest.safety import open_docx_zip, short_reason
from service.settings import Settings

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_W_VAL = _w("val")
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    _w("p"),
    _w("tbl"),
    _w("tr"),
    _w("tc"),
    _w("sdt"),
    _w("sdtContent"),
    _w("customXml"),
)
_PPR, _RPR, _PSTYLE, _RSTYLE, _NUMPR, _NUMID, _ILVL, _OUTLINE = (
    _w("pPr"),
    _w("rPr"),
    _w("pStyle"),
    _w("rStyle"),
    _w("numPr"),
    _w("numId"),
    _w("ilvl"),
    _w("outlineLvl"),
)
_T, _TAB, _BR, _CR, _NBH, _R = _w("t"), _w("tab"), _w("br"), _w("cr"), _w("noBreakHyphen"), _w("r")
_B, _BCS = _w("b"), _w("bCs")

# Subtrees whose text is not body text of this paragraph.
_SKIP = frozenset(
    {
        _PPR,
        _RPR,
        _w("del"),
        _w("moveFrom"),
        _w("delText"),
        _w("instrText"),
        _w("drawing"),
        _w("pict"),
        _w("object"),
        _w("footnoteReference"),
        _w("endnoteReference"),
        _w("commentReference"),
        _w("fldData"),
        f"{{{_MC_NS}}}AlternateContent",
    }
)

_HEADING_NAME = re.compile(
    r"^(?:heading|标题|標題|überschrift|titre|título|titolo|見出し)\s*([1-9])$", re.IGNORECASE
)
_TITLE_NAMES = frozenset({"title", "标题", "標題", "titel", "titre", "título", "表題"})
_TOC_NAME = re.compile(r"^(?:toc|目录|目錄|table of contents|inhaltsverzeichnis)\b", re.IGNORECASE)
_LIST_STYLE_LEVEL = re.compile(r"^list (?:bullet|number|continue)\s*([2-9])$", re.IGNORECASE)
_LIST_NUMBER_STYLE = re.compile(r"^list number", re.IGNORECASE)
_LIST_BULLET_STYLE = re.compile(r"^list bullet", re.IGNORECASE)

# Characters people type to make a bullet by hand, and Word's symbol-font bullets.
MANUAL_BULLET = re.compile(
    r"^(?:[•·▪▫◦●○■□◆◇➢➤►▶✓✔☐☑\x7f\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06c\uf06e]\s*|[-*–]\s+)(?=\S)"
)
_TERMINAL = re.compile(r"[。．.;；,，!！?？、]$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


MAX_TABLE_COLUMNS = 64


@dataclass
class _Style:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None
    bold: bool | None = None


@dataclass
class _Level:
    ordered: bool
    start: int = 1


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


class _Converter:
    def __init__(self, document: Any, source: str, settings: Settings) -> None:
        self.source = source
        self.max_paragraphs = settings.max_paragraphs
        self.paragraphs = 0
        self.styles = self._read_styles(document)
        self.numbering = self._read_numbering(document)
        self.counters: dict[str, list[int]] = {}
        self.items: list[MdItem] = []
        self.warnings: list[str] = []
        self.text_boxes = 0

    # -- styles and numbering -------------------------------------------------------------------
    @staticmethod
    def _read_styles(document: Any) -> dict[str, _Style]:
        styles: dict[str, _Style] = {}
        try:
            root = document.styles.element
        except Exception:  # a document without a styles part
            return styles
        default_id: str | None = None
        for el in root.iterchildren(_w("style")):
            sid = el.get(_w("styleId"))
            if not sid:
                continue
            st = _Style()
            name = el.find(_w("name"))
            st.name = (name.get(_W_VAL) or "") if name is not None else sid
            based = el.find(_w("basedOn"))
            st.based_on = based.get(_W_VAL) if based is not None else None
            ppr = el.find(_PPR)
            if ppr is not None:
                st.outline = _int(ppr.find(_OUTLINE))
                numpr = ppr.find(_NUMPR)
                if numpr is not None:
                    num = numpr.find(_NUMID)
                    st.num_id = num.get(_W_VAL) if num is not None else None
                    st.ilvl = _int(numpr.find(_ILVL))
            rpr = el.find(_RPR)
            if rpr is not None:
                st.bold = _on(rpr.find(_B))
            if el.get(_w("type")) == "paragraph" and el.get(_w("default")) in ("1", "true", "on"):
                default_id = sid
            styles[sid] = st
        if default_id:
            styles["\0default"] = _Style(name="__default__", based_on=default_id)
        return styles

    def _chain(self, style_id: str | None) -> list[_Style]:
        chain: list[_Style] = []
        seen: set[str] = set()
        sid = style_id if style_id in self.styles else None
        if sid is None:
            default = self.styles.get("\0default")
            sid = default.based_on if default else None
        while sid and sid in self.styles and sid not in seen and len(chain) < 20:
            seen.add(sid)
            st = self.styles[sid]
            chain.append(st)
            sid = st.based_on
        return chain

    @staticmethod
    def _read_numbering(document: Any) -> dict[str, dict[int, _Level]]:
        """numId -> {ilvl: level format}."""
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part: no automatic lists
            return {}
        abstract: dict[str, dict[int, _Level]] = {}
        by_style: dict[str, dict[int, _Level]] = {}  # list styles (styleLink) -> their levels
        uses_style: dict[str, str] = {}  # abstractNum id -> list style it borrows (numStyleLink)
        for an in root.iterchildren(_w("abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in an.iterchildren(_w("lvl")):
                ilvl = _int_attr(lvl, _w("ilvl"))
                fmt = lvl.find(_w("numFmt"))
                fmt_val = (fmt.get(_W_VAL) or "decimal") if fmt is not None else "decimal"
                if ilvl is None or fmt_val == "none":
                    continue
                start = _int(lvl.find(_w("start")))
                levels[ilvl] = _Level(
                    ordered=fmt_val != "bullet", start=start if start is not None else 1
                )
            aid = an.get(_w("abstractNumId"))
            if aid is None:
                continue
            abstract[aid] = levels
            link = an.find(_w("styleLink"))
            if link is not None and link.get(_W_VAL):
                by_style[link.get(_W_VAL)] = levels
            borrowed = an.find(_w("numStyleLink"))
            if borrowed is not None and borrowed.get(_W_VAL) and not levels:
                uses_style[aid] = borrowed.get(_W_VAL)
        # A list defined through a list style keeps its levels on the style's abstractNum.
        for aid, style in uses_style.items():
            abstract[aid] = by_style.get(style, abstract[aid])
        nums: dict[str, dict[int, _Level]] = {}
        for num in root.iterchildren(_w("num")):
            nid = num.get(_w("numId"))
            ref = num.find(_w("abstractNumId"))
            if nid is None or ref is None:
                continue
            levels = dict(abstract.get(ref.get(_W_VAL) or "", {}))
            for override in num.iterchildren(_w("lvlOverride")):
                ilvl = _int_attr(override, _w("ilvl"))
                start = _int(override.find(_w("startOverride")))
                if ilvl is not None and start is not None and ilvl in levels:
                    levels[ilvl] = _Level(levels[ilvl].ordered, start)
            nums[nid] = levels
        return nums

    # -- body -----------------------------------------------------------------------------------
    def convert(self, body: Any) -> None:
        for el in body.iterchildren():
            self._block(el)

    def _count_paragraph(self) -> None:
        self.paragraphs += 1
        if self.paragraphs > self.max_paragraphs:
            raise InputTooLarge(
                self.source,
                f"the document has more than {self.max_paragraphs:,} paragraphs",
                hint="split the plan, or raise PLANREVIEW_MAX_PARAGRAPHS",
            )

    def _block(self, el: Any) -> None:
        tag = el.tag
        if tag == _P:
            self._paragraph(el)
        elif tag == _TBL:
            self._table(el)
        elif tag in (_SDT, _CUSTOM_XML):
            content = el.find(_SDT_CONTENT) if tag == _SDT else el
            if content is not None:
                for child in content.iterchildren():
                    self._block(child)

    def _paragraph(self, p: Any) -> None:
        self._paragraph_itself(p)
        # Text boxes anchored in this paragraph: their text follows it.
        for box in _text_boxes(p):
            if not self.text_boxes:
                self.warnings.append(
                    "text in text boxes was read after the paragraph each box is anchored to"
                )
            self.text_boxes += 1
            for child in box.iterchildren():
                self._block(child)

    def _paragraph_itself(self, p: Any) -> None:
        self._count_paragraph()
        ppr = p.find(_PPR)
        style_id = None
        if ppr is not None:
            ps = ppr.find(_PSTYLE)
            style_id = ps.get(_W_VAL) if ps is not None else None
        chain = self._chain(style_id)
        style_name = chain[0].name if chain else ""
        if _TOC_NAME.match(style_name):
            return  # a table of contents repeats the headings
        pieces = _runs_text(p)
        text = "".join(t for t, _ in pieces)
        lines = [_clean_line(line) for line in text.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        heading = self._heading_level(ppr, chain)
        if heading is not None:
            kind = "title" if heading == 0 else "heading"
            self.items.append(MdItem(kind, " ".join(lines), level=max(heading, 1)))
            return
        listing = self._list_info(ppr, chain)
        if listing is not None:
            level, ordered, number, key = listing
            self.items.append(
                MdItem(
                    "list",
                    "\n".join(lines),
                    level=level,
                    ordered=ordered,
                    number=number,
                    list_key=key,
                )
            )
            return
        bold_only = self._bold_only(pieces, chain)
        self.items.append(MdItem("paragraph", "\n".join(lines), bold_only=bold_only))

    def _heading_level(self, ppr: Any, chain: list[_Style]) -> int | None:
        """0 for a Title, 1-9 for a heading, None for body text."""
        if ppr is not None:
            outline = _int(ppr.find(_OUTLINE))
            if outline is not None and 0 <= outline <= 8:
                return outline + 1
        for st in chain:
            name = st.name.strip()
            m = _HEADING_NAME.match(name)
            if m:
                return int(m.group(1))
            if name.lower() in _TITLE_NAMES:
                return 0
            if st.outline is not None and 0 <= st.outline <= 8:
                return st.outline + 1
        return None

    def _list_info(self, ppr: Any, chain: list[_Style]) -> tuple[int, bool, int, str] | None:
        """(nesting level, ordered, number, list key) of a list paragraph, or None."""
        num_id: str | None = None
        ilvl: int | None = None
        if ppr is not None:
            numpr = ppr.find(_NUMPR)
            if numpr is not None:
                num = numpr.find(_NUMID)
                num_id = num.get(_W_VAL) if num is not None else None
                ilvl = _int(numpr.find(_ILVL))
        style_level: int | None = None
        style_name = chain[0].name if chain else ""
        m = _LIST_STYLE_LEVEL.match(style_name)
        if m:
            style_level = int(m.group(1)) - 1
        for st in chain:
            if num_id is None and st.num_id is not None:
                num_id = st.num_id
                if ilvl is None:
                    ilvl = st.ilvl
        if num_id is None or num_id == "0":
            # A list style whose numbering was not defined still reads as a list.
            if _LIST_BULLET_STYLE.match(style_name) or _LIST_NUMBER_STYLE.match(style_name):
                ordered = bool(_LIST_NUMBER_STYLE.match(style_name))
                level = style_level or 0
                return (
                    level,
                    ordered,
                    self._next_number(f"style:{ordered}", level, 1),
                    f"style:{ordered}",
                )
            return None
        # "List Bullet 2" says its depth by name; its numbering is defined at ilvl 0.
        fmt_level = max(0, min(ilvl if ilvl is not None else 0, 8))
        explicit = ppr is not None and ppr.find(_NUMPR) is not None and ilvl is not None
        level = fmt_level if explicit or style_level is None else style_level
        levels = self.numbering.get(num_id)
        if levels is None:
            fmt = _Level(ordered=bool(_LIST_NUMBER_STYLE.match(style_name)))
        else:
            if fmt_level not in levels:
                return None  # numFmt "none" or an undefined level: plain paragraph
            fmt = levels[fmt_level]
        key = num_id if explicit or style_level is None else f"{num_id}:{level}"
        return level, fmt.ordered, self._next_number(key, level, fmt.start), num_id

    def _next_number(self, key: str, level: int, start: int) -> int:
        counters = self.counters.setdefault(key, [])
        while len(counters) <= level:
            counters.append(0)
        del counters[level + 1 :]
        counters[level] = counters[level] + 1 if counters[level] else start
        return counters[level]

    def _bold_only(self, pieces: list[tuple[str, Any]], chain: list[_Style]) -> bool:
        style_bold = next((st.bold for st in chain if st.bold is not None), False)
        seen_text = False
        for text, run in pieces:
            if not text.strip():
                continue
            seen_text = True
            bold: bool | None = None
            if run is not None:
                rpr = run.find(_RPR)
                if rpr is not None:
                    bold = _on(rpr.find(_B))
                    if bold is None:
                        rs = rpr.find(_RSTYLE)
                        if rs is not None:
                            bold = next(
                                (
                                    st.bold
                                    for st in self._chain(rs.get(_W_VAL))
                                    if st.bold is not None
                                ),
                                None,
                            )
            if not (bold if bold is not None else style_bold):
                return False
        return seen_text

    # -- tables ---------------------------------------------------------------------------------
    def _table(self, tbl: Any) -> None:
        grid: list[list[str]] = []
        prev: list[str] = []
        for tr in _children(tbl, _TR):
            row: list[str] = []
            trpr = tr.find(_w("trPr"))
            if trpr is not None:
                row.extend(
                    [""] * max(0, min(_int(trpr.find(_w("gridBefore"))) or 0, MAX_TABLE_COLUMNS))
                )
            for tc in _children(tr, _TC):
                tcpr = tc.find(_w("tcPr"))
                span = 1
                continued = False
                if tcpr is not None:
                    span = max(1, min(_int(tcpr.find(_w("gridSpan"))) or 1, 64))
                    vmerge = tcpr.find(_w("vMerge"))
                    continued = vmerge is not None and vmerge.get(_W_VAL) in (None, "continue")
                col = len(row)
                text = (prev[col] if col < len(prev) else "") if continued else self._cell_text(tc)
                row.append(text)
                row.extend([""] * (span - 1))
            grid.append(row)
            prev = row
        # Spans are capped per cell; the row width is capped too (no plan table is wider).
        width = min(max((len(r) for r in grid), default=0), MAX_TABLE_COLUMNS)
        if width == 0:
            return
        grid = [r[:width] for r in grid]
        rows = [r + [""] * (width - len(r)) for r in grid]
        rows = [r for i, r in enumerate(rows) if i == 0 or any(c for c in r)]
        if not any(c for r in rows for c in r):
            return
        if width == 1 or (len(rows) == 1 and sum(1 for c in rows[0] if c) <= 1):
            # A one-column table is a framed box of text, not data: keep it as paragraphs.
            for r in rows:
                for c in r:
                    if c:
                        self.items.append(MdItem("paragraph", c))
            return
        self.items.append(MdItem("table", rows=rows))

    def _cell_text(self, tc: Any) -> str:
        parts: list[str] = []
        for child in tc.iterchildren():
            parts.extend(self._cell_parts(child))
        return _join_cell(parts)

    def _cell_parts(self, el: Any) -> list[str]:
        if el.tag == _P:
            self._count_paragraph()
            text = "".join(t for t, _ in _runs_text(el))
            return [_clean_line(line) for line in text.split("\n") if _clean_line(line)]
        if el.tag == _TBL:
            rows = []
            for tr in _children(el, _TR):
                cells = [self._cell_text(tc) for tc in _children(tr, _TC)]
                rows.append(" / ".join(c for c in cells if c))
            return [r for r in rows if r]
        if el.tag in (_SDT, _CUSTOM_XML):
            content = el.find(_SDT_CONTENT) if el.tag == _SDT else el
            out: list[str] = []
            if content is not None:
                for child in content.iterchildren():
                    out.extend(self._cell_parts(child))
            return out
        return []


def _children(el: Any, tag: str) -> list[Any]:
    """Direct children with ``tag``, looking through content controls and custom XML."""
    out: list[Any] = []
    for child in el.iterchildren():
        if child.tag == tag:
            out.append(child)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                out.extend(_children(content, tag))
        elif child.tag == _CUSTOM_XML:
            out.extend(_children(child, tag))
    return out


_TXBX = _w("txbxContent")
_FALLBACK = f"{{{_MC_NS}}}Fallback"


def _text_boxes(p: Any) -> list[Any]:
    """Text box contents in a paragraph, once each.

    Word stores a text box twice (a DrawingML choice and a VML fallback inside
    ``mc:AlternateContent``); the fallback copy and boxes nested in boxes are skipped.
    """
    boxes: list[Any] = []
    for box in p.iter(_TXBX):
        anc = box.getparent()
        nested = False
        while anc is not None and anc is not p:
            if anc.tag in (_FALLBACK, _TXBX):
                nested = True
                break
            anc = anc.getparent()
        if not nested:
            boxes.append(box)
    return boxes


def _runs_text(p: Any) -> list[tuple[str, Any]]:
    """(text, run element) pieces of a paragraph in order, skipping deleted and hidden parts."""
    out: list[tuple[str, Any]] = []

    def walk(el: Any, run: Any) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                out.append((child.text or "", run))
            elif tag == _TAB:
                out.append(("\t", run))
            elif tag == _BR:
                if child.get(_w("type")) not in ("page", "column"):
                    out.append(("\n", run))
            elif tag == _CR:
                out.append(("\n", run))
            elif tag == _NBH:
                out.append(("-", run))
            elif tag == _P:
                continue  # a nested paragraph (text box content) is not this paragraph's text
            else:
                walk(child, child if tag == _R else run)

    walk(p, None)
    return out


def _clean_line(line: str) -> str:
    """Collapse tabs and runs of spaces; no leading blanks (they would make a code block)."""
    return re.sub(r"[\t\f\v\u00a0 ]+", " ", line).strip(" \u3000")


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


def _int(el: Any) -> int | None:
    if el is None:
        return None
    return _int_attr(el, _W_VAL)


def _int_attr(el: Any, attr: str) -> int | None:
    try:
        return int(el.get(attr))
    except (TypeError, ValueError):
        return None


def _on(el: Any) -> bool | None:
    if el is None:
        return None
    return el.get(_W_VAL) not in ("0", "false", "off", "none")


def docx_to_markdown(data: bytes, source: str, settings: Settings) -> tuple[str, list[str]]:
    """Convert a .docx to normalised Markdown; returns (text, warnings)."""
    open_docx_zip(data, source, settings).close()
    try:
        import docx  # python-docx; imported here to keep start-up light

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except InputError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types on damaged parts
        raise InputError(
            source,
            "not a valid .docx: a part of the document is damaged",
            hint=f"{short_reason(exc)}; re-save the document in Word or LibreOffice and retry",
        ) from None
    try:
        converter = _Converter(document, source, settings)
        converter.convert(body)
    except InputError:
        raise
    except Exception as exc:  # malformed XML that python-docx accepted (deep nesting, odd values)
        raise InputError(
            source,
            "the document's structure could not be read",
            hint=f"{short_reason(exc)}; re-save it from Word or LibreOffice and retry",
        ) from None
    text = render_markdown(converter.items)
    return text, converter.warnings
