"""Paragraph styles of a .docx: the style chain, heading levels and bold text.

A paragraph's style is looked up through its ``basedOn`` chain (falling back to
the document's default paragraph style). Heading levels come from the style
names (built-in "Heading n", localised "标题 n"/"標題 n", "Title") or from an
outline level set on the paragraph or its style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.ingest.docx_xml import (
    ILVL,
    NUMID,
    NUMPR,
    OUTLINE,
    PPR,
    RPR,
    RSTYLE,
    W_VAL,
    B,
    int_val,
    toggle,
    w,
)

_HEADING_NAME = re.compile(
    r"^(?:heading|标题|標題|überschrift|titre|título|titolo|見出し)\s*([1-9])$", re.IGNORECASE
)
_TITLE_NAMES = frozenset({"title", "标题", "標題", "titel", "titre", "título", "表題"})
# A table of contents repeats the headings: its paragraphs are left out.
TOC_NAME = re.compile(r"^(?:toc|目录|目錄|table of contents|inhaltsverzeichnis)\b", re.IGNORECASE)


@dataclass
class Style:
    """What the converter needs of one style definition."""

    name: str = ""
    based_on: str | None = None
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None
    bold: bool | None = None


def read_styles(document: Any) -> dict[str, Style]:
    """styleId -> style; the default paragraph style is recorded under ``"\\0default"``."""
    styles: dict[str, Style] = {}
    try:
        root = document.styles.element
    except Exception:  # a document without a styles part
        return styles
    default_id: str | None = None
    for el in root.iterchildren(w("style")):
        sid = el.get(w("styleId"))
        if not sid:
            continue
        st = Style()
        name = el.find(w("name"))
        st.name = (name.get(W_VAL) or "") if name is not None else sid
        based = el.find(w("basedOn"))
        st.based_on = based.get(W_VAL) if based is not None else None
        ppr = el.find(PPR)
        if ppr is not None:
            st.outline = int_val(ppr.find(OUTLINE))
            numpr = ppr.find(NUMPR)
            if numpr is not None:
                num = numpr.find(NUMID)
                st.num_id = num.get(W_VAL) if num is not None else None
                st.ilvl = int_val(numpr.find(ILVL))
        rpr = el.find(RPR)
        if rpr is not None:
            st.bold = toggle(rpr.find(B))
        if el.get(w("type")) == "paragraph" and el.get(w("default")) in ("1", "true", "on"):
            default_id = sid
        styles[sid] = st
    if default_id:
        styles["\0default"] = Style(name="__default__", based_on=default_id)
    return styles


class StyleSheet:
    """The document's styles, looked up by id through their ``basedOn`` chain."""

    def __init__(self, document: Any) -> None:
        self.styles = read_styles(document)

    def chain(self, style_id: str | None) -> list[Style]:
        chain: list[Style] = []
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

    def bold_only(self, pieces: list[tuple[str, Any]], chain: list[Style]) -> bool:
        """Whether every run with text is bold (directly, by character style or by ``chain``)."""
        style_bold = next((st.bold for st in chain if st.bold is not None), False)
        seen_text = False
        for text, run in pieces:
            if not text.strip():
                continue
            seen_text = True
            bold: bool | None = None
            if run is not None:
                rpr = run.find(RPR)
                if rpr is not None:
                    bold = toggle(rpr.find(B))
                    if bold is None:
                        rs = rpr.find(RSTYLE)
                        if rs is not None:
                            bold = next(
                                (
                                    st.bold
                                    for st in self.chain(rs.get(W_VAL))
                                    if st.bold is not None
                                ),
                                None,
                            )
            if not (bold if bold is not None else style_bold):
                return False
        return seen_text


def heading_level(ppr: Any, chain: list[Style]) -> int | None:
    """0 for a Title, 1-9 for a heading, None for body text."""
    if ppr is not None:
        outline = int_val(ppr.find(OUTLINE))
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
