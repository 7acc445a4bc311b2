"""Models of /v1/batches."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.api.schemas.common import ErrorInfo, Links


class BatchItem(BaseModel):
    review_id: str
    source: str = Field(description="File name (for a zip: the path inside it).")
    status: Literal["queued", "running", "succeeded", "failed"]
    findings: int | None = Field(default=None, description="Number of findings, once reviewed.")
    error: ErrorInfo | None = None


class BatchPublic(BaseModel):
    """A batch and its progress."""

    id: str
    status: Literal["queued", "running", "completed"]
    total: int = Field(description="Plans in the batch.")
    done: int = Field(description="Plans finished (succeeded or failed).")
    succeeded: int
    failed: int
    running: int
    queued: int
    progress: float = Field(description="done / total, 0..1.")
    created_at: datetime
    skipped: list[str] = Field(
        default_factory=list, description="Entries of an uploaded zip that were not plans."
    )
    items: list[BatchItem]
    links: Links
