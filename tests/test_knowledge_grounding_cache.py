"""The grounding index kept in the data dir: reused across processes, rebuilt when the
knowledge (or the code that builds it) changes, a corrupt file ignored and rewritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_knowledge_grounding import ORG, make_plan, write_roots

from service.errors import KnowledgeError
from service.knowledge import corpus, grounding, grounding_cache
from service.knowledge.grounding import GroundingIndex, ground, grounding_index
from service.models import Finding, Span
from service.review import review_text


@pytest.fixture
def roots(tmp_path: Path) -> list[Path]:
    found = write_roots(tmp_path)
    new_process()
    return found


def new_process() -> None:
    """Forget what this process keeps, as a new `planreview` run would start."""
    corpus.clear_cache()
    grounding.clear_cache()


def cached_files(data: Path) -> list[Path]:
    return sorted((data / "cache").glob("grounding-*.json"))


def refuse_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    def build(*_a: object, **_k: object) -> GroundingIndex:
        raise AssertionError("the index was rebuilt instead of read from the data dir")

    monkeypatch.setattr(GroundingIndex, "build", build)


def risk_finding() -> Finding:
    return Finding(
        code="risk.no-mitigation",
        family="risk",
        severity="warning",
        scope="block",
        span=Span(start_line=5, end_line=5),
        quote="Our packaging supplier may go bankrupt",
        message="m",
    )


PLAN = make_plan("# Q3 logistics plan\n\n## Risks\n\n- Our packaging supplier may go bankrupt\n")


def test_the_stored_index_is_the_built_one(roots: list[Path], isolated_home: Path) -> None:
    built = grounding_index(roots)
    assert len(cached_files(isolated_home)) == 1
    new_process()
    loaded = grounding_cache.read(grounding_cache.cache_key(roots))
    assert loaded is not None and loaded is not built
    assert loaded.version == built.version == corpus.knowledge_version(roots)
    assert loaded.chunks == built.chunks
    for name in (
        "guidance_by_code",
        "guidance_by_framework",
        "cases_by_code",
        "cases_by_framework",
    ):
        assert getattr(loaded, name) == getattr(built, name), name
    assert loaded.idf == built.idf
    assert {k: (v.chunk, v.weights, v.norm) for k, v in loaded.case_vecs.items()} == {
        k: (v.chunk, v.weights, v.norm) for k, v in built.case_vecs.items()
    }
    a, b = risk_finding(), risk_finding()
    ground([a], PLAN, index=built)
    ground([b], PLAN, index=loaded)
    assert a.citations == b.citations and len(a.citations) == 3


def test_a_new_process_reads_instead_of_building(
    roots: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = grounding_index(roots)
    new_process()
    refuse_builds(monkeypatch)
    again = grounding_index(roots)
    assert again is not first and again.version == first.version
    f = risk_finding()
    ground([f], PLAN, roots)
    assert f.citations[0].chunk_id == "risk-response-en"


def test_a_knowledge_edit_invalidates_it(roots: list[Path], isolated_home: Path) -> None:
    before = grounding_index(roots)
    org_file = roots[1] / "risk.en.md"
    org_file.write_text(
        ORG.replace("acme-risk-owner-en", "acme-risk-response-owner-en"), encoding="utf-8"
    )
    new_process()
    after = grounding_index(roots)
    assert "acme-risk-response-owner-en" in after.chunks
    assert "acme-risk-owner-en" not in after.chunks
    assert after.version != before.version
    assert after.version == corpus.knowledge_version(roots)
    assert len(cached_files(isolated_home)) == 2  # one per knowledge version


def test_a_new_file_or_a_missing_folder_is_seen(roots: list[Path]) -> None:
    grounding_index(roots)
    (roots[1] / "more.en.md").write_text(
        ORG.replace("acme-risk-owner-en", "acme-more-en"), encoding="utf-8"
    )
    new_process()
    assert "acme-more-en" in grounding_index(roots).chunks
    new_process()
    with pytest.raises(KnowledgeError):
        grounding_index([roots[0], roots[1] / "gone"])


def test_a_code_change_invalidates_it(roots: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    key = grounding_cache.cache_key(roots)
    monkeypatch.setattr(grounding_cache, "_code_hash", "another build of grounding.py")
    assert grounding_cache.cache_key(roots) != key


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff not json",
        b'{"format": "FORMAT"',
        b"[]",
        b'{"format": "FORMAT", "key": "KEY", "version": "v", "chunks": [{"chunk_id": "x"}]}',
        b'{"format": "FORMAT", "key": "KEY", "version": "v", "chunks": [], "guidance_by_code": {"c": ["nope"]}}',
        b"TRUNCATED",
        b"BAD-FLOATS",
    ],
)
def test_a_corrupt_file_is_ignored_and_rewritten(
    roots: list[Path], isolated_home: Path, content: bytes
) -> None:
    good = grounding_index(roots)
    (path,) = cached_files(isolated_home)
    key = grounding_cache.cache_key(roots)
    if content == b"TRUNCATED":
        content = path.read_bytes()[:-100]
    elif content == b"BAD-FLOATS":
        data = json.loads(path.read_bytes())
        data["idf"] = data["idf"][:-8] + "!!!!"
        content = json.dumps(data).encode()
    content = content.replace(b"FORMAT", grounding_cache.FORMAT.encode())
    path.write_bytes(content.replace(b"KEY", key.encode()))
    new_process()
    assert grounding_cache.read(key) is None
    rebuilt = grounding_index(roots)
    assert rebuilt.chunks == good.chunks and rebuilt.version == good.version
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == key


def test_an_unwritable_data_dir_only_costs_time(
    roots: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.settings import get_settings

    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the data dir should be", encoding="utf-8")
    monkeypatch.setenv("PLANREVIEW_DATA_DIR", str(blocked))
    get_settings.cache_clear()
    f = risk_finding()
    ground([f], PLAN, roots)
    assert f.citations


def test_reviews_are_the_same_from_a_cold_and_a_warm_cache(isolated_home: Path) -> None:
    text = "# Plan\n\n## Goals\n\n- Improve customer satisfaction\n\n## Tasks\n\n- Launch the app\n"
    new_process()
    cold = review_text(text)
    assert cached_files(isolated_home)
    new_process()
    warm = review_text(text)
    assert cold.engine.knowledge_version == warm.engine.knowledge_version != ""
    assert [f.model_dump() for f in cold.findings] == [f.model_dump() for f in warm.findings]


def test_a_new_process_reads_no_knowledge_file_while_none_changed(
    roots: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    key = grounding_cache.cache_key(roots, folder)
    assert key == grounding_cache.cache_key(roots)  # the same key as without the memo
    new_process()

    def no_reading(*_a: object, **_k: object) -> str:
        raise AssertionError("the knowledge files were read again")

    with monkeypatch.context() as m:
        m.setattr(corpus, "source_digest", no_reading)
        assert grounding_cache.cache_key(roots, folder) == key
    # An edit (new bytes, new size and mtime) is seen: the digest is taken again, and differs.
    page = next(p for p in sorted(roots[0].rglob("*.md")))
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    new_process()
    assert grounding_cache.cache_key(roots, folder) != key
    # A damaged memo is not trusted.
    for memo in folder.glob("digest-*.txt"):
        memo.write_text("not a digest", encoding="ascii")
    new_process()
    assert grounding_cache.cache_key(roots, folder) == grounding_cache.cache_key(roots)
