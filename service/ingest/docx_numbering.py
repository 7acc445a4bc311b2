"""List numbering of a .docx: which paragraphs are list items, how deep, and their numbers.

List nesting and numbering come from ``w:numPr`` (on the paragraph or its style)
and the numbering part (abstract numbering definitions, list styles, level
overrides). A "List Bullet"/"List Number" style without numbering still reads as
a list, its depth taken from the style name ("List Bullet 2").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.ingest.docx_styles import Style
from service.ingest.docx_xml import ILVL, NUMID, NUMPR, W_VAL, int_attr, int_val, w

_LIST_STYLE_LEVEL = re.compile(r"^list (?:bullet|number|continue)\s*([2-9])$", re.IGNORECASE)
_LIST_NUMBER_STYLE = re.compile(r"^list number", re.IGNORECASE)
_LIST_BULLET_STYLE = re.compile(r"^list bullet", re.IGNORECASE)


@dataclass
class Level:
    """The format of one list level."""

    ordered: bool
    start: int = 1


def read_numbering(document: Any) -> dict[str, dict[int, Level]]:
    """numId -> {ilvl: level format}."""
    try:
        root = document.part.numbering_part.element
    except Exception:  # no numbering part: no automatic lists
        return {}
    abstract: dict[str, dict[int, Level]] = {}
    by_style: dict[str, dict[int, Level]] = {}  # list styles (styleLink) -> their levels
    uses_style: dict[str, str] = {}  # abstractNum id -> list style it borrows (numStyleLink)
    for an in root.iterchildren(w("abstractNum")):
        levels: dict[int, Level] = {}
        for lvl in an.iterchildren(w("lvl")):
            ilvl = int_attr(lvl, w("ilvl"))
            fmt = lvl.find(w("numFmt"))
            fmt_val = (fmt.get(W_VAL) or "decimal") if fmt is not None else "decimal"
            if ilvl is None or fmt_val == "none":
                continue
            start = int_val(lvl.find(w("start")))
            levels[ilvl] = Level(
                ordered=fmt_val != "bullet", start=start if start is not None else 1
            )
        aid = an.get(w("abstractNumId"))
        if aid is None:
            continue
        abstract[aid] = levels
        link = an.find(w("styleLink"))
        if link is not None and link.get(W_VAL):
            by_style[link.get(W_VAL)] = levels
        borrowed = an.find(w("numStyleLink"))
        if borrowed is not None and borrowed.get(W_VAL) and not levels:
            uses_style[aid] = borrowed.get(W_VAL)
    # A list defined through a list style keeps its levels on the style's abstractNum.
    for aid, style in uses_style.items():
        abstract[aid] = by_style.get(style, abstract[aid])
    nums: dict[str, dict[int, Level]] = {}
    for num in root.iterchildren(w("num")):
        nid = num.get(w("numId"))
        ref = num.find(w("abstractNumId"))
        if nid is None or ref is None:
            continue
        levels = dict(abstract.get(ref.get(W_VAL) or "", {}))
        for override in num.iterchildren(w("lvlOverride")):
            ilvl = int_attr(override, w("ilvl"))
            start = int_val(override.find(w("startOverride")))
            if ilvl is not None and start is not None and ilvl in levels:
                levels[ilvl] = Level(levels[ilvl].ordered, start)
        nums[nid] = levels
    return nums


class Numbering:
    """The document's list definitions and the running counters of its lists."""

    def __init__(self, document: Any) -> None:
        self.numbering = read_numbering(document)
        self.counters: dict[str, list[int]] = {}

    def list_info(self, ppr: Any, chain: list[Style]) -> tuple[int, bool, int, str] | None:
        """(nesting level, ordered, number, list key) of a list paragraph, or None."""
        num_id: str | None = None
        ilvl: int | None = None
        if ppr is not None:
            numpr = ppr.find(NUMPR)
            if numpr is not None:
                num = numpr.find(NUMID)
                num_id = num.get(W_VAL) if num is not None else None
                ilvl = int_val(numpr.find(ILVL))
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
        explicit = ppr is not None and ppr.find(NUMPR) is not None and ilvl is not None
        level = fmt_level if explicit or style_level is None else style_level
        levels = self.numbering.get(num_id)
        if levels is None:
            fmt = Level(ordered=bool(_LIST_NUMBER_STYLE.match(style_name)))
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
