"""Text extracted from .pdf and .docx, normalised to the characters a reader sees.

PDFs printed from browsers or Word often map a glyph to a look-alike code point
instead of the ordinary character: Chinese text comes out with Kangxi radicals
and CJK compatibility ideographs (``⽬标`` for ``目标``, ``⾏动`` for ``行动``),
English text with ligatures (``ﬁnance``); office documents carry full-width
letters and digits, non-breaking and other odd spaces, soft hyphens and
zero-width characters. The rules match ordinary characters, so a goals heading
written ``⽬标`` is not a goals heading until it is normalised.

``normalize_line`` maps, per character and only inside these ranges:

- Kangxi radicals (U+2F00-U+2FD5) and CJK Radicals Supplement characters with
  a unified equivalent (``⻓`` -> ``长``) to that ideograph;
- CJK compatibility ideographs (U+F900-U+FAFF, U+2F800-U+2FA1F) to their
  unified form;
- Latin ligatures (U+FB00-U+FB06) to their letters;
- full-width digits and Latin letters to ASCII. Full-width punctuation
  (``：`` ``，`` ``（`` ``％``) and the ideographic space are kept: Chinese
  plans and the rules use them;
- non-breaking and other odd spaces to a space, the Unicode hyphen to ``-``;
- soft hyphens and zero-width characters to nothing.

It never adds or removes a line break (line separators and other characters
that break lines become spaces), so the line mapping of the text survives.
Everything else is left as it is: NFKC over the whole text would also turn
``：`` into ``:`` and ``①`` into ``1``.

``hyphen_join`` decides when a PDF line ending in a hyphen continues a word
split at the line break ("organi-" + "sation").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from service.text import detect_script

# CJK Radicals Supplement characters without a compatibility decomposition, mapped to the
# ideograph Unicode names as their equivalent (EquivalentUnifiedIdeograph.txt); the two NFKC
# decomposes (U+2E9F, U+2EF3) come from NFKC. Radicals Unicode leaves unmapped or ambiguous
# (U+2E80, U+2E87, U+2E88, U+2E8C, U+2E8D, U+2E91, U+2E9C, ...) stay as they are.
_RADICALS_SUPPLEMENT = {
    0x2E81: "厂",  # CLIFF
    0x2E82: "乛",  # SECOND ONE
    0x2E83: "乚",  # SECOND TWO
    0x2E84: "乙",  # SECOND THREE
    0x2E85: "亻",  # PERSON
    0x2E86: "冂",  # BOX
    0x2E89: "刂",  # KNIFE TWO
    0x2E8A: "卜",  # DIVINATION
    0x2E8E: "兀",  # LAME ONE
    0x2E8F: "尣",  # LAME TWO
    0x2E90: "尢",  # LAME THREE
    0x2E92: "巳",  # SNAKE
    0x2E93: "幺",  # THREAD
    0x2E94: "彑",  # SNOUT ONE
    0x2E95: "彐",  # SNOUT TWO
    0x2E96: "忄",  # HEART ONE
    0x2E98: "扌",  # HAND
    0x2E99: "攵",  # RAP
    0x2E9B: "旡",  # CHOKE
    0x2E9D: "月",  # MOON
    0x2E9E: "歺",  # DEATH
    0x2EA0: "民",  # CIVILIAN
    0x2EA1: "氵",  # WATER ONE
    0x2EA2: "氺",  # WATER TWO
    0x2EA3: "灬",  # FIRE
    0x2EA5: "爫",  # PAW TWO
    0x2EA6: "丬",  # SIMPLIFIED HALF TREE TRUNK
    0x2EA8: "犭",  # DOG
    0x2EAB: "罒",  # EYE
    0x2EAC: "示",  # SPIRIT ONE
    0x2EAD: "礻",  # SPIRIT TWO
    0x2EAF: "糹",  # SILK
    0x2EB0: "纟",  # C-SIMPLIFIED SILK
    0x2EB1: "罓",  # NET ONE
    0x2EB9: "耂",  # OLD
    0x2EBA: "肀",  # BRUSH ONE
    0x2EBC: "月",  # MEAT
    0x2EBD: "臼",  # MORTAR
    0x2EBE: "艹",  # GRASS ONE
    0x2EBF: "艹",  # GRASS TWO
    0x2EC0: "艹",  # GRASS THREE
    0x2EC1: "虎",  # TIGER
    0x2EC2: "衤",  # CLOTHES
    0x2EC3: "覀",  # WEST ONE
    0x2EC4: "西",  # WEST TWO
    0x2EC5: "见",  # C-SIMPLIFIED SEE
    0x2EC6: "角",  # SIMPLIFIED HORN (the character Chinese fonts draw for it)
    0x2EC8: "讠",  # C-SIMPLIFIED SPEECH
    0x2EC9: "贝",  # C-SIMPLIFIED SHELL
    0x2ECB: "车",  # C-SIMPLIFIED CART
    0x2ECD: "辶",  # WALK ONE
    0x2ECF: "阝",  # CITY
    0x2ED0: "钅",  # C-SIMPLIFIED GOLD
    0x2ED1: "長",  # LONG ONE
    0x2ED2: "镸",  # LONG TWO
    0x2ED3: "长",  # C-SIMPLIFIED LONG
    0x2ED4: "门",  # C-SIMPLIFIED GATE (the character Chinese fonts draw for it)
    0x2ED6: "阝",  # MOUND TWO
    0x2ED8: "青",  # BLUE
    0x2ED9: "韦",  # C-SIMPLIFIED TANNED LEATHER
    0x2EDA: "页",  # C-SIMPLIFIED LEAF
    0x2EDB: "风",  # C-SIMPLIFIED WIND
    0x2EDC: "飞",  # C-SIMPLIFIED FLY
    0x2EDD: "食",  # EAT ONE
    0x2EDF: "飠",  # EAT THREE
    0x2EE0: "饣",  # C-SIMPLIFIED EAT
    0x2EE2: "马",  # C-SIMPLIFIED HORSE
    0x2EE3: "骨",  # BONE
    0x2EE4: "鬼",  # GHOST
    0x2EE5: "鱼",  # C-SIMPLIFIED FISH
    0x2EE6: "鸟",  # C-SIMPLIFIED BIRD
    0x2EE7: "卤",  # C-SIMPLIFIED SALT
    0x2EE8: "麦",  # SIMPLIFIED WHEAT
    0x2EE9: "黄",  # SIMPLIFIED YELLOW
    0x2EEA: "黾",  # C-SIMPLIFIED FROG
    0x2EEB: "斉",  # J-SIMPLIFIED EVEN
    0x2EEC: "齐",  # C-SIMPLIFIED EVEN
    0x2EED: "歯",  # J-SIMPLIFIED TOOTH
    0x2EEE: "齿",  # C-SIMPLIFIED TOOTH
    0x2EEF: "竜",  # J-SIMPLIFIED DRAGON
    0x2EF0: "龙",  # C-SIMPLIFIED DRAGON
    0x2EF1: "龜",  # TURTLE
    0x2EF2: "亀",  # J-SIMPLIFIED TURTLE
}

# Ranges mapped by NFKC, one character at a time.
_NFKC_RANGES = (
    (0x2E80, 0x2EFF),  # CJK Radicals Supplement (only U+2E9F and U+2EF3 decompose)
    (0x2F00, 0x2FD5),  # Kangxi radicals
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x2F800, 0x2FA1F),  # CJK compatibility ideographs supplement
    (0xFB00, 0xFB06),  # Latin ligatures ff fi fl ffi ffl ſt st
    (0xFF10, 0xFF19),  # full-width digits
    (0xFF21, 0xFF3A),  # full-width capital letters
    (0xFF41, 0xFF5A),  # full-width small letters
)

_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
)
# Characters that end a line for some readers (str.splitlines, markdown-it's \r): a space here,
# so the text keeps the line breaks the converter wrote and no others.
_LINE_BREAKERS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_HYPHENS = "\u2010\u2011"

# KANGXI RADICAL DOOR: NFKC gives the Traditional 戶, but Simplified fonts draw 户 for it.
_DOOR = "\u2f3e"
_SOFT_HYPHEN_AT_END = re.compile("\u00ad\\s*$")


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for lo, hi in _NFKC_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            mapped = unicodedata.normalize("NFKC", ch)
            if mapped != ch and mapped:
                table[cp] = mapped
    table.update(_RADICALS_SUPPLEMENT)
    table.update({ord(ch): " " for ch in _SPACES + _LINE_BREAKERS})
    table.update({ord(ch): "" for ch in _INVISIBLE})
    table.update({ord(ch): "-" for ch in _HYPHENS})
    return table


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_table())) + "]")


def normalize_line(text: str, *, line_end_hyphen: bool = False) -> str:
    """``text`` with look-alike, invisible and odd-space characters replaced (see the module doc).

    ``line_end_hyphen``: a soft hyphen at the end of ``text`` is where the typesetter broke
    the word, and shows as a hyphen; it becomes ``-`` so the PDF converter can mend the
    word (``hyphen_join``). Other soft hyphens are invisible and are removed.
    """
    if not _pattern().search(text):
        return text
    if line_end_hyphen and "\u00ad" in text:
        text = _SOFT_HYPHEN_AT_END.sub("-", text)
    table = _table()
    if _DOOR in text:
        rest = text.replace(_DOOR, "").translate(table)
        door = "戶" if detect_script(rest) == "hant" else "户"
        table = {**table, ord(_DOOR): door}
    return text.translate(table)


_HYPHENATED_END = re.compile(r"([^\W\d_]+)-$")


def hyphen_join(left: str, right: str) -> str | None:
    """How a PDF line ending in a hyphen joins the next line of the same paragraph.

    - "mend": a word hyphenated at the line break, both halves lowercase letters
      ("organi-" + "sation" -> "organisation");
    - "keep": a hyphen that belongs to the text, where typesetters also break a
      line: a range or date ("2024-" + "2025" -> "2024-2025"), a compound
      ("state-of-the-" + "art"), a capitalised next half ("Wi-" + "Fi");
    - None: no word continues across the break (a dash after a space, a bare list
      marker, a next line that starts with punctuation): the lines join as usual.
    """
    if len(left) < 2 or not left.endswith("-") or not right:
        return None
    before, after = left[-2], right[0]
    if not (before.isalnum() and after.isalnum()):
        return None
    m = _HYPHENATED_END.search(left)
    if m is None or not (before.islower() and after.islower()):
        return "keep"
    ahead = left[m.start() - 1] if m.start() > 0 else " "
    return "keep" if ahead == "-" or ahead.isalnum() else "mend"


__all__ = ["hyphen_join", "normalize_line"]
