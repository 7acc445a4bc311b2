"""The knowledge corpus: framework guidance and case cards as chunks.

A knowledge root holds Markdown files, by convention ``frameworks/<topic>.<lang>.md``
(guidance) and ``cases/<slug>.<lang>.md`` (case cards). Each file is::

    ---
    title: SMART goals
    language: en            # en | zh
    frameworks: [smart]
    script: hant            # optional, zh only: hant (繁體) or hans (简体, the default)
    ---
    # optional preamble, ignored

    ## SMART: Measurable
    <!-- id: smart-measurable-en; frameworks: smart; codes: smart.measurable, okr.kr-not-measurable -->
    Body text ...

One chunk per ``## `` heading. Ids end ``-en``, ``-zh`` (简体) or ``-zht`` (繁體).

Roots: the shipped ``knowledge/`` folder (found next to ``service/``; the
environment variable ``PLANREVIEW_KNOWLEDGE_DIR`` overrides it) plus an
organisation's own folders from ``Settings.extra_knowledge_dirs``
(``PLANREVIEW_EXTRA_KNOWLEDGE_DIRS='["/path/to/guidance"]'``). A root with
``frameworks/`` or ``cases/`` folders is read from those; any other root is
read whole (every ``*.md`` except README.md, recursively). Files under a
``cases/`` folder are case cards; the rest is guidance.

This module is on the offline review path: it imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.errors import KnowledgeError
from service.resources import shipped_folder

ChunkKind = Literal["guidance", "case"]

KNOWLEDGE_DIR_ENV = "PLANREVIEW_KNOWLEDGE_DIR"
_SKIP_FILES = {"readme.md", "manifest.md", "changelog.md"}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*-(en|zh|zht)$")
_ID_COMMENT_RE = re.compile(r"^<!--\s*(.*?)\s*-->\s*$")
_FRAMEWORK_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class Chunk(BaseModel):
    """One retrievable unit of guidance: the text under one ``## `` heading."""

    # Its validator is built on first use: a review reads chunks from the grounding cache
    # (model_construct, no validation) and never parses a knowledge file.
    model_config = ConfigDict(defer_build=True)

    chunk_id: str = Field(
        description="Stable id, e.g. 'smart-measurable-en'; ends -en, -zh or -zht."
    )
    title: str = Field(description="The chunk's heading text.")
    source: str = Field(
        description="File path relative to its knowledge root's parent, "
        "e.g. 'knowledge/frameworks/smart.en.md'."
    )
    language: Literal["en", "zh"] = Field(description="Language of the chunk.")
    script: Literal["latin", "hans", "hant"] = Field(
        description="latin for English, hans (简体) or hant (繁體) for Chinese."
    )
    frameworks: list[str] = Field(default_factory=list, description="Frameworks it applies to.")
    codes: list[str] = Field(
        default_factory=list, description="Rule codes this chunk is guidance (or a case) for."
    )
    text: str = Field(description="The body under the heading, Markdown.")
    sha256: str = Field(description="Hash of title + text (what gets embedded).")
    kind: ChunkKind = Field(default="guidance", description="'guidance' or 'case' (a case card).")
    line: int = Field(default=1, ge=1, description="Line of the heading in the source file.")
    file_title: str = Field(default="", description="The title from the file's front matter.")
    shipped: bool = Field(
        default=True,
        description="From the main knowledge folder (the first root: the shipped knowledge/); "
        "False for an organisation's extra folder.",
    )

    @property
    def embed_text(self) -> str:
        """What the embedder sees: the heading, then the body."""
        return f"{self.title}\n{self.text}"

    @property
    def meta_sha256(self) -> str:
        """Hash of the metadata that does not change the embedding."""
        payload = "\x1f".join(
            [
                self.source,
                self.language,
                self.script,
                ",".join(self.frameworks),
                ",".join(self.codes),
                self.kind,
                str(self.line),
                self.file_title,
                str(self.shipped),
            ]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- roots


def shipped_knowledge_dir() -> Path:
    """The shipped knowledge/ folder: $PLANREVIEW_KNOWLEDGE_DIR, else the repository's or the installed copy."""
    override = os.environ.get(KNOWLEDGE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return shipped_folder("knowledge")


def default_dirs() -> list[Path]:
    """The shipped folder plus Settings.extra_knowledge_dirs."""
    from service.settings import get_settings

    return [shipped_knowledge_dir(), *get_settings().extra_knowledge_dirs]


def _iter_files(root: Path) -> list[Path]:
    """frameworks/ and cases/ when the root has them (as knowledge/ does), else every *.md."""
    if not root.is_dir():
        return []
    subs = [root / sub for sub in ("frameworks", "cases") if (root / sub).is_dir()]
    files = [p for sub in (subs or [root]) for p in sub.rglob("*.md") if p.is_file()]
    return sorted(p for p in files if p.name.lower() not in _SKIP_FILES)


def _kind_for(path: Path, root: Path) -> ChunkKind:
    parts = {p.lower() for p in path.relative_to(root).parts[:-1]}
    return "case" if parts & {"cases", "case", "案例"} else "guidance"


# --------------------------------------------------------------------------- parsing


def _fail(source: str, line: int, what: str) -> KnowledgeError:
    err = KnowledgeError(
        f"{source}:{line}: {what}",
        hint="the file format is described in service/knowledge/corpus.py",
    )
    err.retryable = False
    return err


def _parse_list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [v.strip().strip("'\"") for v in value.split(",") if v.strip().strip("'\"")]


@dataclass
class _FrontMatter:
    title: str
    language: Literal["en", "zh"]
    script: Literal["latin", "hans", "hant"]
    frameworks: list[str]
    end_line: int  # index (0-based) of the line after the closing ---


def _parse_front_matter(lines: list[str], source: str) -> _FrontMatter:
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "---":
        raise _fail(source, i + 1, "file must start with a front matter block between '---' lines")
    start = i
    values: dict[str, tuple[str, int]] = {}
    i += 1
    while i < len(lines) and lines[i].strip() != "---":
        raw = lines[i].strip()
        if raw and not raw.startswith("#"):
            if ":" not in raw:
                raise _fail(source, i + 1, f"front matter line is not 'key: value': {raw!r}")
            key, _, value = raw.partition(":")
            values[key.strip().lower()] = (value.strip().strip("'\""), i + 1)
        i += 1
    if i >= len(lines):
        raise _fail(source, start + 1, "front matter is not closed by a '---' line")
    for key in ("title", "language", "frameworks"):
        if key not in values or not values[key][0]:
            raise _fail(source, start + 1, f"front matter has no '{key}:'")
    language, lang_line = values["language"]
    if language not in ("en", "zh"):
        raise _fail(source, lang_line, f"language must be 'en' or 'zh', not {language!r}")
    script_value, script_line = values.get("script", ("", start + 1))
    script: Literal["latin", "hans", "hant"]
    if language == "en":
        if script_value not in ("", "latin"):
            raise _fail(source, script_line, f"script {script_value!r} given for an English file")
        script = "latin"
    elif script_value in ("", "hans"):
        script = "hans"
    elif script_value == "hant":
        script = "hant"
    else:
        raise _fail(source, script_line, f"script must be 'hant' or 'hans', not {script_value!r}")
    frameworks = _parse_list(values["frameworks"][0])
    for fw in frameworks:
        if not _FRAMEWORK_RE.match(fw):
            raise _fail(source, values["frameworks"][1], f"bad framework name {fw!r}")
    return _FrontMatter(values["title"][0], language, script, frameworks, i + 1)  # type: ignore[arg-type]


def _parse_id_comment(text: str, source: str, line: int) -> tuple[str, list[str] | None, list[str]]:
    m = _ID_COMMENT_RE.match(text.strip())
    if not m:
        raise _fail(
            source,
            line,
            "the line after a '## ' heading must be '<!-- id: ...; frameworks: ...; codes: ... -->'",
        )
    fields: dict[str, str] = {}
    for part in m.group(1).split(";"):
        if not part.strip():
            continue
        if ":" not in part:
            raise _fail(source, line, f"id comment field is not 'key: value': {part.strip()!r}")
        key, _, value = part.partition(":")
        fields[key.strip().lower()] = value.strip()
    if not fields.get("id"):
        raise _fail(source, line, "id comment has no 'id:'")
    frameworks = _parse_list(fields["frameworks"]) if "frameworks" in fields else None
    codes = _parse_list(fields.get("codes", ""))
    return fields["id"], frameworks, codes


def parse_file(
    path: Path,
    source: str,
    *,
    kind: ChunkKind = "guidance",
    shipped: bool = True,
    known_codes: Iterable[str] | None = None,
) -> list[Chunk]:
    """Parse one knowledge file into chunks; KnowledgeError names file and line."""
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(source, 1, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise _fail(source, 1, f"cannot read the file ({exc.strerror})") from exc
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fm = _parse_front_matter(lines, source)
    codes_ok = set(known_codes) if known_codes is not None else None

    chunks: list[Chunk] = []
    i = fm.end_line
    in_fence = False
    heading: tuple[str, int] | None = None
    body: list[str] = []
    meta: tuple[str, list[str] | None, list[str], int] | None = None

    def close() -> None:
        if heading is None or meta is None:
            return
        chunk_id, frameworks, codes, id_line = meta
        text = "\n".join(body).strip()
        if not text:
            raise _fail(source, heading[1], f"chunk {chunk_id!r} has no body text")
        chunks.append(
            _make_chunk(
                chunk_id,
                heading[0],
                text,
                source,
                fm,
                frameworks,
                codes,
                id_line,
                heading[1],
                kind,
                shipped,
                codes_ok,
            )
        )

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            close()
            title = line[3:].strip().rstrip("#").strip()
            if not title:
                raise _fail(source, i + 1, "empty '## ' heading")
            heading = (title, i + 1)
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines):
                raise _fail(source, i + 1, f"heading {title!r} has no id comment and no body")
            chunk_id, frameworks, codes = _parse_id_comment(lines[j], source, j + 1)
            meta = (chunk_id, frameworks, codes, j + 1)
            body = []
            i = j + 1
            continue
        if heading is not None:
            body.append(line)
        i += 1
    close()
    if not chunks:
        raise _fail(source, min(fm.end_line + 1, len(lines)), "no '## ' chunk in the file")
    return chunks


def _make_chunk(
    chunk_id: str,
    title: str,
    text: str,
    source: str,
    fm: _FrontMatter,
    frameworks: list[str] | None,
    codes: list[str],
    id_line: int,
    line: int,
    kind: ChunkKind,
    shipped: bool,
    known_codes: set[str] | None,
) -> Chunk:
    m = _ID_RE.match(chunk_id)
    if not m:
        raise _fail(
            source,
            id_line,
            f"chunk id {chunk_id!r} must be lowercase letters, digits and "
            "'-', ending -en, -zh or -zht",
        )
    suffix = m.group(1)
    expected = {"latin": "en", "hans": "zh", "hant": "zht"}[fm.script]
    if suffix != expected:
        raise _fail(
            source,
            id_line,
            f"chunk id {chunk_id!r} ends -{suffix} but the file is "
            f"language {fm.language} ({fm.script}): ids here must end -{expected}",
        )
    fws = frameworks if frameworks else list(fm.frameworks)
    for fw in fws:
        if not _FRAMEWORK_RE.match(fw):
            raise _fail(source, id_line, f"bad framework name {fw!r} in chunk {chunk_id!r}")
    if known_codes is not None:
        for code in codes:
            if code not in known_codes:
                raise _fail(
                    source,
                    id_line,
                    f"unknown rule code {code!r} in chunk {chunk_id!r} (see `planreview rules`)",
                )
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return Chunk(
        chunk_id=chunk_id,
        title=title,
        source=source,
        language=fm.language,
        script=fm.script,
        frameworks=fws,
        codes=codes,
        text=text,
        sha256=digest,
        kind=kind,
        line=line,
        file_title=fm.title,
        shipped=shipped,
    )


# --------------------------------------------------------------------------- loading + cache

_lock = threading.Lock()
_cache: dict[tuple[str, ...], tuple[tuple[tuple[str, int, int], ...], list[Chunk], str]] = {}


def _normalise_dirs(dirs: list[Path] | None) -> list[tuple[Path, bool]]:
    """Resolved roots, each with whether it is the main one (the first)."""
    chosen = default_dirs() if dirs is None else list(dirs)
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for d in chosen:
        p = Path(d).expanduser().resolve()
        if p in seen:
            continue
        seen.add(p)
        out.append((p, not out))
    return out


def _stat_fingerprint(
    roots: list[tuple[Path, bool]],
) -> tuple[list[tuple[Path, Path, bool]], tuple[tuple[str, int, int], ...]]:
    files: list[tuple[Path, Path, bool]] = []
    fp: list[tuple[str, int, int]] = []
    for root, shipped in roots:
        for f in _iter_files(root):
            st = f.stat()
            files.append((root, f, shipped))
            fp.append((str(f), st.st_mtime_ns, st.st_size))
    return files, tuple(fp)


def _source_name(root: Path, path: Path) -> str:
    return f"{root.name}/{path.relative_to(root).as_posix()}"


def _check_roots(roots: list[tuple[Path, bool]]) -> None:
    for root, main in roots:
        if root.is_dir():
            continue
        if main:
            raise KnowledgeError(
                f"{root}: knowledge folder not found",
                hint=f"set {KNOWLEDGE_DIR_ENV} to the knowledge/ folder of a planreview checkout "
                "(a non-editable install does not include it)",
            )
        raise KnowledgeError(
            f"{root}: extra knowledge folder does not exist",
            hint="fix PLANREVIEW_EXTRA_KNOWLEDGE_DIRS (a JSON list of folders)",
        )


def _load(dirs: list[Path] | None) -> tuple[list[Chunk], str]:
    roots = _normalise_dirs(dirs)
    _check_roots(roots)
    key = tuple(str(r) for r, _ in roots)
    files, fp = _stat_fingerprint(roots)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == fp:
            return hit[1], hit[2]

    from service.rules.catalogue import BY_CODE

    known = set(BY_CODE)
    chunks: list[Chunk] = []
    seen: dict[str, str] = {}
    version = hashlib.sha256()
    for root, path, shipped in files:
        source = _source_name(root, path)
        parsed = parse_file(
            path, source, kind=_kind_for(path, root), shipped=shipped, known_codes=known
        )
        for c in parsed:
            if c.chunk_id in seen:
                raise _fail(
                    source, c.line, f"chunk id {c.chunk_id!r} is already used in {seen[c.chunk_id]}"
                )
            seen[c.chunk_id] = source
            version.update(f"{c.chunk_id}\x1f{c.sha256}\x1f{c.meta_sha256}\n".encode())
        chunks.extend(parsed)
    digest = version.hexdigest()[:12] if chunks else "empty"
    with _lock:
        _cache[key] = (fp, chunks, digest)
    return chunks, digest


_digests: dict[tuple[str, ...], tuple[tuple[tuple[str, int, int], ...], str]] = {}


def stat_key(dirs: list[Path] | None = None) -> str:
    """Hash of what ``source_digest`` is memoised on: the roots, every file's path, mtime and
    size, and the rule codes. Equal keys mean the files were not touched (``git status``
    trusts the same), so a digest stored under this key can stand for reading them again."""
    roots = _normalise_dirs(dirs)
    _check_roots(roots)
    from service.rules.catalogue import BY_CODE

    _, fp = _stat_fingerprint(roots)
    h = hashlib.sha256("\x1f".join(sorted(BY_CODE)).encode())
    for root, shipped in roots:
        h.update(f"\x1e{root}\x1f{shipped}".encode())
    for name, mtime_ns, size in fp:
        h.update(f"\x1e{name}\x1f{mtime_ns}\x1f{size}".encode())
    return h.hexdigest()[:32]


def source_digest(dirs: list[Path] | None = None) -> str:
    """Hash of everything the chunks are made from, without parsing a file.

    Covers each root (and which one is the main one), every file's name and
    bytes, and the rule codes a chunk may name. Equal digests give equal
    ``load_corpus`` results, so a cache of what is derived from the corpus
    (the grounding index) can be keyed by it. Raises KnowledgeError like
    ``load_corpus`` when a folder is missing. Memoised per process on the
    files' mtimes and sizes.
    """
    roots = _normalise_dirs(dirs)
    _check_roots(roots)
    key = tuple(str(r) for r, _ in roots)
    files, fp = _stat_fingerprint(roots)
    with _lock:
        hit = _digests.get(key)
        if hit is not None and hit[0] == fp:
            return hit[1]
    from service.rules.catalogue import BY_CODE

    h = hashlib.sha256()
    h.update("\x1f".join(sorted(BY_CODE)).encode())
    for root, shipped in roots:
        h.update(f"\x1e{root}\x1f{shipped}".encode())
    for root, path, shipped in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _fail(
                _source_name(root, path), 1, f"cannot read the file ({exc.strerror})"
            ) from exc
        h.update(f"\x1e{_source_name(root, path)}\x1f{shipped}\x1f{len(data)}\x1f".encode())
        h.update(data)
    digest = h.hexdigest()
    with _lock:
        _digests[key] = (fp, digest)
    return digest


def load_corpus(dirs: list[Path] | None = None) -> list[Chunk]:
    """All chunks of the given knowledge roots (default: shipped + extra dirs).

    Cached per process and re-read when a file changes (mtime/size). Raises
    KnowledgeError naming file and line for a malformed file or a duplicate id.
    """
    return list(_load(dirs)[0])


def knowledge_version(dirs: list[Path] | None = None) -> str:
    """Short hash of the corpus content (ids, texts, metadata); 'empty' with no chunks."""
    return _load(dirs)[1]


def chunk_map(dirs: list[Path] | None = None) -> dict[str, Chunk]:
    """chunk_id -> Chunk for the corpus."""
    return {c.chunk_id: c for c in _load(dirs)[0]}


def clear_cache() -> None:
    """Forget cached corpora (tests)."""
    with _lock:
        _cache.clear()
        _digests.clear()
