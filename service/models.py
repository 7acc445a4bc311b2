"""Domain types: the plan as parsed blocks, findings, and the review.

Lines are 1-based and refer to the normalised Markdown text of the plan
(``Plan.text``). Columns are 1-based Unicode code points; ``end_col`` is the
column *after* the last character (the SARIF convention), so a span covering
the whole of line ``"abc"`` is ``start_col=1, end_col=4``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION = "1"

Language = Literal["en", "zh"]
Severity = Literal["error", "warning", "info"]
Scope = Literal["block", "document"]
Origin = Literal["rule", "llm"]

SEVERITY_RANK: dict[str, int] = {"info": 1, "warning": 2, "error": 3}


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"


class Block(BaseModel):
    """One addressable unit of a plan: a heading, paragraph, list item or table row."""

    id: str = Field(description="Stable id within the plan, e.g. 'b12'.")
    kind: BlockKind
    text: str = Field(
        description="Inline text with Markdown markers (#, bullets, pipes) removed; "
        "for a table row the cells joined by ' | '."
    )
    start_line: int = Field(ge=1, description="First line (1-based) in Plan.text.")
    end_line: int = Field(ge=1, description="Last line (1-based, inclusive) in Plan.text.")
    level: int = Field(
        default=0,
        description="Heading level (1-6) for headings; nesting depth (0 = top) for list items.",
    )
    ordered: bool = Field(default=False, description="List item of an ordered list.")
    heading_id: str | None = Field(
        default=None, description="Id of the nearest enclosing heading block."
    )
    parent_id: str | None = Field(
        default=None, description="Id of the enclosing list item, for nested list items."
    )
    table_id: str | None = Field(default=None, description="Table this row belongs to.")
    cells: list[str] | None = Field(default=None, description="Cell texts of a table row.")
    header: list[str] | None = Field(
        default=None, description="Header cells of the table this row belongs to."
    )
    is_header: bool = Field(default=False, description="This table row is the header row.")


class Plan(BaseModel):
    """A plan, whatever its file format, as normalised Markdown text and blocks."""

    source: str = Field(description="Path or name the plan came from ('-' for stdin).")
    source_format: Literal["markdown", "text", "docx", "pdf"] = "markdown"
    text: str = Field(description="The normalised Markdown text; lines refer to it.")
    sha256: str
    language: Language = "en"
    script: Literal["latin", "hans", "hant"] = Field(
        default="latin", description="Latin, Simplified (hans) or Traditional (hant) Chinese."
    )
    title: str = ""
    blocks: list[Block] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list, description="Non-fatal notes from ingestion (e.g. lossy PDF)."
    )
    _index: dict[str, Block] | None = PrivateAttr(default=None)
    _by_heading: dict[str | None, list[Block]] | None = PrivateAttr(default=None)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def words(self) -> int:
        from service.text import count_words

        return count_words(self.text)

    def block(self, block_id: str) -> Block | None:
        # The private attributes are read from their dict: through the model's __getattr__,
        # each read costs more than the lookup itself (the rules ask thousands of times).
        index = (self.__pydantic_private__ or {}).get("_index")
        if index is None or len(index) != len(self.blocks):
            index = self._index = {b.id: b for b in self.blocks}
        return index.get(block_id)

    def block_at(self, line: int) -> Block | None:
        """The block holding a line: one that starts on it, else the smallest that spans it."""
        holding = [b for b in self.blocks if b.start_line <= line <= b.end_line]
        starting = [b for b in holding if b.start_line == line]
        if starting:
            return starting[0]
        return min(holding, key=lambda b: b.end_line - b.start_line) if holding else None

    def under(self, heading_id: str | None) -> list[Block]:
        """Blocks whose nearest heading is this one, in order."""
        grouped = (self.__pydantic_private__ or {}).get("_by_heading")
        if grouped is None:
            grouped = {}
            for b in self.blocks:
                grouped.setdefault(b.heading_id, []).append(b)
            self._by_heading = grouped
        return grouped.get(heading_id, [])


class Span(BaseModel):
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    start_col: int = Field(default=1, ge=1)
    end_col: int = Field(default=1, ge=1, description="Column after the last character.")


class Citation(BaseModel):
    chunk_id: str
    title: str
    source: str = Field(description="Knowledge file the chunk comes from.")


class Finding(BaseModel):
    id: str = Field(default="", description="Stable fingerprint: code + quote + plan hash.")
    code: str
    family: str
    severity: Severity
    scope: Scope
    span: Span | None = None
    quote: str = Field(default="", description="Verbatim text from the plan.")
    message: str
    suggestion: str = ""
    rewrite: str | None = Field(
        default=None, description="Replacement text for the quoted statement, or a template."
    )
    citations: list[Citation] = Field(default_factory=list)
    origin: Origin = "rule"
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    block_id: str | None = Field(default=None, description="Block the finding points at.")


class PlanInfo(BaseModel):
    source: str
    sha256: str
    language: Language
    title: str
    lines: int
    words: int
    source_format: str = "markdown"
    script: str = "latin"


class EngineInfo(BaseModel):
    tier: Literal["offline", "llm"] = "offline"
    model: str | None = None
    rules_version: str = ""
    knowledge_version: str = ""
    prompt_version: str | None = None
    llm_status: str = "off"
    dropped: dict[str, int] = Field(default_factory=dict)
    sent_to: str | None = Field(
        default=None,
        description="Host (and port) the LLM tier sent the plan text to in this run; null "
        "when the plan did not leave the machine (offline, cached, replayed, never connected).",
    )


class Usage(BaseModel):
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Review(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="null")

    schema_version: str = SCHEMA_VERSION
    plan: PlanInfo
    engine: EngineInfo = Field(default_factory=EngineInfo)
    findings: list[Finding] = Field(default_factory=list)
    scores: dict[str, int | None] = Field(default_factory=dict)
    summary: str = ""
    draft: str | None = None
    timings_ms: dict[str, int] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)
    warnings: list[str] = Field(
        default_factory=list, description="Ingestion notes a reader should know about."
    )
