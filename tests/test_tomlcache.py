"""service/tomlcache.py: the parsed TOML of a file, from the cache only while its text is the same."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from service import tomlcache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PLANREVIEW_CACHE_DIR", str(folder))
    monkeypatch.delenv("PLANREVIEW_REGEX_CACHE", raising=False)
    return folder


def test_the_shipped_vocabulary_reads_back_as_parsed(cache: Path) -> None:
    for name in ("sections.toml", "words.toml"):
        path = Path(tomlcache.__file__).parent / "rules" / "vocabulary" / name
        expected = tomllib.loads(path.read_text(encoding="utf-8"))
        assert tomlcache.load(path) == expected  # parsed, then stored
        assert tomlcache.load(path) == expected  # from the cache
    assert len(list(cache.glob("toml-*.json"))) == 2


def test_an_edited_file_is_parsed_again_and_its_old_entry_removed(
    cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "words.toml"
    path.write_text('a = ["x"]\n', encoding="utf-8")
    assert tomlcache.load(path) == {"a": ["x"]}
    path.write_text('a = ["y"]\n', encoding="utf-8")
    assert tomlcache.load(path) == {"a": ["y"]}
    assert len(list(cache.glob("toml-words-*.json"))) == 1


def test_a_corrupt_entry_is_ignored_and_replaced(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "words.toml"
    path.write_text("n = 1\n", encoding="utf-8")
    tomlcache.load(path)
    (stored,) = cache.glob("toml-words-*.json")
    stored.write_text("{not json", encoding="utf-8")
    assert tomlcache.load(path) == {"n": 1}
    assert stored.read_text(encoding="utf-8") == '{"n":1}'


def test_values_json_would_change_are_not_stored(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "dates.toml"
    path.write_text("when = 2026-12-04\n", encoding="utf-8")
    assert tomlcache.load(path) == tomllib.loads("when = 2026-12-04\n")
    assert not list(cache.glob("toml-*.json"))


def test_the_cache_can_be_turned_off(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANREVIEW_REGEX_CACHE", "0")
    path = tmp_path / "words.toml"
    path.write_text("n = 1\n", encoding="utf-8")
    assert tomlcache.load(path) == {"n": 1}
    assert not cache.exists()
