"""Corpus parsing: the knowledge file format, its errors, and the shipped corpus."""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest

from service.errors import KnowledgeError
from service.knowledge import corpus
from service.knowledge.corpus import knowledge_version, load_corpus, shipped_knowledge_dir

SMART_EN = """\
---
title: SMART goals
language: en
frameworks: [smart, okr]
---
# SMART goals

Intro text that is not a chunk.

## SMART: Measurable
<!-- id: smart-measurable-en; frameworks: smart, okr; codes: smart.measurable, okr.kr-not-measurable -->
A measurable goal names a metric, its baseline and the target value.

```
## not a heading inside a fence
```

## SMART: Time-bound
<!-- id: smart-time-bound-en; frameworks: smart; codes: smart.time-bound -->
Every goal needs a deadline.
"""

RISK_ZHT = """\
---
title: 風險管理
language: zh
script: hant
frameworks: [risk]
---
## 風險登記冊
<!-- id: risk-register-zht; codes: risk.no-register -->
列出主要風險，評估可能性和影響。
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def kroot(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    write(root, "frameworks/smart.en.md", SMART_EN)
    write(root, "frameworks/risk.zht.md", RISK_ZHT)
    write(root, "README.md", "not parsed")
    corpus.clear_cache()
    return root


def test_parses_chunks_with_metadata(kroot: Path) -> None:
    chunks = {c.chunk_id: c for c in load_corpus([kroot])}
    assert set(chunks) == {"smart-measurable-en", "smart-time-bound-en", "risk-register-zht"}
    m = chunks["smart-measurable-en"]
    assert m.title == "SMART: Measurable"
    assert m.source == "knowledge/frameworks/smart.en.md"
    assert m.language == "en" and m.script == "latin"
    assert m.frameworks == ["smart", "okr"]
    assert m.codes == ["smart.measurable", "okr.kr-not-measurable"]
    assert "## not a heading inside a fence" in m.text
    assert "Intro text" not in m.text
    assert m.line == 10
    t = chunks["risk-register-zht"]
    assert (t.language, t.script, t.frameworks) == ("zh", "hant", ["risk"])  # file frameworks
    assert len(m.sha256) == 64 and m.sha256 != chunks["smart-time-bound-en"].sha256


def test_knowledge_version_tracks_content(kroot: Path) -> None:
    v1 = knowledge_version([kroot])
    assert v1 == knowledge_version([kroot])
    path = kroot / "frameworks/smart.en.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Every goal", "Each goal"), encoding="utf-8"
    )
    assert knowledge_version([kroot]) != v1
    assert "Each goal" in {c.chunk_id: c for c in load_corpus([kroot])}["smart-time-bound-en"].text


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("title: x\n", 1, "front matter"),
        (
            "---\ntitle: x\nlanguage: fr\nframeworks: [a]\n---\n## H\n<!-- id: a-en -->\nbody\n",
            3,
            "language must be",
        ),
        ("---\ntitle: x\nlanguage: en\n---\n## H\n<!-- id: a-en -->\nbody\n", 1, "'frameworks:'"),
        (
            "---\ntitle: x\nlanguage: en\nframeworks: [a]\n---\n## H\nbody without id\n",
            7,
            "the line after a '## ' heading",
        ),
        (
            "---\ntitle: x\nlanguage: en\nframeworks: [a]\n---\n## H\n<!-- id: a-zh -->\nbody\n",
            7,
            "must end -en",
        ),
        (
            "---\ntitle: x\nlanguage: en\nframeworks: [a]\n---\n## H\n<!-- id: Bad_ID -->\nbody\n",
            7,
            "lowercase",
        ),
        (
            "---\ntitle: x\nlanguage: en\nframeworks: [a]\n---\n## H\n<!-- id: a-en; codes: smart.nope -->\nbody\n",
            7,
            "unknown rule code 'smart.nope'",
        ),
        (
            "---\ntitle: x\nlanguage: en\nframeworks: [a]\n---\n## H\n<!-- id: a-en -->\n\n## J\n",
            6,
            "no body",
        ),
        (
            "---\ntitle: x\nlanguage: en\nframeworks: [a]\n---\nno chunks at all\n",
            6,
            "no '## ' chunk",
        ),
        ("---\ntitle: x\nlanguage: en\nframeworks: [a]\n", 1, "not closed"),
    ],
)
def test_malformed_file_names_file_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    root = tmp_path / "org"
    write(root, "playbooks/bad.en.md", text)
    corpus.clear_cache()
    with pytest.raises(KnowledgeError) as info:
        load_corpus([root])
    msg = str(info.value)
    assert msg.startswith(f"org/playbooks/bad.en.md:{line}: "), msg
    assert fragment in msg


def test_duplicate_ids_across_roots_are_refused(kroot: Path, tmp_path: Path) -> None:
    org = tmp_path / "org"
    write(org, "standards/x.en.md", SMART_EN)
    with pytest.raises(KnowledgeError, match=r"already used in knowledge/frameworks/smart\.en\.md"):
        load_corpus([kroot, org])


def test_missing_extra_dir_is_a_clear_error(kroot: Path, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_corpus([kroot, tmp_path / "nope"])


def test_extra_dirs_come_from_settings(
    kroot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.settings import get_settings

    org = tmp_path / "acme-guidance"
    write(
        org,
        "escalation.en.md",
        """\
        ---
        title: ACME escalation standard
        language: en
        frameworks: [pdca]
        ---
        ## ACME: escalate within 48 hours
        <!-- id: acme-escalation-en; codes: pdca.no-act -->
        Every red KPI is escalated to the steering group within 48 hours.
        """,
    )
    monkeypatch.setenv("PLANREVIEW_KNOWLEDGE_DIR", str(kroot))
    monkeypatch.setenv("PLANREVIEW_EXTRA_KNOWLEDGE_DIRS", f'["{org}"]')
    get_settings.cache_clear()
    try:
        chunks = {c.chunk_id: c for c in load_corpus()}
    finally:
        get_settings.cache_clear()
    assert "smart-measurable-en" in chunks and chunks["smart-measurable-en"].shipped
    acme = chunks["acme-escalation-en"]
    assert not acme.shipped and acme.source == "acme-guidance/escalation.en.md"
    assert acme.kind == "guidance"


# --------------------------------------------------------------------------- the shipped corpus

SHIPPED = shipped_knowledge_dir()
HAS_CORPUS = (SHIPPED / "frameworks").is_dir()


@pytest.mark.skipif(not HAS_CORPUS, reason="knowledge/ not written yet")
def test_shipped_corpus_loads_and_matches_manifest() -> None:
    corpus.clear_cache()
    chunks = load_corpus([SHIPPED])
    assert len(chunks) >= 20
    assert all(c.source.startswith("knowledge/") for c in chunks)
    manifest = SHIPPED / "MANIFEST.tsv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        listed = {r["chunk_id"] for r in rows if r.get("chunk_id")}
        ours = {c.chunk_id for c in chunks}
        assert listed == ours, f"MANIFEST.tsv and the files disagree: {sorted(listed ^ ours)[:10]}"


@pytest.mark.skipif(not HAS_CORPUS, reason="knowledge/ not written yet")
def test_shipped_ids_agree_with_language() -> None:
    for c in load_corpus([SHIPPED]):
        suffix = c.chunk_id.rsplit("-", 1)[1]
        assert suffix == {"latin": "en", "hans": "zh", "hant": "zht"}[c.script], c.chunk_id


def test_missing_main_folder_says_how_to_point_at_it(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="knowledge folder not found") as info:
        load_corpus([tmp_path / "nowhere"])
    assert "PLANREVIEW_KNOWLEDGE_DIR" in str(info.value)
