"""The vector index: Chroma through langchain-chroma, kept incrementally.

Embedded ``PersistentClient`` under ``Settings.data_dir / "index" / "chroma"``
by default; a Chroma server (``HttpClient``) when ``Settings.chroma_host`` (and
optionally ``chroma_port``) is set. Each chunk's metadata stores the hash of
its embedded text and of its metadata, so ``index()`` re-embeds only new or
changed chunks, rewrites metadata-only changes without embedding, and deletes
chunks that left the corpus. ``index.json`` beside the index records the
model, the knowledge version and the last build.

chromadb and langchain are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from service.errors import KnowledgeError
from service.knowledge.corpus import Chunk, knowledge_version, load_corpus
from service.knowledge.embeddings import Embedder, as_langchain, get_embedder
from service.settings import Settings, get_settings

if TYPE_CHECKING:
    from langchain_chroma import Chroma

ProgressFn = Callable[[int, int], None]
"""Called with (chunks embedded so far, chunks to embed)."""

INDEX_INFO_FILE = "index.json"
_BATCH = 16


class _Snapshot:
    """Every vector of a local index in one array, for queries that need no Chroma.

    Opening Chroma through langchain costs 2-3 s of imports per process, several times a
    whole search; with a few hundred chunks an exact cosine over all of them takes under a
    millisecond. Written after each build (``<collection>.vectors.npz`` beside index.json)
    and used only while index.json still describes the same build.
    """

    def __init__(
        self, stamp: str, ids: list[str], vectors: Any, languages: list[str], frameworks: list[str]
    ) -> None:
        import numpy as np

        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.stamp = stamp
        self.ids = ids
        self.vectors = vectors / np.where(norms == 0, 1.0, norms)
        self.languages = np.asarray(languages)
        self.frameworks = frameworks

    def search(
        self, qv: list[float], k: int, lang: str | None, frameworks: list[str] | None
    ) -> list[tuple[str, float]]:
        import numpy as np

        q = np.asarray(qv, dtype=np.float32)
        norm = float(np.linalg.norm(q))
        scores = self.vectors @ (q / norm if norm else q)
        keep = np.ones(len(self.ids), dtype=bool)
        if lang:
            keep &= self.languages == lang
        if frameworks:
            wanted = [f",{f}," for f in frameworks]
            keep &= np.array([any(w in fw for w in wanted) for fw in self.frameworks], dtype=bool)
        idx = np.flatnonzero(keep)
        if not len(idx):
            return []
        best = idx[np.argsort(-scores[idx], kind="stable")[:k]]
        return [(self.ids[i], round(float(scores[i]), 6)) for i in best]


class IndexStats(BaseModel):
    """What one ``index()`` run did."""

    added: int = Field(default=0, description="New chunks embedded.")
    updated: int = Field(default=0, description="Changed chunks re-embedded.")
    metadata_updated: int = Field(
        default=0, description="Chunks whose metadata changed (not re-embedded)."
    )
    removed: int = Field(default=0, description="Chunks deleted from the index.")
    unchanged: int = Field(default=0, description="Chunks left as they were.")
    total: int = Field(default=0, description="Chunks in the index afterwards.")
    seconds: float = Field(default=0.0, description="Wall time of the run.")
    model: str = Field(default="", description="Embedder name.")
    location: str = Field(default="", description="Index directory or Chroma server URL.")
    knowledge_version: str = ""

    @property
    def embedded(self) -> int:
        return self.added + self.updated


class IndexInfo(BaseModel):
    """index.json: what the index holds and when it was built."""

    model: str
    dim: int
    collection: str
    knowledge_version: str
    built_at: str
    chunks: int
    location: str
    seconds: float = 0.0


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", text).strip("-")[:50]


def framework_flag(name: str) -> str:
    """Metadata key marking that a chunk belongs to a framework (Chroma filters on it)."""
    return "fw_" + re.sub(r"[^a-z0-9_]", "_", name.lower())


def chunk_metadata(c: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "chunk_id": c.chunk_id,
        "title": c.title,
        "source": c.source,
        "language": c.language,
        "script": c.script,
        "kind": c.kind,
        "frameworks": "," + ",".join(c.frameworks) + ",",
        "codes": "," + ",".join(c.codes) + ",",
        "sha256": c.sha256,
        "meta_sha256": c.meta_sha256,
    }
    for fw in c.frameworks:
        meta[framework_flag(fw)] = True
    return meta


def build_where(
    lang: str | None = None, frameworks: list[str] | None = None
) -> dict[str, Any] | None:
    """A Chroma ``where`` filter for a language and any of some frameworks."""
    parts: list[dict[str, Any]] = []
    if lang:
        parts.append({"language": lang})
    if frameworks:
        flags = [{framework_flag(f): True} for f in frameworks]
        parts.append(flags[0] if len(flags) == 1 else {"$or": flags})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class KnowledgeStore:
    """The Chroma collection holding the corpus' embeddings."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        dirs: list[Path] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.embedder = embedder or get_embedder(self.settings)
        self.dirs = dirs
        self._vs: Chroma | None = None
        self._snap: _Snapshot | None = None

    # ----------------------------------------------------------------- where

    @property
    def index_dir(self) -> Path:
        return Path(self.settings.data_dir) / "index"

    @property
    def remote(self) -> bool:
        return bool(self.settings.chroma_host)

    @property
    def location(self) -> str:
        if self.remote:
            return f"http://{self.settings.chroma_host}:{self.settings.chroma_port or 8000}"
        return str(self.index_dir / "chroma")

    @property
    def collection_name(self) -> str:
        return _slug(f"planreview-{self.embedder.name}")

    # ----------------------------------------------------------------- chroma

    def _client(self) -> Any:
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as exc:  # pragma: no cover - a broken install
            raise KnowledgeError("chromadb is not installed", hint="pip install chromadb") from exc
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self.remote:
                return chromadb.HttpClient(
                    host=str(self.settings.chroma_host),
                    port=int(self.settings.chroma_port or 8000),
                    settings=chroma_settings,
                )
            path = self.index_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:
            raise KnowledgeError(
                f"cannot open the knowledge index at {self.location}: {exc}",
                hint="check PLANREVIEW_CHROMA_HOST/PORT or the data dir",
            ) from exc

    def vectorstore(self) -> Chroma:
        """The langchain-chroma vector store (created on first call)."""
        if self._vs is None:
            from langchain_chroma import Chroma

            try:
                self._vs = Chroma(
                    collection_name=self.collection_name,
                    embedding_function=as_langchain(self.embedder),
                    client=self._client(),
                    collection_configuration={"hnsw": {"space": "cosine"}},
                )
            except KnowledgeError:
                raise
            except Exception as exc:
                raise KnowledgeError(
                    f"cannot open the knowledge collection at {self.location}: {exc}",
                    hint="run `planreview kb index --force`",
                ) from exc
        return self._vs

    # ----------------------------------------------------------------- info

    def info(self) -> IndexInfo | None:
        """What index.json says, or None before the first build."""
        path = self.index_dir / INDEX_INFO_FILE
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            infos = data.get(self.location) if isinstance(data, dict) else None
            return IndexInfo.model_validate(infos) if infos else None
        except (OSError, ValueError):
            return None

    def _write_info(self, info: IndexInfo) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        path = self.index_dir / INDEX_INFO_FILE
        data: dict[str, Any] = {}
        if path.is_file():
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    data = loaded
        data[self.location] = info.model_dump()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def is_current(self) -> bool:
        """The index was built with this model from this exact corpus."""
        info = self.info()
        return (
            info is not None
            and info.model == self.embedder.name
            and info.collection == self.collection_name
            and info.knowledge_version == knowledge_version(self.dirs)
        )

    def ensure_index(self, progress: ProgressFn | None = None) -> IndexStats | None:
        """Build or update the index when the corpus or model changed; None when current."""
        if self.is_current():
            return None
        return self.index(progress=progress)

    # ----------------------------------------------------------------- build

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / ".lock", "a+") as fh:
            try:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            except ImportError:  # pragma: no cover - not POSIX
                pass
            yield

    def index(self, force: bool = False, progress: ProgressFn | None = None) -> IndexStats:
        """Bring the index in line with the corpus, embedding only what changed.

        ``force`` drops the collection and embeds everything again.
        """
        start = time.perf_counter()
        chunks = load_corpus(self.dirs)
        version = knowledge_version(self.dirs)
        stats = IndexStats(
            model=self.embedder.name, location=self.location, knowledge_version=version
        )
        with self._build_lock():
            vs = self.vectorstore()
            try:
                if force:
                    vs.reset_collection()
                existing = vs.get(include=["metadatas"])
            except Exception as exc:
                raise KnowledgeError(
                    f"cannot read the knowledge index at {self.location}: {exc}",
                    hint="run `planreview kb index --force`",
                ) from exc
            have: dict[str, dict[str, Any]] = {
                i: (m or {}) for i, m in zip(existing["ids"], existing["metadatas"], strict=False)
            }
            wanted = {c.chunk_id: c for c in chunks}
            to_embed: list[Chunk] = []
            meta_only: list[Chunk] = []
            for c in chunks:
                old = have.get(c.chunk_id)
                if old is None:
                    stats.added += 1
                    to_embed.append(c)
                elif old.get("sha256") != c.sha256:
                    stats.updated += 1
                    to_embed.append(c)
                elif old.get("meta_sha256") != c.meta_sha256:
                    stats.metadata_updated += 1
                    meta_only.append(c)
                else:
                    stats.unchanged += 1
            gone = [i for i in have if i not in wanted]
            stats.removed = len(gone)
            try:
                self._apply(vs, to_embed, meta_only, gone, progress)
            except KnowledgeError:
                raise
            except Exception as exc:
                raise KnowledgeError(
                    f"updating the knowledge index at {self.location} failed: {exc}",
                    hint="run `planreview kb index --force`",
                ) from exc
            stats.total = len(chunks)
            stats.seconds = round(time.perf_counter() - start, 3)
            info = IndexInfo(
                model=self.embedder.name,
                dim=int(self.embedder.dim),
                collection=self.collection_name,
                knowledge_version=version,
                built_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                chunks=len(chunks),
                location=self.location,
                seconds=stats.seconds,
            )
            self._write_info(info)
            self._write_snapshot(info)
        return stats

    # ----------------------------------------------------------------- snapshot

    @property
    def snapshot_path(self) -> Path:
        return self.index_dir / f"{self.collection_name}.vectors.npz"

    @staticmethod
    def _stamp(info: IndexInfo) -> str:
        return f"{info.model}|{info.collection}|{info.knowledge_version}|{info.built_at}"

    def _write_snapshot(self, info: IndexInfo) -> None:
        """Export the collection's vectors for Chroma-free queries (local indexes only)."""
        if self.remote:
            return
        import numpy as np

        try:
            got = self.vectorstore().get(include=["embeddings", "metadatas"])
            metas = [m or {} for m in got["metadatas"]]
            vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(metas), -1)
            tmp = self.snapshot_path.with_suffix(".tmp.npz")
            np.savez(
                tmp,
                stamp=np.asarray(self._stamp(info)),
                ids=np.asarray(
                    [str(m.get("chunk_id") or i) for m, i in zip(metas, got["ids"], strict=True)]
                ),
                vectors=vectors,
                languages=np.asarray([str(m.get("language", "")) for m in metas]),
                frameworks=np.asarray([str(m.get("frameworks", "")) for m in metas]),
            )
            tmp.replace(self.snapshot_path)
        except Exception:  # the snapshot is an optimisation: Chroma answers without it
            self.snapshot_path.unlink(missing_ok=True)
        self._snap = None

    def snapshot(self) -> _Snapshot | None:
        """The vectors of the current build, or None (remote index, no or stale snapshot)."""
        if self.remote:
            return None
        info = self.info()
        if info is None:
            return None
        stamp = self._stamp(info)
        if self._snap is not None and self._snap.stamp == stamp:
            return self._snap
        import numpy as np

        try:
            with np.load(self.snapshot_path, allow_pickle=False) as data:
                if str(data["stamp"]) != stamp:
                    return None
                self._snap = _Snapshot(
                    stamp,
                    [str(x) for x in data["ids"]],
                    data["vectors"].astype(np.float32),
                    [str(x) for x in data["languages"]],
                    [str(x) for x in data["frameworks"]],
                )
        except (OSError, KeyError, ValueError):
            return None
        return self._snap

    def _apply(
        self,
        vs: Chroma,
        to_embed: list[Chunk],
        meta_only: list[Chunk],
        gone: list[str],
        progress: ProgressFn | None,
    ) -> None:
        if gone:
            vs.delete(ids=gone)
        if meta_only:
            ids = [c.chunk_id for c in meta_only]
            got = vs.get(ids=ids, include=["embeddings"])
            vectors = dict(zip(got["ids"], got["embeddings"], strict=False))
            # delete + add, so stale framework flags do not survive a metadata merge
            vs.delete(ids=ids)
            vs._collection.add(  # the stored vectors are reused: no embedding
                ids=ids,
                embeddings=[[float(x) for x in vectors[i]] for i in ids],  # type: ignore[arg-type]
                metadatas=[chunk_metadata(c) for c in meta_only],
                documents=[c.embed_text for c in meta_only],
            )
        total = len(to_embed)
        if total:
            changed = [c.chunk_id for c in to_embed]
            vs.delete(ids=changed)
        done = 0
        if progress:
            progress(0, total)
        for i in range(0, total, _BATCH):
            batch = to_embed[i : i + _BATCH]
            vs.add_texts(
                texts=[c.embed_text for c in batch],
                metadatas=[chunk_metadata(c) for c in batch],
                ids=[c.chunk_id for c in batch],
            )
            done += len(batch)
            if progress:
                progress(done, total)

    # ----------------------------------------------------------------- query

    def count(self) -> int:
        return int(self.vectorstore()._collection.count())

    def embed_query(self, query: str) -> list[float]:
        return [float(x) for x in self.embedder.embed_query(query)]

    def vector_search(
        self,
        query: str | list[float],
        k: int = 20,
        lang: str | None = None,
        frameworks: list[str] | None = None,
    ) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first; query is text or its vector. From the
        build's vector snapshot when there is one (exact cosine, no Chroma import), else from
        Chroma (and the snapshot is written for the next query)."""
        snap = self.snapshot()
        if snap is not None:
            qv0 = self.embed_query(query) if isinstance(query, str) else query
            return snap.search(qv0, k, lang, frameworks)
        info = self.info()
        if info is not None and not self.remote and self.is_current():
            self._write_snapshot(info)
        vs = self.vectorstore()
        n = self.count()
        if n == 0:
            return []
        qv = self.embed_query(query) if isinstance(query, str) else query
        try:
            hits = vs.similarity_search_by_vector_with_relevance_scores(
                qv, k=min(k, n), filter=build_where(lang, frameworks)
            )
        except Exception as exc:
            raise KnowledgeError(
                f"knowledge search failed at {self.location}: {exc}",
                hint="run `planreview kb index`",
            ) from exc
        out: list[tuple[str, float]] = []
        for doc, distance in hits:
            cid = str((doc.metadata or {}).get("chunk_id") or doc.id or "")
            if cid:
                out.append((cid, round(1.0 - float(distance), 6)))
        return out
