"""An organisation's own guidance, added through the API.

Uploaded documents use the corpus format of knowledge/ (front matter, one
``## `` chunk per heading with an id comment; see service/knowledge/corpus.py)
and are stored in the database (shared by every replica, see
:mod:`service.store.guidance`) and in ``<data dir>/guidance``, a folder the
server adds to ``PLANREVIEW_EXTRA_KNOWLEDGE_DIRS``: reviews cite them from then
on, and the next ``kb index`` (or the first vector search) embeds them.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from service.api.problems import ApiProblem
from service.errors import KnowledgeError
from service.settings import Settings, get_settings
from service.store.db import Database

EXTRA_DIRS_ENV = "PLANREVIEW_EXTRA_KNOWLEDGE_DIRS"
_SLUG = re.compile(r"[^a-z0-9._-]+")


def guidance_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "guidance"


def enable_guidance_dir(settings: Settings) -> Path:
    """Create the folder and make it an extra knowledge root for this process and its children."""
    folder = guidance_dir(settings).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    current = [Path(p).resolve() for p in settings.extra_knowledge_dirs]
    if folder not in current:
        os.environ[EXTRA_DIRS_ENV] = json.dumps([*map(str, current), str(folder)])
        get_settings.cache_clear()
    return folder


@dataclass(frozen=True)
class Added:
    document: str
    chunks: list[str]
    knowledge_version: str


def document_name(name: str) -> str:
    stem = _SLUG.sub("-", Path(name.replace("\\", "/")).name.lower()).strip("-.")
    stem = stem.removesuffix(".md").removesuffix(".markdown")[:80].strip("-.")
    if not stem:
        raise ApiProblem(
            422, "the document needs a name made of letters or digits", kind="invalid-request"
        )
    return f"{stem}.md"


def add_document(name: str, data: bytes, settings: Settings, db: Database | None = None) -> Added:
    """Validate a guidance document and store it; problems name the line that is wrong.

    With ``db`` it is stored in the database too (first), where every other replica's
    sync picks it up; the folder is brought up to date first, so that an id clash with
    a document another replica was given is found.
    """
    from service.knowledge.corpus import clear_cache, knowledge_version, load_corpus, parse_file
    from service.rules.catalogue import BY_CODE

    folder = guidance_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    if db is not None:
        from service.store.guidance import sync_folder

        sync_folder(db, folder)
    stored = document_name(name)
    source = f"{folder.name}/{stored}"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiProblem(
            422,
            f"{name}: the document is not UTF-8 text",
            kind="bad-input",
            hint="save it as UTF-8 Markdown",
        ) from None
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / stored
        probe.write_bytes(data)
        try:
            chunks = parse_file(probe, source, shipped=False, known_codes=set(BY_CODE))
        except KnowledgeError as exc:
            raise ApiProblem(
                422,
                exc.message,
                kind="bad-input",
                hint=exc.hint or "see the guidance format in docs/api.md",
            ) from None
    if not chunks:
        raise ApiProblem(
            422,
            f"{name}: the document has no '## ' sections with an id comment",
            kind="bad-input",
            hint="see the guidance format in docs/api.md",
        )
    target = folder / stored
    existing = {c.chunk_id: c.source for c in load_corpus() if c.source != source}
    clashes = sorted(c.chunk_id for c in chunks if c.chunk_id in existing)
    if clashes:
        raise ApiProblem(
            409,
            f"{name}: chunk id {clashes[0]!r} is already used in {existing[clashes[0]]}",
            kind="conflict",
            hint="give the sections ids of your own, e.g. 'acme-risk-review-en'",
        )
    if db is not None:
        from service.store.guidance import put

        put(db, stored, data, [c.chunk_id for c in chunks])
    tmp_target = target.with_suffix(".md.tmp")
    tmp_target.write_bytes(data)
    os.replace(tmp_target, target)
    clear_cache()
    return Added(stored, [c.chunk_id for c in chunks], knowledge_version())
