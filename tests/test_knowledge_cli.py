"""`planreview kb` through Typer's CliRunner: output shapes and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli.kb import app
from service.knowledge import corpus, embeddings
from service.knowledge.embeddings import FakeEmbedder
from service.settings import get_settings

PAGE = """\
---
title: SMART goals
language: en
frameworks: [smart]
---
## SMART: Time-bound
<!-- id: smart-time-bound-en; codes: smart.time-bound -->
Every goal needs a deadline: the date by which the target must be reached.

## SMART: Measurable
<!-- id: smart-measurable-en; codes: smart.measurable -->
A goal names a metric, a baseline and a target value.
"""

PAGE_ZH = """\
---
title: 风险
language: zh
frameworks: [risk]
---
## 风险应对
<!-- id: risk-response-zh; codes: risk.no-mitigation -->
为每个风险写明应对措施和应急预案。
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "knowledge"
    (root / "frameworks").mkdir(parents=True)
    (root / "frameworks/smart.en.md").write_text(PAGE, encoding="utf-8")
    (root / "frameworks/risk.zh.md").write_text(PAGE_ZH, encoding="utf-8")
    monkeypatch.setenv("PLANREVIEW_KNOWLEDGE_DIR", str(root))
    monkeypatch.setenv("PLANREVIEW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PLANREVIEW_EXTRA_KNOWLEDGE_DIRS", raising=False)
    monkeypatch.setattr(embeddings, "_default", FakeEmbedder())
    get_settings.cache_clear()
    corpus.clear_cache()
    yield root
    get_settings.cache_clear()


runner = CliRunner()


def test_show_json_and_text(env: Path) -> None:
    res = runner.invoke(app, ["show", "smart-time-bound-en", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"chunk_id", "title", "source", "frameworks", "language", "text"} <= set(data)
    assert data["source"] == "knowledge/frameworks/smart.en.md"
    assert data["codes"] == ["smart.time-bound"]
    text = runner.invoke(app, ["show", "risk-response-zh"])
    assert text.exit_code == 0 and "应急预案" in text.stdout


def test_show_missing_chunk_exits_2_with_one_line(env: Path) -> None:
    res = runner.invoke(app, ["show", "no-such-chunk-en"])
    assert res.exit_code == 2
    assert res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and "no-such-chunk-en" in res.stderr


def test_search_json_shape_builds_index_first(env: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["search", "goal deadline date", "-k", "2", "--format", "json"])
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) == 2
    for h in hits:
        assert list(h) == ["chunk_id", "title", "source", "frameworks", "language", "score", "text"]
    assert hits[0]["chunk_id"] == "smart-time-bound-en"
    assert hits[0]["score"] >= hits[1]["score"]
    assert (tmp_path / "data/index/index.json").is_file()
    zh = json.loads(
        runner.invoke(app, ["search", "风险 应对", "--lang", "zh", "--format", "json"]).stdout
    )
    assert [h["chunk_id"] for h in zh] == ["risk-response-zh"]


def test_index_and_stats(env: Path) -> None:
    first = runner.invoke(app, ["index", "--format", "json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 3
    again = json.loads(runner.invoke(app, ["index", "--format", "json"]).stdout)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 3)
    text = runner.invoke(app, ["index"])
    assert "3 unchanged" in text.stdout
    stats = json.loads(runner.invoke(app, ["stats", "--format", "json"]).stdout)
    assert stats["chunks"] == 3
    assert stats["by_language"] == {"en": 2, "zh": 1}
    assert stats["by_framework"] == {"risk": 1, "smart": 2}
    assert stats["model"] == "fake-hash-64"
    assert stats["index"]["built"] and stats["index"]["current"]
    assert stats["index"]["location"].endswith("index/chroma")
    assert runner.invoke(app, ["stats"]).exit_code == 0


def test_broken_knowledge_file_exits_2(env: Path) -> None:
    (env / "frameworks/bad.en.md").write_text("no front matter\n", encoding="utf-8")
    res = runner.invoke(app, ["stats"])
    assert res.exit_code == 2
    assert "knowledge/frameworks/bad.en.md:1:" in res.stderr
