"""WordprocessingML element names and readers for the text of a paragraph.

The .docx converter walks the body XML directly; this module names the elements
it looks at and reads a paragraph's text in order: inserted text of tracked
changes counts, deleted text, field codes, drawings and note references do not.
Text boxes are found once each (Word stores a DrawingML copy and a VML fallback).
"""

from __future__ import annotations

import re
from typing import Any

from service.ingest.normalize_text import normalize_line

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(tag: str) -> str:
    """The qualified name of a WordprocessingML element or attribute."""
    return f"{{{W_NS}}}{tag}"


W_VAL = w("val")
P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (
    w("p"),
    w("tbl"),
    w("tr"),
    w("tc"),
    w("sdt"),
    w("sdtContent"),
    w("customXml"),
)
PPR, RPR, PSTYLE, RSTYLE, NUMPR, NUMID, ILVL, OUTLINE = (
    w("pPr"),
    w("rPr"),
    w("pStyle"),
    w("rStyle"),
    w("numPr"),
    w("numId"),
    w("ilvl"),
    w("outlineLvl"),
)
B = w("b")
_T, _TAB, _BR, _CR, _NBH, _R = w("t"), w("tab"), w("br"), w("cr"), w("noBreakHyphen"), w("r")

# Subtrees whose text is not body text of this paragraph.
_SKIP = frozenset(
    {
        PPR,
        RPR,
        w("del"),
        w("moveFrom"),
        w("delText"),
        w("instrText"),
        w("drawing"),
        w("pict"),
        w("object"),
        w("footnoteReference"),
        w("endnoteReference"),
        w("commentReference"),
        w("fldData"),
        f"{{{_MC_NS}}}AlternateContent",
    }
)


def children(el: Any, tag: str) -> list[Any]:
    """Direct children with ``tag``, looking through content controls and custom XML."""
    out: list[Any] = []
    for child in el.iterchildren():
        if child.tag == tag:
            out.append(child)
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                out.extend(children(content, tag))
        elif child.tag == CUSTOM_XML:
            out.extend(children(child, tag))
    return out


_TXBX = w("txbxContent")
_FALLBACK = f"{{{_MC_NS}}}Fallback"


def text_boxes(p: Any) -> list[Any]:
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


def runs_text(p: Any) -> list[tuple[str, Any]]:
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
                if child.get(w("type")) not in ("page", "column"):
                    out.append(("\n", run))
            elif tag == _CR:
                out.append(("\n", run))
            elif tag == _NBH:
                out.append(("-", run))
            elif tag == P:
                continue  # a nested paragraph (text box content) is not this paragraph's text
            else:
                walk(child, child if tag == _R else run)

    walk(p, None)
    return out


def clean_line(line: str) -> str:
    """A line as a reader sees it (``normalize_text``), tabs and runs of spaces collapsed.

    No leading blanks: they would make a code block.
    """
    return re.sub(r"[\t\f\v ]+", " ", normalize_line(line)).strip(" \u3000")


def int_val(el: Any) -> int | None:
    """The integer ``w:val`` of an element, or None if it is missing or not a number."""
    if el is None:
        return None
    return int_attr(el, W_VAL)


def int_attr(el: Any, attr: str) -> int | None:
    try:
        return int(el.get(attr))
    except (TypeError, ValueError):
        return None


def toggle(el: Any) -> bool | None:
    """An on/off property (``<w:b/>``, ``<w:b w:val="0"/>``); None when it is not set."""
    if el is None:
        return None
    return el.get(W_VAL) not in ("0", "false", "off", "none")
