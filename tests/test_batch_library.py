"""Library-level checks (pure functions) and the per-plan digest they read."""

from __future__ import annotations

from datetime import date

import pytest

from service.batch.digest import (
    GoalItem,
    OwnerItem,
    PlanDigest,
    digest_plan,
    metric_target,
    normalise_value,
    person_name,
)
from service.batch.library import (
    LibraryOptions,
    check_library,
    conflicting_targets,
    duplicate_goals,
    max_concurrent,
    overloaded_owners,
    section_coverage,
    shingles,
)
from service.ingest.markdown import parse_markdown


def _digest(
    goals: list[str] | None = None,
    owners: list[str] | None = None,
    period: tuple[str, str] | None = None,
    sections: dict[str, bool] | None = None,
    language: str = "en",
) -> PlanDigest:
    items = []
    for n, text in enumerate(goals or [], 1):
        found = metric_target(text)
        item = GoalItem(kind="goal", text=text, line=n)
        if found:
            from service.batch.digest import metric_key

            item.metric = metric_key(found[0])
            item.metric_label = found[0]
            item.target = normalise_value(found[1])
            item.target_text = found[1]
        items.append(item)
    return PlanDigest(
        language=language,
        goals=items,
        owners=[
            OwnerItem(name=o, key=o.casefold(), role="owner", line=10 + i)
            for i, o in enumerate(owners or [])
        ],
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        sections=sections or {},
    )


# -- metric extraction ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "metric", "target"),
    [
        ("Raise CSAT in all regions from 71% to 80% by 2026-12-31.", "CSAT in all regions", "80%"),
        ("Reduce churn to 3% by Q4 2026", "churn", "3%"),
        ("Hit $3.5M in online revenue over the campaign", "online revenue", "$3500000"),
        (
            "Median time-to-first-value falls from 34 days to 21 days",
            "Median time-to-first-value",
            "21d",
        ),
        ("2026年底前将客户满意度从71%提升至80%", "客户满意度", "80%"),
        ("將門店準時交付率提升至95%", "門店準時交付率", "95%"),
        ("暑期班招生人数达到1200人，较去年暑期增长20%。", "暑期班招生人数", "1200人"),
        ("门店日均营业额由1.62万元提升至1.75万元", "门店日均营业额", "17500元"),
    ],
)
def test_metric_target_en_and_zh(text: str, metric: str, target: str) -> None:
    found = metric_target(text)
    assert found is not None
    assert found[0] == metric
    assert normalise_value(found[1]) == target


@pytest.mark.parametrize(
    "text",
    [
        "Improve teamwork at the Leeds site.",
        "提升团队协作水平。",
        "Increase park visits by X% compared with FY2026.",
    ],
)
def test_no_metric_in_vague_goals(text: str) -> None:
    assert metric_target(text) is None


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("Lin Zhao (Data Systems)", "Lin Zhao"),
        ("Owner: Bob Smith", "Bob Smith"),
        ("生产部 蒋涛", "蒋涛"),
        ("生产部蒋涛", "蒋涛"),
        ("陳嘉明", "陳嘉明"),
        ("Marketing team", None),
        ("市场部", None),
        ("工程部", None),
        ("Project manager", None),
    ],
)
def test_person_names_not_teams(who: str, name: str | None) -> None:
    assert person_name(who) == name


def test_digest_of_a_parsed_plan() -> None:
    text = (
        "# Q3 plan\n\nPlan period: 2026-07-01 to 2026-09-30\n\n## Goals\n\n"
        "1. Raise CSAT at the Leeds desk from 70% to 85% by 2026-09-30.\n"
        "2. Improve teamwork.\n\n## Tasks\n\n| Task | Owner | Due |\n| --- | --- | --- |\n"
        "| Train the team | Alice Chen | 2026-08-01 |\n| Fix the backlog | Support team | 2026-08-15 |\n"
    )
    d = digest_plan(parse_markdown(text, source="q3.md"))
    csat = next(g for g in d.goals if g.metric)
    assert (csat.metric, csat.target, csat.due) == ("csat at the leeds desk", "85%", "2026-09-30")
    assert [o.name for o in d.owners] == ["Alice Chen"]  # a team is not a person
    assert (d.period_start, d.period_end) == ("2026-07-01", "2026-09-30")
    assert d.sections["goals"] and d.sections["tasks"] and d.sections["timeline"]
    assert not d.sections["risk"] and not d.sections["communication"]


# -- duplicates -------------------------------------------------------------------------------------
def test_duplicates_across_plans_exact_and_near() -> None:
    plans = [
        (
            "a.md",
            _digest(["Move every warehouse onto the shared inventory platform by 2026-11-30."]),
        ),
        (
            "b.md",
            _digest(
                ["Move every warehouse onto the shared inventory platform by 30 November 2026"]
            ),
        ),
        (
            "c.md",
            _digest(["Move all the warehouses onto the shared inventory platform by 2026-11-30."]),
        ),
        ("d.md", _digest(["Hire two analysts for the pricing team before the summer."])),
    ]
    groups = duplicate_goals(plans, threshold=0.6)
    assert len(groups) == 1
    assert {g.plan for g in groups[0].goals} == {"a.md", "b.md", "c.md"}
    # The same date written two ways is the same goal.
    exact = duplicate_goals(plans[:2], threshold=0.99)
    assert len(exact) == 1 and exact[0].similarity == 1.0


def test_duplicates_work_for_chinese_simplified_and_traditional() -> None:
    plans = [
        ("zh/a.md", _digest(["年底前完成所有区域仓库向共享库存平台的迁移"], language="zh")),
        ("zht/b.md", _digest(["年底前完成所有區域倉庫向共享庫存平台的遷移"], language="zh")),
        ("zh/c.md", _digest(["三季度招聘两名定价分析师"], language="zh")),
    ]
    groups = duplicate_goals(plans)
    assert len(groups) == 1 and groups[0].identical
    assert {g.plan for g in groups[0].goals} == {"zh/a.md", "zht/b.md"}
    assert "仓库" in shingles("所有区域仓库")


def test_same_template_for_another_site_is_not_a_duplicate() -> None:
    plans = [
        ("a.md", _digest(["Reduce stock-outs at Malmo site 103 to 2% of lines."])),
        ("b.md", _digest(["Reduce stock-outs at Malmo site 072 to 2% of lines."])),
    ]
    assert duplicate_goals(plans, threshold=0.8) == []


def test_duplicates_within_one_plan_are_not_library_duplicates() -> None:
    goal = "Move every warehouse onto the shared inventory platform by 2026-11-30."
    assert duplicate_goals([("a.md", _digest([goal, goal]))]) == []


def test_duplicate_join_scales_to_thousands_of_goals() -> None:
    import time

    plans = [
        (
            f"p{i}.md",
            _digest(
                [
                    f"Open store number {i} in district {i % 97} with {i % 13} staff",
                    f"Train {i} cashiers on the {i % 7} new tills",
                ]
            ),
        )
        for i in range(3000)
    ]
    plans.append(("copy.md", _digest(["Open store number 5 in district 5 with 5 staff"])))
    t0 = time.perf_counter()
    groups = duplicate_goals(plans)
    assert time.perf_counter() - t0 < 5.0
    assert [sorted(g.plan for g in grp.goals) for grp in groups] == [["copy.md", "p5.md"]]


# -- conflicts --------------------------------------------------------------------------------------
def test_conflicting_targets_for_one_metric() -> None:
    plans = [
        (
            "north.md",
            _digest(
                [
                    "Raise the on-time delivery rate for the Northern region from 82% to 95% by 2026-09-30."
                ]
            ),
        ),
        (
            "ops.md",
            _digest(
                [
                    "Raise the on-time delivery rate for the Northern region from 82% to 90% by 2026-12-31."
                ]
            ),
        ),
        ("same.md", _digest(["Raise CSAT at Leeds from 70% to 80%"])),
        ("same2.md", _digest(["Raise CSAT at Leeds from 72% to 80%"])),
    ]
    for _, d in plans[:2]:
        for g in d.goals:
            g.due = "2026-09-30" if "95%" in g.text else "2026-12-31"
    conflicts = conflicting_targets(plans)
    assert len(conflicts) == 1  # same target for CSAT at Leeds: no conflict
    c = conflicts[0]
    assert c.metric == "on time delivery rate for the northern region"
    assert c.differs == ["target", "due"]
    assert {(t.plan, t.target) for t in c.targets} == {("north.md", "95%"), ("ops.md", "90%")}


def test_conflicting_targets_across_scripts() -> None:
    plans = [
        ("a.md", _digest(["将华东区准时交付率提升至95%"], language="zh")),
        ("b.md", _digest(["將華東區準時交付率提升至90%"], language="zh")),
    ]
    conflicts = conflicting_targets(plans)
    assert len(conflicts) == 1 and conflicts[0].metric == "华东区准时交付率"


# -- owners -----------------------------------------------------------------------------------------
def test_max_concurrent_counts_overlaps_and_unknown_periods() -> None:
    d = date.fromisoformat
    assert (
        max_concurrent([(d("2026-01-01"), d("2026-03-31")), (d("2026-04-01"), d("2026-06-30"))])
        == 1
    )
    assert (
        max_concurrent([(d("2026-01-01"), d("2026-06-30")), (d("2026-06-30"), d("2026-12-31"))])
        == 2
    )
    assert max_concurrent([(d("2026-01-01"), d("2026-06-30")), (None, None)]) == 2


def test_overloaded_owner_needs_plans_at_the_same_time() -> None:
    at_once = [
        (f"p{i}.md", _digest(owners=["Morgan Blake"], period=("2026-07-01", "2026-12-31")))
        for i in range(6)
    ]
    one_after_another = [
        (f"q{i}.md", _digest(owners=["Sam Lee"], period=(f"{2020 + i}-01-01", f"{2020 + i}-12-31")))
        for i in range(6)
    ]
    found = overloaded_owners(at_once + one_after_another, limit=5)
    assert [(o.name, o.plans, o.concurrent) for o in found] == [("Morgan Blake", 6, 6)]
    assert overloaded_owners(at_once, limit=6) == []


# -- sections and the whole report ------------------------------------------------------------------
def test_section_coverage_and_findings() -> None:
    plans = [
        (f"p{i}.md", _digest(sections={"goals": True, "risk": i == 0, "budget": i < 3}))
        for i in range(4)
    ]
    cov = {c.section: c for c in section_coverage(plans)}
    assert (cov["risk"].missing, cov["risk"].share_missing) == (3, 0.75)
    assert cov["budget"].plans_missing == ["p3.md"]
    report = check_library(plans, LibraryOptions(missing_share=0.5))
    missing = [f for f in report.findings if f.code == "library.missing-section"]
    # risk (75%) and every section never marked present; budget (25%) is below the threshold.
    assert any("risk register" in f.message for f in missing)
    assert not any("budget" in f.message for f in missing)
    zh = check_library(plans, LibraryOptions(lang="zh"))
    assert any("风险登记" in f.message for f in zh.findings)


def test_report_is_deterministic_whatever_the_input_order() -> None:
    plans = [
        (
            "b.md",
            _digest(
                ["Move every warehouse onto the shared inventory platform by 2026-11-30."],
                owners=["Ann Lee"] * 2,
            ),
        ),
        (
            "a.md",
            _digest(["Move every warehouse onto the shared inventory platform by 2026-11-30."]),
        ),
    ]
    one = check_library(plans).model_dump_json()
    two = check_library(list(reversed(plans))).model_dump_json()
    assert one == two
