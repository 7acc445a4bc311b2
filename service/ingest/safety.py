"""Cheap checks that run before any parser sees a file: size, container type, zip bombs.

Everything here works on the raw bytes and raises :class:`InputError` subclasses
whose message names the file and says what to do. The parsers (python-docx,
pypdf) only ever see input that passed these checks.
"""

from __future__ import annotations

import io
import logging
import re
from enum import StrEnum
from typing import TYPE_CHECKING

from service.errors import InputError, InputTooLarge
from service.settings import Settings

if TYPE_CHECKING:
    import zipfile  # imported where a .docx is opened: a Markdown or text plan needs none of it

# A .docx has a few dozen parts; tens of thousands of entries is an attack or not a document.
MAX_ZIP_ENTRIES = 5000
# Compression ratio above which a large entry counts as a zip bomb. XML compresses well
# (Word's document.xml is typically 5-20x), so this leaves a wide margin.
MAX_COMPRESSION_RATIO = 200
# Entries smaller than this are never treated as bombs whatever their ratio.
RATIO_CHECK_MIN_BYTES = 2 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

log = logging.getLogger("planreview.ingest")


class Sniffed(StrEnum):
    """What the first bytes of a file say it is, whatever its name says."""

    PDF = "pdf"
    ZIP = "zip"
    OLE = "ole"
    RTF = "rtf"
    IMAGE = "image"
    EXECUTABLE = "executable"
    ARCHIVE = "archive"
    UNKNOWN = "unknown"  # text or anything else; the decoder decides


_IMAGE_MAGICS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
)
_ARCHIVE_MAGICS = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07")
_EXECUTABLE_MAGICS = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def sniff(data: bytes) -> Sniffed:
    """Classify a file by its magic bytes."""
    head = data[:1024]
    if data.startswith(_OLE_MAGIC):
        return Sniffed.OLE
    if data.startswith(_ZIP_MAGICS):
        return Sniffed.ZIP
    # The PDF header may follow some junk; readers accept it within the first 1024 bytes.
    if b"%PDF-" in head:
        return Sniffed.PDF
    if head.startswith(b"{\\rtf"):
        return Sniffed.RTF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Sniffed.IMAGE
    if head.startswith(_IMAGE_MAGICS) and not _looks_textual(head):
        return Sniffed.IMAGE
    if head.startswith(_ARCHIVE_MAGICS):
        return Sniffed.ARCHIVE
    if head.startswith(_EXECUTABLE_MAGICS) and not _looks_textual(head):
        return Sniffed.EXECUTABLE
    return Sniffed.UNKNOWN


def _looks_textual(head: bytes) -> bool:
    """'BM' or 'MZ' also start ordinary words; a text file has no NULs or C0 noise up front."""
    sample = head[:256]
    return b"\x00" not in sample and all(b >= 0x20 or b in (9, 10, 13) for b in sample)


def check_size(size: int, source: str, settings: Settings) -> None:
    if size > settings.max_bytes:
        raise InputTooLarge(
            source,
            f"the file is larger than the {_human(settings.max_bytes)} limit",
            hint="split the plan, or raise PLANREVIEW_MAX_BYTES",
        )


def check_chars(text: str, source: str, settings: Settings) -> None:
    if len(text) > settings.max_chars:
        raise InputTooLarge(
            source,
            f"the plan text has {len(text):,} characters, more than the {settings.max_chars:,} limit",
            hint="split the plan, or raise PLANREVIEW_MAX_CHARS",
        )


def _human(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024**2:
        return f"{n / 1024:.0f} KB"
    if n < 1024**3:
        return f"{n / 1024**2:.0f} MB"
    return f"{n / 1024**3:.1f} GB"


# -- OLE (Compound File Binary): encrypted OOXML and legacy Office -------------------------------


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def describe_ole(data: bytes, source: str) -> InputError:
    """The error for an OLE compound file: a password-protected .docx or an old .doc/.xls/.ppt.

    Office saves a password-protected .docx as an OLE container whose streams are
    ``EncryptionInfo`` and ``EncryptedPackage``; stream names are stored in UTF-16LE
    in the directory sectors, so a byte search finds them without an OLE parser.
    """
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return InputError(
            source,
            "the document is password-protected",
            hint="remove the password in Word via File > Info > Protect Document, then retry",
        )
    if _utf16("WordDocument") in data:
        kind = "an old binary Word .doc file"
    elif _utf16("Workbook") in data or _utf16("Book") in data:
        kind = "an Excel .xls workbook, not a plan document"
    elif _utf16("PowerPoint Document") in data:
        kind = "a PowerPoint .ppt presentation, not a plan document"
    else:
        kind = "an old binary Office file"
    return InputError(
        source,
        f"this is {kind}",
        hint="open it in Word or LibreOffice and save it as .docx, or export it as PDF or Markdown",
    )


# -- ZIP containers (.docx) ------------------------------------------------------------------------

_OFFICE_DOC_REL = re.compile(
    rb'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"|Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"'
)


def open_docx_zip(data: bytes, source: str, settings: Settings) -> zipfile.ZipFile:
    """Open a .docx as a zip after checking it is a Word document and not a zip bomb.

    zipfile never inflates an entry beyond the size its central directory declares
    (it stops there and reports a bad CRC), so bounding the declared sizes bounds
    the work python-docx can be made to do.
    """
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # zipfile raises BadZipFile, NotImplementedError, ValueError, ...
        raise InputError(
            source,
            "not a valid .docx: the zip container is damaged or truncated",
            hint=f"{short_reason(exc)}; re-save the document in Word or LibreOffice and retry",
        ) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise InputTooLarge(
            source,
            f"the .docx holds {len(infos):,} parts, more than the {MAX_ZIP_ENTRIES:,} a document may have",
            hint="this is not an ordinary Word document; re-save it from Word and retry",
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(
                source,
                "the .docx is encrypted",
                hint="remove the password and retry",
            )
        total += info.file_size
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise InputTooLarge(
                source,
                f"the .docx part {info.filename!r} expands {info.file_size // max(info.compress_size, 1):,}x "
                "when unpacked: a zip bomb",
                hint="this file is not a genuine Word document; do not open it",
            )
    if total > settings.max_uncompressed_bytes:
        raise InputTooLarge(
            source,
            f"the .docx unpacks to {_human(total)}, more than the {_human(settings.max_uncompressed_bytes)} limit",
            hint="remove large embedded images or media, or raise PLANREVIEW_MAX_UNCOMPRESSED_BYTES",
        )
    names = {info.filename for info in infos}
    main = _main_part(zf, names)
    if main is None:
        raise InputError(source, _not_word_reason(names), hint=_not_word_hint(names))
    return zf


def _main_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    if "word/document.xml" in names:
        return "word/document.xml"
    if "_rels/.rels" in names:
        try:
            rels = zf.read("_rels/.rels")[:200_000]
        except Exception:  # a damaged entry: report the document as not Word
            return None
        m = _OFFICE_DOC_REL.search(rels)
        if m:
            target = (m.group(1) or m.group(2)).decode("utf-8", "replace")
            if target in names and target.startswith("word/"):
                return target
    return None


def _not_word_reason(names: set[str]) -> str:
    if any(n.startswith("xl/") for n in names):
        return "this is an Excel .xlsx workbook, not a Word document"
    if any(n.startswith("ppt/") for n in names):
        return "this is a PowerPoint .pptx presentation, not a Word document"
    if "mimetype" in names and "content.xml" in names:
        return "this is an OpenDocument .odt file, not a .docx"
    return "not a Word document: the zip has no word/document.xml"


def _not_word_hint(names: set[str]) -> str:
    if "mimetype" in names and "content.xml" in names:
        return "save it as .docx with File > Save As and retry"
    return "save the plan from Word or LibreOffice as .docx, or export it as PDF or Markdown"


# Programming errors inside a reader (python-docx, pypdf, lxml) name internal objects, not
# anything wrong that the user could see in the file: they are not quoted to users.
_INTERNAL_ERRORS = (AttributeError, TypeError, KeyError, IndexError, NameError, AssertionError)


def short_reason(exc: BaseException) -> str:
    """A library exception as a short single-line phrase for a hint (no nested parentheses).

    An internal error of a reader becomes a plain phrase without its message."""
    if isinstance(exc, _INTERNAL_ERRORS):
        log.info("a reader failed on an internal error", exc_info=exc)
        return "a part of the file has an unexpected form"
    text = re.sub(r"\s*\([^()]*\)", "", " ".join(str(exc).split())).strip()
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"
