""".pdf -> normalised Markdown text, recovering structure from the page layout.

This module is the entry point: limits, encryption, the page loop and the
warnings. The work is done in steps, each in its own module:

- ``pdf_pieces``: the text pypdf reports for a page, with position, size, font
  and width, normalised to the characters a reader sees (``normalize_text``);
- ``pdf_layout``: lines (pieces on one baseline) and cells (pieces separated by
  a gap wider than a space); running headers, footers and page numbers, which
  are dropped; list markers at the start of a line;
- ``pdf_tables``: tables (lines whose cells start at the same columns), wrapped
  cells folded back into their row, a table split by a page break joined;
- ``pdf_structure``: headings, list items and paragraphs;
- ``mdwriter``: the Markdown output, shared with the .docx converter.

The result is approximate, so every PDF plan carries a warning saying so.
Not handled: multi-column page layouts (read across, line by line), text in
rotated orientation, and text boxes drawn out of reading order.

A damaged page is skipped with a warning when other pages can be read; a PDF
with images but no text is a scan ("run OCR first").

Bounding the work (pypdf on adversarial input can be slow): the page limit
(``settings.max_pages``) is checked before any page is read; pypdf's own
resource limits (decompressed stream size, content stream parsing budget) are
applied through ``pypdf.apply_configuration`` where available, with external
decoders disabled; and a wall-clock budget (``Settings.pdf_time_budget``) is checked
between pages and inside the text callback, which pypdf calls for every text
operation, so a pathological page is abandoned mid-way (a 20 KB file whose one
page holds 300,000 text operations is refused after the budget instead of
taking minutes). Reading runs in the calling thread: no worker thread or
process is left running after an error. ``Settings.pdf_time_budget`` sets
the budget.
"""

from __future__ import annotations

import io
import time
from typing import Any

from service.errors import InputError, InputTooLarge
from service.ingest.mdwriter import MANUAL_BULLET, render_markdown
from service.ingest.pdf_layout import Line, drop_running_lines, lines_from_pieces
from service.ingest.pdf_pieces import OutOfTime, page_pieces, pypdf_limits, quiet_pypdf
from service.ingest.pdf_structure import classify
from service.ingest.pdf_text import join_words
from service.ingest.safety import short_reason
from service.settings import Settings

APPROXIMATE_WARNING = (
    "PDF structure is approximate: headings, lists and tables were recovered from the page layout; "
    "check the normalised text (--show-source) or review the .docx or Markdown original if you have it"
)


def pdf_to_markdown(data: bytes, source: str, settings: Settings) -> tuple[str, list[str]]:
    """Convert a PDF to normalised Markdown; returns (text, warnings)."""
    quiet_pypdf()
    budget = settings.pdf_time_budget
    deadline = time.monotonic() + budget
    try:
        with pypdf_limits():
            return _convert(data, source, settings, deadline)
    except InputError:
        raise
    except OutOfTime:
        raise InputTooLarge(
            source,
            f"reading the PDF took longer than {budget:.0f} s; it is too complex or damaged",
            hint="export the plan to PDF again, or save it as .docx or Markdown",
        ) from None
    except MemoryError:
        raise InputTooLarge(
            source, "the PDF needs too much memory to read", hint="export it again or split it"
        ) from None
    except Exception as exc:  # pypdf raises many exception types on damaged files
        raise InputError(
            source,
            "not a readable PDF: the file is damaged",
            hint=f"{short_reason(exc)}; export the plan to PDF again, or save it as .docx or Markdown",
        ) from None


def _convert(
    data: bytes, source: str, settings: Settings, deadline: float
) -> tuple[str, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        unlocked: object
        try:
            unlocked = reader.decrypt("")
        except DependencyError:
            raise InputError(
                source,
                "the PDF is encrypted with AES, which needs the 'cryptography' package to read",
                hint="save an unencrypted copy (print to PDF), or install cryptography",
            ) from None
        except (FileNotDecryptedError, NotImplementedError, ValueError, KeyError):
            unlocked = 0
        if not unlocked:  # PasswordType.NOT_DECRYPTED is 0
            raise InputError(
                source,
                "the PDF is password-protected",
                hint="remove the password (save an unprotected copy) and retry",
            )
    n_pages = len(reader.pages)
    if n_pages == 0:
        raise InputError(source, "the PDF has no pages", hint="export the plan to PDF again")
    if n_pages > settings.max_pages:
        raise InputTooLarge(
            source,
            f"the PDF has {n_pages:,} pages, more than the {settings.max_pages:,} limit",
            hint="split the plan, or raise PLANREVIEW_MAX_PAGES",
        )
    pages: list[list[Line]] = []
    empty_pages: list[int] = []
    damaged: list[tuple[int, BaseException]] = []
    for number in range(1, n_pages + 1):
        if time.monotonic() > deadline:
            raise OutOfTime
        try:
            lines = lines_from_pieces(page_pieces(reader.pages[number - 1], deadline), number)
        except (DependencyError, FileNotDecryptedError, OutOfTime, MemoryError):
            raise
        except Exception as exc:  # one damaged page: keep the others
            damaged.append((number, exc))
            lines = []
        else:
            if not lines:
                empty_pages.append(number)
        pages.append(lines)
    if not any(pages):
        if damaged:
            raise InputError(
                source,
                "not a readable PDF: no page could be read",
                hint=f"{short_reason(damaged[0][1])}; export the plan to PDF again",
            )
        if any(_has_images(reader.pages[k]) for k in range(min(n_pages, 20))):
            raise InputError(
                source,
                "the PDF has no text layer: it is a scan or images of text",
                hint="run OCR first (e.g. ocrmypdf), or review the original document",
            )
        raise InputError(
            source,
            "the PDF has no readable text: its pages are blank or their content is damaged",
            hint="export the plan to PDF again, or save it as .docx or Markdown",
        )
    drop_running_lines(pages)
    items = classify(pages)
    text = render_markdown(items)
    if not text.strip():
        raise InputError(
            source,
            "the PDF has no text apart from headers and page numbers",
            hint="run OCR first if it is a scan, or review the original document",
        )
    notes = [APPROXIMATE_WARNING]
    if empty_pages:
        notes.append(
            f"{_pages_phrase(empty_pages)} of the PDF {'has' if len(empty_pages) == 1 else 'have'} "
            "no text layer (scanned?); that content is missing"
        )
    if damaged:
        notes.append(
            f"{_pages_phrase([n for n, _ in damaged])} of the PDF could not be read "
            f"({short_reason(damaged[0][1])}); that content is missing"
        )
    return text, notes


def _has_images(page: Any) -> bool:
    """Whether a page shows an image (a scanned page is one big image)."""
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        if xobjects is None:
            return False
        xobjects = xobjects.get_object()
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:  # damaged resources: no evidence of images
        return False


def _pages_phrase(numbers: list[int]) -> str:
    listed = ", ".join(map(str, numbers[:10])) + (" …" if len(numbers) > 10 else "")
    return f"page {listed}" if len(numbers) == 1 else f"pages {listed}"


# MANUAL_BULLET and join_words are re-exported: they were importable from here before the split.
__all__ = [
    "APPROXIMATE_WARNING",
    "MANUAL_BULLET",
    "join_words",
    "pdf_to_markdown",
]
