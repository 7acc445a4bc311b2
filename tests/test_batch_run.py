"""`planreview batch` end to end on a generated library of a few hundred plans.

One library (English, Simplified and Traditional Chinese plans in team
folders, a .docx and a PDF, bad files, planted duplicates/conflicts/an
overloaded owner) is reviewed once per module with two worker processes;
the tests then check the outputs against each other, against the SARIF
schema and against what was planted. Smaller libraries cover the cache,
exit codes, the LLM thread pool and a crashing worker.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from docgen import SAMPLE_EN, SAMPLE_HANS, markdown_to_docx, markdown_to_pdf
from typer.testing import CliRunner

from service.batch.library import LibraryOptions
from service.batch.runner import BatchOptions, BatchResult, run_batch
from service.batch.samples import PLANTED_OWNER, LibraryManifest, generate_library

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = REPO / "service/report/schemas/sarif-schema-2.1.0.json"
N_PLANS = 240


class Library:
    def __init__(
        self, root: Path, manifest: LibraryManifest, out: Path, result: BatchResult
    ) -> None:
        self.root, self.manifest, self.out, self.result = root, manifest, out, result

    def source(self, rel: str) -> str:
        return f"lib/{rel}"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    base = tmp_path_factory.mktemp("batch")
    manifest = generate_library(base / "lib", N_PLANS, seed=11)
    markdown_to_docx(SAMPLE_EN, base / "lib" / "sales" / "word-plan.docx")
    markdown_to_pdf(SAMPLE_HANS, base / "lib" / "华东区" / "扫描计划.pdf")
    old = Path.cwd()
    with pytest.MonkeyPatch.context() as mp:
        for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            mp.delenv(var, raising=False)
        mp.setenv("PLANREVIEW_DATA_DIR", str(base / "data"))
        from service.settings import get_settings

        get_settings.cache_clear()
        os.chdir(base)
        try:
            result = run_batch(BatchOptions(paths=["lib"], out=Path("out"), jobs=2, llm="off"))
            yield Library(base / "lib", manifest, base / "out", result)
        finally:
            os.chdir(old)
            get_settings.cache_clear()


def _reviews(out: Path) -> dict[str, dict[str, Any]]:
    return {
        p.relative_to(out / "reviews").as_posix()[: -len(".json")]: json.loads(
            p.read_text(encoding="utf-8")
        )
        for p in (out / "reviews").rglob("*.json")
    }


def test_every_plan_has_a_review_and_findings_add_up(library: Library) -> None:
    reviews = _reviews(library.out)
    expected = set(library.manifest.plans) | {"sales/word-plan.docx", "华东区/扫描计划.pdf"}
    assert set(reviews) == expected
    jsonl = (library.out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(jsonl) == sum(len(r["findings"]) for r in reviews.values()) > 0
    by_plan: dict[str, int] = {}
    for line in jsonl:
        row = json.loads(line)
        by_plan[row["plan"]] = by_plan.get(row["plan"], 0) + 1
        assert {"code", "severity", "id", "message", "folder"} <= set(row)
    assert by_plan == {
        r["plan"]["source"]: len(r["findings"]) for r in reviews.values() if r["findings"]
    }
    # The review JSON keeps the contract's shape; timings live in run.json only.
    one = reviews["sales/word-plan.docx"]
    assert one["schema_version"] == "1" and one["plan"]["source"] == "lib/sales/word-plan.docx"
    assert one["plan"]["source_format"] == "docx" and one["timings_ms"] == {}
    assert reviews["华东区/扫描计划.pdf"]["plan"]["language"] == "zh"
    assert library.result.reviewed == len(expected) + len(library.manifest.bad)


def test_batch_review_equals_a_single_review(library: Library) -> None:
    from service.review import ReviewOptions, review_file

    rel = library.manifest.plans[7]
    _, review = review_file(library.root / rel, ReviewOptions(llm="off"))
    batch = _reviews(library.out)[rel]
    assert [f["id"] for f in batch["findings"]] == [f.id for f in review.findings]
    assert batch["scores"] == review.scores


def test_summary_csv_one_row_per_file(library: Library) -> None:
    text = (library.out / "summary.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == N_PLANS + 2 + len(library.manifest.bad)
    assert [r["plan"] for r in rows] == sorted(
        (r["plan"] for r in rows), key=lambda s: tuple(s.split("/"))
    )
    failed = {r["plan"]: r for r in rows if r["status"] == "failed"}
    assert set(failed) == {library.source(rel) for rel in library.manifest.bad}
    assert all(r["reason"].startswith(r["plan"] + ":") for r in failed.values())
    ok = [r for r in rows if r["status"] == "ok"]
    jsonl = (library.out / "findings.jsonl").read_text(encoding="utf-8").count("\n")
    assert sum(int(r["findings"]) for r in ok) == jsonl
    assert all(
        int(r["findings"]) == int(r["error"]) + int(r["warning"]) + int(r["info"]) for r in ok
    )
    assert {"score_overall", "score_smart", "score_risk"} <= set(rows[0])
    assert {r["language"] for r in ok} == {"en", "zh"}


def test_sarif_is_valid_one_run_with_plans_as_artifacts(library: Library) -> None:
    doc = json.loads((library.out / "results.sarif").read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(doc)
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    reviews = _reviews(library.out)
    assert len(run["artifacts"]) == len(reviews)
    lib = json.loads((library.out / "library.json").read_text(encoding="utf-8"))
    plan_findings = sum(len(r["findings"]) for r in reviews.values())
    assert len(run["results"]) == plan_findings + len(lib["findings"])
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes} == {
        library.source(rel) for rel in library.manifest.bad
    }
    assert os.path.getsize(library.out / "results.sarif") < 10 * 1024 * 1024


def test_bad_files_are_reported_and_skipped(library: Library) -> None:
    failed = {o.file.rel: o.reason for o in library.result.outcomes if o.status != "ok"}
    assert set(failed) == set(library.manifest.bad)
    assert "empty" in failed["misc/empty.md"]
    assert "docx" in failed["misc/corrupt.docx"] and "\n" not in failed["misc/corrupt.docx"]
    html = (library.out / "index.html").read_text(encoding="utf-8")
    assert "misc/corrupt.docx" in html


def test_library_checks_find_what_was_planted(library: Library) -> None:
    lib = json.loads((library.out / "library.json").read_text(encoding="utf-8"))
    m = library.manifest
    dup_groups = [{g["plan"] for g in grp["goals"]} for grp in lib["duplicate_goals"]]
    assert {library.source(r) for r in m.duplicate_goal_plans} in dup_groups
    conflicts = {c["metric"]: c for c in lib["conflicting_targets"]}
    planted = conflicts["on time delivery rate for the northern region"]
    assert {(t["plan"], t["target"]) for t in planted["targets"]} == {
        (library.source(r), v) for r, v in m.conflict_plans.items()
    }
    assert planted["differs"] == ["target", "due"]
    owners = {o["name"]: o for o in lib["overloaded_owners"]}
    assert owners[PLANTED_OWNER]["plans"] == len(m.overloaded_plans)
    assert {w["plan"] for w in owners[PLANTED_OWNER]["where"]} == {
        library.source(r) for r in m.overloaded_plans
    }
    # The generator leaves risk registers out of most plans. (It leaves communication
    # sections out too, but the plans name stakeholders, which is what comm.no-stakeholders
    # asks and what the section share now follows: tests/test_report_dashboard_habits.py.)
    lacking = {c["section"] for c in lib["section_coverage"] if c["share_missing"] >= 0.5}
    assert "risk" in lacking
    codes = {f["code"] for f in lib["findings"]}
    assert codes == {
        "library.duplicate-goal",
        "library.conflicting-target",
        "library.overloaded-owner",
        "library.missing-section",
    }


def test_dashboard_is_self_contained_and_complete(library: Library) -> None:
    html = (library.out / "index.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    for remote in ("src=", "@import", "url(", 'href="http', "href='http"):
        assert remote not in html
    assert html.count("<svg") >= 5
    reviewed = len(_reviews(library.out))
    assert html.count('<a href="reviews/') == reviewed  # every plan in the ranking links its JSON
    for text in (
        PLANTED_OWNER,
        "on-time delivery rate for the Northern region",
        "华东区",
        "香港分行",
    ):
        assert text in html


def test_rerun_skips_everything_and_writes_the_same_bytes(library: Library) -> None:
    before = {
        p: p.read_bytes()
        for p in library.out.rglob("*")
        if p.is_file() and ".cache" not in p.parts and p.name != "run.json"
    }
    old = Path.cwd()
    os.chdir(library.root.parent)
    try:
        again = run_batch(
            BatchOptions(paths=["lib"], out=Path("out"), jobs=2, llm="off", resume=True)
        )
    finally:
        os.chdir(old)
    assert again.reviewed == 0
    assert again.cached == len(again.outcomes)
    after = {
        p: p.read_bytes()
        for p in library.out.rglob("*")
        if p.is_file() and ".cache" not in p.parts and p.name != "run.json"
    }
    assert after == before
    run = json.loads((library.out / "run.json").read_text(encoding="utf-8"))
    assert run["complete"] and run["cached"] == len(again.outcomes) and run["reviewed"] == 0


# -- smaller libraries ----------------------------------------------------------------------------
@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LibraryManifest:
    monkeypatch.chdir(tmp_path)
    return generate_library(tmp_path / "lib", 24, seed=3)


def test_cache_reviews_only_changed_plans_and_drops_removed_ones(small: LibraryManifest) -> None:
    opts = BatchOptions(paths=["lib"], out=Path("out"), jobs=2, llm="off")
    first = run_batch(opts)
    assert first.reviewed == 24 + len(small.bad)
    changed = small.root / small.plans[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n## Risks\n\n- Supplier delay.\n", encoding="utf-8"
    )
    removed = small.plans[1]
    (small.root / removed).unlink()
    second = run_batch(opts)
    assert second.reviewed == 1 and second.cached == 22 + len(small.bad)
    assert not (Path("out") / "reviews" / f"{removed}.json").exists()
    review = json.loads((Path("out") / "reviews" / f"{small.plans[0]}.json").read_text("utf-8"))
    assert review["plan"]["lines"] == len(changed.read_text(encoding="utf-8").split("\n"))
    # The options are part of the key: a config change re-reviews what it applies to.
    (small.root / "planreview.toml").write_text('ignore = ["bsc"]\n', encoding="utf-8")
    third = run_batch(opts)
    assert third.reviewed == 23 + len(small.bad)
    assert all(not o.codes["bsc.missing-perspective"] for o in third.ok)


def test_cli_exit_codes(small: LibraryManifest) -> None:
    from service.cli import app

    runner = CliRunner()
    res = runner.invoke(
        app, ["batch", "lib", "--out", "out", "--jobs", "1", "--llm", "off", "--progress", "none"]
    )
    assert res.exit_code == 1, res.output  # the generated plans have error findings
    res = runner.invoke(
        app,
        [
            "batch",
            "lib",
            "--out",
            "out",
            "--llm",
            "off",
            "--progress",
            "none",
            "--fail-on",
            "never",
        ],
    )
    assert res.exit_code == 0, res.output
    # Failed files do not change the exit code unless asked.
    res = runner.invoke(
        app,
        [
            "batch",
            "lib",
            "--out",
            "out",
            "--llm",
            "off",
            "--progress",
            "none",
            "--fail-on",
            "never",
            "--fail-on-unreadable",
        ],
    )
    assert res.exit_code == 1
    res = runner.invoke(app, ["batch", "lib/nope", "--out", "out", "--progress", "none"])
    assert res.exit_code == 2 and "lib/nope: no such file or folder" in res.output
    Path("empty").mkdir()
    res = runner.invoke(app, ["batch", "empty", "--out", "out2", "--progress", "none"])
    assert res.exit_code == 2 and "no plan files found" in res.output
    Path("bad.toml").write_text('select = ["nonsense"]\n', encoding="utf-8")
    res = runner.invoke(
        app, ["batch", "lib", "--out", "out", "--config", "bad.toml", "--progress", "none"]
    )
    assert res.exit_code == 2 and "bad.toml" in res.output and "Traceback" not in res.output


def test_llm_calls_run_in_bounded_threads(
    small: LibraryManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.settings import get_settings

    monkeypatch.setenv("PLANREVIEW_LLM_CONCURRENCY", "3")
    get_settings.cache_clear()
    lock = threading.Lock()
    state = {"now": 0, "peak": 0, "calls": 0}

    def fake_llm(plan_json: str, options_json: str) -> dict[str, Any]:
        from service.models import Plan
        from service.review import ReviewOptions, review_plan

        assert json.loads(options_json)["llm"] == "on"
        with lock:
            state["now"] += 1
            state["calls"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.05)
        options = ReviewOptions.model_validate_json(options_json).model_copy(update={"llm": "off"})
        review = review_plan(Plan.model_validate_json(plan_json), options)
        review.engine.tier, review.engine.llm_status = "llm", "ok"
        with lock:
            state["now"] -= 1
        return review.model_dump(mode="json")

    result = run_batch(
        BatchOptions(paths=["lib"], out=Path("out"), jobs=2, llm="on"), llm_reviewer=fake_llm
    )
    assert state["calls"] == 24
    assert 2 <= state["peak"] <= 3
    assert {o.llm_status for o in result.ok} == {"ok"}
    # A model is part of the cache key; LLM results are reused by the next run.
    assert (
        run_batch(
            BatchOptions(paths=["lib"], out=Path("out"), jobs=2, llm="on"), llm_reviewer=fake_llm
        ).reviewed
        == 0
    )


def test_failed_llm_tier_keeps_the_rule_review_and_is_not_cached(small: LibraryManifest) -> None:
    def broken(plan_json: str, options_json: str) -> dict[str, Any]:
        raise TimeoutError("endpoint did not answer")

    opts = BatchOptions(paths=["lib"], out=Path("out"), jobs=1, llm="on")
    first = run_batch(opts, llm_reviewer=broken)
    assert len(first.ok) == 24
    assert all(o.llm_status.startswith("failed: TimeoutError") for o in first.ok)
    assert all(o.findings for o in first.ok)  # the rule findings are still there
    assert run_batch(opts, llm_reviewer=broken).reviewed == 24  # bad files come from the cache


def test_a_crashing_worker_fails_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.batch import worker

    monkeypatch.chdir(tmp_path)
    generate_library(tmp_path / "lib", 12, seed=5, bad=False)
    crash = "<!-- planreview: on -->\n# boom\n"  # a plan by its marker (it reads like none)
    (tmp_path / "lib" / "sales" / "crash.md").write_text(crash, encoding="utf-8")
    original = worker.review_one

    def crashing(job: worker.Job) -> worker.JobResult:
        if job.path.endswith("crash.md"):
            os._exit(3)  # what a segfault in a parser looks like to the pool
        return original(job)

    monkeypatch.setattr(worker, "review_one", crashing)  # inherited by forked workers
    result = run_batch(
        BatchOptions(paths=["lib"], out=Path("out"), jobs=2, llm="off", library=LibraryOptions())
    )
    failed = {o.file.rel: o.reason for o in result.outcomes if o.status != "ok"}
    assert list(failed) == ["sales/crash.md"]
    assert "crashed" in failed["sales/crash.md"]
    assert len(result.ok) == 12


def test_library_results_respect_githubs_sarif_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.batch import outputs
    from service.batch.library import LibraryFinding, LibraryLocation, LibraryReport
    from service.report import sarif

    report = LibraryReport(
        plans=2,
        options=LibraryOptions(),
        findings=[
            LibraryFinding(
                id=f"f{i}",
                code="library.duplicate-goal",
                severity="info",
                message="same goal",
                locations=[
                    LibraryLocation(plan="a.md", line=1),
                    LibraryLocation(plan="b.md", line=2),
                ],
            )
            for i in range(5)
        ],
    )
    doc = outputs.build_sarif_doc([], [], report, cwd=Path.cwd())
    assert len(doc["runs"][0]["results"]) == 5
    assert doc["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 2
    }
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    assert len(outputs.build_sarif_doc([], [], report, cwd=Path.cwd())["runs"][0]["results"]) == 3
    monkeypatch.setattr(sarif, "MAX_BYTES", 100)
    assert outputs.build_sarif_doc([], [], report, cwd=Path.cwd())["runs"][0]["results"] == []


def test_identical_files_share_a_cache_entry_but_keep_their_own_paths(
    small: LibraryManifest,
) -> None:
    import shutil

    shutil.copy(small.root / small.plans[2], small.root / "copy-of-plan.md")
    opts = BatchOptions(paths=["lib"], out=Path("out"), jobs=1, llm="off")
    run_batch(opts)
    first = {p: p.read_bytes() for p in Path("out/reviews").rglob("*.json")}
    copy = json.loads((Path("out/reviews") / "copy-of-plan.md.json").read_text(encoding="utf-8"))
    original = json.loads((Path("out/reviews") / f"{small.plans[2]}.json").read_text("utf-8"))
    assert copy["plan"]["source"] == "lib/copy-of-plan.md"
    assert original["plan"]["source"] == f"lib/{small.plans[2]}"
    assert copy["findings"] == original["findings"]
    again = run_batch(opts)
    assert again.reviewed == 0
    assert {p: p.read_bytes() for p in Path("out/reviews").rglob("*.json")} == first
