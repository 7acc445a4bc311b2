"""The LLM result cache: a re-review of the same plan makes no call.

Entries live under ``Settings.data_dir / "llm-cache"``, one JSON file per key.
The key is a hash of (plan sha256, prompt version, model, knowledge version,
draft flag, language, rules version). An entry holds the validated LLM
findings (before the merge with the rule findings, which are recomputed on
every review), the drop counts, the summary, the draft and the usage of the
run that produced it. Unreadable entries count as misses.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from service.models import Finding, Usage

CACHE_FORMAT = 1


class CacheKey(BaseModel):
    plan_sha256: str
    prompt_version: str
    model: str
    knowledge_version: str
    draft: bool
    language: str
    rules_version: str = ""

    def digest(self) -> str:
        blob = json.dumps({"format": CACHE_FORMAT, **self.model_dump()}, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


class CacheEntry(BaseModel):
    """What one LLM run produced for one plan."""

    key: CacheKey
    findings: list[Finding] = Field(description="Validated LLM findings, not yet merged.")
    dropped: dict[str, int] = Field(default_factory=dict, description="Drops before the merge.")
    summary: str = ""
    draft: str | None = None
    usage: Usage = Field(default_factory=Usage, description="Usage of the run that made it.")


def cache_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "llm-cache"


def load(data_dir: Path, key: CacheKey) -> CacheEntry | None:
    path = cache_dir(data_dir) / f"{key.digest()}.json"
    try:
        entry = CacheEntry.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError):
        return None
    return entry if entry.key == key else None


def save(data_dir: Path, entry: CacheEntry) -> Path | None:
    """Write the entry atomically; a read-only data dir just means no cache (None)."""
    directory = cache_dir(data_dir)
    path = directory / f"{entry.key.digest()}.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(entry.model_dump_json(), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return None
    return path
