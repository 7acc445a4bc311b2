"""Models of /v1/critiques: the fast path editors call on every save or pause."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.common import LangMode, check_codes
from service.models import Finding


class CritiqueCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "# Plan\n\n## Goals\n\n- Improve customer satisfaction\n", "lang": "auto"}
            ]
        },
    )

    text: str = Field(min_length=1, description="The document's current text (Markdown).")
    name: str = Field(
        default="buffer.md",
        max_length=500,
        description="The document's name or URI, echoed in the findings.",
    )
    lang: LangMode = Field(default="auto", description="Language of messages.")
    select: list[str] = Field(
        default_factory=list, max_length=100, description="Only these rule codes or families."
    )
    ignore: list[str] = Field(
        default_factory=list, max_length=100, description="Skip these rule codes or families."
    )

    def model_post_init(self, _context: object) -> None:
        self.select = check_codes(self.select)
        self.ignore = check_codes(self.ignore)


class CritiquePublic(BaseModel):
    """Rule findings for the text (offline tier only: fast and deterministic)."""

    findings: list[Finding] = Field(description="Findings, each with a span and a message.")
    language: str = Field(description="The plan's detected language.")
    rules_version: str
    knowledge_version: str
    scores: dict[str, int | None] = Field(default_factory=dict)
    elapsed_ms: int = Field(description="Server-side time for this critique.")
