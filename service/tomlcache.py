"""The shipped TOML data files, parsed once per content rather than once per run.

The vocabulary files (service/rules/vocabulary/*.toml, about 20 kB) were parsed by every
`planreview review` process: ``tomllib`` is pure Python, and parsing them took about as long
as loading the rest of the vocabulary. The parsed tables are kept as JSON in the cache folder
(``recache.cache_dir()``), in a file named by the source's name and a hash of its text, so an
edited file is parsed again (and its old entry removed) on the next run. JSON, not pickle:
loading it must not run code. Anything that goes wrong (an unreadable, corrupt or read-only
cache) only means the file is parsed as before. ``PLANREVIEW_REGEX_CACHE=0``, which turns
the command line's pattern cache off, turns this one off too.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from service.recache import cache_dir

_FORMAT = 1  # bump when the stored layout changes


def load(path: Path) -> dict[str, Any]:
    """``tomllib.loads(path.read_text(encoding="utf-8"))``, from the cache when it has it."""
    text = path.read_text(encoding="utf-8")
    if os.environ.get("PLANREVIEW_REGEX_CACHE", "1").lower() in ("0", "false", "no"):
        return _parse(text)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    prefix = f"toml-{path.stem}-v{_FORMAT}-"
    stored = cache_dir() / f"{prefix}{digest}.json"
    try:
        cached = json.loads(stored.read_bytes())
    except (OSError, ValueError):
        cached = None
    if isinstance(cached, dict):
        return cached
    parsed = _parse(text)
    _store(stored, prefix, parsed)
    return parsed


def _parse(text: str) -> dict[str, Any]:
    import tomllib  # imported only when a file is parsed: not when the cache has it

    return tomllib.loads(text)


def _store(stored: Path, prefix: str, parsed: dict[str, Any]) -> None:
    """Write the parsed tables if JSON gives them back unchanged; never raises."""
    try:
        dumped = json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
        if json.loads(dumped) != parsed:
            return  # a value JSON would change (none in the shipped files)
        stored.parent.mkdir(parents=True, exist_ok=True)
        tmp = stored.with_name(f"{stored.name}.{os.getpid()}.tmp")
        tmp.write_text(dumped, encoding="utf-8")
        os.replace(tmp, stored)
        for old in stored.parent.glob(f"{prefix}*.json"):
            if old != stored:
                old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        return
