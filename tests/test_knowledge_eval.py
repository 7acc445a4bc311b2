"""The retrieval eval on the real corpus and the real model (builds the full index: slow)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from service.knowledge import corpus
from service.knowledge.corpus import load_corpus, shipped_knowledge_dir
from service.knowledge.embeddings import get_embedder
from service.knowledge.retriever import Retriever
from service.settings import Settings
from service.text import detect_script

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "eval/retrieval/queries.jsonl"
HAS_CORPUS = (shipped_knowledge_dir() / "frameworks").is_dir() and QUERIES.is_file()


def _runner() -> Any:
    spec = importlib.util.spec_from_file_location("retrieval_run", REPO / "eval/retrieval/run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not HAS_CORPUS, reason="knowledge/ or the queries are not written yet")
def test_queries_name_existing_chunks() -> None:
    corpus.clear_cache()
    ids = {c.chunk_id for c in load_corpus([shipped_knowledge_dir()])}
    rows = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 60
    groups = {g: sum(1 for r in rows if r["group"] == g) for g in ("en", "zh", "cross", "mixed")}
    assert groups["en"] >= 20 and groups["zh"] >= 20 and groups["cross"] + groups["mixed"] >= 20
    assert sum(1 for r in rows if r["group"] == "zh" and detect_script(r["query"]) == "hant") >= 5
    for r in rows:
        assert r["relevant_chunk_ids"] and set(r["relevant_chunk_ids"]) <= ids, r["id"]
        if r["lang"]:
            assert all(
                i.rsplit("-", 1)[1].startswith(r["lang"][:2]) for i in r["relevant_chunk_ids"]
            ), r["id"]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_CORPUS, reason="knowledge/ or the queries are not written yet")
def test_hybrid_retrieval_meets_the_bar(tmp_path: Path) -> None:
    corpus.clear_cache()
    run = _runner()
    retriever = Retriever(Settings(data_dir=tmp_path), get_embedder(), [shipped_knowledge_dir()])
    stats = retriever.store.index()
    assert stats.total == len(load_corpus([shipped_knowledge_dir()])) == stats.added
    res = run.evaluate(retriever, run.load_queries(), "hybrid")
    assert res["all"]["fw@3"] >= 0.9, res["all"]
    assert res["all"]["recall@3"] >= 0.85, res["all"]
    for group in ("en", "zh", "cross", "mixed"):
        assert res[group]["recall@5"] >= 0.7, (group, res[group])
    # nothing is re-embedded for an unchanged corpus
    assert retriever.store.index().embedded == 0
