"""Reports for readers without the right fonts, and a dashboard that agrees with the rules
(issue 14, item 8): CJK font stack and emoji fallback, section shares from the findings,
no clipped labels, skipped .doc files listed."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from service.batch.charts import Bar, _text_width, hbar_chart
from service.batch.runner import BatchOptions, run_batch
from service.report import render
from service.report.samples import sample_en, sample_zh

REPO = Path(__file__).resolve().parents[1]
CJK = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Noto Sans CJK TC")
EMOJI = ("Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji")


def _stacks(html: str) -> tuple[str, list[str]]:
    sans = re.search(r"--sans:([^;]+);", html)
    assert sans, "no --sans font stack"
    return sans.group(1), re.findall(r"font-family:\s*([^;]+);", html)


@pytest.mark.parametrize("sample", [sample_en, sample_zh])
def test_html_report_names_cjk_fonts_and_an_emoji_fallback(sample) -> None:  # type: ignore[no-untyped-def]
    html = render([sample()], "html")
    sans, families = _stacks(html)
    assert all(f in sans for f in (*CJK, *EMOJI))
    assert sans.strip().endswith("sans-serif")
    # every text in the page uses one of the two stacks (none falls back to a Latin-only one)
    assert families and all(f.strip() in ("var(--sans)", "var(--mono)") for f in families)
    mono = re.search(r"--mono:([^;]+);", html)
    assert mono and "Noto Sans Mono CJK SC" in mono.group(1) and "Noto Color Emoji" in mono.group(1)


def test_chart_notes_are_never_clipped() -> None:
    bars = [Bar(label="监控与复盘", segments=[(100.0, "bad", "14/14")], note="100% (14/14)")]
    bars.append(Bar(label="budget", segments=[(85.7, "bar", "12/14")], note="86% (12/14)"))
    svg = str(hbar_chart(bars, title="t", max_value=100.0, label_width=200))
    width = float(re.search(r'viewBox="0 0 (\d+)', svg).group(1))  # type: ignore[union-attr]
    for note in ("100% (14/14)", "86% (12/14)"):
        x = float(re.search(rf'<text x="([\d.]+)"[^>]*>{re.escape(note)}<', svg).group(1))  # type: ignore[union-attr]
        assert x + _text_width(note) <= width, note


PLAN = """# {title} 2027

## Goals

- Cut late deliveries from 12% to 5% of orders by 2027-06-30 (Owner: Dana).

## Tasks

- Sign two more carriers by 2027-03-31 (Owner: Omar).

{extra}
"""


def test_dashboard_section_shares_agree_with_the_rule_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    # a review cadence among the tasks (no "Monitoring" heading): pdca.no-check does not fire,
    # so the plan does not lack monitoring (a count of headings said it did)
    prose = "- Hold a weekly review of the KPI dashboard with the COO (Owner: Dana)."
    (lib / "a-plan.md").write_text(PLAN.format(title="A", extra=prose), "utf-8")
    (lib / "b-plan.md").write_text(PLAN.format(title="B", extra=""), "utf-8")
    (lib / "c-plan.md").write_text(PLAN.format(title="C", extra="## Budget\n\nTBD\n"), "utf-8")
    (lib / "old-plan.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANREVIEW_DATA_DIR", str(tmp_path / "data"))
    os.environ.pop("OPENAI_API_KEY", None)
    run_batch(BatchOptions(paths=["lib"], out=Path("out"), jobs=1, llm="off"))
    out = tmp_path / "out"
    library = json.loads((out / "library.json").read_text("utf-8"))
    coverage = {c["section"]: c for c in library["section_coverage"]}
    fired: dict[str, set[str]] = {}
    for line in (out / "findings.jsonl").read_text("utf-8").splitlines():
        f = json.loads(line)
        fired.setdefault(f["plan"], set()).add(f["code"])
    from service.batch.library import SECTION_RULE

    for section, code in SECTION_RULE.items():
        expected = sorted(
            p
            for p in ("lib/a-plan.md", "lib/b-plan.md", "lib/c-plan.md")
            if code in fired.get(p, set())
        )
        assert coverage[section]["plans_missing"] == expected, section
    assert coverage["monitoring"]["plans_missing"] == ["lib/b-plan.md", "lib/c-plan.md"]
    from service.batch.digest import digest_plan
    from service.ingest import load_plan

    assert not digest_plan(load_plan(lib / "a-plan.md")).sections["monitoring"]  # headings alone
    # the .doc is listed, with what to do, in run.json and on the dashboard
    run = json.loads((out / "run.json").read_text("utf-8"))
    (doc,) = [s for s in run["skipped"] if s["path"].endswith("old-plan.doc")]
    assert "save it as .docx" in doc["reason"]
    page = (out / "index.html").read_text("utf-8")
    assert 'id="skipped"' in page and "old-plan.doc" in page
