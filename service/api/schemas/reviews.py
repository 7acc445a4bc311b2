"""Models of /v1/reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.common import ErrorInfo, Links, ReviewOptionsIn
from service.models import Review

JobStatus = Literal["queued", "running", "succeeded", "failed"]

EXAMPLE_PLAN = (
    "# Q3 growth plan\n\n## Goals\n\n- Improve customer satisfaction\n"
    "- Raise repeat purchases from 20% to 26% by 2026-09-30\n\n## Tasks\n\n"
    "- Launch the loyalty programme (owner: CRM lead, due 2026-08-15)\n"
)


class ReviewTextCreate(ReviewOptionsIn):
    """A plan sent as text in a JSON body."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": EXAMPLE_PLAN, "format": "markdown", "llm": "off"},
                {"text": "# 第三季度运营计划\n\n## 目标\n\n- 提升客户满意度\n", "lang": "zh"},
            ]
        },
    )

    text: str = Field(min_length=1, description="The plan: Markdown or plain text, UTF-8.")
    format: Literal["markdown", "text"] = Field(
        default="markdown", description="How to read the text."
    )
    name: str = Field(
        default="",
        max_length=200,
        description="A name for the plan in the review (default plan.md / plan.txt).",
    )


class ReviewResult(Review):
    """The review JSON of the contract, with the id it is stored under."""

    id: str | None = Field(
        description="Review id: GET /v1/reviews/{id} and its report. null when the review "
        "could not be stored (the database was unavailable; a warning says so)."
    )


class ReviewAccepted(BaseModel):
    """A review accepted as a job (202); follow ``links``."""

    id: str = Field(description="Review id.")
    status: JobStatus = Field(description="queued, running, succeeded or failed.")
    links: Links


class ReviewPublic(BaseModel):
    """A review and its job: status, progress, and the review once it succeeded."""

    id: str
    status: JobStatus = Field(description="queued, running, succeeded or failed.")
    stage: str = Field(
        description="Last progress stage (queued, started, parsed, rules, "
        "retrieve, llm, done, failed)."
    )
    source: str = Field(description="The plan's file name.")
    attempts: int = Field(description="How many times the job has started (restarts count).")
    batch_id: str | None = Field(default=None, description="The batch it belongs to, if any.")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: ErrorInfo | None = Field(default=None, description="Why it failed (status failed).")
    links: Links
    review: Review | None = Field(default=None, description="The review JSON (status succeeded).")
