"""What the runner keeps in memory for each plan: a compact summary of its result.

The full review lives in the cache entry on disk; the aggregate outputs
read it back one plan at a time.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from service.batch.digest import PlanDigest
from service.batch.discovery import PlanFile


@dataclass
class Outcome:
    """One plan's result: ok (reviewed) or failed (with a one-line reason)."""

    file: PlanFile
    key: str
    status: str  # ok | failed
    reason: str = ""
    cached: bool = False
    language: str = ""
    title: str = ""
    source_format: str = ""
    scores: dict[str, int | None] = field(default_factory=dict)
    severities: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    families: Counter[str] = field(default_factory=Counter)
    code_severity: Counter[tuple[str, str]] = field(default_factory=Counter)
    llm_status: str = "off"
    digest: PlanDigest | None = None
    timings_ms: dict[str, int] = field(default_factory=dict)

    @property
    def findings(self) -> int:
        return sum(self.severities.values())

    @property
    def overall(self) -> int | None:
        return self.scores.get("overall")


def parsed_review(entry: dict[str, Any]) -> dict[str, Any]:
    """The review of an ok cache entry as a dict (parsed once, kept in the entry)."""
    review: dict[str, Any] | None = entry.get("_review")
    if review is None:
        review = json.loads(entry["review_text"])
        entry["_review"] = review
    return review


def outcome_from_entry(
    file: PlanFile, entry: dict[str, Any], *, cached: bool, timings_ms: dict[str, int] | None = None
) -> Outcome:
    if entry.get("status") != "ok":
        return Outcome(
            file=file,
            key=str(entry.get("key", "")),
            status="failed",
            reason=str(entry.get("reason", "")),
            cached=cached,
            timings_ms=timings_ms or {},
        )
    review = parsed_review(entry)
    findings = review.get("findings", [])
    digest = PlanDigest.model_validate(entry["digest"]) if entry.get("digest") else None
    return Outcome(
        file=file,
        key=entry["key"],
        status="ok",
        cached=cached,
        language=review["plan"].get("language", ""),
        title=review["plan"].get("title", ""),
        source_format=entry["plan"].get("source_format", ""),
        scores=dict(review.get("scores", {})),
        severities=Counter(f["severity"] for f in findings),
        codes=Counter(f["code"] for f in findings),
        families=Counter(f["family"] for f in findings),
        code_severity=Counter((f["code"], f["severity"]) for f in findings),
        llm_status=review.get("engine", {}).get("llm_status", "off"),
        digest=digest,
        timings_ms=timings_ms or {},
    )
