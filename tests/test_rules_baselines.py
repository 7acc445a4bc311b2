"""Which targets need a baseline (smart.achievable): levels of what exists before the plan do;
the reach of the plan's own output and shares of its own work done do not
(docs/rules-interpretation.md, "Output counts need no baseline")."""

from __future__ import annotations

from textwrap import dedent

import pytest

from service.review import ReviewOptions, review_text


def _achievable(goal: str) -> list[int]:
    plan = f"""
    # 2027 推广计划

    ## 目标

    - {goal}
    """
    review = review_text(dedent(plan).strip() + "\n", "t.md", ReviewOptions(llm="off"))
    return [f.span.start_line for f in review.findings if f.code == "smart.achievable" and f.span]


@pytest.mark.parametrize(
    "goal",
    [
        "2027年6月前文章阅读量达到 50万+",
        "2027年6月前廣告總曝光數 ≥ 9,000",
        "2027年6月前活动参与人次达到 2000",
        "Reach 5,000 impressions and 300 clicks on the launch posts by June 2027",
        "2027年6月前演示视频完成 100%",
    ],
)
def test_the_reach_of_the_plans_own_output_needs_no_baseline(goal: str) -> None:
    assert _achievable(goal) == []


@pytest.mark.parametrize(
    "goal",
    [
        "2027年6月前会员人数达到 5,000 户",
        "2027年6月前转化率达到 8%",
        "2027年6月前维修及时完成率达到 95%",
        "Membership should reach 5,000 households by June 2027",
        "Median time to first review under 2 days by June 2027",
    ],
)
def test_levels_of_what_exists_before_the_plan_still_need_a_baseline(goal: str) -> None:
    assert _achievable(goal) == [5]


def test_a_labelled_rise_is_a_change_not_a_level() -> None:
    # "转化率提升: 20%+" raises the rate by 20%: a change, which needs no baseline.
    assert _achievable("2027年6月前转化率提升: 20%+") == []
