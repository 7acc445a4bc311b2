"""The LLM result cache: a re-review of the same plan makes no call.

Entries live under ``Settings.data_dir / "llm-cache"``, one JSON file per key.
The key is a hash of everything that changes the answer: plan sha256, prompt
version, model, knowledge version, draft flag, language, rules version, the
endpoint (scheme, host, port and path of the base URL: two local servers
both serving a model called ``local`` do not share entries), temperature,
output mode and token limits. An entry holds the validated LLM findings
(before the merge with the rule findings, which are recomputed on every
review), the drop counts, the summary, the draft and the usage of the run
that produced it. Unreadable entries count as misses. The cache is bounded:
past ``MAX_ENTRIES`` files the oldest are removed when an entry is saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from service.models import Finding, Usage

CACHE_FORMAT = 2
MAX_ENTRIES = 2000
"""Most entries kept; the oldest (by modification time) go first."""


def endpoint_key(base_url: str | None) -> str:
    """The endpoint as the cache key holds it: no credentials, no query."""
    from urllib.parse import urlsplit

    if not base_url:
        return "openai"
    parts = urlsplit(base_url if "://" in base_url else f"http://{base_url}")
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


class CacheKey(BaseModel):
    plan_sha256: str
    prompt_version: str
    model: str
    knowledge_version: str
    draft: bool
    language: str
    rules_version: str = ""
    endpoint: str = ""
    temperature: float = 0.0
    output_mode: str = ""
    max_output_tokens: int = 0
    context_tokens: int = 0

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


def save(data_dir: Path, entry: CacheEntry, *, max_entries: int = MAX_ENTRIES) -> Path | None:
    """Write the entry atomically, then prune to ``max_entries``; read-only dir: None."""
    directory = cache_dir(data_dir)
    path = directory / f"{entry.key.digest()}.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(entry.model_dump_json(), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return None
    prune(directory, max_entries, keep=path)
    return path


def prune(directory: Path, max_entries: int, keep: Path | None = None) -> int:
    """Remove the oldest entries beyond ``max_entries``; returns how many were removed."""
    try:
        entries = []
        with os.scandir(directory) as it:
            for e in it:
                if e.name.endswith(".json") and e.is_file():
                    entries.append((e.stat().st_mtime, e.path))
    except OSError:
        return 0
    if len(entries) <= max_entries:
        return 0
    entries.sort()
    removed = 0
    for _, name in entries[: len(entries) - max_entries]:
        if keep is not None and Path(name) == keep:
            continue
        try:
            os.unlink(name)
            removed += 1
        except OSError:
            continue
    return removed
