"""Options shared by every request that runs a review."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.rules import catalogue

LLMMode = Literal["auto", "off", "on"]
LangMode = Literal["auto", "en", "zh"]


def check_codes(values: list[str]) -> list[str]:
    out: list[str] = []
    for raw in values:
        for v in (x.strip() for x in raw.split(",")):
            if not v:
                continue
            if not catalogue.codes_matching(v):
                raise ValueError(f"unknown rule code or family {v!r} (see GET /v1/rules)")
            out.append(v)
    return out


class ReviewOptionsIn(BaseModel):
    """How the review runs; the same options as `planreview review`."""

    model_config = ConfigDict(extra="forbid")

    llm: LLMMode = Field(
        default="auto",
        description="auto: use the LLM tier when the server "
        "has an endpoint configured; off: rules only (fast); on: require it.",
    )
    lang: LangMode = Field(
        default="auto", description="Language of messages; auto follows the plan."
    )
    draft: bool = Field(default=False, description="Also write an improved draft (LLM tier).")
    select: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Only these rule codes or families (default: all).",
    )
    ignore: list[str] = Field(
        default_factory=list, max_length=100, description="Skip these rule codes or families."
    )

    @field_validator("select", "ignore")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return check_codes(values)

    def as_options(self) -> dict[str, object]:
        return {
            "llm": self.llm,
            "lang": self.lang,
            "draft": self.draft,
            "select": self.select,
            "ignore": self.ignore,
        }


class Links(BaseModel):
    self: str = Field(description="This resource.")
    events: str | None = Field(default=None, description="Server-sent progress events.")
    report: str | None = Field(default=None, description="The rendered report (?format=…).")
    results: str | None = Field(default=None, description="Results as JSON Lines.")
    summary: str | None = Field(default=None, description="An HTML summary page.")


class ErrorInfo(BaseModel):
    """Why a job failed."""

    kind: str = Field(description="Machine-readable kind, e.g. 'bad-input', 'interrupted'.")
    status: int = Field(description="The HTTP status the same failure gets synchronously.")
    detail: str = Field(description="What went wrong, naming the input.")
