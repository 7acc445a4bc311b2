"""What the model must answer: Pydantic models for the critique and the draft.

The JSON schema sent as structured output comes from these models, and the
model's answer is validated into them. Fields are lenient where local models
are sloppy (defaults, clamped confidence); what matters for correctness (the
quote, the block id, the cited chunk ids) is checked afterwards against the
plan and the retrieved chunks (see ``validate.py``).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @field_validator("confidence", mode="before", check_fields=False)
    @classmethod
    def _clamp(cls, value: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return 0.6
        return min(max(number, 0.0), 1.0)

    @field_validator("citations", mode="before", check_fields=False)
    @classmethod
    def _ids(cls, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(v).strip().strip("[]") for v in value if str(v).strip()]

    @field_validator(
        "block_id",
        "quote",
        "suggestion",
        "rewrite",
        "mitigation",
        "reason",
        mode="before",
        check_fields=False,
    )
    @classmethod
    def _text(cls, value: Any) -> str:
        return "" if value is None else str(value)


class LLMFinding(_Lenient):
    """One problem the model found in the plan."""

    code: str = Field(description="Catalogue code, or llm.risk / llm.gap / llm.inconsistency.")
    block_id: str = Field(default="", description="Id of the block quoted, e.g. 'b12'.")
    quote: str = Field(description="Exact words copied from that block.")
    message: str = Field(description="The problem, one sentence.")
    suggestion: str = Field(default="", description="What to do about it.")
    rewrite: str = Field(default="", description="Improved text for the quoted statement, or ''.")
    citations: list[str] = Field(default_factory=list, description="Chunk ids from the guidance.")
    confidence: float = Field(default=0.6, description="0 to 1.")


class LLMRisk(_Lenient):
    """A risk the plan does not list."""

    risk: str = Field(description="The risk, in a few words.")
    reason: str = Field(default="", description="Why it threatens this plan.")
    block_id: str = Field(default="", description="Block of the statement it concerns, or ''.")
    quote: str = Field(default="", description="Exact words of that statement, or ''.")
    mitigation: str = Field(default="", description="How to prevent or absorb it.")
    citations: list[str] = Field(default_factory=list, description="Chunk ids from the guidance.")
    confidence: float = Field(default=0.6, description="0 to 1.")


class CritiqueOutput(BaseModel):
    """The critique of one plan (or one part of a long plan)."""

    model_config = ConfigDict(extra="ignore", title="plan_critique")

    findings: list[LLMFinding] = Field(default_factory=list, description="Problems, worst first.")
    risks: list[LLMRisk] = Field(default_factory=list, description="Risks the plan does not list.")
    summary: str = Field(default="", description="2-3 sentences on the main weaknesses.")


class DraftEdit(_Lenient):
    """One change to the plan."""

    block_id: str = Field(description="The block to replace, or to insert after.")
    action: Literal["replace", "insert_after"] = Field(description="replace or insert_after.")
    markdown: str = Field(description="The new text (replace) or new Markdown (insert_after).")

    @field_validator("action", mode="before")
    @classmethod
    def _action(cls, value: Any) -> str:
        text = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
        return {
            "insert": "insert_after",
            "add": "insert_after",
            "append": "insert_after",
            "after": "insert_after",
            "rewrite": "replace",
            "update": "replace",
        }.get(text, text)


class DraftOutput(BaseModel):
    """The improved draft as edits to the plan's blocks, with a change log."""

    model_config = ConfigDict(extra="ignore", title="plan_draft")

    edits: list[DraftEdit] = Field(default_factory=list, description="Changes, in plan order.")
    changes: list[str] = Field(default_factory=list, description="Change log, short lines.")


CRITIQUE_SHAPE = json.dumps(
    {
        "findings": [
            {
                "code": "smart.measurable",
                "block_id": "b3",
                "quote": "exact words",
                "message": "...",
                "suggestion": "...",
                "rewrite": "...",
                "citations": ["chunk-id"],
                "confidence": 0.8,
            }
        ],
        "risks": [
            {
                "risk": "...",
                "reason": "...",
                "block_id": "b7",
                "quote": "exact words",
                "mitigation": "...",
                "citations": [],
                "confidence": 0.7,
            }
        ],
        "summary": "...",
    },
    ensure_ascii=False,
)

DRAFT_SHAPE = json.dumps(
    {
        "edits": [
            {"block_id": "b3", "action": "replace", "markdown": "..."},
            {"block_id": "b9", "action": "insert_after", "markdown": "| Risk | ... |"},
        ],
        "changes": ["..."],
    },
    ensure_ascii=False,
)


def _compact(node: Any, top: bool = False) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("description", "default") or (key == "title" and not top):
                continue
            if key in ("properties", "$defs") and isinstance(value, dict):
                out[key] = {name: _compact(v) for name, v in value.items()}
            else:
                out[key] = _compact(value)
        return out
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent as structured output: compact (the prompt explains each field).

    Titles, descriptions and defaults are left out: every request pays for the schema in
    prompt tokens, and the prompt already says what each field holds.
    """
    schema = _compact(model.model_json_schema(), top=True)
    schema["description"] = (model.__doc__ or "").strip().splitlines()[0]
    return dict(schema)
