"""What the model must answer: Pydantic models for the critique and the draft.

The JSON schema sent as structured output comes from these models
(``json_schema``): strict (every property required, no other property) and
bounded (``maxItems`` / ``maxLength`` from the models), so that a server
enforcing it (OpenAI's strict mode, llama.cpp's grammar, vLLM's guided
decoding) cannot return a bare ``{"summary": …}`` or fill a quote until the
token limit. The model's answer is validated into the same models: the
top-level fields are required, item fields are lenient where local models
are sloppy (defaults, clamped confidence, over-long text clipped); what
matters for correctness (the quote, the block id, the cited chunk ids) is
checked afterwards against the plan and the retrieved chunks (see
``validate.py``). ``salvage`` keeps the complete items of an answer cut off
at the token limit.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal, TypeVar

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class _Lenient(BaseModel):
    """Lenient on input: None becomes "", a text or list longer than its bound is clipped.

    The bounds (``max_length``) are what the JSON schema sent to the model says
    (``maxLength`` / ``maxItems``); a server that enforces the schema never exceeds them, and
    an answer from one that does not is clipped here rather than thrown away.
    """

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _clip(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, info in cls.model_fields.items():
            limit = _max_length(info)
            value = out.get(name)
            if limit is None or value is None:
                continue
            if isinstance(value, str) and len(value) > limit:
                out[name] = value[: limit - 1].rstrip() + "…"
            elif isinstance(value, list) and len(value) > limit:
                out[name] = value[:limit]
        return out

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
        ids = [str(v).strip().strip("[]")[:ID_CHARS] for v in value if str(v).strip()]
        return ids[:MAX_CITATIONS]

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


def _max_length(info: Any) -> int | None:
    for meta in info.metadata:
        limit = getattr(meta, "max_length", None)
        if isinstance(limit, int):
            return limit
    return None


MAX_FINDINGS = 12
MAX_RISKS = 5
MAX_CITATIONS = 3
ID_CHARS = 64
QUOTE_CHARS = 240
SUMMARY_CHARS = 600
MAX_EDITS = 40
MAX_CHANGES = 8


class LLMFinding(_Lenient):
    """One problem the model found in the plan."""

    code: str = Field(
        max_length=48, description="Catalogue code, or llm.risk / llm.gap / llm.inconsistency."
    )
    block_id: str = Field(default="", max_length=12, description="Id of the block quoted.")
    quote: str = Field(max_length=QUOTE_CHARS, description="Exact words copied from that block.")
    message: str = Field(max_length=300, description="The problem, one sentence.")
    suggestion: str = Field(default="", max_length=400, description="What to do about it.")
    rewrite: str = Field(
        default="", max_length=600, description="Improved text for the quoted statement, or ''."
    )
    citations: list[Annotated[str, Field(max_length=ID_CHARS)]] = Field(
        default_factory=list, max_length=MAX_CITATIONS, description="Chunk ids from the guidance."
    )
    confidence: float = Field(default=0.6, description="0 to 1 (clamped).")


class LLMRisk(_Lenient):
    """A risk the plan does not list."""

    risk: str = Field(max_length=160, description="The risk, in a few words.")
    reason: str = Field(default="", max_length=300, description="Why it threatens this plan.")
    block_id: str = Field(default="", max_length=12, description="Block of the statement, or ''.")
    quote: str = Field(
        default="", max_length=QUOTE_CHARS, description="Exact words of that statement, or ''."
    )
    mitigation: str = Field(default="", max_length=400, description="How to prevent or absorb it.")
    citations: list[Annotated[str, Field(max_length=ID_CHARS)]] = Field(
        default_factory=list, max_length=MAX_CITATIONS, description="Chunk ids from the guidance."
    )
    confidence: float = Field(default=0.6, description="0 to 1 (clamped).")


class CritiqueOutput(_Lenient):
    """The critique of one plan (or one part of a long plan)."""

    model_config = ConfigDict(extra="ignore", title="plan_critique")
    ITEMS: ClassVar[dict[str, type[BaseModel]]] = {"findings": LLMFinding, "risks": LLMRisk}

    findings: list[LLMFinding] = Field(
        max_length=MAX_FINDINGS, description="Problems, worst first."
    )
    risks: list[LLMRisk] = Field(max_length=MAX_RISKS, description="Risks the plan does not list.")
    summary: str = Field(max_length=SUMMARY_CHARS, description="2-3 sentences on the weaknesses.")

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value: Any) -> str:
        return "" if value is None else str(value)


class DraftEdit(_Lenient):
    """One change to the plan."""

    block_id: str = Field(max_length=12, description="The block to replace, or to insert after.")
    action: Literal["replace", "insert_after"] = Field(description="replace or insert_after.")
    markdown: str = Field(
        max_length=3000, description="The new text (replace) or new Markdown (insert_after)."
    )

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


class DraftOutput(_Lenient):
    """The improved draft as edits to the plan's blocks, with a change log."""

    model_config = ConfigDict(extra="ignore", title="plan_draft")
    ITEMS: ClassVar[dict[str, type[BaseModel]]] = {"edits": DraftEdit}

    edits: list[DraftEdit] = Field(max_length=MAX_EDITS, description="Changes, in plan order.")
    changes: list[Annotated[str, Field(max_length=200)]] = Field(
        max_length=MAX_CHANGES, description="Change log, short lines."
    )

    @field_validator("changes", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> list[str]:
        if not isinstance(value, list):
            return value  # pydantic reports the wrong type
        return [str(v)[:200] for v in value if v is not None]


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


SCHEMA_DIALECTS = ("full", "openai")
"""full: every bound (llama.cpp and vLLM turn it into a grammar); openai: without the string
length bounds, which OpenAI's strict mode refuses (item counts and numeric ranges are kept)."""
_OPENAI_UNSUPPORTED = ("maxLength", "minLength")


def _strict(node: Any, defs: dict[str, Any], dialect: str, top: bool = False) -> Any:
    """Inline $refs, drop titles/descriptions/defaults, require every property, forbid others."""
    if isinstance(node, list):
        return [_strict(v, defs, dialect) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        return _strict(defs[name], defs, dialect)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("description", "default", "$defs") or (key == "title" and not top):
            continue
        if dialect == "openai" and key in _OPENAI_UNSUPPORTED:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _strict(v, defs, dialect) for name, v in value.items()}
        else:
            out[key] = _strict(value, defs, dialect)
    if out.get("type") == "object" and "properties" in out:
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def json_schema(model: type[BaseModel], dialect: str = "full") -> dict[str, Any]:
    """The JSON schema sent as structured output: strict, bounded and compact.

    Every object lists all its properties as ``required`` and has ``additionalProperties:
    false``; arrays carry ``maxItems`` and strings ``maxLength`` from the Pydantic models
    (``dialect="openai"`` leaves out the string lengths, which OpenAI's strict mode refuses).
    References are inlined (one self-contained schema, also for llama.cpp's grammar
    converter). Titles, descriptions and defaults are left out: every request pays for the
    schema in prompt tokens, and the prompt already says what each field holds.
    """
    if dialect not in SCHEMA_DIALECTS:
        raise ValueError(f"unknown schema dialect {dialect!r}")
    raw = model.model_json_schema()
    return dict(_strict(raw, raw.get("$defs", {}), dialect, top=True))


# ----------------------------------------------------------------------------- salvage

T = TypeVar("T", bound=BaseModel)


def closed_items(text: str) -> dict[str, int]:
    """How many items of each top-level array of a (possibly cut-off) JSON object are complete.

    A scan of the text that tracks strings and nesting: an item counts once its closing
    brace (or, for a string item, its closing quote) has been seen.
    """
    counts: dict[str, int] = {}
    stack: list[str] = []
    in_string = escaped = False
    key = last = ""
    buf: list[str] = []
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                if len(stack) == 1:
                    last = "".join(buf)
                elif len(stack) == 2 and stack[-1] == "[":
                    counts[key] = counts.get(key, 0) + 1
            elif len(stack) == 1:
                buf.append(ch)
            continue
        if ch == '"':
            in_string, buf = True, []
        elif ch == ":" and len(stack) == 1:
            key = last
        elif ch in "{[":
            stack.append(ch)
        elif ch in "}]":
            if stack:
                stack.pop()
            if len(stack) == 2 and stack[-1] == "[":
                counts[key] = counts.get(key, 0) + 1
    return counts


def salvage(text: str, model: type[T]) -> tuple[T | None, int]:
    """The complete items of a cut-off answer, validated into ``model``, and how many there are.

    ``pydantic_core.from_json(allow_partial=True)`` reads what there is; the last, unfinished
    item of the array being written is left out (``closed_items``), and so is any item that
    does not validate on its own. None when nothing usable is left.
    """
    start = text.find("{")
    if start < 0:
        return None, 0
    body = text[start:]
    try:
        data = pydantic_core.from_json(body, allow_partial=True)
    except ValueError:
        return None, 0
    if not isinstance(data, dict):
        return None, 0
    closed = closed_items(body)
    items: dict[str, type[BaseModel]] = getattr(model, "ITEMS", {})
    kept = 0
    for name, info in model.model_fields.items():
        value = data.get(name)
        if isinstance(value, list):
            value = value[: closed.get(name, 0)]
            item_model = items.get(name)
            if item_model is not None:
                value = [v for v in value if _valid(item_model, v)]
            kept += len(value)
            data[name] = value
        elif name not in data:
            data[name] = "" if info.annotation is str else []
    if kept == 0:
        return None, 0
    try:
        return model.model_validate(data), kept
    except ValidationError:
        return None, 0


def _valid(model: type[BaseModel], value: Any) -> bool:
    try:
        model.model_validate(value)
    except ValidationError:
        return False
    return True
