"""Content-addressed cache of per-plan results under ``<out>/.cache``.

The key is a hash of the file's bytes (sha256) and of everything else that
decides the review: rules, knowledge and prompt versions, the model, and the
options (LLM mode, language, configuration). A re-run, or a run resumed
after an interruption, finds every plan it already reviewed and skips it.

Entries are written atomically (temporary file, then rename), so a run
killed at any moment leaves either a whole entry or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

CACHE_DIR = ".cache"
CACHE_FORMAT = "batch-v2"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(file_sha: str, versions: dict[str, str], options: dict[str, Any]) -> str:
    """The key of one plan's result: file content + versions + options."""
    basis = json.dumps(
        {"format": CACHE_FORMAT, "file": file_sha, "versions": versions, "options": options},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Atomic write, skipped when the file already holds exactly ``data``; True if written."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


class ResultCache:
    """``<out>/.cache/<k[:2]>/<k>.json`` files, one per reviewed plan."""

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / CACHE_DIR
        self.used: set[str] = set()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return None
        try:
            entry = json.loads(raw)
        except ValueError:
            return None  # a damaged entry is reviewed again
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        self.used.add(key)
        return entry

    def load(self, key: str) -> dict[str, Any] | None:
        """An entry this run already wrote or found."""
        return self.get(key)

    def put(self, key: str, entry_json: str) -> None:
        atomic_write(self.path(key), entry_json)
        self.used.add(key)

    def prune(self) -> int:
        """Remove entries this run did not use (old versions, deleted or changed plans)."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for sub in self.root.iterdir():
            if not sub.is_dir():
                continue
            for f in sub.iterdir():
                if f.suffix == ".json" and f.stem not in self.used:
                    with contextlib.suppress(OSError):
                        f.unlink()
                        removed += 1
                elif f.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        f.unlink()
            with contextlib.suppress(OSError):
                sub.rmdir()
        return removed
