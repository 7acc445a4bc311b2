"""Organisation guidance shared through the database, mirrored into each replica's folder.

The database holds every uploaded document; each server and worker keeps a copy
in its ``<data dir>/guidance`` folder (an extra knowledge root), because the
corpus, the grounding index and the retriever read folders. ``sync_folder``
makes the folder match the database: missing or changed documents are written
(atomically), and a document found only in the folder (uploaded before the
database kept them, on a single server) is adopted into the database, so
nothing already there is lost. The corpus notices changed files by their
mtime and size, so reviews cite new guidance from the next one on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from sqlalchemy import select

from service.store.db import Database
from service.store.tables import GuidanceRow, utcnow

log = logging.getLogger("planreview.guidance")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(db: Database, name: str, data: bytes, chunks: list[str]) -> None:
    """Store (or replace) a document."""
    with db.session() as s:
        row = s.get(GuidanceRow, name)
        if row is None:
            row = GuidanceRow(name=name)
            s.add(row)
        row.content = data
        row.sha256 = sha256(data)
        row.chunks_json = json.dumps(chunks)
        row.updated_at = utcnow()


def digests(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {n: h for n, h in s.execute(select(GuidanceRow.name, GuidanceRow.sha256))}


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def sync_folder(db: Database, folder: Path) -> bool:
    """Make ``folder`` hold the database's documents; True when a file changed."""
    folder.mkdir(parents=True, exist_ok=True)
    stored = digests(db)
    local = {p.name: p for p in folder.glob("*.md") if p.is_file()}
    changed = False
    wanted = [n for n, h in stored.items() if n not in local or sha256(local[n].read_bytes()) != h]
    if wanted:
        with db.session() as s:
            for row in s.scalars(select(GuidanceRow).where(GuidanceRow.name.in_(wanted))):
                _write(folder / row.name, row.content)
                changed = True
    for name, path in local.items():
        if name not in stored:  # from before the database kept guidance: keep it, share it
            put(db, name, path.read_bytes(), [])
            log.info("guidance %s adopted into the database", name)
    if changed:
        from service.knowledge.corpus import clear_cache

        clear_cache()
    return changed


class GuidanceSync:
    """A daemon thread that mirrors the database's guidance every ``interval`` seconds."""

    def __init__(self, db: Database, folder: Path, interval: float) -> None:
        self.db, self.folder, self.interval = db, folder, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None and self.interval > 0:
            self._thread = threading.Thread(
                target=self._run, name="planreview-guidance", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                sync_folder(self.db, self.folder)
            except Exception:  # a database hiccup: next round
                log.exception("syncing guidance from the database failed")

    def shutdown(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
