"""Text folding for matching: Traditional -> Simplified, character for character.

``str.translate`` with a one-to-one character table keeps every offset, so a
match in the folded text is a match at the same column in the plan.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    from hanziconv.charmap import simplified_charmap, traditional_charmap

    table: dict[int, str] = {}
    for trad, simp in zip(traditional_charmap, simplified_charmap, strict=True):
        if trad != simp and len(simp) == 1:
            table[ord(trad)] = simp
    # Variants the table leaves as they are, though Simplified writes them otherwise (採購 采购,
    # 蒐集 搜集, 佈置 布置). 週 stays: the cues spell it out where it matters (每週, 週報).
    table.update({ord("採"): "采", ord("蒐"): "搜", ord("佈"): "布"})
    # Full-width forms that plans mix in.
    table.update({ord("％"): "%", ord("＄"): "$", ord("（"): "(", ord("）"): ")"})
    table.update({0xFF10 + i: str(i) for i in range(10)})  # full-width digits
    return {k: v for k, v in table.items() if k >= 0x80}  # ASCII stays: see to_simplified


# Taiwan writes 計畫 / 規畫 / 企畫 where the mainland writes 计划 / 规划 / 企划: character for
# character 畫 is 画 (a picture), so these words are mended after the table, same length.
_WORDS = {"计画": "计划", "规画": "规划", "企画": "企划", "策画": "策划", "筹画": "筹划"}


def to_simplified(text: str) -> str:
    """Same length as ``text``; Traditional characters replaced by Simplified ones."""
    if text.isascii():
        return text  # nothing to replace (most English lines): no lookup per character
    out = text.translate(_table())
    if "画" in out:
        for trad, simp in _WORDS.items():
            out = out.replace(trad, simp)
    return out


def fold(text: str) -> str:
    """Simplified and lower-cased, same length (for cue matching)."""
    folded = to_simplified(text).lower()
    return folded if len(folded) == len(text) else to_simplified(text)


_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_PROFILE_LINK = re.compile(r"\]\(https?://(?:www\.)?github\.com/([\w-]+)/?\)")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_BARE_URL = re.compile(r"https?://\S+|\bwww\.\S+")


def prose(text: str) -> str:
    """The plan's words without code and addresses: fenced blocks, inline code, link targets and
    bare URLs go (a package "@types/node", a path ".../va.gov-team/..." names nobody); a link to
    a GitHub profile keeps its handle ("[Ann](https://github.com/ann)" -> "[Ann @ann"). Folded."""
    text = _FENCE.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _PROFILE_LINK.sub(lambda m: " @" + m.group(1) + " ", text)
    text = _LINK_TARGET.sub(" ", text)
    text = _BARE_URL.sub(" ", text)
    return fold(text)
