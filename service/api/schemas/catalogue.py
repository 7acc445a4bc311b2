"""Models of /v1/rules and /v1/knowledge."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RulePublic(BaseModel):
    code: str = Field(description="Stable rule code, e.g. 'smart.measurable'.")
    family: str
    severity: str = Field(description="Default severity: error, warning or info.")
    scope: str = Field(description="block (points at a line) or document.")
    title_en: str
    title_zh: str
    summary_en: str
    summary_zh: str
    llm_only: bool = Field(description="Reported by the LLM tier only.")


class KnowledgeHit(BaseModel):
    """One chunk of guidance; the `planreview kb search --format json` shape."""

    chunk_id: str
    title: str
    source: str
    frameworks: list[str]
    language: str
    score: float
    text: str


class KnowledgeDocumentCreated(BaseModel):
    document: str = Field(description="Stored file name of the guidance document.")
    chunks: list[str] = Field(description="Chunk ids it added to the knowledge base.")
    knowledge_version: str = Field(description="The knowledge version reviews now record.")


class Health(BaseModel):
    status: str = Field(description="'ok' when the process answers.")
    version: str


class Ready(BaseModel):
    status: str = Field(description="'ready' or 'not-ready'.")
    checks: dict[str, str] = Field(description="Each dependency: 'ok' or what is wrong.")
