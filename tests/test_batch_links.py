"""A batch over an untrusted library never follows links out of it (issue 12, item 1).

A real symlinked tree: links to a secret beside the library, to /etc/passwd and
through a linked folder, reviewed by the real ``planreview batch`` in a
subprocess. Nothing from outside may reach any output; links inside the library
still work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.batch.discovery import OUTSIDE_LINK, Skipped, discover

SECRET = "ZEBRA-SECRET-7731: the CFO's private salary plan"
BATCH_FLAGS = ("--llm", "off", "--jobs", "1", "--progress", "none", "--fail-on", "never")
PLAN = "# Plan\n\n## Goals\n\n- Grow sales by 5% by 2026-12-31\n\n## Tasks\n\n- Hire two staff\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"# Secret\n\n{SECRET}\n", encoding="utf-8")
    lib = tmp_path / "lib"
    (lib / "team").mkdir(parents=True)
    (lib / "team" / "plan.md").write_text(PLAN, encoding="utf-8")
    (lib / "secret.md").symlink_to(outside / "secret.md")
    (lib / "relative.md").symlink_to(Path("..") / "outside" / "secret.md")
    (lib / "team" / "passwd.md").symlink_to("/etc/passwd")
    (lib / "linked-folder").symlink_to(outside, target_is_directory=True)
    (lib / "alias.md").symlink_to(Path("team") / "plan.md")  # inside: followed
    return tmp_path


def _all_output_text(out: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in sorted(out.rglob("*")) if p.is_file())


def test_batch_skips_links_leaving_the_library_and_says_so(tree: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PLANREVIEW_DATA_DIR"] = str(tree / "data")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    for args, out in ((["lib"], "out"), (["lib/**/*.md"], "out-glob")):
        done = subprocess.run(
            [sys.executable, "-m", "service", "batch", *args, "--out", out, *BATCH_FLAGS],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        text = _all_output_text(tree / out)
        assert "ZEBRA-SECRET" not in text and "root:x:0" not in text
        reviews = sorted(p.name for p in (tree / out / "reviews").rglob("*.json"))
        assert reviews == ["alias.md.json", "plan.md.json"], reviews
        run = json.loads((tree / out / "run.json").read_text("utf-8"))
        skipped = {s["path"] for s in run["skipped"]}
        expected = {"lib/secret.md", "lib/relative.md", "lib/team/passwd.md"}
        if out == "out-glob":  # the glob walked into the linked folder; its match is skipped
            expected.add("lib/linked-folder/secret.md")
        assert skipped == expected, run["skipped"]
        assert "skipped lib/team/passwd.md: a symbolic link" in done.stderr


def test_discover_reports_outside_links(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    skipped: list[Skipped] = []
    found = discover(["lib"], skipped=skipped)
    assert [f.rel for f in found] == ["alias.md", "team/plan.md"]
    assert sorted(skipped, key=lambda s: s.path) == [
        Skipped("lib/relative.md", OUTSIDE_LINK),
        Skipped("lib/secret.md", OUTSIDE_LINK),
        Skipped("lib/team/passwd.md", OUTSIDE_LINK),
    ]
    # named explicitly, a link is the user's choice
    assert [f.rel for f in discover([tree / "lib" / "secret.md"])] == ["secret.md"]
