"""Bytes of a text plan -> str, whatever encoding the writer's editor chose.

Order of evidence:

1. A byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE, GB18030) is trusted.
2. UTF-16/UTF-32 without a mark shows as NUL bytes concentrated on odd or even
   positions (ASCII characters such as newlines and digits have a zero byte).
3. Any other NUL byte means the file is not text.
4. Strict UTF-8. A file that is UTF-8 apart from a few broken sequences is read
   as UTF-8 with those sequences replaced (and a warning).
5. The legacy Chinese encodings. GB18030 (a superset of GBK/GB2312) and Big5
   (CP950, then Big5-HKSCS) both accept most double-byte Chinese text, so each
   decoding that succeeds is scored by the share of its non-ASCII characters
   that are common Han characters or CJK punctuation. "Common" means GB2312
   level 1 (the 3,755 most used simplified characters) or Big5 level 1 (the
   5,401 most used traditional ones): a wrong decoding yields rare characters,
   private-use code points, kana or box-drawing symbols instead.
6. Windows-1252 when the non-ASCII characters are a few accented letters and
   typographic quotes or dashes (an English plan saved by an old Word).
7. Anything else: charset-normalizer's best guess, if it reads as text.

Only line endings change: CRLF and CR become LF, and a leading BOM goes, so the
decoded text keeps the user's lines (for .md/.txt it *is* the plan text).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from service.errors import InputError

_BOMS: list[tuple[bytes, str, str]] = [
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\x84\x31\x95\x33", "gb18030", "GB18030"),
]

# Control characters a text file may legitimately hold.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a\x1b")
# C0 and C1 control characters other than those (NUL is told apart first).
_BAD_CONTROL_RE = re.compile(
    "["
    + "".join(
        re.escape(chr(c))
        for c in (*range(0x01, 0x20), *range(0x7F, 0xA0))
        if chr(c) not in _ALLOWED_CONTROLS
    )
    + "]"
)

# Minimum score (share of "good" non-ASCII characters) for a legacy Chinese decoding.
_MIN_CJK_SCORE = 0.7
# Characters sampled when scoring a candidate decoding.
_SCORE_SAMPLE = 40_000

_SAVE_AS_UTF8 = "save the file as UTF-8 so every tool reads it the same way"


@dataclass
class Decoded:
    """A decoded text file."""

    text: str
    encoding: str
    legacy: bool = False
    warnings: list[str] = field(default_factory=list)


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR -> LF; drop one leading BOM. Nothing else changes."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def decode_text(data: bytes, source: str) -> Decoded:
    """Decode the bytes of a text plan; raise InputError when they are not text."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise InputError(
                    source,
                    f"the file starts with a {label} byte-order mark but is not valid {label}",
                    hint=_SAVE_AS_UTF8,
                ) from None
            _check_textual(text, source)
            legacy = codec == "gb18030"
            warnings = [_legacy_warning("GB18030")] if legacy else []
            return Decoded(normalise_newlines(text), codec, legacy, warnings)

    wide = _decode_wide_without_bom(data)
    if wide is not None:
        text, codec = wide
        _check_textual(text, source)
        return Decoded(normalise_newlines(text), codec)

    if b"\x00" in data:
        raise _not_text(source, "it contains NUL bytes")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_textual(text, source)
        return Decoded(normalise_newlines(text), "utf-8")

    mostly = _mostly_utf8(data)
    if mostly is not None:
        text, bad = mostly
        _check_textual(text, source)
        return Decoded(
            normalise_newlines(text),
            "utf-8",
            warnings=[
                f"{bad} invalid UTF-8 byte sequence{'s' if bad != 1 else ''} replaced with U+FFFD; "
                "check the file's encoding"
            ],
        )

    cjk = _best_cjk_decoding(data)
    if cjk is not None:
        text, codec, label = cjk
        _check_textual(text, source)
        return Decoded(normalise_newlines(text), codec, True, [_legacy_warning(label)])

    western = _western_decoding(data)
    if western is not None:
        _check_textual(western, source)
        return Decoded(
            normalise_newlines(western), "cp1252", True, [_legacy_warning("Windows-1252")]
        )

    other = _charset_normalizer_guess(data)
    if other is not None:
        text, codec = other
        _check_textual(text, source)
        return Decoded(normalise_newlines(text), codec, True, [_legacy_warning(codec)])

    raise _not_text(source, "its bytes are not valid in any supported text encoding")


def _legacy_warning(label: str) -> str:
    return f"decoded from the legacy encoding {label}; {_SAVE_AS_UTF8}"


def _not_text(source: str, why: str) -> InputError:
    return InputError(
        source,
        f"not a text file: {why}",
        hint="plans must be Markdown or plain text in UTF-8, UTF-16, GBK or Big5, or .docx or .pdf",
    )


def _check_textual(text: str, source: str) -> None:
    """Reject decodings full of control characters: binary data that happened to decode."""
    sample = text[:200_000]
    if "\x00" in sample:
        raise _not_text(source, "it contains NUL characters")
    bad = sum(1 for _ in _BAD_CONTROL_RE.finditer(sample))
    if bad > max(2, len(sample) // 1000):
        raise _not_text(source, "it contains binary control characters")


# -- UTF-16 / UTF-32 without BOM -------------------------------------------------------------------


def _decode_wide_without_bom(data: bytes) -> tuple[str, str] | None:
    sample = data[:8192]
    n = len(sample)
    if n < 4 or b"\x00" not in sample:
        return None
    zeros = sample.count(b"\x00")
    candidates: list[str] = []
    if len(data) % 4 == 0 and zeros >= n * 0.45:
        # UTF-32: ASCII has three zero bytes per character.
        if sample[0::4].count(0) < n // 16 and sample[3::4].count(0) >= n // 8:
            candidates.append("utf-32-le")
        if sample[3::4].count(0) < n // 16 and sample[0::4].count(0) >= n // 8:
            candidates.append("utf-32-be")
    if len(data) % 2 == 0:
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        threshold = max(2, n // 40)
        if odd >= threshold and even * 10 <= odd:
            candidates.append("utf-16-le")
        if even >= threshold and odd * 10 <= even:
            candidates.append("utf-16-be")
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _plausible_wide_text(text):
            return text, codec
    return None


def _plausible_wide_text(text: str) -> bool:
    """Real UTF-16/32 text is mostly ASCII or common Han characters; ASCII bytes read as UTF-16
    ("桴獩椠…") are rare ideographs."""
    sample = text[:_SCORE_SAMPLE]
    if not sample:
        return False
    ascii_share = sum(1 for ch in sample if ord(ch) < 0x80) / len(sample)
    if ascii_share >= 0.6:
        return True
    score, total = cjk_score(sample)
    return total > 0 and score >= _MIN_CJK_SCORE


# -- Mostly UTF-8 ----------------------------------------------------------------------------------


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 with a few broken sequences (a bad paste, a truncated character)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if bad <= 0:
        return None
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if good >= 20 * bad:
        return text, bad
    return None


# -- Legacy Chinese --------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _is_good_char(ch: str) -> bool:
    """A character that real Chinese text is made of (common Han or CJK punctuation)."""
    code = ord(ch)
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x2027:
        return True
    if code in (
        0x00B7,
        0x00D7,
        0x2030,
        0x2103,
        0x2460,
        0x2461,
        0x2462,
        0x2463,
        0x2464,
        0x25CF,
        0x25A0,
    ):
        return True
    if 0x2460 <= code <= 0x2473:  # circled digits used as list markers
        return True
    if not (0x4E00 <= code <= 0x9FFF):
        return False
    try:
        gb = ch.encode("gb2312")
        if 0xB0 <= gb[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b5 = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return (b5[0], b5[1]) >= (0xA4, 0x40) and (b5[0], b5[1]) <= (0xC6, 0x7E)


def cjk_score(text: str) -> tuple[float, int]:
    """(share of non-ASCII characters that are good, number of non-ASCII characters)."""
    sample = text[:_SCORE_SAMPLE]
    total = 0
    good = 0
    for ch in sample:
        if ord(ch) > 0x7F:
            total += 1
            if _is_good_char(ch):
                good += 1
    return (good / total if total else 0.0), total


def _best_cjk_decoding(data: bytes) -> tuple[str, str, str] | None:
    scored: list[tuple[float, int, str, str, str]] = []
    families: list[list[tuple[str, str]]] = [
        [("gb18030", "GB18030/GBK")],
        [("cp950", "Big5"), ("big5hkscs", "Big5-HKSCS")],
    ]
    for rank, family in enumerate(families):
        for codec, label in family:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            score, total = cjk_score(text)
            if total:
                # rank breaks ties in favour of GB18030, the more common of the two.
                scored.append((score, -rank, text, codec, label))
            break
    if not scored:
        return None
    score, _, text, codec, label = max(scored, key=lambda s: (s[0], s[1]))
    if score < _MIN_CJK_SCORE:
        return None
    return text, codec, label


# -- Anything else ---------------------------------------------------------------------------------


_WESTERN_PUNCT = frozenset("“”‘’–—…€•·©®°±×§¶«»")


def _western_decoding(data: bytes) -> str | None:
    """Windows-1252, the usual legacy encoding of English plans (smart quotes, dashes, accents).

    Accepted only when the few non-ASCII characters are accented Latin letters or
    typographic punctuation; text in other scripts decoded this way would be almost
    entirely non-ASCII.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    sample = text[:50_000]
    non_ascii = [ch for ch in sample if ord(ch) > 0x7F]
    if not non_ascii or len(non_ascii) > 0.3 * len(sample):
        return None
    ok = sum(
        1
        for ch in non_ascii
        if ch in _WESTERN_PUNCT or (0xC0 <= ord(ch) <= 0xFF and ch not in "×÷")
    )
    return text if ok >= 0.95 * len(non_ascii) else None


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        return None
    codec = str(best.encoding)
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    # A guess that reads as letters, digits and punctuation is text; noise is not.
    letters = sum(
        1 for ch in text[:20_000] if unicodedata.category(ch)[0] in "LNPZ" or ch in "\n\t"
    )
    if letters < 0.9 * min(len(text), 20_000):
        return None
    return text, codec
