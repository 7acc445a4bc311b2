"""The grounding index, kept on disk between runs.

Building the index (parsing every knowledge file into chunks, then the case
cards' TF-IDF profiles) costs about 40 ms, paid by every `planreview review`
process. The built index is stored as JSON in ``<data_dir>/cache/``, named
by a key made of

- the corpus' ``source_digest`` (roots, every file's name and bytes, the
  rule codes chunks may name), so any edit to the knowledge invalidates it;
- the source of the modules that parse and build it (``corpus``,
  ``grounding``, ``lexical``) and ``FORMAT``, so a code change does too.

A missing, unreadable or malformed file is ignored (and rewritten); a data
dir that cannot be written just means the next run builds again. JSON, not
pickle: the data dir may be shared, and loading it must not run code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from array import array
from itertools import repeat
from pathlib import Path
from typing import Any

from service.knowledge import corpus, grounding, lexical
from service.knowledge.corpus import Chunk
from service.knowledge.grounding import GroundingIndex, _CaseVec

FORMAT = "2"
"""Bump when the file layout below changes."""
KEEP = 8
"""Cache files kept per data dir (one per distinct set of knowledge roots and version)."""
_PREFIX = "grounding-"

_code_hash: str | None = None


def _code_digest() -> str:
    global _code_hash
    if _code_hash is None:
        h = hashlib.sha256(FORMAT.encode())
        for module in (corpus, grounding, lexical):
            h.update(Path(module.__file__ or "").read_bytes())
        _code_hash = h.hexdigest()
    return _code_hash


def cache_key(dirs: list[Path] | None = None, folder: Path | None = None) -> str:
    """The cache key for these knowledge roots as they are now (reads the files, parses none).

    With ``folder`` (the cache folder), the corpus digest is remembered there under the files'
    stat key, so a later process whose knowledge files are untouched reads one small file
    instead of every knowledge file."""
    digest = _remembered_digest(dirs, folder) if folder is not None else None
    if digest is None:
        digest = corpus.source_digest(dirs)
        if folder is not None:
            _remember_digest(dirs, folder, digest)
    return hashlib.sha256(f"{_code_digest()}\x1f{digest}".encode()).hexdigest()[:32]


_DIGEST_PREFIX = "digest-"
_HEX64 = frozenset("0123456789abcdef")


def _digest_path(dirs: list[Path] | None, folder: Path) -> Path:
    return folder / f"{_DIGEST_PREFIX}{corpus.stat_key(dirs)}.txt"


def _remembered_digest(dirs: list[Path] | None, folder: Path) -> str | None:
    try:
        text = _digest_path(dirs, folder).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) == 64 and set(text) <= _HEX64 else None


def _remember_digest(dirs: list[Path] | None, folder: Path, digest: str) -> None:
    """Store atomically; never raises (a read-only data dir only costs speed)."""
    import tempfile  # only when writing (with shutil and random): most runs only read

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{_DIGEST_PREFIX}", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(digest)
            os.replace(tmp, _digest_path(dirs, folder))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder, _DIGEST_PREFIX, ".txt")
    except OSError:
        return


def cache_dir() -> Path:
    from service.settings import get_settings

    return get_settings().data_dir / "cache"


def cache_path(key: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{_PREFIX}{key}.json"


def _ids(groups: dict[str, list[Chunk]]) -> dict[str, list[str]]:
    return {k: [c.chunk_id for c in v] for k, v in groups.items()}


def _floats(values: list[float]) -> str:
    """Floats as base64 of their IEEE doubles: exact, and ~10x faster to read than JSON numbers."""
    return base64.b64encode(array("d", values).tobytes()).decode("ascii")


def _unfloats(text: str) -> array[float]:
    out = array("d")
    out.frombytes(base64.b64decode(text, validate=True))
    return out


def dump(gi: GroundingIndex, key: str) -> dict[str, Any]:
    terms = list(gi.idf)
    index = {t: i for i, t in enumerate(terms)}
    return {
        "format": FORMAT,
        "key": key,
        "byteorder": sys.byteorder,
        "version": gi.version,
        "chunks": [c.model_dump(mode="json") for c in gi.chunks.values()],
        "guidance_by_code": _ids(gi.guidance_by_code),
        "guidance_by_framework": _ids(gi.guidance_by_framework),
        "cases_by_code": _ids(gi.cases_by_code),
        "cases_by_framework": _ids(gi.cases_by_framework),
        "terms": terms,
        "idf": _floats(list(gi.idf.values())),
        # per case card: its terms (indexes into "terms", in the card's order), weights, norm
        "case_vecs": {
            cid: [[index[t] for t in v.weights], _floats(list(v.weights.values())), v.norm]
            for cid, v in gi.case_vecs.items()
        },
    }


def load(data: dict[str, Any], key: str) -> GroundingIndex:
    """The index stored in ``data``; raises (KeyError, TypeError, ValueError) when it is not one."""
    if data.get("format") != FORMAT or data.get("key") != key:
        raise ValueError("written for another corpus or format")
    if data.get("byteorder") != sys.byteorder:
        raise ValueError("written on a machine of another byte order")
    fields = set(Chunk.model_fields)
    chunks: dict[str, Chunk] = {}
    for raw in data["chunks"]:
        if not isinstance(raw, dict) or set(raw) != fields:
            raise ValueError("not a chunk")
        chunks[raw["chunk_id"]] = Chunk.model_construct(**raw)

    def groups(name: str) -> dict[str, list[Chunk]]:
        return {str(k): [chunks[cid] for cid in v] for k, v in data[name].items()}

    gi = GroundingIndex(
        version=str(data["version"]),
        chunks=chunks,
        guidance_by_code=groups("guidance_by_code"),
        guidance_by_framework=groups("guidance_by_framework"),
        cases_by_code=groups("cases_by_code"),
        cases_by_framework=groups("cases_by_framework"),
    )
    terms: list[str] = data["terms"]
    idf = _unfloats(data["idf"])
    if len(idf) != len(terms) or not all(map(isinstance, terms, repeat(str))):
        raise ValueError("terms and idf do not match")
    gi.idf = dict(zip(terms, idf, strict=True))
    for cid, (indexes, weights, norm) in data["case_vecs"].items():
        w = dict(zip([terms[i] for i in indexes], _unfloats(weights), strict=True))
        gi.case_vecs[cid] = _CaseVec(chunks[cid], w, float(norm))
    return gi


def read(key: str, folder: Path | None = None) -> GroundingIndex | None:
    """The stored index for ``key``, or None when there is none or it cannot be used."""
    try:
        raw = cache_path(key, folder).read_bytes()
        return load(json.loads(raw), key)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def write(gi: GroundingIndex, key: str, folder: Path | None = None) -> None:
    """Store the index atomically; never raises (a read-only data dir only costs speed)."""
    import tempfile  # only when writing (with shutil and random): most runs only read

    folder = folder or cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{_PREFIX}", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(dump(gi, key), fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, cache_path(key, folder))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        return


def _prune(folder: Path, prefix: str = _PREFIX, suffix: str = ".json") -> None:
    files = sorted(
        folder.glob(f"{prefix}*{suffix}"), key=lambda p: p.stat().st_mtime_ns, reverse=True
    )
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
