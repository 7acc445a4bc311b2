"""A disk cache for compiled regular expressions, so start-up does not re-parse them.

The reading layer's vocabulary is several hundred regular expressions (cue words in two
languages, heading words, date forms), and every run of the CLI used to parse and compile all
of them again: about half the start-up time of a review. Python caches compiled *bytecode* in
``.pyc`` files but not compiled *patterns*; this module does the same for patterns. It wraps
the standard library's pattern compiler (``re._compiler.compile``): a pattern seen before is
rebuilt from its stored program with ``_sre.compile``, a new one is compiled as usual and its
program remembered; new programs are written back at exit.

The stored data is plain ``marshal`` data (strings, bytes, ints, tuples, dicts: no code
objects are loaded), keyed on the interpreter's version and the regex engine's ``MAGIC``, so a
cache from another Python is ignored. A program is stored as the bytes of its machine words
(an ``array``), made a list again only when its pattern is compiled: the file holds the
patterns of every command (and of earlier versions), and reading thousands of programs as
lists of ints took longer than the rest of loading it. Any problem (an unknown interpreter,
an unreadable or corrupt file, a read-only home) turns the cache off and patterns compile as
before.
``PLANREVIEW_REGEX_CACHE=0`` turns it off; ``PLANREVIEW_CACHE_DIR`` moves it.

Some libraries build a pattern from a set (``tokenize``'s string prefixes, markdown-it's
escapable characters), so its text changes with the hash seed of each process: remembered
as is, every run would add another spelling of the same big pattern and write the whole
file again, and the file (read at every start) would grow by a few kilobytes a run. A new
pattern with the length, flags and character sum of a stored one is taken to be such a
reshuffle and compiled as usual without being stored.
"""

from __future__ import annotations

import atexit
import marshal
import os
import re
import sys
from array import array
from pathlib import Path
from typing import Any

# 2: with the signatures (format 1 files are full of reshuffled patterns); 3: programs as bytes
_FORMAT = 3
_MAX_ENTRIES = 20_000

_entries: dict[tuple[str, int], tuple[int, bytes, int, dict[str, int], tuple[Any, ...]]] = {}
_signatures: set[tuple[int, int, int]] = set()
_dirty = False
_installed = False


def cache_dir() -> Path:
    """The folder of the command line's caches (this one, service/tomlcache.py)."""
    return Path(
        os.environ.get("PLANREVIEW_CACHE_DIR")
        or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
            "planreview",
        )
    )


def _cache_file() -> Path:
    import _sre

    tag = f"{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}"
    return cache_dir() / f"regex-{tag}-v{_FORMAT}.marshal"


def install() -> None:
    """Route pattern compilation through the cache (once per process; a no-op when off)."""
    global _installed
    if _installed or os.environ.get("PLANREVIEW_REGEX_CACHE", "1").lower() in ("0", "false", "no"):
        return
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] < (3, 15):
        return
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]

        compile_program = _compiler._code
        parse = _parser.parse
        original = _compiler.compile
    except (ImportError, AttributeError):
        return
    # the array type of the engine's code words (SRE_CODE: 4 bytes in CPython)
    words = next((t for t in "IL" if array(t).itemsize == _sre.CODESIZE), None)
    if words is None:
        return
    _installed = True
    _load()

    def cached_compile(p: Any, flags: int = 0) -> Any:
        global _dirty
        if not isinstance(p, str) or flags & re.DEBUG:
            return original(p, flags)
        key = (p, int(flags))
        hit = _entries.get(key)
        if hit is not None:
            stored_flags, code, groups, groupindex, indexgroup = hit
            try:
                program = array(words, code).tolist()
                return _sre.compile(p, stored_flags, program, groups, groupindex, indexgroup)
            except (TypeError, ValueError):  # an entry that is not what this module writes
                return original(p, flags)
        sig = _signature(p, flags)
        if sig in _signatures:
            return original(p, flags)  # another spelling of a stored pattern: not kept
        parsed = parse(p, flags)
        names = dict(parsed.state.groupdict)
        by_index: list[Any] = [None] * parsed.state.groups
        for name, i in names.items():
            by_index[i] = name
        indexgroup = tuple(by_index)
        final_flags = int(flags | parsed.state.flags)
        program = [int(op) for op in compile_program(parsed, flags)]  # opcodes: int subclasses
        groups = parsed.state.groups - 1
        if len(_entries) < _MAX_ENTRIES:
            try:
                code = array(words, program).tobytes()
            except OverflowError:  # a word that does not fit: compiled, not stored
                pass
            else:
                _entries[key] = (final_flags, code, groups, names, indexgroup)
                _signatures.add(sig)
                _dirty = True
        return _sre.compile(p, final_flags, program, groups, names, indexgroup)

    _compiler.compile = cached_compile
    atexit.register(_save)


def _signature(pattern: str, flags: int) -> tuple[int, int, int]:
    """Equal for two orderings of the same characters (and rarely for anything else)."""
    return (int(flags), len(pattern), sum(pattern.encode("utf-8", "surrogatepass")))


def _load() -> None:
    try:
        data = marshal.loads(_cache_file().read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return
    if not (isinstance(data, tuple) and len(data) == 3 and data[0] == _FORMAT):
        return
    entries, signatures = data[1], data[2]
    if isinstance(entries, dict) and isinstance(signatures, set):
        _entries.update(entries)
        _signatures.update(signatures)


def _save() -> None:
    if not _dirty:
        return
    path = _cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((_FORMAT, _entries, _signatures)))
        os.replace(tmp, path)
    except (OSError, ValueError):
        return  # a read-only home, a full disk, an odd pattern: the next run compiles again
