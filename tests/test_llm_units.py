"""Unit tests of the LLM tier's parts, with LangChain's fake chat models behind our client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from service.ingest.markdown import parse_markdown
from service.llm import prompts as prompts_mod
from service.llm.client import LangChainBackend, parse_json_object, retry_after_seconds
from service.llm.draft import assemble
from service.llm.guidance import GuidanceHit, StaticGuidance, trim_to_tokens
from service.llm.prompts import PromptError, load_prompts
from service.llm.quotes import QuoteFinder
from service.llm.schemas import DraftEdit, DraftOutput
from service.llm.tier import run_llm_tier
from service.llm.tokens import estimate_tokens
from service.llm.validate import map_code, merge
from service.models import Finding, Plan, Span
from service.review import ReviewOptions, review_plan
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = (REPO / "examples" / "sample-plan.md").read_text(encoding="utf-8")
GUIDE = StaticGuidance(
    [
        GuidanceHit(
            "smart-measurable-en",
            "SMART: Measurable",
            "knowledge/frameworks/smart.en.md",
            "A measurable goal states a metric, baseline and target.",
        )
    ]
)


@pytest.fixture(autouse=True)
def _no_cassettes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANREVIEW_LLM_CASSETTES", raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm_max_retries=0)


def _plan(text: str = SAMPLE) -> Plan:
    return parse_markdown(text, source="plan.md")


def _critique(
    findings: list[dict[str, Any]] | None = None,
    risks: list[dict[str, Any]] | None = None,
    summary: str = "Weak risk section.",
) -> str:
    return json.dumps(
        {"findings": findings or [], "risks": risks or [], "summary": summary}, ensure_ascii=False
    )


def _backend(*responses: str) -> LangChainBackend:
    return LangChainBackend(
        FakeListChatModel(responses=list(responses)),
        model_name="fake-model",
        structured="json_mode",
        max_retries=0,
    )


def _review(plan: Plan, settings: Settings, backend: LangChainBackend, draft: bool = False):
    offline = review_plan(plan, ReviewOptions(llm="off"), settings=settings)
    return offline, run_llm_tier(
        plan,
        offline,
        ReviewOptions(llm="on", draft=draft),
        settings,
        plan.language,
        backend=backend,
        guidance=GUIDE,
    )


# ----------------------------------------------------------------------------- prompts


def test_prompts_load_with_declared_variables_and_a_version() -> None:
    ps = load_prompts()
    assert set(ps.templates) == set(prompts_mod.TEMPLATE_VARIABLES)
    assert len(ps.version) == 12
    with pytest.raises(PromptError, match="missing"):
        ps.render("repair", error="x", raw="y")  # json_shape missing


def test_prompt_using_an_undeclared_variable_is_refused(tmp_path: Path) -> None:
    for name in prompts_mod.TEMPLATE_VARIABLES:
        (tmp_path / f"{name}.j2").write_text(
            (REPO / "prompts" / f"{name}.j2").read_text("utf-8"), encoding="utf-8"
        )
    base = load_prompts(tmp_path).version
    (tmp_path / "repair.j2").write_text(
        "{{ boundary }} {{ error }} {{ raw }} {{ json_shape }} {{ secret }}", encoding="utf-8"
    )
    with pytest.raises(PromptError, match="undeclared variables \\['secret'\\]"):
        load_prompts(tmp_path)
    (tmp_path / "repair.j2").write_text("{{ boundary }} {{ error }} {{ raw }}", encoding="utf-8")
    with pytest.raises(PromptError, match="never uses"):
        load_prompts(tmp_path)
    (tmp_path / "repair.j2").write_text(
        "{{ boundary }} {{ error }} {{ raw }} {{ json_shape }}!", encoding="utf-8"
    )
    assert load_prompts(tmp_path).version != base


def test_system_prompt_marks_the_plan_as_data() -> None:
    text = load_prompts().render("system", language_name="English", boundary="PLAN-x")
    assert "<PLAN-x>" in text and "never instructions" in text and "do not obey" in text


# ----------------------------------------------------------------------------- quotes


def test_quote_found_despite_whitespace_punctuation_and_width() -> None:
    plan = _plan(
        "# Plan\n\n## Goals\n\n- Raise CSAT from 71% to 80%, by 2026-12-31.\n"
        "- 提升客户满意度（CSAT）至85%\n"
    )
    finder = QuoteFinder(plan)
    m = finder.find("raise  CSAT from 71 % to 80% by 2026-12-31")
    assert m is not None and m.quote == "Raise CSAT from 71% to 80%, by 2026-12-31"
    assert (m.span.start_line, m.span.start_col, m.span.end_col) == (5, 3, 44)
    m = finder.find("提升客户满意度(CSAT)至８５％")  # half-width brackets, full-width digits
    assert m is not None and m.quote == "提升客户满意度（CSAT）至85%" and m.span.start_line == 6
    assert finder.find("Raise NPS to 60") is None
    assert finder.find("...") is None


def test_quote_with_an_ellipsis_and_traditional_vs_simplified() -> None:
    plan = _plan("# 計劃\n\n- 提升門店營業額至500萬元，並降低庫存周轉天數\n")
    finder = QuoteFinder(plan)
    m = finder.find("提升门店营业额至500万元")  # simplified quote of a traditional plan
    assert m is not None and m.quote == "提升門店營業額至500萬元"
    m = finder.find("提升門店營業額…周轉天數")
    assert m is not None and m.quote == "提升門店營業額至500萬元，並降低庫存周轉天數"


def test_quote_prefers_the_named_block() -> None:
    plan = _plan("# P\n\n- Hire two agents\n- Train staff\n- Hire two agents\n")
    m = QuoteFinder(plan).find("Hire two agents", block_id=plan.blocks[-1].id)
    assert m is not None and m.span.start_line == 5


# ----------------------------------------------------------------------------- codes, merge


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("smart.measureable", "smart.measurable"),
        ("SMART.Time_Bound", "smart.time-bound"),
        ("risk", "llm.risk"),
        ("llm.contradiction", "llm.inconsistency"),
        ("gap", "llm.gap"),
        ("raci.no_owner", "raci.no-owner"),
        ("totally.made-up", None),
        ("", None),
    ],
)
def test_map_code(raw: str, code: str | None) -> None:
    assert map_code(raw) == code


def _f(code: str, line: int, origin: str = "rule", **kw: Any) -> Finding:
    return Finding(
        id=f"{code}{line}{origin}",
        code=code,
        family=code.split(".")[0],
        severity="error",
        scope=kw.pop("scope", "block"),
        span=Span(start_line=line, end_line=line),
        quote="q",
        message="m",
        origin=origin,
        **kw,
    )  # type: ignore[arg-type]


def test_merge_keeps_rule_findings_and_folds_duplicates() -> None:
    rule = _f("smart.measurable", 5, suggestion="rule suggestion")
    llm_twin = _f("smart.measurable", 5, "llm", suggestion="llm s", rewrite="Raise CSAT to 80%")
    llm_new = _f("llm.gap", 7, "llm")
    merged, dups = merge([rule], [llm_twin, llm_new, _f("llm.gap", 7, "llm")])
    assert dups == 2
    assert [f.code for f in merged] == ["smart.measurable", "llm.gap"]
    kept = merged[0]
    assert kept.origin == "rule" and kept.suggestion == "rule suggestion"
    assert kept.rewrite == "Raise CSAT to 80%"
    assert rule.rewrite is None  # the input is not mutated


# ----------------------------------------------------------------------------- client


def test_parse_json_object_tolerates_fences_and_refuses_garbage() -> None:
    assert parse_json_object('```json\n{"a": 1}\n```')[0] == {"a": 1}
    assert parse_json_object("Sure! here it is")[0] is None
    assert parse_json_object("[1, 2]")[1] == "expected a JSON object, got list"


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({}) is None


def test_token_estimate_and_trimming() -> None:
    assert estimate_tokens("abcdefgh") == 2
    assert estimate_tokens("提升客户满意度") == 7
    text = "word " * 400
    cut = trim_to_tokens(text, 30)
    assert cut.endswith("…") and len(cut) < len(text) and trim_to_tokens("short", 30) == "short"


# ----------------------------------------------------------------------------- tier with fakes


def test_fake_model_critique_is_validated_and_merged(settings: Settings) -> None:
    plan = _plan()
    answer = _critique(
        findings=[
            {
                "code": "llm.gap",
                "block_id": "b9",
                "quote": "Build a strong  support culture.",
                "message": "No task serves this goal.",
                "suggestion": "Add a culture initiative.",
                "citations": ["smart-measurable-en"],
                "confidence": 0.8,
            },
            {
                "code": "smart.measureable",
                "block_id": "b6",
                "quote": "Improve customer satisfaction",
                "message": "No target.",
                "rewrite": "Raise CSAT from 78% to 85% by 2026-12-31",
            },
            {
                "code": "llm.risk",
                "block_id": "b6",
                "quote": "not in the plan at all",
                "message": "x",
            },
            {
                "code": "llm.gap",
                "block_id": "b6",
                "quote": "Improve customer satisfaction",
                "message": "x",
                "citations": ["invented-chunk-9"],
            },
            {
                "code": "nonsense.code",
                "block_id": "b6",
                "quote": "Improve customer satisfaction",
                "message": "x",
            },
        ],
        risks=[
            {
                "risk": "Chatbot vendor lock-in",
                "reason": "one vendor",
                "quote": "Chatbot licence: $35,000",
                "mitigation": "Negotiate an exit clause",
            },
            {"risk": "Attrition of senior agents", "reason": "tight market", "quote": ""},
        ],
    )
    backend = _backend(answer)
    offline, review = _review(plan, settings, backend)
    assert review.engine.tier == "llm" and review.engine.llm_status == "ok"
    assert review.engine.model == "fake-model" and review.engine.prompt_version
    # the invented chunk id is stripped, the finding stays; the quote not found and the
    # unknown code go back to the model once, in the same conversation (the fake answers the
    # same again, so they stay dropped)
    assert review.engine.dropped == {
        "quote_not_found": 1,
        "unknown_citation": 0,
        "unknown_code": 1,
        "duplicate": 1,
        "citation_stripped": 1,
    }
    assert review.usage.llm_calls == 2 and review.usage.prompt_tokens > 0
    rule_ids = {f.id for f in offline.findings}
    assert rule_ids <= {f.id for f in review.findings}
    llm = [f for f in review.findings if f.origin == "llm"]
    assert {f.code for f in llm} == {"llm.gap", "llm.risk"}
    for f in llm:
        assert f.quote and f.quote in plan.text and f.span is not None
        line = plan.lines[f.span.start_line - 1]
        assert line[f.span.start_col - 1 : f.span.end_col - 1] == f.quote
    gap = next(f for f in llm if f.code == "llm.gap" and f.block_id == "b9")
    assert gap.quote == "Build a strong support culture" and gap.severity == "warning"
    assert gap.citations[0].chunk_id == "smart-measurable-en"
    stripped = next(f for f in llm if f.code == "llm.gap" and f.block_id == "b6")
    assert stripped.quote == "Improve customer satisfaction"
    assert "invented-chunk-9" not in {c.chunk_id for c in stripped.citations}
    doc_risk = next(f for f in llm if f.code == "llm.risk" and f.scope == "document")
    assert "Attrition" in doc_risk.message
    merged = next(
        f
        for f in review.findings
        if f.code == "smart.measurable" and f.span and f.span.start_line == 13
    )
    assert merged.origin == "rule"


def test_malformed_answer_gets_one_repair_then_fails(settings: Settings) -> None:
    plan = _plan()
    backend = _backend('{"findings": [{"code": "llm.gap", "quo', "still not json")
    offline, review = _review(plan, settings, backend)
    assert review.engine.llm_status.startswith("failed: malformed output after a repair")
    assert review.engine.tier == "offline"
    assert [f.id for f in review.findings] == [f.id for f in offline.findings]
    assert backend.usage.calls == 2


def test_repair_succeeds(settings: Settings) -> None:
    backend = _backend("Here you go: {not json", _critique(summary="fixed"))
    _, review = _review(_plan(), settings, backend)
    assert review.engine.llm_status == "ok: no findings" and review.usage.llm_calls == 2


def test_generic_fake_model_draft_keeps_the_authors_text(settings: Settings) -> None:
    plan = _plan()
    draft = {
        "edits": [
            {
                "block_id": "b6",
                "action": "replace",
                "markdown": "- Raise CSAT from 78% to 85% by 2026-12-31",
            },
            {"block_id": "b5", "action": "insert_after", "markdown": "Baseline: CSAT 78% (2025)."},
            {"block_id": "b999", "action": "replace", "markdown": "ignored"},
        ],
        "changes": ["Made the CSAT goal measurable"],
    }
    model = GenericFakeChatModel(
        messages=iter([AIMessage(content=_critique()), AIMessage(content=json.dumps(draft))])
    )
    backend = LangChainBackend(model, model_name="fake", structured="json_mode", max_retries=0)
    _, review = _review(plan, settings, backend, draft=True)
    assert review.engine.llm_status == "ok: no findings" and review.usage.llm_calls == 2
    text = review.draft
    assert text is not None
    assert "- Raise CSAT from 78% to 85% by 2026-12-31\n" in text
    assert "- Improve customer satisfaction" not in text
    assert "Baseline: CSAT 78% (2025)." in text and "Made the CSAT goal measurable" in text
    for line in plan.lines:  # everything else the author wrote is still there
        if line.strip() and "Improve customer satisfaction" not in line:
            assert line in text


def test_apply_edits_on_table_rows_and_chinese_change_log() -> None:
    plan = _plan(
        "# 计划\n\n## 任务\n\n| 任务 | 负责人 |\n|---|---|\n| 上线会员系统 | |\n\n## 预算\n\n- 总计：100万\n"
    )
    row = next(b for b in plan.blocks if b.kind == "table_row" and not b.is_header)
    out = DraftOutput(
        edits=[
            DraftEdit(block_id=row.id, action="replace", markdown="上线会员系统 | 王伟（IT）"),
            DraftEdit(block_id=row.id, action="insert_after", markdown="（表后补充：每周复盘）"),
        ],
        changes=["补充负责人"],
    )
    text, applied = assemble(plan, out, "zh")
    assert applied == 2
    assert "| 上线会员系统 | 王伟（IT） |" in text and "## 修改说明" in text
    assert text.index("（表后补充：每周复盘）") < text.index("## 预算")


def test_cached_re_review_makes_no_call(settings: Settings) -> None:
    plan = _plan()
    first = _backend(
        _critique(
            findings=[
                {
                    "code": "llm.gap",
                    "block_id": "b9",
                    "quote": "Build a strong support culture",
                    "message": "No initiative.",
                }
            ]
        )
    )
    _, r1 = _review(plan, settings, first)
    second = _backend()  # would fail if called: no responses
    _, r2 = _review(plan, settings, second)
    assert r1.engine.llm_status == "ok" and r2.engine.llm_status == "cached"
    assert second.attempts == 0 and r2.usage.llm_calls == 0
    assert [f.id for f in r2.findings] == [f.id for f in r1.findings]
    # another model or the draft flag is another key
    third = _backend(_critique())
    third.model_name = "other-model"
    _, r3 = _review(plan, settings, third)
    assert r3.engine.llm_status == "ok: no findings" and third.attempts == 1


def test_prompt_tokens_stay_within_plan_plus_3000(settings: Settings) -> None:
    plan = _plan()
    backend = _backend(_critique())
    _, review = _review(plan, settings, backend)
    from service.llm.tokens import count_tokens

    assert review.usage.prompt_tokens <= count_tokens(plan.text) + 3000
