"""Ingestion: a plan file, whatever its format, -> one Plan of blocks with line spans.

``load_plan(path)`` and ``load_bytes(data, name)`` read Markdown, plain text,
.docx and .pdf. Each format is first turned into normalised Markdown text
(for .md/.txt that text is the file itself, decoded; for .docx/.pdf it is what
``--show-source`` prints), and ``parse_markdown`` turns that text into blocks.
Lines in findings refer to that text.

The file's content decides how it is read, not only its name: a PDF named
``plan.docx`` is read as a PDF (with a warning), a text file named ``plan.pdf``
as text. Every failure is an :class:`InputError` subclass whose message starts
with the file name, says what is wrong and what to do, on one line.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import InputError, InputTooLarge, UnsupportedFormat
from service.ingest.decode import Decoded, decode_text
from service.ingest.safety import (
    Sniffed,
    check_chars,
    check_size,
    describe_ole,
    short_reason,
    sniff,
)
from service.models import Plan
from service.settings import Settings, get_settings

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
SUPPORTED = ".md, .markdown, .txt, .text, .docx, .pdf"

_FORMAT_NAMES = {"markdown": "Markdown", "text": "plain text", "docx": "Word (.docx)", "pdf": "PDF"}


@dataclass
class Converted:
    """A plan file as normalised Markdown text, before block parsing."""

    text: str
    source_format: str  # markdown | text | docx | pdf
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None


def load_plan(path: Path | str, settings: Settings | None = None) -> Plan:
    """Read a plan file from disk; raise InputError (naming the file) if it cannot be read."""
    settings = settings or get_settings()
    path = Path(path)
    data = read_file(path, settings)
    return load_bytes(data, str(path), settings)


def load_bytes(data: bytes, name: str, settings: Settings | None = None) -> Plan:
    """Parse the bytes of a plan; ``name`` (a path or upload name, '-' for stdin) picks the format."""
    from service.ingest.markdown import parse_markdown

    settings = settings or get_settings()
    converted = convert_bytes(data, name, settings)
    plan = parse_markdown(converted.text, source=name, source_format=converted.source_format)
    if converted.warnings:
        plan = plan.model_copy(update={"warnings": [*converted.warnings, *plan.warnings]})
    return plan


def read_file(path: Path, settings: Settings) -> bytes:
    """The file's bytes, at most ``settings.max_bytes`` of them; clear errors for everything else."""
    source = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(source, "no such file", hint="check the path") from None
    except PermissionError:
        raise InputError(source, "permission denied", hint="check the file's permissions") from None
    except OSError as exc:
        raise InputError(source, f"cannot read the file: {_os_reason(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(
            source,
            "is a directory, not a plan file",
            hint="pass a file, or use 'planreview batch' to review a folder of plans",
        )
    if not stat.S_ISREG(st.st_mode):
        raise InputError(source, "not a regular file", hint="pass a plan file")
    check_size(st.st_size, source, settings)
    try:
        with path.open("rb") as fh:
            data = fh.read(settings.max_bytes + 1)
    except PermissionError:
        raise InputError(source, "permission denied", hint="check the file's permissions") from None
    except OSError as exc:
        raise InputError(source, f"cannot read the file: {_os_reason(exc)}") from None
    check_size(len(data), source, settings)
    return data


def _os_reason(exc: OSError) -> str:
    if exc.errno is not None and exc.errno in errno.errorcode:
        return os.strerror(exc.errno).lower()
    return " ".join(str(exc).split())[:120]


def expected_format(name: str) -> str:
    """The format a file name promises: markdown, text, docx or pdf (UnsupportedFormat otherwise)."""
    suffix = Path(name).suffix.lower() if name not in ("-", "") else ""
    if name in ("-", "") or suffix in MARKDOWN_SUFFIXES or suffix == "":
        return "markdown"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in (".docx", ".docm", ".dotx"):
        return "docx"
    if suffix == ".pdf":
        return "pdf"
    hint = f"supported formats: {SUPPORTED}"
    if suffix in (".doc", ".rtf", ".odt", ".wps", ".pages"):
        hint = f"save it as .docx or PDF and retry; {hint}"
    elif suffix in (".html", ".htm"):
        hint = f"save it as Markdown or PDF and retry; {hint}"
    raise UnsupportedFormat(name, f"unsupported file type '{suffix}'", hint=hint)


def convert_bytes(data: bytes, name: str, settings: Settings | None = None) -> Converted:
    """Bytes -> normalised Markdown text, by content first and by name second."""
    settings = settings or get_settings()
    source = name or "-"
    expected = expected_format(source)
    check_size(len(data), source, settings)
    if not data:
        raise InputError(source, "the file is empty", hint="write the plan first, then review it")

    kind = sniff(data)
    if kind == Sniffed.OLE:
        raise describe_ole(data, source)
    if kind == Sniffed.RTF:
        raise InputError(
            source, "this is an RTF document", hint="save it as .docx or PDF and retry"
        )
    if kind in (Sniffed.IMAGE, Sniffed.EXECUTABLE, Sniffed.ARCHIVE):
        what = {
            Sniffed.IMAGE: "an image",
            Sniffed.EXECUTABLE: "a program",
            Sniffed.ARCHIVE: "a compressed archive",
        }[kind]
        raise InputError(
            source,
            f"this is {what}, not a {_FORMAT_NAMES[expected]} plan",
            hint=f"pass the plan itself as {SUPPORTED}; for a scan, run OCR first",
        )

    warnings: list[str] = []
    decoded: Decoded | None = None
    if kind == Sniffed.PDF:
        actual = "pdf"
    elif kind == Sniffed.ZIP:
        actual = "docx"
    elif expected in ("docx", "pdf"):
        decoded = _text_or_bad(data, source, expected)
        actual = "text"
    else:
        actual = expected
    if actual != expected and not (
        actual in ("markdown", "text") and expected in ("markdown", "text")
    ):
        warnings.append(
            f"the file's content is {_FORMAT_NAMES[actual]} although its name says "
            f"{_FORMAT_NAMES[expected]}; it was read as {_FORMAT_NAMES[actual]}"
        )

    try:
        converted = _convert(data, source, settings, actual, decoded, warnings)
    except InputError:
        raise
    except MemoryError:
        raise InputTooLarge(
            source, "the file needs too much memory to read", hint="split the plan and retry"
        ) from None
    except Exception as exc:  # a reader bug must still give a one-line reason, not a traceback
        raise InputError(
            source,
            f"the {_FORMAT_NAMES[actual]} file could not be read",
            hint=f"{short_reason(exc)}; save it in another format and retry, and report this",
        ) from None
    check_chars(converted.text, source, settings)
    return converted


def _convert(
    data: bytes,
    source: str,
    settings: Settings,
    actual: str,
    decoded: Decoded | None,
    warnings: list[str],
) -> Converted:
    if actual == "docx":
        from service.ingest.docx import docx_to_markdown

        text, notes = docx_to_markdown(data, source, settings)
        if not text.strip():
            raise InputError(
                source, "the document has no text", hint="write the plan first, then review it"
            )
        return Converted(text, "docx", [*warnings, *notes])
    if actual == "pdf":
        from service.ingest.pdf import pdf_to_markdown

        text, notes = pdf_to_markdown(data, source, settings)
        return Converted(text, "pdf", [*warnings, *notes])
    decoded = decoded or decode_text(data, source)
    if not decoded.text.strip():
        raise InputError(
            source,
            "the file is empty: it holds only whitespace",
            hint="write the plan first, then review it",
        )
    return Converted(decoded.text, actual, [*warnings, *decoded.warnings], decoded.encoding)


def _text_or_bad(data: bytes, source: str, expected: str) -> Decoded:
    """A .docx/.pdf name on content that is neither: text is read as text, anything else is an error."""
    try:
        decoded = decode_text(data, source)
    except InputError:
        decoded = None
    if decoded is not None and decoded.text.strip():
        return decoded
    if expected == "pdf":
        raise InputError(
            source,
            "not a valid PDF: the file does not start with a PDF header",
            hint="the file is damaged or is not a PDF; export the plan to PDF again",
        )
    raise InputError(
        source,
        "not a valid .docx: the file is not a Word zip container",
        hint="the file is damaged or is not a .docx; save the plan from Word or LibreOffice again",
    )


__all__ = [
    "SUPPORTED",
    "Converted",
    "convert_bytes",
    "expected_format",
    "load_bytes",
    "load_plan",
    "read_file",
]
