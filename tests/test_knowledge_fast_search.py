"""A warm `kb search` without Chroma's imports or jieba's full dictionary (issue 14, item 9):
the vector snapshot answers as Chroma does, the query tokenizer finds the terms the full
dictionary finds, and the command says what it is doing and what its ranks mean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.knowledge import corpus, embeddings
from service.knowledge.embeddings import FakeEmbedder, embed_threads
from service.knowledge.store import KnowledgeStore
from service.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]


def _page(lang: str, fw: str, sections: list[tuple[str, str, str]]) -> str:
    head = f"---\ntitle: t\nlanguage: {lang}\nframeworks: [{fw}]\n---\n"
    return head + "".join(f"## {t}\n<!-- id: {i} -->\n{body}\n\n" for i, t, body in sections)


@pytest.fixture
def kroot(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    (root / "frameworks").mkdir(parents=True)
    (root / "frameworks/goals.en.md").write_text(
        _page(
            "en",
            "smart",
            [
                ("goal-deadline-en", "Deadlines", "Every goal needs a deadline date."),
                ("goal-metric-en", "Metrics", "A goal names a metric and a target value."),
            ],
        ),
        "utf-8",
    )
    (root / "frameworks/risk.zh.md").write_text(
        _page(
            "zh",
            "risk",
            [
                (
                    "risk-register-zh",
                    "风险登记册",
                    "列出主要风险，评估可能性和影响，写明应对措施和负责人。",
                ),
                ("risk-review-zh", "风险复盘", "每月复盘风险清单，检查点上更新风险等级。"),
            ],
        ),
        "utf-8",
    )
    corpus.clear_cache()
    return root


def test_snapshot_answers_as_chroma_does(tmp_path: Path, kroot: Path) -> None:
    store = KnowledgeStore(Settings(data_dir=tmp_path / "d"), FakeEmbedder(), [kroot])
    store.index()
    assert store.snapshot_path.is_file() and store.snapshot() is not None
    cases = [("风险 应对措施", None, None), ("goal", "zh", None), ("goal", None, ["smart"])]
    cases += [("deadline", "en", ["smart"]), ("goal", "zh", ["smart"])]
    fast = [store.vector_search(q, 5, lang, fw) for q, lang, fw in cases]
    # the same store without its snapshot asks Chroma (and writes the snapshot again)
    store.snapshot_path.unlink()
    slow_store = KnowledgeStore(Settings(data_dir=tmp_path / "d"), FakeEmbedder(), [kroot])
    assert slow_store.snapshot() is None
    slow = [slow_store.vector_search(q, 5, lang, fw) for q, lang, fw in cases]
    for a, b in zip(fast, slow, strict=True):
        assert [cid for cid, _ in a] == [cid for cid, _ in b]
        assert all(abs(x - y) < 1e-4 for (_, x), (_, y) in zip(a, b, strict=True))
    assert fast[-1] == [] and {c for c, _ in fast[1]} == {"risk-register-zh", "risk-review-zh"}
    assert slow_store.snapshot_path.is_file()


def test_a_warm_query_opens_no_chroma_and_a_stale_snapshot_is_not_used(
    tmp_path: Path, kroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    KnowledgeStore(settings, FakeEmbedder(), [kroot]).index()
    warm = KnowledgeStore(settings, FakeEmbedder(), [kroot])

    def no_chroma() -> None:
        raise AssertionError("a warm query opened Chroma")

    monkeypatch.setattr(warm, "vectorstore", no_chroma)
    assert warm.vector_search("deadline date", 2)[0][0] == "goal-deadline-en"
    monkeypatch.undo()
    # the corpus changes and is indexed again: the old snapshot's stamp no longer matches
    old = warm.snapshot()
    assert old is not None
    page = kroot / "frameworks/goals.en.md"
    page.write_text(page.read_text("utf-8").replace("deadline date", "due date"), "utf-8")
    corpus.clear_cache()
    again = KnowledgeStore(settings, FakeEmbedder(), [kroot])
    again.index()
    assert again.snapshot() is not None and again.snapshot().stamp != old.stamp  # type: ignore[union-attr]


def test_query_tokenizer_finds_the_terms_the_full_dictionary_finds(tmp_path: Path) -> None:
    from service.knowledge.lexical import tokenize
    from service.knowledge.retriever import Retriever

    r = Retriever(settings=Settings(data_dir=tmp_path / "d"), mode="lexical")
    lex = r._lexical()
    vocab = set(lex.vocabulary)
    queries = [
        "风险应对措施和负责人",
        "如何设定可衡量的目标",
        "計劃中間的里程碑和檢查點",
        "复盘会议怎么开",
        "预算和人员的缓冲时间",
    ]
    for q in queries:
        full = sorted(t for t in tokenize(q) if t in vocab)
        assert sorted(t for t in lex.query_terms(q) if t in vocab) == full, q
    assert list((tmp_path / "d" / "index").glob("bm25-query-dict-*.txt"))


def test_a_later_process_segments_queries_without_the_full_dictionary(tmp_path: Path) -> None:
    code = (
        "import sys, jieba\n"
        "from service.knowledge.retriever import Retriever\n"
        "from service.settings import Settings\n"
        "r = Retriever(settings=Settings(data_dir=sys.argv[1]), mode='lexical')\n"
        "hits = r.search('风险应对措施和负责人', k=3)\n"
        "print(hits[0].chunk_id if hits else '-', jieba.dt.initialized)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = [sys.executable, "-c", code, str(tmp_path / "d")]
    first = subprocess.run(run, capture_output=True, text=True, env=env, timeout=300, check=True)
    second = subprocess.run(run, capture_output=True, text=True, env=env, timeout=300, check=True)
    hit1, loaded1 = first.stdout.split()
    hit2, loaded2 = second.stdout.split()
    assert hit1 == hit2 != "-"
    assert loaded1 == "True"  # the first builds the small dictionary from the full one
    assert loaded2 == "False"  # later ones never load the full dictionary


def test_embed_threads_defaults_to_one_unless_omp_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert embed_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert embed_threads() is None


@pytest.fixture
def cli_env(tmp_path: Path, kroot: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PLANREVIEW_KNOWLEDGE_DIR", str(kroot))
    monkeypatch.setenv("PLANREVIEW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PLANREVIEW_EXTRA_KNOWLEDGE_DIRS", raising=False)
    monkeypatch.setattr(embeddings, "_default", FakeEmbedder())
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_first_search_says_it_is_indexing_and_ranks_are_explained(cli_env: Path) -> None:
    from service.cli.kb import app

    res = CliRunner().invoke(app, ["search", "goal deadline date", "-k", "2"])
    assert res.exit_code == 0, res.output
    assert "first search: building the knowledge index (4 chunks" in res.stderr
    assert "embedded 4/4 chunks" in res.stderr and "index ready in" in res.stderr
    first = res.stdout.splitlines()[0]
    assert first.startswith("1. goal-deadline-en") and "(meaning #" in first and "words #1" in first
    assert "score 0.0" not in res.stdout
    again = CliRunner().invoke(app, ["search", "goal deadline date", "-k", "2"])
    assert again.stderr == ""  # warm: nothing to say
    data = json.loads(CliRunner().invoke(app, ["search", "goal", "--format", "json"]).stdout)
    assert list(data[0]) == [
        "chunk_id",
        "title",
        "source",
        "frameworks",
        "language",
        "score",
        "text",
    ]
