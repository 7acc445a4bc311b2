"""Each rule family, in English, 简体 and 繁體, with positive and negative cases.

Plans are written inline so each test shows exactly what the rule reads.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from service.models import Finding
from service.review import ReviewOptions, review_text


def findings(text: str, **opts: object) -> list[Finding]:
    return review_text(
        dedent(text).strip() + "\n", "t.md", ReviewOptions(llm="off", **opts)
    ).findings  # type: ignore[arg-type]


def at(found: list[Finding], code: str) -> list[int | None]:
    return sorted(
        (f.span.start_line if f.span and f.scope == "block" else None)
        for f in found
        if f.code == code
    )  # type: ignore[type-var]


WELL_MADE_EN = """
# Q3 2026 Support Plan

Period: 2026-07-01 to 2026-09-30
Sponsor: COO; we report progress to the steering committee monthly.

## Goals

- Raise CSAT from 78% to 85% by 2026-09-30
- Cut first response time from 11 hours to 4 hours by 2026-09-15

## Tasks

| Task | Owner | Due |
|---|---|---|
| Publish 40 help articles | Sam Wu | 2026-08-15 |
| Train all agents on the new macros | Maria Lopez | 2026-08-31 |

## Budget

- Articles: $20,000
- Training: $10,000
- Contingency reserve: $3,000
- Total: $33,000

## Risks

| Risk | Likelihood | Impact | Mitigation | Owner |
|---|---|---|---|---|
| Writers unavailable | Medium | High | Keep a freelance writer on call | Sam Wu |

## Monitoring

We track CSAT and response time on a weekly dashboard; if either misses target two weeks running,
the team lead escalates and we adjust the rota.
"""


def test_well_made_english_plan_has_no_errors() -> None:
    found = findings(WELL_MADE_EN)
    errors = [
        (f.code, f.span.start_line if f.span else None) for f in found if f.severity == "error"
    ]
    assert errors == []


# -- SMART ----------------------------------------------------------------------------------------
def test_smart_vague_goal_fires_measurable_specific_timebound() -> None:
    found = findings("""
        # Plan

        ## Goals

        - Improve customer satisfaction
        - Raise NPS from 30 to 45 by 2026-12-31
    """)
    assert at(found, "smart.measurable") == [5]
    assert at(found, "smart.specific") == [5]
    assert at(found, "smart.time-bound") == [5]


def test_smart_goal_inherits_plan_period_from_title() -> None:
    found = findings("""
        # 2027 Sales Plan

        ## Goals

        - Grow revenue by 20%
    """)
    assert at(found, "smart.time-bound") == []
    assert at(found, "smart.measurable") == []


def test_smart_achievable_level_target_without_baseline() -> None:
    found = findings("""
        # H1 2027 plan

        ## Goals

        - Reach 40% retention
        - Lift retention from 31% to 40%
        - Grow bookings by 15%
    """)
    assert at(found, "smart.achievable") == [5]


def test_smart_achievable_implausible_jump() -> None:
    found = findings("""
        # 2027 plan

        ## Goals

        - Grow monthly active users from 2,000 to 50,000
    """)
    assert at(found, "smart.achievable") == [5]
    assert "25x" in next(f.message for f in found if f.code == "smart.achievable")


def test_smart_chinese_simplified() -> None:
    found = findings("""
        # 2027年度运营计划

        ## 一、年度目标

        1. 提升品牌影响力
        2. 复购率由22%提升至30%
        3. GMV达到500万元
    """)
    assert at(found, "smart.specific") == [5]
    assert at(found, "smart.measurable") == [5]
    assert at(found, "smart.achievable") == [7]
    assert at(found, "smart.time-bound") == []
    message = next(f.message for f in found if f.code == "smart.measurable")
    assert "目标" in message  # messages in the plan's language


def test_smart_chinese_traditional_without_period() -> None:
    found = findings("""
        # 門市營運方案

        ## 工作目標

        - 強化團隊凝聚力
        - 會員人數達到5,000人
    """)
    assert at(found, "smart.time-bound") == [5, 6]
    assert at(found, "smart.measurable") == [5]
    message = next(f.message for f in found if f.code == "smart.measurable")
    assert "目標" in message and "目标" not in message  # 繁體 plans get 繁體 messages


def test_goal_line_outside_a_goals_section() -> None:
    found = findings("""
        # Ops notes

        Goal: Improve the onboarding experience
    """)
    assert at(found, "smart.measurable") == [3]


# -- OKR ------------------------------------------------------------------------------------------
OKR_EN = """
# Q3 2026 OKRs

## OKRs

Objective 1: Make the first week of a trial feel like a win

- KR1: Raise week-1 invite rate from 38% to 50%
- KR2: Launch the new onboarding checklist
- KR3: Grow net revenue retention to X%

Objective 2: Keep the platform fast

- KR1: Keep p95 page load under 1.2 s
"""


def test_okr_rules_english() -> None:
    found = findings(OKR_EN)
    assert at(found, "okr.kr-is-task") == [8]
    assert at(found, "okr.kr-not-measurable") == [8, 9]
    assert at(found, "okr.kr-count") == [11]
    # Objectives and key results are not judged as SMART goals.
    assert at(found, "smart.measurable") == []


def test_okr_rules_chinese() -> None:
    found = findings("""
        # 2026年第四季度OKR

        ## OKR

        目标一：让新客户快速上手

        - KR1：新客户30日留存率由60%提升至75%
        - KR2：上线会员系统
        - KR3：客户满意度达到xxx
    """)
    assert at(found, "okr.kr-is-task") == [8]
    assert at(found, "okr.kr-not-measurable") == [8, 9]
    assert at(found, "okr.kr-count") == []


# -- RACI -----------------------------------------------------------------------------------------
def test_raci_tasks_and_matrix() -> None:
    found = findings("""
        # Plan for Q3 2026

        ## Tasks

        - Migrate billing (Finance Ops)
        - Publish the pricing page
        - Train sales — Dana Reyes, by 15 August

        ## RACI

        | Activity | PM | Eng | Finance |
        |---|---|---|---|
        | Billing | A | R | C |
        | Pricing | A | C | A |
        | Launch | C | I | I |
    """)
    assert at(found, "raci.no-owner") == [6]
    assert at(found, "raci.multiple-accountable") == [14]
    assert at(found, "raci.no-accountable") == [15]
    assert at(found, "raci.no-responsible") == [14, 15]


def test_raci_owner_column_and_chinese_labels() -> None:
    found = findings("""
        # 华东区2026年门店运营方案

        ## 重点工作

        | 任务 | 负责人 | 完成时间 |
        |---|---|---|
        | 门店陈列标准化 | 张伟 | 6月30日 |
        | 会员系统升级 | 待定 | 8月31日 |

        1. 完成员工培训（负责人：李娜）
        2. 开展竞品调研
    """)
    assert at(found, "raci.no-owner") == [8, 11]


def test_raci_overloaded_counts_one_person() -> None:
    found = findings("""
        # Plan for 2027

        ## Tasks

        - Task one (Owner: Alice Chen)
        - Task two (Owner: Alice Chen)
        - Task three (Owner: Alice Chen)
        - Task four (Owner: Alice Chen)
        - Task five (Owner: Bob Stone)
    """)
    assert at(found, "raci.overloaded") == [None]
    assert "Alice Chen" in next(f.message for f in found if f.code == "raci.overloaded")


# -- PDCA, BSC, comm, resources -------------------------------------------------------------------
def test_document_rules_fire_on_a_bare_plan_and_not_on_a_full_one() -> None:
    bare = findings("""
        # Growth plan

        ## Goals

        - Grow revenue by 20%
        - Raise profit margin by 2 points
        - Increase sales per store by 10%
    """)
    codes = {f.code for f in bare}
    for code in (
        "pdca.no-check",
        "pdca.no-act",
        "risk.no-register",
        "resource.no-budget",
        "resource.no-timeline",
        "resource.no-staffing",
        "comm.no-stakeholders",
        "bsc.lagging-only",
    ):
        assert code in codes, code
    assert len([f for f in bare if f.code == "bsc.missing-perspective"]) == 3
    full = {f.code for f in findings(WELL_MADE_EN)}
    for code in (
        "pdca.no-check",
        "pdca.no-act",
        "risk.no-register",
        "resource.no-budget",
        "resource.no-timeline",
        "resource.no-staffing",
        "comm.no-stakeholders",
        "resource.no-buffer",
    ):
        assert code not in full, code


def test_pdca_no_milestones_needs_an_intermediate_date() -> None:
    plan = """
        # Plan

        Period: 2026-01-01 to 2026-12-31

        ## Goals

        - Raise NPS from 30 to 40 by 2026-12-31
    """
    assert "pdca.no-milestones" in {f.code for f in findings(plan)}
    with_checkpoint = plan + "\n## Milestones\n\n- 2026-06-30: mid-year review\n"
    assert "pdca.no-milestones" not in {f.code for f in findings(with_checkpoint)}


def test_budget_tbd_is_no_budget_in_chinese() -> None:
    found = findings("""
        # 2026年活动方案

        ## 预算

        预算待定。
    """)
    assert "resource.no-budget" in {f.code for f in found}


# -- Risk ----------------------------------------------------------------------------------------
def test_risk_entries_list_and_table() -> None:
    found = findings("""
        # Plan for 2027

        ## Risks

        - Supplier delays could push the launch (High likelihood) — mitigation: dual-source
        - Key engineer leaves

        | Risk | Likelihood | Impact | Mitigation | Owner |
        |---|---|---|---|---|
        | Budget cut | Low | High | | |
    """)
    assert at(found, "risk.no-mitigation") == [6, 10]
    assert at(found, "risk.no-assessment") == [6]
    assert at(found, "risk.no-owner") == [10]
    assert "risk.no-register" not in {f.code for f in found}


def test_risk_section_in_traditional_chinese() -> None:
    found = findings("""
        # 2026年冷鏈專案

        ## 風險與因應

        | 風險 | 可能性 | 影響 | 因應措施 | 負責人 |
        |---|---|---|---|---|
        | 設備交期延誤 | 中 | 高 | 分批交貨 | 陳志偉 |
        | 系統上線延後 | 低 | 高 |  |  |
    """)
    assert at(found, "risk.no-mitigation") == [8]
    assert at(found, "risk.no-owner") == [8]
    assert at(found, "risk.no-assessment") == []


# -- Consistency ---------------------------------------------------------------------------------
def test_budget_sum_and_percent_sum() -> None:
    found = findings("""
        # Plan for 2027

        ## Budget

        | Item | Amount |
        |---|---|
        | Ads | $40,000 |
        | Events | $25,000 |
        | Total | $70,000 |

        Spend split by channel: search 50%, social 40%, print 20%.
    """)
    assert at(found, "consistency.budget-sum") == [9]
    assert at(found, "consistency.percent-sum") == [11]


def test_budget_sum_chinese_inline_and_within_rounding() -> None:
    found = findings("""
        # 2026年市场方案

        ## 预算

        市场投放预算300万元，其中买量投放180万元，KOL合作80万元，活动奖励60万元。

        推广费用合计100万元，其中线上50万元，线下50.5万元。
    """)
    assert at(found, "consistency.budget-sum") == [5]


def test_date_order_outside_period_and_reversed_but_not_background() -> None:
    found = findings("""
        # Campaign

        Campaign period: 1 October 2026 – 31 January 2027

        ## Background

        The 2025 appeal closed on 31 January 2025.

        ## Timeline

        - Launch mailing: 5 October 2026
        - Results to the board: 15 March 2027
        - Phone campaign: 2026-11-20 – 2026-11-10
    """)
    assert at(found, "consistency.date-order") == [12, 13]


def test_date_order_chinese_dates_without_year() -> None:
    found = findings("""
        # 2026年“618”大促方案

        计划周期：2026年5月20日—6月20日

        ## 行动计划

        | 任务 | 负责人 | 时间 |
        |---|---|---|
        | 预热 | 张伟 | 5月25日 |
        | 复盘报告 | 李娜 | 6月28日前 |
    """)
    assert at(found, "consistency.date-order") == [10]


# -- Configuration and suppression ----------------------------------------------------------------
def test_inline_suppression_next_block_and_file() -> None:
    found = findings("""
        # Plan
        <!-- planreview: ignore-file bsc, comm -->

        ## Goals

        <!-- planreview: ignore smart.time-bound -->
        - Improve customer satisfaction
        - Improve onboarding
    """)
    assert at(found, "smart.time-bound") == [8]
    assert not [f for f in found if f.family in ("bsc", "comm")]


def test_config_select_ignore_and_severity() -> None:
    from service.config import ReviewConfig

    cfg = ReviewConfig(
        select=["smart", "risk"], ignore=["smart.specific"], severity={"risk": "info"}
    )
    found = findings("# Plan\n\n## Goals\n\n- Improve customer satisfaction\n", config=cfg)
    assert {f.family for f in found} <= {"smart", "risk"}
    assert "smart.specific" not in {f.code for f in found}
    assert next(f for f in found if f.code == "risk.no-register").severity == "info"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lang_option_overrides_message_language(lang: str) -> None:
    found = findings("# Plan\n\n## Goals\n\n- Improve customer satisfaction\n", lang=lang)
    message = next(f.message for f in found if f.code == "smart.measurable")
    assert ("目标" in message) == (lang == "zh")


def test_every_finding_quote_is_verbatim_and_ids_are_stable() -> None:
    text = dedent(WELL_MADE_EN) + "\n## More goals\n\n- 提升品牌影响力\n- Improve morale\n"
    first = review_text(text, "a.md", ReviewOptions(llm="off"))
    second = review_text(text, "a.md", ReviewOptions(llm="off"))
    lines = text.split("\n")
    for f in first.findings:
        assert f.quote in text
        if f.span is not None and f.scope == "block":
            line = lines[f.span.start_line - 1]
            assert line[f.span.start_col - 1 :].startswith(f.quote.split("\n")[0])
    assert [f.id for f in first.findings] == [f.id for f in second.findings]
    assert len({f.id for f in first.findings}) == len(first.findings)


def test_every_finding_cites_guidance_that_exists() -> None:
    from service.knowledge.corpus import load_corpus

    ids = {c.chunk_id for c in load_corpus()}
    found = findings("# Plan\n\n## Goals\n\n- Improve customer satisfaction\n- 提升品牌影响力\n")
    assert found
    for f in found:
        assert f.citations, f.code
        assert all(c.chunk_id in ids for c in f.citations)


def test_okr_table_prose_risks_period_heading_and_currency_heading() -> None:
    found = findings("""
        # Ops plan

        ## September 2026 – August 2028

        ## OKRs

        | Objective | Key result | Owner | Target |
        |---|---|---|---|
        | Win more renewals | Raise renewal rate from 80% to 88% | Lena | 88% |
        | | Ship dunning emails v2 | Lena | Done |
        | | Cut involuntary churn | Omar | TBD |

        ## Budget (USD)

        - Water points: 168,000
        - Training: 70,000
        - Total: 241,500

        ## Risks

        Ward staffing is tight in winter. If that happens we will switch to agency nurses.

        The supplier could be late.
    """)
    assert at(found, "okr.kr-count") == []
    assert at(found, "okr.kr-not-measurable") == [10, 11]
    assert at(found, "okr.kr-is-task") == [10]
    assert at(found, "consistency.budget-sum") == [17]
    assert "resource.no-budget" not in {f.code for f in found}
    assert "risk.no-register" not in {f.code for f in found}
    assert at(found, "risk.no-mitigation") == [23]


def test_numbered_plain_text_sections() -> None:
    found = findings("""
        CITY PARKS WORK PLAN 2027

        1. GOALS FOR THE YEAR

        1.1 Improve visitor experience.

        1.2 Plant 500 trees by October 2027.
    """)
    assert at(found, "smart.measurable") == [5]
    assert at(found, "smart.time-bound") == []


def test_plain_text_label_lines_and_indented_details(tmp_path: Path) -> None:
    from service.ingest import load_plan
    from service.review import review_plan

    path = tmp_path / "plan.txt"
    path.write_text(
        "Volunteer plan 2027\n\nGoals\n- Recruit 40 new volunteers by June 2027\n- Improve volunteer morale\n\n"
        "2. OBJECTIVES\n\n2.1 Raise on-time opening from 71% to 80% by June 2027.\n"
        "    - On time means open by 9:05.\n",
        encoding="utf-8",
    )
    found = review_plan(load_plan(path), ReviewOptions(llm="off")).findings
    assert at(found, "smart.measurable") == [5]  # the bare "Goals" line made a goals section
    assert not [
        f for f in found if f.span and f.span.start_line == 10 and f.code.startswith("smart.")
    ]


def test_a_response_clause_needs_an_action() -> None:
    found = findings("""
        # Plan 2027

        ## Risks

        - Key engineer leaves — single point of failure on billing (High)
        - Drivers short (medium likelihood, high impact); 12 older buses stay licensed as spares
    """)
    assert at(found, "risk.no-mitigation") == [5]


# -- plan.placeholder -----------------------------------------------------------------------------
def test_placeholders_left_from_a_template_are_reported_once_per_block() -> None:
    found = findings(
        """
        # XX市社区服务中心2027年工作计划

        ## 目标

        - 活动参与人数达到500人次
        - 志愿者满意度达到X%

        ## 任务

        | 任务 | 负责人 | 时间 |
        |---|---|---|
        | 招募志愿者 | 待定 | 3月 |
        | 开展培训 | 李娜 | 4月 |

        ## 风险

        - 风险：……
        """
    )
    assert at(found, "plan.placeholder") == [1, 6, 12, 17]
    texts = {f.span.start_line: f.message for f in found if f.code == "plan.placeholder" and f.span}
    assert "X%" in texts[6] and "待定" in texts[12]


def test_placeholder_words_in_ordinary_text_are_not_reported() -> None:
    found = findings(
        """
        # Q3 2026 Platform Plan

        ## To do

        - Ship Project X to 40 customers by 2026-09-30 (Sam Wu)
        - Fix the N+1 queries in the XXL catalogue view (Ana Lee)
        - Mark done items with [ ] boxes, etc.
        """
    )
    assert at(found, "plan.placeholder") == []


def test_a_placeholder_owner_is_not_an_owner() -> None:
    found = findings(
        """
        # Q3 2026 Plan

        ## Tasks

        - Migrate billing to the new ledger by 2026-08-01 (Owner: TBD)
        - Retire the old ledger by 2026-09-01 (Owner: Finance Ops)
        """
    )
    assert 5 in at(found, "raci.no-owner")
    assert 5 in at(found, "plan.placeholder")


@pytest.mark.parametrize(
    ("heading", "register"),
    [("### Challenges", True), ("## 困难与挑战", True), ("## 总主题：《应对危机和挑战》", False)],
)
def test_a_challenges_section_names_the_plans_risks(heading: str, register: bool) -> None:
    from service.review import ReviewOptions, review_text

    plan = (
        "# Migration 2026\n\n## Steps\n\n- Move the components by 2026-06-01\n\n"
        f"{heading}\n\n- Compatibility: custom components must keep the same APIs\n"
    )
    review = review_text(plan, "t.md", ReviewOptions(llm="off"))
    assert ("risk.no-register" not in {f.code for f in review.findings}) is register
