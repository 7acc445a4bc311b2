"""SARIF 2.1.0 output: schema-valid, GitHub-ready, with correct regions and levels.

The schema is the OASIS SARIF 2.1.0 schema (errata01), vendored in
service/report/schemas/ (see the README there); jsonschema comes with chromadb.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from service.models import Finding, Plan, Review
from service.report import render
from service.report.samples import finding, make_plan, make_review, sample_en, sample_zh
from service.report.sarif import artifact_uri, build_sarif
from service.rules.catalogue import BY_CODE

SCHEMA_PATH = Path(__file__).parents[1] / "service/report/schemas/sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _valid(doc: dict[str, Any], validator: jsonschema.protocols.Validator) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    # What GitHub code scanning needs beyond the schema.
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "planreview" and driver["version"] and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert 0 < len(rule["properties"]["tags"]) <= 20
    assert len(run["results"]) <= 25_000
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["partialFingerprints"]
        (location,) = result["locations"]
        phys = location["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        assert "\\" not in uri and not uri.startswith("/")
        assert run["artifacts"][phys["artifactLocation"]["index"]]["location"]["uri"] == uri
        assert phys["region"]["startLine"] >= 1


def _results_by_code(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in doc["runs"][0]["results"]}


def test_sarif_validates_against_the_schema(validator: jsonschema.protocols.Validator) -> None:
    text = render([sample_en(), sample_zh()], "sarif")
    doc = json.loads(text)
    _valid(doc, validator)
    assert len(doc["runs"][0]["artifacts"]) == 2
    assert len(doc["runs"][0]["results"]) == 11


def test_empty_review_is_still_valid(validator: jsonschema.protocols.Validator) -> None:
    plan = make_plan("# Fine\n", source="fine.md")
    doc = build_sarif([(make_review(plan, []), plan)])
    _valid(doc, validator)
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []
    _valid(build_sarif([]), validator)


@pytest.mark.parametrize("pair", [sample_en(), sample_zh()], ids=["en", "zh"])
def test_regions_point_at_the_quoted_text(pair: tuple[Review, Plan]) -> None:
    review, plan = pair
    doc = build_sarif([(review, plan)])
    lines = plan.lines
    checked = 0
    for result in doc["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        if "snippet" not in region:
            continue
        assert region["startLine"] == region["endLine"]
        line = lines[region["startLine"] - 1]
        # columnKind is unicodeCodePoints, end column exclusive: Python slicing.
        assert (
            line[region["startColumn"] - 1 : region["endColumn"] - 1] == region["snippet"]["text"]
        )
        checked += 1
    assert checked >= 2
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_measurable_goal_region_and_chinese_columns() -> None:
    en = _results_by_code(build_sarif([sample_en()]))["smart.measurable"]
    quote = "Improve customer satisfaction in all regions"
    assert en["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 9,
        "startColumn": 3,
        "endLine": 9,
        "endColumn": 3 + len(quote),
        "snippet": {"text": quote},
    }
    zh = _results_by_code(build_sarif([sample_zh()]))["smart.measurable"]
    region = zh["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (3, 3 + len("提升客户满意度"))
    assert zh["message"]["text"].startswith("目标没有可衡量的指标和目标值。")


def test_levels_rules_and_fingerprints() -> None:
    review, plan = sample_en()
    doc = build_sarif([(review, plan)])
    run = doc["runs"][0]
    results = _results_by_code(doc)
    assert results["smart.measurable"]["level"] == "error"
    assert results["smart.specific"]["level"] == "warning"
    assert results["resource.no-buffer"]["level"] == "note"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {f.code for f in review.findings}
    rule = rules["resource.no-buffer"]
    spec = BY_CODE["resource.no-buffer"]
    assert rule["defaultConfiguration"]["level"] == "note"
    assert rule["shortDescription"]["text"] == spec.title_en
    assert rule["fullDescription"]["text"] == spec.summary_en
    assert "resource" in rule["properties"]["tags"]
    assert rule["name"] == "ResourceNoBuffer"
    by_id = {f.id: f for f in review.findings}
    for result in run["results"]:
        (fingerprint,) = result["partialFingerprints"].values()
        assert by_id[fingerprint].code == result["ruleId"]


def test_document_scope_findings_sit_on_line_one() -> None:
    region = _results_by_code(build_sarif([sample_en()]))["risk.no-register"]["locations"][0][
        "physicalLocation"
    ]["region"]
    assert region["startLine"] == 1 and region["startColumn"] == 1


def test_chinese_run_uses_chinese_rule_descriptions() -> None:
    rules = build_sarif([sample_zh()])["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["shortDescription"]["text"] for r in rules}[
        "raci.no-owner"
    ] == "RACI：无负责人"


def test_unknown_codes_still_get_a_rule(validator: jsonschema.protocols.Validator) -> None:
    plan = make_plan("# P\n\n- Do things\n", source="p.md")
    custom = Finding(
        id="abc",
        code="llm.custom-thing",
        family="llm",
        severity="warning",
        scope="block",
        span=finding(plan, "raci.no-owner", "x", quote="Do things").span,
        quote="Do things",
        message="Something odd.",
        origin="llm",
    )
    doc = build_sarif([(make_review(plan, [custom]), plan)])
    _valid(doc, validator)
    rule = doc["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["id"] == "llm.custom-thing" and rule["defaultConfiguration"]["level"] == "warning"


@pytest.mark.parametrize(
    ("source", "uri"),
    [
        ("-", "stdin.md"),
        ("plans\\q3.md", "plans/q3.md"),
        ("./plans/q3.md", "plans/q3.md"),
        ("plans/三季度 计划.md", "plans/%E4%B8%89%E5%AD%A3%E5%BA%A6%20%E8%AE%A1%E5%88%92.md"),
    ],
)
def test_artifact_uris_are_relative_with_forward_slashes(source: str, uri: str) -> None:
    assert artifact_uri(source) == uri


def test_absolute_paths_are_made_relative_to_the_working_directory(tmp_path: Path) -> None:
    plan_file = tmp_path / "team" / "q3.md"
    assert artifact_uri(str(plan_file), cwd=tmp_path) == "team/q3.md"
    outside = artifact_uri("/elsewhere/q3.md", cwd=tmp_path)
    assert outside == "file:///elsewhere/q3.md"


def test_stdin_plan_becomes_stdin_md(validator: jsonschema.protocols.Validator) -> None:
    review, plan = sample_en(source="-")
    doc = build_sarif([(review, plan)])
    _valid(doc, validator)
    assert doc["runs"][0]["artifacts"][0]["location"]["uri"] == "stdin.md"


def _many_findings(n: int) -> tuple[Review, Plan]:
    text = "# Big plan\n\n" + "".join(f"- Task {i}\n" for i in range(n))
    plan = make_plan(text, source="big.md")
    findings = []
    for i in range(n):
        code = ("raci.no-owner", "smart.specific", "risk.no-owner")[i % 3]  # error/warning/info
        findings.append(finding(plan, code, f"Finding {i}", quote=f"Task {i}"))
    return make_review(plan, findings), plan


def test_too_many_results_are_truncated_with_a_notification(
    validator: jsonschema.protocols.Validator,
) -> None:
    doc = build_sarif([_many_findings(30)], max_results=12)
    _valid(doc, validator)
    run = doc["runs"][0]
    assert len(run["results"]) == 12
    assert {r["level"] for r in run["results"]} == {"error", "warning"}  # notes dropped first
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]]
    assert lines == sorted(lines)
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "30" in note["message"]["text"] and "12" in note["message"]["text"]


def test_oversized_output_is_truncated_to_fit(validator: jsonschema.protocols.Validator) -> None:
    limit = 20_000
    doc = build_sarif([_many_findings(120)], max_bytes=limit)
    _valid(doc, validator)
    assert len(json.dumps(doc, indent=2, ensure_ascii=False).encode()) <= limit
    run = doc["runs"][0]
    assert 0 < len(run["results"]) < 120
    assert run["invocations"][0]["toolExecutionNotifications"][0]["level"] == "warning"


# --- SRCROOT, unique fingerprints, helpUri (issue 14) -----------------------------------------


def _run_sarif(*args: str, cwd: Path) -> dict[str, Any]:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "service", "review", *args, "--format", "sarif"],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_absolute_paths_give_relative_uris_against_srcroot(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    repo = Path(__file__).parents[1]
    plans = tmp_path / "plans" / "team"
    plans.mkdir(parents=True)
    (plans / "q3.md").write_text((repo / "examples/sample-plan.md").read_text("utf-8"), "utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    # The working directory holds the plan (a CI checkout): SRCROOT is the working directory.
    doc = _run_sarif(str(plans / "q3.md"), cwd=tmp_path)
    _valid(doc, validator)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": tmp_path.resolve().as_uri() + "/"}}
    assert run["artifacts"][0]["location"] == {"uri": "plans/team/q3.md", "uriBaseId": "SRCROOT"}
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc == {"uri": "plans/team/q3.md", "uriBaseId": "SRCROOT", "index": 0}

    # Run from somewhere else: SRCROOT is the folder holding the plans, never a file:// URI.
    doc = _run_sarif(str(plans / "q3.md"), cwd=elsewhere)
    _valid(doc, validator)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == plans.resolve().as_uri() + "/"
    assert run["artifacts"][0]["location"] == {"uri": "q3.md", "uriBaseId": "SRCROOT"}
    assert "file:" not in json.dumps(run["results"])


def test_fingerprints_are_unique_when_the_same_sentence_appears_twice(
    validator: jsonschema.protocols.Validator,
) -> None:
    from service.review import ReviewOptions, review_text_with_plan

    text = (
        "# Plan\n\n## Goals\n\n- Improve customer satisfaction\n\n"
        "## Goals for the second half\n\n- Improve customer satisfaction\n"
    )
    plan, review = review_text_with_plan(text, "twice.md", ReviewOptions(llm="off"))
    measurable = [f for f in review.findings if f.code == "smart.measurable"]
    assert len(measurable) == 2 and measurable[0].id == measurable[1].id  # same id by contract
    doc = build_sarif([(review, plan)])
    _valid(doc, validator)
    prints = [next(iter(r["partialFingerprints"].values())) for r in doc["runs"][0]["results"]]
    assert len(prints) == len(set(prints)) == len(review.findings)
    # the first occurrence keeps the finding id (alerts from earlier uploads still match)
    ids = {f.id for f in review.findings}
    assert measurable[0].id in prints and f"{measurable[0].id}:2" in prints
    assert all(p.split(":")[0] in ids for p in prints)


def test_every_rule_has_a_help_uri_into_the_rule_reference() -> None:
    import re
    from urllib.parse import urlparse

    from service.explain import catalogue_markdown

    doc = build_sarif([sample_en()])
    reference = (Path(__file__).parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert reference == catalogue_markdown(), (
        "regenerate: python -m service.explain > docs/rules.md"
    )
    # GitHub's fragment for a heading "### `code`": lower case, punctuation dropped
    anchors = {
        re.sub(r"[^a-z0-9 _-]", "", m.lower()).replace(" ", "-")
        for m in re.findall(r"^### (.+)$", reference, flags=re.M)
    }
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    for rule in rules:
        url = urlparse(rule["helpUri"])
        assert url.scheme == "https" and url.path.endswith("/docs/rules.md")
        assert url.fragment in anchors, rule["id"]
        assert "```markdown" in rule["help"]["markdown"]  # the failing and passing examples
