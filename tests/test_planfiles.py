"""Which files are plans (service/planfiles.py): names, markers, planreview.toml include/exclude
and the reads-like-a-plan gate, as `review DIR`, `review GLOB` and `batch` use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.planfiles import Scope, decide, marker, name_says

REPO = Path(__file__).resolve().parents[1]
SAMPLE = (REPO / "examples" / "sample-plan.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("q3-plan.md", True),
        ("plans.md", True),
        ("Workplan2027.txt", True),
        ("TeamOKRs.md", True),
        ("product-roadmap.md", True),
        ("project_charter.docx", True),
        ("2027年运营计划.md", True),
        ("营销方案.docx", True),
        ("年度規劃.md", True),
        ("計劃書.txt", True),
        ("README.md", False),
        ("CHANGELOG.md", False),
        ("CONTRIBUTING.md", False),
        ("explanation.md", None),  # "plan" inside a word is not the word
        ("airplanes.md", None),
        ("notes.md", None),
    ],
)
def test_file_names(name: str, expected: bool | None) -> None:
    assert name_says(name) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntitle: x\nplanreview: true\n---\n# Notes\n", True),
        ("---\nplanreview: off  # not a plan\n---\n# Plan\n", False),
        ("# Notes\n\n<!-- planreview: on -->\n", True),
        ("# Plan\n<!-- PlanReview: OFF -->\n", False),
        ("# Plan\n<!-- planreview: ignore smart -->\n", None),  # a suppression, not a marker
        ("planreview: true\n# not front matter\n", None),
        ("Mark it with `<!-- planreview: on -->` to review it.\n", None),  # a mention
    ],
)
def test_markers(text: str, expected: bool | None) -> None:
    assert marker(text) is expected


def test_the_gate_reads_plans_as_plans_and_docs_as_docs() -> None:
    assert decide(Path("q3.md"), SAMPLE).is_plan
    assert decide(Path("notes.md"), SAMPLE).reason == "reads like a plan"
    for doc in ("docs/api.md", "docs/llm.md", "editors/README.md"):
        text = (REPO / doc).read_text(encoding="utf-8")
        assert not decide(Path("notes.md"), text).is_plan, doc  # under a neutral name
    assert not decide(Path("notes.md"), README).is_plan
    # Chinese
    zh = (REPO / "examples" / "sample-plan.zh.md").read_text(encoding="utf-8")
    assert decide(Path("笔记.md"), zh).is_plan


def test_the_gate_keeps_most_hand_labelled_plans() -> None:
    """The eval plans are all plans: nearly all are kept by name or text, most by text alone."""
    plans = sorted((REPO / "eval" / "plans").glob("*.md"))
    assert len(plans) > 100
    texts = {p: p.read_text(encoding="utf-8") for p in plans}
    by_text = sum(decide(None, t).is_plan for t in texts.values())
    by_both = sum(decide(Path(p.name), t).is_plan for p, t in texts.items())
    assert by_text / len(plans) >= 0.9, f"{by_text} of {len(plans)}"
    assert by_both / len(plans) >= 0.95, f"{by_both} of {len(plans)}"


def test_config_globs_are_relative_to_the_config_folder(tmp_path: Path) -> None:
    from service.config import FileSelection

    cfg = FileSelection(include=["plans/", "**/*-okr.md"], exclude=["plans/old/"])
    scope = Scope.of(cfg, tmp_path / "planreview.toml")
    assert scope.verdict(tmp_path / "plans" / "q3.md").is_plan  # type: ignore[union-attr]
    assert scope.verdict(tmp_path / "team" / "x" / "sales-okr.md").is_plan  # type: ignore[union-attr]
    assert not scope.verdict(tmp_path / "plans" / "old" / "q1.md").is_plan  # type: ignore[union-attr]
    assert not scope.verdict(tmp_path / "README-plan.md").is_plan  # type: ignore[union-attr]
    assert (
        Scope.of(FileSelection(), tmp_path / "planreview.toml").verdict(tmp_path / "a.md") is None
    )


def test_unknown_keys_next_to_include_are_still_refused(tmp_path: Path) -> None:
    from service.config import load_config_file
    from service.errors import ConfigError

    bad = tmp_path / "planreview.toml"
    bad.write_text('include = ["plans/"]\nincludes = ["x"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="includes"):
        load_config_file(bad)
    bad.write_text('include = "plans/"\n', encoding="utf-8")  # a string, not a list
    with pytest.raises(ConfigError, match=r"planreview\.toml: include"):
        load_config_file(bad)
    # which files are plans is no part of a review's configuration (nor of the eval's hash)
    bad.write_text('include = ["plans/"]\nignore = ["bsc"]\n', encoding="utf-8")
    from service.config import ReviewConfig

    assert load_config_file(bad).model_dump() == ReviewConfig(ignore=["bsc"]).model_dump()


# --- review DIR / GLOB and batch, end to end ----------------------------------------------------


def _workspace(root: Path) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "plans").mkdir()
    (root / "README.md").write_text(README, encoding="utf-8")
    (root / "docs" / "api.md").write_text(
        (REPO / "docs" / "api.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (root / "plans" / "q3.md").write_text(SAMPLE, encoding="utf-8")  # neutral name, plan text
    (root / "roadmap.md").write_text(SAMPLE, encoding="utf-8")
    (root / "docs" / "meeting.md").write_text("<!-- planreview: on -->\n" + SAMPLE, "utf-8")
    return root


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def _sources(stdout: str) -> set[str]:
    data = json.loads(stdout)
    return {r["plan"]["source"] for r in (data if isinstance(data, list) else [data])}


def test_review_a_folder_reviews_its_plans_only(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    result = run("review", ".", "--format", "json", "--fail-on", "never", cwd=ws)
    assert result.returncode == 0, result.stderr
    assert _sources(result.stdout) == {"docs/meeting.md", "plans/q3.md", "roadmap.md"}
    assert "skipped 2 not plans: README.md, docs/api.md" in result.stderr
    (ws / "old-plan.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    result = run("review", ".", "--format", "json", "--fail-on", "never", cwd=ws)
    assert "skipped old-plan.doc: an old Word .doc file: save it as .docx" in result.stderr
    (ws / "old-plan.doc").unlink()
    # a glob, and the README named explicitly (a named file is always reviewed)
    result = run("review", "**/*.md", "README.md", "-f", "json", "--exit-zero", cwd=ws)
    assert _sources(result.stdout) == {
        "README.md",
        "docs/meeting.md",
        "plans/q3.md",
        "roadmap.md",
    }
    # planreview.toml: include narrows, exclude removes
    (ws / "planreview.toml").write_text('include = ["plans/", "docs/api.md"]\n', "utf-8")
    result = run("review", ".", "--format", "json", "--fail-on", "never", cwd=ws)
    # roadmap.md is not included; docs/meeting.md's marker wins over the config
    assert _sources(result.stdout) == {"docs/api.md", "docs/meeting.md", "plans/q3.md"}
    (ws / "planreview.toml").write_text('exclude = ["plans/", "docs/meeting.md"]\n', "utf-8")
    result = run("review", ".", "--format", "json", "--fail-on", "never", cwd=ws)
    assert _sources(result.stdout) == {"docs/meeting.md", "roadmap.md"}
    assert run("review", ".", "-q", "--exit-zero", cwd=ws).stderr == ""  # quiet: no skip note


def test_a_folder_without_plans_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    result = run("review", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no plans in this folder (1 files that are not plans)" in result.stderr


def test_batch_skips_files_that_are_not_plans_and_lists_them(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    result = run("batch", ".", "--out", str(tmp_path / "out"), "--llm", "off", cwd=ws)
    assert result.returncode in (0, 1), result.stderr
    run_json = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    skipped = {s["path"]: s["reason"] for s in run_json["skipped"]}
    assert set(skipped) == {"README.md", "docs/api.md"}
    assert skipped["README.md"].startswith("not a plan")
    with (tmp_path / "out" / "findings.jsonl").open(encoding="utf-8") as fh:
        reviewed = {json.loads(line)["plan"] for line in fh}
    assert reviewed <= {"docs/meeting.md", "plans/q3.md", "roadmap.md"}
    assert "plans/q3.md" in reviewed
