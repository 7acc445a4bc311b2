""".docx -> normalised Markdown text (headings, lists, tables, paragraphs in document order).

The body XML is walked directly (through python-docx's parsed package) rather
than through ``Document.paragraphs``/``Document.tables`` so that:

- paragraphs and tables keep their document order, including those inside
  content controls (``w:sdt``);
- inserted text of tracked changes counts and deleted text does not
  (``docx_xml``);
- heading levels come from the style chain (built-in "Heading n", localised
  "标题 n"/"標題 n", "Title") or from an outline level set on the paragraph or
  its style (``docx_styles``);
- list nesting and numbering come from ``w:numPr`` (on the paragraph or its
  style) and the numbering part (``docx_numbering``);
- tables keep merged cells spread over their grid (``docx_tables``).

Text boxes are read once, after the paragraph they are anchored to. Headers,
footers, footnotes and comments are not part of the plan text. The result is
plain Markdown without emphasis markers, so quotes taken from it read as the
document does; the one exception is a short paragraph that is bold throughout,
written ``**like this**`` so the Markdown parser can treat it as a label.
Each line of text is normalised to the characters a reader sees
(``normalize_text``: compatibility ideographs, Kangxi radicals, ligatures,
full-width letters and digits, odd spaces). Characters that would turn body
text into Markdown structure (a leading ``#``, ``>``, a fence) are escaped;
typed bullets ("• item", "- item") become list items (``mdwriter``, shared
with the PDF converter).
"""

from __future__ import annotations

import io
from typing import Any

from service.errors import InputError, InputTooLarge
from service.ingest.docx_numbering import Numbering
from service.ingest.docx_styles import TOC_NAME, StyleSheet, heading_level
from service.ingest.docx_tables import table_items
from service.ingest.docx_xml import (
    CUSTOM_XML,
    PPR,
    PSTYLE,
    SDT,
    SDT_CONTENT,
    TBL,
    W_VAL,
    P,
    clean_line,
    runs_text,
    text_boxes,
)
from service.ingest.mdwriter import MdItem, render_markdown
from service.ingest.safety import open_docx_zip, short_reason
from service.settings import Settings


class _Converter:
    def __init__(self, document: Any, source: str, settings: Settings) -> None:
        self.source = source
        self.max_paragraphs = settings.max_paragraphs
        self.paragraphs = 0
        self.styles = StyleSheet(document)
        self.numbering = Numbering(document)
        self.items: list[MdItem] = []
        self.warnings: list[str] = []
        self.text_boxes = 0

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
        if tag == P:
            self._paragraph(el)
        elif tag == TBL:
            self.items.extend(table_items(el, self._count_paragraph))
        elif tag in (SDT, CUSTOM_XML):
            content = el.find(SDT_CONTENT) if tag == SDT else el
            if content is not None:
                for child in content.iterchildren():
                    self._block(child)

    def _paragraph(self, p: Any) -> None:
        self._paragraph_itself(p)
        # Text boxes anchored in this paragraph: their text follows it.
        for box in text_boxes(p):
            if not self.text_boxes:
                self.warnings.append(
                    "text in text boxes was read after the paragraph each box is anchored to"
                )
            self.text_boxes += 1
            for child in box.iterchildren():
                self._block(child)

    def _paragraph_itself(self, p: Any) -> None:
        self._count_paragraph()
        ppr = p.find(PPR)
        style_id = None
        if ppr is not None:
            ps = ppr.find(PSTYLE)
            style_id = ps.get(W_VAL) if ps is not None else None
        chain = self.styles.chain(style_id)
        style_name = chain[0].name if chain else ""
        if TOC_NAME.match(style_name):
            return  # a table of contents repeats the headings
        pieces = runs_text(p)
        text = "".join(t for t, _ in pieces)
        lines = [clean_line(line) for line in text.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        heading = heading_level(ppr, chain)
        if heading is not None:
            kind = "title" if heading == 0 else "heading"
            self.items.append(MdItem(kind, " ".join(lines), level=max(heading, 1)))
            return
        listing = self.numbering.list_info(ppr, chain)
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
        bold_only = self.styles.bold_only(pieces, chain)
        self.items.append(MdItem("paragraph", "\n".join(lines), bold_only=bold_only))


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


__all__ = ["docx_to_markdown"]
