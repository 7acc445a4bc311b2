"""Finding the plans of a library: folders, globs, ignore files, hidden folders, the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.batch.discovery import DiscoveryError, compile_pattern, discover


def _touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("# plan\n", encoding="utf-8")


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "lib"
    _touch(
        root,
        "b/q3.md",
        "a/plan.markdown",
        "a/notes.txt",
        "a/deck.pptx",
        "a/z.docx",
        "a/sub/report.pdf",
        ".git/x.md",
        "a/.hidden/y.md",
        "a/.dot.md",
        "a/~$lock.docx",
        "计划/华东.md",
        "README",
    )
    monkeypatch.chdir(tmp_path)
    return root


def rels(files: list) -> list[str]:  # type: ignore[type-arg]
    return [f.rel for f in files]


def test_supported_formats_in_stable_order_without_hidden(lib: Path) -> None:
    found = discover([lib])
    assert rels(found) == [
        "a/notes.txt",
        "a/plan.markdown",
        "a/sub/report.pdf",
        "a/z.docx",
        "b/q3.md",
        "计划/华东.md",
    ]
    assert found[0].source == "lib/a/notes.txt"  # relative to the working folder
    assert found[0].folder == "a" and found[-1].folder == "计划"


def test_output_folder_inside_the_library_is_skipped(lib: Path) -> None:
    _touch(lib, "out/reviews/b/q3.md.json", "out/old.md")
    assert "out/old.md" not in rels(discover([lib], out_dir=lib / "out"))
    assert "out/old.md" in rels(discover([lib]))


def test_planreviewignore_is_gitignore_style(lib: Path) -> None:
    (lib / ".planreviewignore").write_text(
        "# drafts are not plans yet\n*.txt\nsub/\n/b/\n", encoding="utf-8"
    )
    (lib / "a" / ".planreviewignore").write_text("*.docx\n!z.docx\nplan.*\n", encoding="utf-8")
    assert rels(discover([lib])) == ["a/z.docx", "计划/华东.md"]


def test_ignore_file_above_the_input_folder_applies(lib: Path) -> None:
    (lib / ".planreviewignore").write_text("**/sub/**\n", encoding="utf-8")
    assert rels(discover([lib / "a", lib / "b"])) == [
        "a/notes.txt",
        "a/plan.markdown",
        "a/z.docx",
        "b/q3.md",
    ]


def test_include_and_exclude_globs(lib: Path) -> None:
    assert rels(discover([lib], include=["*.md"])) == ["b/q3.md", "计划/华东.md"]
    assert rels(discover([lib], exclude=["a/**", "计划"])) == ["b/q3.md"]
    assert rels(discover([lib], include=["a/**"], exclude=["*.pdf"])) == [
        "a/notes.txt",
        "a/plan.markdown",
        "a/z.docx",
    ]


def test_globs_and_explicit_files(lib: Path) -> None:
    found = discover(["lib/**/*.md"])
    assert rels(found) == ["b/q3.md", "计划/华东.md"]  # hidden names are not matched by '*'
    # A file named explicitly is reviewed whatever its suffix (and fails later if unreadable).
    assert rels(discover([lib / "a" / "deck.pptx", lib / "b" / "q3.md"])) == [
        "a/deck.pptx",
        "b/q3.md",
    ]


def test_missing_path_or_empty_glob_is_a_usage_error(lib: Path) -> None:
    with pytest.raises(DiscoveryError, match="no such file or folder"):
        discover([lib / "nope"])
    with pytest.raises(DiscoveryError, match="matches no file"):
        discover(["lib/**/*.odt"])


def test_same_file_named_twice_is_reviewed_once(lib: Path) -> None:
    assert rels(discover([lib / "b", lib / "b" / "q3.md"])) == ["q3.md"]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "ignored"),
    [
        ("*.md", "a/b/c.md", False, True),
        ("/c.md", "a/c.md", False, False),
        ("a/*.md", "a/c.md", False, True),
        ("a/*.md", "a/b/c.md", False, False),
        ("a/**/c.md", "a/b/x/c.md", False, True),
        ("build/", "build", True, True),
        ("build/", "build", False, False),
        ("c?.md", "c1.md", False, True),
        ("[ab].md", "b.md", False, True),
        ("[!ab].md", "b.md", False, False),
    ],
)
def test_gitignore_patterns(pattern: str, path: str, is_dir: bool, ignored: bool) -> None:
    rule = compile_pattern(pattern)
    assert rule is not None
    matched = bool(rule.regex.fullmatch(path)) and (is_dir or not rule.dir_only)
    assert matched is ignored


def test_glob_results_obey_suffixes_excludes_and_ignore_files(lib: Path) -> None:
    (lib / "a" / ".planreviewignore").write_text("sub/\n", encoding="utf-8")
    # The library root is the glob's folder, lib/a.
    assert rels(discover(["lib/a/**/*"])) == ["notes.txt", "plan.markdown", "z.docx"]
    assert rels(discover(["lib/a/**/*"], exclude=["*.txt"])) == ["plan.markdown", "z.docx"]


def test_dependency_folders_are_skipped_unless_brought_back(lib: Path) -> None:
    _touch(lib, "node_modules/pkg/README.md", "__pycache__/x.md")
    assert not any(r.startswith(("node_modules", "__pycache__")) for r in rels(discover([lib])))
    (lib / ".planreviewignore").write_text("!node_modules/\n", encoding="utf-8")
    assert "node_modules/pkg/README.md" in rels(discover([lib]))
