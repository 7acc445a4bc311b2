"""Guidance for the model: knowledge chunks retrieved per part of the plan, trimmed.

``GuidanceSource`` is the small interface the tier needs; ``KnowledgeGuidance``
implements it over ``service.knowledge.retriever.Retriever`` (swapping the
retriever is one line here). Retrieval is hybrid (vectors + BM25) when the
knowledge index is already built and current, and lexical (BM25) otherwise:
the LLM tier never builds the index on the fly, which takes minutes. When
cassettes are in use, retrieval is always lexical so that the prompts (and
so the request hashes) are the same on every machine.
``PLANREVIEW_LLM_RETRIEVAL=auto|hybrid|lexical`` overrides the choice.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Protocol

from service.llm.tokens import count_tokens
from service.settings import Settings

RETRIEVAL_ENV = "PLANREVIEW_LLM_RETRIEVAL"


@dataclass(frozen=True)
class GuidanceHit:
    """A retrieved chunk as the prompt shows it."""

    chunk_id: str
    title: str
    source: str
    text: str


class GuidanceSource(Protocol):
    def search(
        self, query: str, k: int, lang: str, script: str | None = None
    ) -> list[GuidanceHit]: ...


class KnowledgeGuidance:
    """Guidance from the shipped knowledge base (plus any extra knowledge dirs)."""

    def __init__(self, settings: Settings, mode: str | None = None) -> None:
        self.settings = settings
        self.mode = (mode or os.environ.get(RETRIEVAL_ENV) or "auto").strip().lower()
        self._retriever: object | None = None

    def _resolve_mode(self) -> str:
        if self.mode in ("hybrid", "lexical", "vector"):
            return self.mode
        try:
            from service.knowledge.store import KnowledgeStore

            return "hybrid" if KnowledgeStore(self.settings).is_current() else "lexical"
        except Exception:
            return "lexical"

    def search(self, query: str, k: int, lang: str, script: str | None = None) -> list[GuidanceHit]:
        """The k best chunks in the plan's language, its script (简/繁) first, one per topic."""
        from service.knowledge.retriever import Retriever

        if self._retriever is None:
            self._retriever = _shared_retriever(self.settings, self._resolve_mode())
        retriever = self._retriever
        assert isinstance(retriever, Retriever)
        depth = k * 2 + 2
        try:
            hits = retriever.search(query, k=depth, lang=lang)
        except Exception:
            if retriever.mode == "lexical":
                return []
            retriever.mode = "lexical"  # an index that cannot be read: fall back to BM25
            try:
                hits = retriever.search(query, k=depth, lang=lang)
            except Exception:
                return []
        chunks = [h.chunk for h in hits]
        if script:  # a 繁體 plan gets 繁體 guidance where there is some (stable: rank kept)
            chunks.sort(key=lambda c: c.script != script)
        out: list[GuidanceHit] = []
        topics: set[str] = set()
        for c in chunks:
            topic = re.sub(r"-(en|zh|zht)$", "", c.chunk_id)
            if topic in topics:
                continue
            topics.add(topic)
            out.append(GuidanceHit(c.chunk_id, c.title, c.source, c.text))
            if len(out) >= k:
                break
        return out


_retrievers: dict[tuple[str, str], object] = {}
_lock = threading.Lock()


def _shared_retriever(settings: Settings, mode: str) -> object:
    """One Retriever per (data dir, mode) per process: its BM25 index takes seconds to build."""
    from service.knowledge.retriever import Retriever

    # BM25 depends on the corpus only; the vector side also on the index in the data dir.
    key = ("" if mode == "lexical" else str(settings.data_dir), mode)
    with _lock:
        found = _retrievers.get(key)
        if found is None:
            found = Retriever(settings, mode=mode, auto_index=False)  # type: ignore[arg-type]
            _retrievers[key] = found
        return found


class StaticGuidance:
    """A fixed list of hits (tests, and `planreview llm usage --no-retrieval`)."""

    def __init__(self, hits: list[GuidanceHit] | None = None) -> None:
        self.hits = hits or []

    def search(self, query: str, k: int, lang: str, script: str | None = None) -> list[GuidanceHit]:
        return self.hits[:k]


def trim_to_tokens(text: str, limit: int) -> str:
    """The text with whitespace collapsed, cut at a word (or character) to ``limit`` tokens."""
    text = re.sub(r"\s+", " ", text).strip()
    if count_tokens(text) <= limit:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix within the limit
        mid = (lo + hi + 1) // 2
        if count_tokens(text[:mid] + "…") <= limit:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    space = cut.rfind(" ")
    if space > lo * 0.7:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…" if cut else ""
