"""The reading layer: what a heading, an item or a line *is*, from evidence rather than one
cue word (docs/rules-interpretation.md, "Reading real plans")."""

from __future__ import annotations

import pytest

from service.rules.extract.sections import classify_heading


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Goals", "goals"),
        ("Targets for 2026", "goals"),
        ("2026 Goals and KPIs", "goals"),
        ("Q3 2026: Goals", "goals"),
        ("Short-term Success for .gov", "goals"),
        ("Success metrics", "goals"),
        ("What success looks like", "goals"),
        ("Target systems", None),  # a modifier, not the head word
        ("Target audience", None),
        ("Metrics we collect", "monitoring"),
        ("Key metrics", "monitoring"),
        ("Risk register", "risks"),
        ("Risks, assumptions and dependencies", "risks"),
        ("Risk-based change process", None),
        ("Dependencies", None),
        ("Phase 2 (risk: high)", "timeline"),
        ("Milestone: Status and user business logic", "timeline"),
        ("Review of 2026", "background"),
        ("Budget overview", "resources"),
        ("Project overview", "background"),
        ("Roles and responsibilities", "organisation"),
        ("6. 實作步驟與時程（建議）", "tasks"),  # the steps, with their times
        ("Tasks and timeline", "tasks"),
        ("Timeline and tasks", "timeline"),
        ("Next steps", "tasks"),
        ("一、总体目标", "goals"),
        ("工作目标", "goals"),
        ("目标用户", None),
        ("活动目的", "goals"),
        ("活动时间", None),
        ("风险评估", "risks"),
        ("風險評估", "risks"),
        ("监控指标", "monitoring"),
        ("考核指标", "goals"),
        ("执行步骤", "tasks"),
        ("推進步驟", "tasks"),
        ("进度安排", "timeline"),
        ("三、保障措施", "resources"),
        ("背景与目标", "goals"),
        ("進行中與待完成", "tasks"),
        ("下一步", "tasks"),
        ("四、拍攝前準備清單", "tasks"),  # preparation before an event or a shoot is work
        ("一、活动准备", "tasks"),
        ("Event preparation", "tasks"),
        ("赛前准备", None),  # what contestants prepare, the reader's own steps
        ("筹备委员会", None),
        ("How we set objectives quarterly", None),  # a process, not goals
        ("How we track progress", "monitoring"),
        ("如何设定目标", None),
    ],
)
def test_a_heading_is_read_by_its_head_word(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind


def _codes_at(text: str, code: str) -> list[int]:
    from textwrap import dedent

    from service.review import ReviewOptions, review_text

    review = review_text(dedent(text).strip() + "\n", "t.md", ReviewOptions(llm="off"))
    return sorted(f.span.start_line for f in review.findings if f.code == code and f.span)


def test_an_activity_described_by_fields_is_one_task_owned_by_its_organiser_field() -> None:
    plan = """
    # 2027年社区活动计划

    ## 主要活动

    ### 1. 技术分享会

    - 时间：每月一次
    - 形式：线上直播
    - 分享话题：
        - 新版本特性介绍
        - 性能调优经验
    - 组织者：王芳

    ### 2. 周例会

    - 时间：周四晚上7点
    - 例会内容：进度同步
    - 组织者：李雷

    ### 3. 资料改进活动

    - 形式：提交issue/PR
    - 频率：不定期
    """
    # The fields, the topics and the activities that name an organiser are not unowned tasks;
    # the one activity without an organiser, where the others name theirs, is.
    assert _codes_at(plan, "raci.no-owner") == [20]


def test_activities_without_any_owner_field_are_left_to_the_staffing_rule() -> None:
    plan = """
    # 2027年社区活动计划

    ## 主要活动

    ### 1. 技术分享会

    - 时间：每月一次
    - 形式：线上直播

    ### 2. 周例会

    - 时间：周四晚上7点
    - 例会内容：进度同步
    """
    assert _codes_at(plan, "raci.no-owner") == []


def test_features_listed_under_a_release_phase_are_its_scope_not_unowned_tasks() -> None:
    plan = """
    # Gateway roadmap 2026

    ## Work plan

    ### Phase 1: foundations (2026 Q1)

    - Secure boot and signed upgrades
    - Unified web management

    ### Phase 2: scale (2026 Q3)

    - Remote log collection

    ## Next steps

    - Publish the API draft by 2026-02-01
    - Book the interop lab (Owner: Ana Lee)
    """
    # The phase features are scope; the plain task list is still judged.
    assert _codes_at(plan, "raci.no-owner") == [16]


def test_a_goal_heading_is_the_goal_and_the_activities_under_it_are_not_goals() -> None:
    plan = """
    # Community Strategic Plan 2026

    ## Strategic goals

    ### GOAL 1:

    #### Grow the community

    The community grows when people find a way in.

    #### Objectives:

    - Develop a kit of resources for local organisers
    - Host 8 online meetups
    - Raise the share of returning members from 40% to 55%

    ### ➡️ Build regional capacity

    - Create a mentoring programme for new organisers
    """
    # The headings are the goals; the activities under them are not judged. The item that states
    # a measured outcome is a goal of its own, and it measures the goal heading it belongs to
    # (through its "Objectives:" part); the second goal has no measure at all.
    assert _codes_at(plan, "smart.measurable") == [17]
    assert _codes_at(plan, "smart.specific") == [17]


def test_a_category_heading_over_goals_is_not_itself_a_goal() -> None:
    plan = """
    # Retail Plan 2026

    ## Goals

    ### Customer

    - Raise NPS from 31 to 45
    - Improve customer satisfaction

    ### Financial

    - Grow revenue by 12%
    """
    assert _codes_at(plan, "smart.measurable") == [8]


def test_a_label_paragraph_after_a_goal_item_makes_the_items_below_it_that_goals_parts() -> None:
    plan = """
    # Goals

    1. **Build a catalogue of suppliers**

     *Objectives*
     - Import supplier contact details
     - Identify preferred suppliers per region

    2. **Attract a volunteer community**

     *Objectives*
    - Present the project at local meet-ups
    - Improve onboarding documentation
    """
    # The numbered items are the goals (no number, no date). Under each "*Objectives*" label
    # the activities are the goal's work, not goals; the item that names an improvement of its
    # own is a goal, as it would be under an "Objectives" sub-heading.
    assert _codes_at(plan, "smart.time-bound") == [3, 9, 13]


def test_noun_headings_after_the_goal_items_are_other_parts_not_goals() -> None:
    plan = """
    # Goals

    - Raise repeat orders from 20% to 30% by December 2026
    - Open two new stores by June 2026

    ## Timeframe
    TBD

    ## Keywords
    - Local first
    - Privacy-conscious
    - Circular economy

    ## SWOT Analysis

    Strengths | Weaknesses
    ----------|-----------
    Loyal customers | Small team
    """
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "smart.time-bound") == []


def test_goal_headings_with_their_own_success_parts_stay_goals_after_goal_items() -> None:
    plan = """
    ## Q2 2026 Goals

    - Hit net revenue retention of 120%

    ### Account auditing deep dive

    **We'll know we're successful when**:
    """
    assert _codes_at(plan, "smart.measurable") == [5]


def test_a_glossary_under_a_goals_section_is_not_a_list_of_goals() -> None:
    plan = """
    # Strategic Plan 2026

    ## Goals and objectives

    For this page we define the following terms:

    - **Community**: the volunteers and committees who run our work
    - **Core Team**: the staff who support the mission

    ## Goal

    - Train 120 new instructors by December 2026
    """
    assert _codes_at(plan, "smart.measurable") == []


def test_a_year_in_a_name_is_not_the_plan_period() -> None:
    plan = """
    # Rust 2024 Edition

    ## Milestones

    | Date | Milestone |
    |---|---|
    | 2025-01-03 | Cut the edition to beta |
    | 2025-02-20 | Release the edition |
    """
    assert _codes_at(plan, "consistency.date-order") == []


def test_history_told_in_the_past_and_bare_years_are_not_milestones_outside_the_period() -> None:
    plan = """
    # 2024 Operating Plan

    ## Work

    - We changed the team structure in Q3 2023 to mix functions.
    - Run a fair election for the 2025 Board of Directors.
    - Have the venue contract ready by March 2025.
    """
    assert _codes_at(plan, "consistency.date-order") == [7]


def test_lines_of_a_work_list_that_are_not_work_are_not_unowned_tasks() -> None:
    plan = """
    # 2024 Operating Plan

    ## Work plan

    ### Outreach

    - $5k for local swag
    - Budget?
    - TBA
    - The dashboard is public and reachable from the README.
    - Our current focus is on defining the conventions.
    - Book stands at three regional conferences
    """
    assert _codes_at(plan, "raci.no-owner") == [12]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Plan of activities", "tasks"),
        ("Overview of risks", "risks"),
        ("Scope of work", "tasks"),
        ("What we aim to achieve", "goals"),
        ("Advocate for our values and vision", None),  # a goal statement, not a background part
    ],
)
def test_container_words_and_clauses_in_headings(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind


def test_scope_and_contact_headings_do_not_inherit_the_goals_part() -> None:
    plan = """
    # SIG charter 2026

    ## Goals and scope

    ### Goals

    - Reach 40 active contributors by December 2026

    ### Scope

    - Router and gateway drivers
    - Web management standards

    ### Contact

    - Mailing list
    """
    assert _codes_at(plan, "smart.measurable") == []


def test_the_steps_of_a_runbook_phase_are_tasks_and_a_glossed_term_is_not_their_owner() -> None:
    plan = """
    # ES 升級計畫

    ## 2. 升級執行步驟

    ### Phase 1: 啟動雙節點 (無停機)

    1. 啟動 ES v9 並掛載新的 Volume
    2. 建立 v9 Indices (Mappings)

    ### Phase 2: 正式切換 (Cutover Window - 1至2小時)

    1. 通知社群停機
    """
    assert _codes_at(plan, "raci.no-owner") == [7, 8, 12]


def test_images_connectives_and_prose_about_origins_are_not_goals() -> None:
    plan = """
    # 社区年度计划

    ## 宗旨与目标

    ![image](/images/plan.png)

    和

    用开源协作解决疫情中暴露出来的紧迫问题，是我们的初心。

    推动社区志愿者人数达到500人
    """
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "smart.achievable") == [11]


def test_an_event_time_field_anywhere_gives_its_goals_a_time() -> None:
    plan = """
    # 社区黑客马拉松

    ## 活动目的

    - 吸引300名开发者参与开源抗疫项目

    ## 基本信息

    * 形式：线上
    * 时间：2020年3月6日至8日
    """
    assert _codes_at(plan, "smart.time-bound") == []


def test_a_milestone_is_a_dated_checkpoint_not_the_word_or_a_year() -> None:
    undated = """
    # 2027 Community Plan

    ## Goals

    - Grow to 50 members by December 2027 (Owner: Ana Lee)

    ## Work

    We will implement the changes and then stabilise them in later phases (Owner: Ana Lee).
    """
    assert "pdca.no-milestones" in _codes(undated)
    dated = undated + "\n## Milestones\n\n- 30 June 2027: mid-year member survey\n"
    assert "pdca.no-milestones" not in _codes(dated)


def _codes(text: str) -> set[str]:
    from textwrap import dedent

    from service.review import ReviewOptions, review_text

    return {
        f.code
        for f in review_text(dedent(text).strip() + "\n", "t.md", ReviewOptions(llm="off")).findings
    }


def test_a_weaker_reading_is_reported_a_step_milder() -> None:
    from textwrap import dedent

    from service.review import ReviewOptions, review_text

    plan = """
    # Support Plan 2026

    ## Goals

    ### AI tooling

    We want the team to lean on AI for first drafts.

    ### Grow the community

    - Host meetups for new members
    """
    review = review_text(dedent(plan).strip() + "\n", "t.md", ReviewOptions(llm="off"))
    severity = {
        f.span.start_line: f.severity
        for f in review.findings
        if f.code == "smart.measurable" and f.span
    }
    # A noun-phrase heading over prose is probably the goal: said, but as a warning. A heading
    # that states a goal is read with confidence: the catalogue's error.
    assert severity == {5: "warning", 9: "error"}


def test_a_baseline_in_the_background_counts_for_the_goal_below() -> None:
    plan = """
    # Support Plan 2026

    ## Background

    First response time grew from 4 hours in January to 11 hours in December 2025.

    ## Goals

    - Reduce first response time to 2 hours by June 2026
    - Achieve a CSAT of 85% by June 2026
    """
    # The first goal's metric has a current value above; the second's has none anywhere.
    assert _codes_at(plan, "smart.achievable") == [10]


def test_a_labelled_goal_in_a_blockquote_is_still_a_goal() -> None:
    plan = """
    # RoadMap 2025

    ## 2025 H1

    > 目标：Meta Service 集群模式稳定运行
    """
    assert _codes_at(plan, "smart.measurable") == [5]


def test_a_how_we_work_section_is_a_process_not_goals() -> None:
    text = """
    # Team OKRs

    ## Goals

    - Grow weekly active users from 1,000 to 5,000 by 30 June 2026.

    ### How we set goals each quarter

    1. At the end of each quarter we meet and score the last quarter.
    2. Each lead then drafts the next quarter's goals with the team.
    """
    for code in ("smart.measurable", "smart.time-bound", "smart.specific"):
        assert _codes_at(text, code) == []


def test_objectives_of_a_plan_written_as_okrs_are_judged_as_objectives() -> None:
    text = """
    # Talent team

    ## Objectives

    Each quarter we set objectives and key results (OKRs).

    ### Current quarter objectives

    * Hire the right people for the team.
    * Research talent as a service.
    """
    assert _codes_at(text, "okr.kr-count") == [9, 10]
    assert _codes_at(text, "smart.measurable") == []


@pytest.mark.parametrize(
    "slot",
    ["To be developed", "_TBD - once the research is done_", "Reach x% adoption"],
)
def test_unfinished_text_is_a_placeholder(slot: str) -> None:
    text = f"""
    # Plan

    ## Call for papers

    {slot}
    """
    assert _codes_at(text, "plan.placeholder") == [5]


def test_a_request_to_fill_in_a_form_is_not_a_placeholder() -> None:
    text = """
    # Plan

    > Applications are open! **Please fill out [this form](https://example.org/apply)**.
    """
    assert _codes_at(text, "plan.placeholder") == []


@pytest.mark.parametrize(
    ("line", "owner"),
    [
        ("导师每日开放一对一辅导时间，参赛队伍提前预约。", None),  # a participant, not a label
        ("组队及参赛项目注册截止时间：北京时间3月5日17:00", None),  # 组 inside a word
        ("导师：王芳", "王芳"),
        ("运营部：完成渠道复盘", "运营部"),
        ("Ops team: publish the runbook", "Ops team"),
    ],
)
def test_an_owner_is_a_label_or_a_role_name_not_a_word_that_contains_one(
    line: str, owner: str | None
) -> None:
    from service.rules.extract.normalize import fold
    from service.rules.extract.signals import owner_in_text

    assert owner_in_text(line, fold(line)) == owner


def test_a_collapsible_summary_titles_its_section_like_a_heading() -> None:
    from service.ingest import load_bytes

    text = dedent_plan(
        """
        ## Q3 objectives

        <details>
        <summary>Expand <b>ad platforms</b> significantly (Brian)</summary>

        - **Rationale:** reach is too narrow today.
        - **Things we could do:** Build a dashboard that tracks reach by platform.

        </details>

        <details>
        <summary>Grow trials from 200 to 500 a month by 30 September 2026</summary>

        - **Rationale:** trials lead to paid plans.

        </details>

        ## Budget

        $10,000 for ads.
        """
    )
    plan = load_bytes(text.encode(), "plan.md")
    headings = [(b.start_line, b.level, b.text) for b in plan.blocks if b.kind.value == "heading"]
    assert headings == [
        (1, 2, "Q3 objectives"),
        (4, 3, "Expand ad platforms significantly (Brian)"),
        (12, 3, "Grow trials from 200 to 500 a month by 30 September 2026"),
        (18, 2, "Budget"),
    ]
    # The summary is the goal; its labelled fields are not goals of their own.
    assert _codes_at(text, "smart.measurable") == [4]


def dedent_plan(text: str) -> str:
    from textwrap import dedent

    return dedent(text).strip() + "\n"


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("We will adjust the parallelism of each job automatically.", False),
        ("dubbo 制定了未来的版本迭代规划。", False),
        ("唯一不同的是我们会在地化调整。", False),
        ("We review the dashboard monthly and adjust priorities based on the results.", True),
        ("汇整上半年执行的回馈，进行制度与流程的调整。", True),
        ("对连续两个月完成率低于90%的城市调整资源投放。", True),
        ("If sign-ups fall below 50 a week, we move budget to search ads.", True),
        ("This charter may be amended by a two-thirds vote.", True),
        ("If there is a lot more work to do, e.g. more pages, focus on low-hanging fruit.", True),
        ("聯合徵稿截止：5 月 23 日（原 5 月 9 日，已延長）", True),
        ("The cycle closes with a release retrospective.", True),
        ("如果 SIG member 退出后，未完成的任务需要重新分配。", True),
        ("当前的 Roadmap 是暂时的，具体的时间表以社区需要而定。", True),
        ("如果有任何意外事件影响本次活动，举办方有权取消、更改相关事项。", True),
        ("We hold an end-of-quarter retro with the whole team.", True),
        ("Post Mortem: what went well and what to improve next time.", True),
        ("Ask testers to try the new pages and incorporate their feedback.", True),
        ("Ship to 10% of users; if all goes well, then go to 100%.", True),
        ("未完成的任务顺延至下一个里程碑。", True),
        ("Use the OKR spreadsheet to discuss and make minor adjustments.", True),
        ("Feedback forms are available at the front desk.", False),
        ("We will review progress, implementing revisions as required.", True),
        ("We will include other work as events occur.", True),
        ("若分享超時則縮為 2 分鐘。", True),
        ("把有效的渠道做深，没效果的果断停。", True),
        ("节点按学院通知微调。", True),
        ("We will amend the bylaws.", False),
        ("若下雨则在室内举行。", False),
    ],
)
def test_an_adjustment_word_is_an_act_only_when_it_answers_to_what_is_observed(
    text: str, act: bool
) -> None:
    from service.rules.extract import cues
    from service.rules.extract.normalize import fold

    assert cues.act_in(fold(text)) is act


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("Dlink 需要对集群资源及 Flink 作业进行时序监控。", False),  # a product feature
        ("The site will begin accepting submissions for audit year 2023.", False),
        ("We review progress against the KPIs every month.", True),
        ("Progress is tracked weekly on the project board.", True),
        ("导师组评估后将于当天通知进入决赛的队伍。", True),
        ("请各班导师于每週班务会议回报报名人数。", True),
        ("We will have team meetings, weekly at first, and at least monthly.", True),
        ("Short quarterly surveys about strategies and actions.", True),
        ("Micro-Acquisition Pilot: Status Update 1", True),
        ("项目结项需要在 9 月 30 日前完成合并。", True),
        ("Monitor ticket sales", True),
        ("Continue to hold regular organizer meetings", True),
        ("Monitor CPU usage on the nodes", False),
        ("打卡截止日期：3月19日24：00", True),
        ("周末去网红打卡地拍照", False),
        ("- 7/15 9:00~12:00開會(確定社課課表)", True),
        ("We will pick this up again at the next meeting.", True),
        ("| 奖项评审会议 | 2022年11月10日 |", True),
    ],
)
def test_a_monitoring_word_is_a_check_only_when_it_is_about_the_plan(
    text: str, check: bool
) -> None:
    from service.rules.extract import cues
    from service.rules.extract.normalize import fold

    assert cues.check_in(fold(text)) is check


def test_history_and_duration_metrics_are_not_the_plans_timeline() -> None:
    text = """
    # Docs revamp

    ## Background

    The old site launched in 2019 and was last redesigned in March 2021.

    ## Goals

    - Reduce the time to publish a page from 20 days to 2 days.

    ## Work

    - Audit every page (docs team).
    """
    assert _codes_at(text, "resource.no-timeline") == [1]


def test_slack_the_chat_tool_is_not_slack_time() -> None:
    from service.rules.extract import cues

    assert not cues.BUFFER_CUES.search("links are shared in the #okrs slack channel")
    assert not cues.BUFFER_CUES.search("ask in the slack app")
    assert cues.BUFFER_CUES.search("we keep two weeks of slack before the launch")


@pytest.mark.parametrize(
    "plan",
    [
        # The quarter restated inside a key result is not a checkpoint inside the quarter.
        """
        # FY23-Q2 OKRs

        This fiscal quarter runs from May 1, 2022 to July 31, 2022.

        ## OKRs

        ### Objective 1: Grow cloud licensing

        - KR: 60%+ of Q2 self-managed activations use cloud licensing (Sales team).
        - KR: 200 new paying customers (Sales team).
        """,
        # The span's own first and last months are not checkpoints inside it.
        """
        # Security engagement

        The engagement runs from October to December 2024 and improves the CSP setup.

        ## Work

        - Audit every plugin's CSP headers (security team).
        - Fix the 20 worst plugins (security team).
        """,
    ],
)
def test_a_period_restated_is_not_a_milestone(plan: str) -> None:
    assert _codes_at(plan, "pdca.no-milestones") != []


def test_numbered_runbook_steps_under_an_action_heading_are_tasks_and_features_are_not() -> None:
    runbook = """
    # 資料庫升級

    ## 升級執行步驟

    ### Phase 1: 準備

    1. 對 v6 做最後備份 (保險起見): 保留完整狀態。
    2. 在 Staging 完整測試:
        - 將 Staging 的 API 升級。
        - 在 Staging 執行 Restore。
    """
    assert _codes_at(runbook, "raci.no-owner") == [7, 8]
    roadmap = """
    # 产品路线图

    ## 路线图

    ### 阶段一 2025Q1

    1. 多租户支持
    2. 插件市场
    """
    assert _codes_at(roadmap, "raci.no-owner") == []


@pytest.mark.parametrize(
    ("text", "staffed"),
    [
        ("本计划由版本发布SIG组织发布。", True),  # an English word inside Chinese text
        ("[Basil Crow](https://github.com/basil) gives technical guidance.", True),
        ("This project is mentored by @luotao1.", True),
        ("Primary contacts: see the list below.", True),
        ("Send questions to dev@openharmony.io.", False),  # an address, not a handle
        ("We will improve the docs.", False),
        ("Contributors include people pushing code and sharing ideas.", False),
        ("Evangelists lead to greater adoption beyond our team.", False),
        ("The platform team and 3 people from support run the pilot.", True),
        ("The tech lead signs off each release.", True),
    ],
)
def test_staffing_is_named_people_roles_or_teams(text: str, staffed: bool) -> None:
    from service.rules.extract import cues
    from service.rules.extract.normalize import fold

    assert bool(cues.STAFF_CUES.search(fold(text))) is staffed


def test_a_goal_heading_marked_with_a_dingbat_arrow_is_still_a_goal_heading() -> None:
    text = """
    # Strategic goals 2026

    ## Goals

    ### ➡️ Grow the community

    - Host community calls with partner projects
    """
    assert _codes_at(text, "smart.measurable") == [5]


def test_schedule_entries_and_role_cards_are_not_unowned_tasks() -> None:
    text = """
    # 工作坊籌備計畫

    ## 工作任務

    - **活動籌備人員**
        協助活動報名、通知與宣傳。
    - **聯合徵稿截止**：2026 年 5 月 23 日

    ### 預計時程

    | 月份 | 目標 |
    |---|---|
    | 2025/05 | 籌備團隊建立、招募工作人員。 |
    | 2025/06 | 完成教材翻譯。 |
    """
    assert _codes_at(text, "raci.no-owner") == []


@pytest.mark.parametrize(
    "line",
    [
        "- 例：hptc sysbench-Oltp_Read_Only xxxxx",
        "- PR 描述中必须带上 issue Number 例：#xxx",
        '??? tip "主题关键字"',
    ],
)
def test_an_example_to_copy_or_admonition_markup_is_not_a_placeholder(line: str) -> None:
    text = f"""
    # 挑战赛

    ## 提交方式

    {line}
    """
    assert _codes_at(text, "plan.placeholder") == []


def test_a_list_of_links_in_a_success_section_is_not_goals() -> None:
    text = """
    # Docs project

    ## Measuring the success

    We want support requests to fall 20% by December 2026.

    - [Questions in issues](https://github.com/org/repo/issues)
    - [#help Slack channel](https://example.slack.com/archives/help)
    """
    assert _codes_at(text, "smart.measurable") == []
    assert _codes_at(text, "smart.time-bound") == []


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("This may not be feasible. If it is not, we will create a static site.", True),
        ("The MbedTLS upgrade 可能会导致应用侧不兼容的更改。", True),
        ("注：评审过程可能出现意外的投票情况，包括平票。", True),
        ("The key challenge is scheduling overlapping team meetings.", True),
        ("If the cutover fails we follow the rollback strategy below.", True),
        ("Develop a rollback strategy, if applicable, for each change.", False),
        ("Open science addresses the major challenges facing science.", False),
    ],
)
def test_risk_prose(text: str, risk: bool) -> None:
    from service.rules.extract import cues
    from service.rules.extract.normalize import fold

    assert bool(cues.RISK_CUES.search(fold(text))) is risk


def test_what_could_go_wrong_said_in_a_sentence_is_a_risk() -> None:
    text = """
    # Fund design

    ## Goals

    - Prepare an RFC by March 2027 (the committee).

    We might be unable to find the right design on the first try, so we will start small.
    """
    assert _codes_at(text, "risk.no-register") == []


@pytest.mark.parametrize(
    "first, middle, last", [("May", "July", "November"), ("5月", "7月", "十一月")]
)
def test_a_timeline_table_of_months_has_milestones(first: str, middle: str, last: str) -> None:
    text = f"""
    # Docs project

    ## Timeline

    | Dates | Action items |
    |---|---|
    | {first} | Orientation (writer) |
    | {middle} | Finish the navigation (writer) |
    | {last} | Tidy up loose ends (writer) |
    """
    assert _codes_at(text, "pdca.no-milestones") == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("The session is co-organised with ETHTaipei.", True),
        ("聯合徵稿截止：5 月 23 日", True),
        ("反馈可到 GitHub issues 或微信群。", True),
        ("与三位团购主合作导购", False),  # a marketing task, not a stakeholder
    ],
)
def test_partners_and_feedback_channels_name_stakeholders(text: str, named: bool) -> None:
    from service.rules.extract import cues
    from service.rules.extract.normalize import fold

    assert bool(cues.STAKEHOLDER_CUES.search(fold(text))) is named


def test_a_budget_table_with_an_item_column_named_budget_has_a_budget() -> None:
    text = """
    # Docs project

    ## Project budget

    | Budget item | Amount | Running Total |
    |---|---|---|
    | Technical writer | 8000.00 | 8000.00 |
    | T-shirts | 250.00 | 8250.00 |
    | TOTAL | 9250.00 | |
    """
    assert _codes_at(text, "resource.no-budget") == []
    assert _codes_at(text, "consistency.budget-sum") == [9]


def test_an_amount_split_from_its_unit_by_markup_is_a_budget() -> None:
    text = """
    # 暑期活动

    ## 活动奖金

    项目奖金为 <font color=red> 12000 </font>
    元。
    """
    assert _codes_at(text, "resource.no-budget") == []


@pytest.mark.parametrize(
    ("kr", "task"),
    [
        ("Amplify and celebrate 20 announcements from ecosystem projects", True),
        ("Feature 5 non-core repositories in published media", True),
        ("Add and retain 5 members from under-represented backgrounds", False),
    ],
)
def test_a_key_result_that_counts_the_teams_own_output_is_a_task(kr: str, task: bool) -> None:
    text = f"""
    # Committee OKRs

    ## OKRs

    * **Objective:** Grow the community
        * **Key Result:** {kr}
        * **Key Result:** Reach 500 weekly active contributors
    """
    assert (_codes_at(text, "okr.kr-is-task") == [6]) is task


def test_a_list_introduced_by_another_parts_label_is_not_goals() -> None:
    text = """
    # Internship working group

    ## Business goal

    Run a pilot internship program by June 2026 to decide on future programs.

    Overview:

    1. Limit duration (see exit criteria)
    2. Open to anyone starting their career in tech
    """
    assert _codes_at(text, "smart.measurable") == []


def test_a_plans_own_duration_near_the_top_gives_its_goals_a_time() -> None:
    text = """
    # Micro-acquisition pilot

    ## Objectives

    Run a one-year experimental pilot for purchases of $10K or less where:

    - All code procured is shared on open repositories (100%).
    - Payment is made by credit card within 5 days.
    """
    assert _codes_at(text, "smart.time-bound") == []


def test_site_variables_and_in_page_links_are_neither_placeholders_nor_tasks() -> None:
    text = """
    # Mentorship plan

    ## Tasks

    1. [Security Engineer](#security-engineer)
    2. [Security Research](#security-research)

    ## Links

    - [Business case]({{ site.baseurl }}/business-case.html)
    """
    assert _codes_at(text, "plan.placeholder") == []
    assert _codes_at(text, "raci.no-owner") == []


def test_noun_phrases_in_a_work_section_that_reads_as_requirements_are_not_unowned_tasks() -> None:
    text = """
    # Mentorship

    ## Program details

    ### Relevant knowledge

    * Languages (in order of priority): Python, CSS, HTML
    * Interest in security and vulnerability management

    ## Tasks

    - 2024 ensure that the Asia event goes ahead
    - Move policy settings from the old bylaws to policies
    """
    assert _codes_at(text, "raci.no-owner") == [12, 13]


@pytest.mark.parametrize("lead", ["下半年的整体目标是：", "Our goals for the second half are:"])
def test_a_lead_in_that_announces_goals_makes_the_list_after_it_goals(lead: str) -> None:
    text = f"""
    # 下半年规划

    {lead}

    1. 构建 API 接口级别的详细说明文档；
    2. 实际生产用户 3 家以上。

    ## 执行步骤

    1. 发布第一个版本（王芳）
    """
    assert _codes_at(text, "smart.measurable") == [5]


def test_created_and_target_end_date_fields_give_the_span_for_milestones_not_for_date_order() -> (
    None
):
    text = """
    # Task group: remove the old UI library

    | Property | Value |
    |---|---|
    | Date created | 2024-09-10 |
    | Target end date | 2025-08-31 |

    ## Goals

    - Replace every old component by 2025-08-31 (frontend team).
    - Publish the migration guide by 2026-03-01 (frontend team).
    """
    assert _codes_at(text, "pdca.no-milestones") != []
    assert _codes_at(text, "consistency.date-order") == []


def test_what_is_already_done_is_background() -> None:
    assert classify_heading("已完成的事") == "background"
    assert classify_heading("Completed") == "background"


def test_an_explicit_act_in_the_vision_counts() -> None:
    text = """
    # All-hands 2025

    ## The future we are working towards

    We will use the feedback and lessons learned from this event for the next ones.

    ## Work

    - Book the venue by 1 March 2025 (planning team).
    """
    assert _codes_at(text, "pdca.no-act") == []


def test_week_schedules_and_effort_tables_in_a_work_plan_are_not_unowned_tasks() -> None:
    text = """
    # Project plan

    ## Work plan

    | Week | Activity |
    |---|---|
    | Week 1-3 | gather requirements and confirm scope |
    | Weeks 4 | build the analysis artifacts |

    ### Budget allocation

    | Activity | Time-Cost |
    |---|---|
    | Requirements | 12h |
    | Design | 20h |
    """
    assert _codes_at(text, "raci.no-owner") == []


def test_a_deadline_in_the_goal_sections_own_prose_gives_its_goals_a_time() -> None:
    text = """
    # Fund design committee

    ## Goals

    * Prepare an RFC that describes how the fund works (the committee).
    * Share the proposal publicly and integrate feedback (the committee).

    We should ideally have something ready by Q1 2027.
    """
    assert _codes_at(text, "smart.time-bound") == []


def test_questions_in_a_goals_section_are_not_goals_and_a_solution_column_is_a_mitigation() -> None:
    text = """
    # Workshop proposal

    ## Goals

    * What is a contribution to Jupyter?
    * How do we fund these activities?

    ## Risks

    | ID | Risk | Impact | Likelihood | Solution |
    |---|---|---|---|---|
    | 1 | We may not finish on time | High | Medium | Start with the simplest tasks |
    """
    assert _codes_at(text, "smart.measurable") == []
    assert _codes_at(text, "risk.no-mitigation") == []


def test_a_heading_that_only_says_when_passes_its_parents_work_section_through() -> None:
    text = """
    # Reviewer 工程实践

    ## 短期任务

    ### 预计完成时间，3周

    1. 将 PDF.js 仓库 clone 到本地后运行起来。
    2. 利用 MySQL 创建基础的用户以及 PDF 表。
    """
    assert _codes_at(text, "raci.no-owner") == [7, 8]


def test_a_multi_line_quote_is_verbatim_even_with_hard_line_breaks() -> None:
    from service.review import ReviewOptions, review_text

    text = "# Upgrade\n\n## 升級執行步驟\n\n1. **切換服務**: 直接覆寫設定，不用修改！  \n    \n   先停止舊容器：\n"
    review = review_text(text, "t.md", ReviewOptions(llm="off"))
    quotes = [f.quote for f in review.findings if f.quote]
    assert quotes and all(q in text for q in quotes)


def test_a_section_of_risk_responses_identifies_risks_and_answers_them() -> None:
    text = """
    # Pilot

    ## How we are minimizing risk

    - The initiative is co-sponsored by two branches.
    - We are working with finance to document the procedures.

    ## Next steps

    - 风险：
      - 存量问题很多，需要借助自动化工具修复。
    """
    assert _codes_at(text, "risk.no-register") == []
    assert _codes_at(text, "risk.no-mitigation") == []
    assert classify_heading("How we are minimizing risk") == "risks"


def test_stakeholders_named_in_the_introduction_count() -> None:
    text = """
    # Dubbo 发布路线图

    ## 背景

    升级过程中遇到任何问题可以通过 issue、微信群、钉钉群及时反馈社区。

    ## 版本计划

    - 2023 年 3 月发布 3.2 版本（发布经理）。
    """
    assert _codes_at(text, "comm.no-stakeholders") == []


def test_a_metrics_heading_inside_the_problems_chapter_describes_problems() -> None:
    text = """
    # GCE 遷移計畫

    ## 2. 現況問題

    ### 2.3 觀察指標與監控 (Observability Gap)

    - **Ops Agent 支援度不足**：無法實現對應用程式進行深層的指標監控。
    - **診斷工具缺乏**：無法快速安裝診斷工具進行排查。
    """
    assert _codes_at(text, "smart.measurable") == []


@pytest.mark.parametrize(
    ("goal", "achievable"),
    [
        ("Reach 40% retention by 2027-06-30.", True),  # a deadline, not "by N" a change
        ("Grow revenue by 20% by 2027-06-30.", False),
        ("Replace the 22 expiring diesel leases with electric vans by 30 June 2027.", False),
    ],
)
def test_a_deadline_is_not_a_change_and_a_count_of_work_needs_no_baseline(
    goal: str, achievable: bool
) -> None:
    text = f"""
    # Plan

    ## Goals

    - {goal}
    """
    assert (_codes_at(text, "smart.achievable") == [5]) is achievable


@pytest.mark.parametrize(
    "items",
    [
        "- Users can only comment on papers they do not own\n- The API must return results in JSON",
        "1. 对于非用户自有的文献，用户只能评论文献的段落句子。\n2. 系统需要提供版本控制。",
    ],
)
def test_requirements_under_a_goals_heading_are_scope_not_goals(items: str) -> None:
    plan = f"# Reviewer 2026\n\n## Goals\n\n{items}\n"
    assert _codes_at(plan, "smart.measurable") == []


def test_a_goal_about_users_is_not_taken_for_a_requirement() -> None:
    plan = "# Plan 2026\n\n## 目标\n\n- 用户满意度需要达到更高水平\n- 系统需要支持 10 万并发用户\n"
    # A vague goal about users is still a goal; a requirement with a target is one too (measured).
    assert _codes_at(plan, "smart.measurable") == [5]


@pytest.mark.parametrize(
    ("line", "slot"),
    [("- Budget: ??", True), ("- Owner: ？？", True), ("- how can we?? Notifications??", False)],
)
def test_doubled_question_marks_are_a_slot_only_where_a_value_goes(line: str, slot: bool) -> None:
    plan = f"# Plan 2026\n\n## Notes\n\n{line}\n"
    assert (_codes_at(plan, "plan.placeholder") == [5]) is slot


def test_a_blank_log_table_under_an_objective_is_not_key_results() -> None:
    plan = """
    # Profile release 2026

    ### Objective: Let people describe themselves accurately

    **KPI**: 10,000 updates to each new field in the first 3 months after launch.

    | Field name | Month 1 | Month 2 | Month 3 |
    |---|---|---|---|
    | Preferred name | | | |
    | Gender identity | | | |
    """
    assert _codes_at(plan, "okr.kr-not-measurable") == []


def test_progress_markers_on_items_are_not_shares_of_a_whole() -> None:
    plan = """
    # Internship pilot 2026

    ## Phase 1 - Set-up

    - Assignees for the program roles => `100%`
    - Training for mentors => `50%`
    - Budget approved => `100%`
    """
    assert _codes_at(plan, "consistency.percent-sum") == []
    shares = """
    # Budget 2026

    ## Budget split

    - Venue: 50%
    - Catering: 30%
    - Travel: 30%
    """
    assert _codes_at(shares, "consistency.percent-sum") != []


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("- 兑换时间：每个赛季结束后一年内，例：第一赛季于 2020 年 4 月 30 日结束。", False),
        ("- Vouchers expire a year after the season, e.g. a season ending 30 April 2020.", False),
        ("- 第一赛季于 2020 年 4 月 30 日结束。", True),
    ],
)
def test_dates_in_an_example_are_not_outside_the_plan_period(line: str, flagged: bool) -> None:
    plan = f"# 2026 年度活动方案\n\n## 活动安排\n\n{line}\n"
    assert bool(_codes_at(plan, "consistency.date-order")) is flagged


@pytest.mark.parametrize(
    ("goal", "codes"),
    [
        ("- 在 release/5.2 分支进入维护周期之前，发布更多 bugfix 版本", {"smart.measurable"}),
        ("- 培养 Seata Committer 5 人以上", set()),
        ("- 2 Global AppSec Events (Lisbon, San Francisco)", set()),
        ("- Reach an NPS of 45", {"smart.achievable"}),
    ],
)
def test_versions_are_not_measures_and_output_counts_need_no_baseline(
    goal: str, codes: set[str]
) -> None:
    plan = f"# Plan 2026\n\n## Goals\n\n{goal}\n"
    found = {c for c in ("smart.measurable", "smart.achievable") if _codes_at(plan, c)}
    assert found == codes


@pytest.mark.parametrize(
    ("goal", "specific"),
    [
        ("- Enhance our Instructor Training materials", False),
        ("- Cultivate growth and adoption of OSPOs", False),
        ("- 目标：Meta Service 集群模式稳定运行", False),
        ("- Enhance customer satisfaction", True),
        ("- 优化 OKR 运营效率", True),
        ("### Improve Customer Experience", True),
    ],
)
def test_a_goal_that_names_its_object_is_specific(goal: str, specific: bool) -> None:
    plan = f"# Plan 2026\n\n## Goals\n\n{goal}\n"
    assert bool(_codes_at(plan, "smart.specific")) is specific


@pytest.mark.parametrize(
    ("task", "owned"),
    [
        ("- Set up the help desk. The support team will run it from May.", True),
        ("- Marketing will run the spring campaign", True),
        ("- 市场部将在 5 月前完成推广", True),
        ("- We will hold a meetup in May", False),
        ("- Migrate the database. It will take two weeks", False),
        ("- Staff the help desk. A new team will be hired for it", False),
    ],
)
def test_a_team_that_is_the_subject_of_the_task_owns_it(task: str, owned: bool) -> None:
    plan = f"# Plan 2026\n\n## Tasks\n\n{task}\n- Publish the runbook (owner: Ana)\n"
    assert (_codes_at(plan, "raci.no-owner") == []) is owned


def test_metrics_without_targets_are_measures_and_targets_are_goals() -> None:
    plan = """
    # Sponsors launch 2026

    ## Success Metrics

    ### Primary Metrics
    - **Sponsor Count**: 10 sponsors by 2026-06-30
    - **Conversion Rate**: % of users who become sponsors

    ### Secondary Metrics
    - **GitHub Stars**: Growth rate
    - **Repository Traffic**: Unique visitors
    """
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "smart.time-bound") == []


def test_objectives_whose_key_results_are_kept_in_a_sheet_are_not_short_of_them() -> None:
    plan = """
    # OKRs

    ## Objectives for 2026 Q3

    See the objectives alongside our key results in our OKR tracking sheet.

    ### Objective 1: Refine our market positioning

    ### Objective 2: Find new revenue sources

    ## Reviewing and Identifying OKRs

    - Look at OKRs from the previous period
    - Group goals into existing working groups
    """
    for code in ("okr.kr-count", "okr.kr-not-measurable", "okr.kr-is-task"):
        assert _codes_at(plan, code) == [], code


@pytest.mark.parametrize(("owners", "flagged"), [(1, False), (2, True)])
def test_one_owner_for_the_whole_plan_answers_for_its_tasks(owners: int, flagged: bool) -> None:
    lines = ["- **Primary**: Project maintainer (Mike)", "- **Lead**: Ana Lee"][:owners]
    staffing = "\n".join(lines)
    plan = (
        "# Launch plan 2026\n\n## Next Steps\n\n1. Create the launch content calendar\n"
        f"2. Execute the launch plan\n\n## Resources Needed\n\n### Human Resources\n\n{staffing}\n"
    )
    assert bool(_codes_at(plan, "raci.no-owner")) is flagged


@pytest.mark.parametrize(
    ("goal", "achievable"),
    [
        ("- $125k in chapter fundraising activities in 2026", False),
        ("- Raise €40,000 in sponsorships", False),
        ("- Hit $3.5M in online revenue over the campaign", True),
    ],
)
def test_money_raised_is_a_count_and_revenue_a_level(goal: str, achievable: bool) -> None:
    plan = f"# Plan 2026\n\n## Goals\n\n{goal}\n"
    assert bool(_codes_at(plan, "smart.achievable")) is achievable


def test_document_dates_and_references_are_not_a_timeline() -> None:
    plan = """
    # Issue tracker migration plan

    Created: 27-Mar-2019

    ## Migration Plan

    - Create a playground issue tracker
    - Make the old tracker read-only

    ## References

    [1]: https://mail.python.org/pipermail/python-committers/2015-december/
    """
    assert "resource.no-timeline" in _codes(plan)


def test_a_schedule_planned_at_a_dated_meeting_runs_after_it() -> None:
    plan = """
    # 2024年12月17日 理事会会议记要

    ## 换届时间安排

    - 2025/1/1 元旦
    - 2025/1/2 - 2025/1/4 讨论退休名单（负责人：张伟）
    - 2025/1/22 - 2025/1/25 匿名投票（负责人：李娜）
    """
    assert _codes_at(plan, "consistency.date-order") == []
    assert _codes_at(plan, "raci.no-owner") == []


def test_fields_slots_and_the_participants_own_work_are_not_unowned_tasks() -> None:
    plan = """
    # 区块链组队学习

    ## 任务安排

    ### Task01：区块链基础（2天）

    * 学习者学习区块链基础与以太坊入门介绍
    * 打卡内容为学习者自己的学习感悟
    * 打卡截止日期：3月16日24：00
    - [ ] ...
    - 整理学习资料
    """
    assert _codes_at(plan, "raci.no-owner") == [11]


def _severities(text: str, code: str) -> list[tuple[int, str]]:
    from textwrap import dedent

    from service.review import ReviewOptions, review_text

    review = review_text(dedent(text).strip() + "\n", "t.md", ReviewOptions(llm="off"))
    return sorted(
        (f.span.start_line, str(f.severity)) for f in review.findings if f.code == code and f.span
    )


def test_work_in_a_goals_list_is_told_by_its_syntax_not_only_by_a_verb_list() -> None:
    # "Pick" and "Tidy" are in no verb list: an imperative before its object is work, read as a
    # goal only with doubt (a warning); an outcome with a target stays an error-free goal.
    plan = """
    # Docs project 2026

    ## Stretch goal

    - Pick a topic in the learning journey
    - Tidy the backlog of reference pages
    - Reach 40 published tutorials by June 2026
    """
    assert _severities(plan, "smart.measurable") == [(5, "warning"), (6, "warning")]


@pytest.mark.parametrize(
    "word", ["Number of questions", "Increased participation", "Notes and reflections"]
)
def test_nouns_and_participles_before_an_object_are_not_imperatives(word: str) -> None:
    from service.rules.extract.shapes import starts_with_activity

    assert not starts_with_activity(word + " in the community")
    assert starts_with_activity("Pick the venue")


def test_a_sentence_giving_one_role_the_whole_project_names_its_owner() -> None:
    plan = """
    # Docs project, May to July 2026

    ## Implementation

    Implement the project according to the detailed plan.

    ## Roles

    The editorial lead will take responsibility for the overall project and its success.
    """
    assert _codes_at(plan, "raci.no-owner") == []
    two_owners = plan.replace(
        "its success.", "its success.\n\n    The Nix expert is responsible for the whole project."
    )
    assert _codes_at(two_owners, "raci.no-owner") == [5]


@pytest.mark.parametrize(
    "sentence",
    [
        "We can expect issues to emerge, and the Nix expert will address them.",
        "If not enough speakers apply by May, we will extend the call.",
        "如果本次没有足够的项目完成比赛，奖金将会累积到第二季奖金池。",
        "如獲獎隊伍沒有顧問，則顧問獎金分發到參賽小組。",
    ],
)
def test_trouble_expected_or_a_fallback_for_a_shortfall_identifies_a_risk(sentence: str) -> None:
    assert _silenced_by(sentence, "risk.no-register")


def _document_codes(text: str) -> set[str]:
    from textwrap import dedent

    from service.review import ReviewOptions, review_text

    review = review_text(dedent(text).strip() + "\n", "t.md", ReviewOptions(llm="off"))
    return {f.code for f in review.findings if str(f.scope) == "document"}


def _silenced_by(text: str, code: str, plain: str = "Teams of three.") -> bool:
    """Whether `text` in a short plan's notes stops the document code `code`, which the same
    plan with a plain sentence instead does draw (so the test cannot pass vacuously)."""
    plan = "# Plan, 2026-09 to 2026-12\n\n## Notes\n\n{}\n"
    return code not in _document_codes(plan.format(text)) and code in _document_codes(
        plan.format(plain)
    )


def test_a_checklist_action_item_names_the_person_who_takes_it() -> None:
    plan = """
    # Planning call, 16 March 2026

    ## Action items

    - [ ] Dawn to follow up this week on the venue
    - [ ] Sarah review the sponsorship package
    - [ ] Update the readme with the new dates
    - Policy review and revamp of a third of the policies
    """
    assert _codes_at(plan, "raci.no-owner") == [7, 8]


def test_assumptions_and_constraints_under_a_risks_chapter_are_not_risk_entries() -> None:
    plan = """
    # Project charter, 2026

    ## Assumptions, constraints and risks

    ### Assumptions

    - Users have dependable internet access.

    ### Constraints

    - The billing software must price calls by length.

    ### 质量保证

    - 代码审查制度

    ### Risks

    - Vendor may slip by a month.
    """
    assert _codes_at(plan, "risk.no-mitigation") == [19]


def test_numbered_work_packages_under_a_work_section_are_one_task_each() -> None:
    plan = """
    # 投票功能實作計畫，2026 年 3 月

    ## 分階段施工

    ### 1. Migration 與刪除不變量

    新增 `migrations/0012_opinion_votes.sql`：

    - 建立 `ct_opinion_votes`。
    - 欄位：`id`、`opinion_id`。

    ### 2. 資料層

    **範圍：** 在 `src/db/queries.ts` 新增型別。

    負責人：王小明

    ## 三、工作任務

    （一）客服體系建設

    1. 開通客服熱線。（客服中心負責）

    2. 推行管家制。
    """
    # The first package names nobody ("範圍" is a field, not a person called 范围); the second
    # names its owner; the tasks of a group whose items name owners stay tasks of their own.
    assert _codes_at(plan, "raci.no-owner") == [5, 24]


def test_a_table_of_results_to_fill_in_is_not_a_task_list() -> None:
    plan = """
    # Phase 0 plan, 2026-05

    ## Deliverables

    | model | benchmark | score | date |
    |---|---|---|---|
    | gemma (base) | TMMLU+ | \\_\\_.\\_% | 2026-\\_\\_-\\_\\_ |
    | Write the evaluation report | | | |
    """
    assert _codes_at(plan, "raci.no-owner") == [8]


def test_a_kpi_record_is_one_goal_with_its_target_and_baseline() -> None:
    plan = """
    # Project sustainability goals, 2026

    ## Goals and metrics

    ### Sustainable maintainership

    Goal: The project should have a sufficient number of maintainers.

    Metric: Number of maintainers.

    - Current: 2
    - Target: 2 or more

    ### Responsiveness

    Metric: Time to triage new issues.

    - Current: Need to measure
    - Target: 90% of issues triaged within 2 working days
    """
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "smart.achievable") == [19]


def test_an_unfilled_name_slot_is_a_placeholder() -> None:
    plan = """
    # 90-day plan, 2026

    ## Graduate from the incubator

    * Who's working on this: (your name here).
    """
    assert _codes_at(plan, "plan.placeholder") == [5]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [("路線 A 尚未完成的部分", "tasks"), ("四、Phase 0 Runbook", "tasks"), ("分階段施工", "tasks")],
)
def test_work_left_to_do_and_runbooks_are_work_sections(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "This policy plan covers 2022-2027, but can be modified annually by the general assembly.",
        "Changes to this project charter will be approved by the undersigned.",
        "Plan two more meetups, then debrief with the organisers.",
        "* Act → Gained 2 contributors? Join other programmes next year.",
        "本计划可根据年度评估结果修订。",
    ],
)
def test_changing_the_plan_itself_or_a_debrief_is_an_act_step(sentence: str) -> None:
    assert _silenced_by(sentence, "pdca.no-act", plain="Meetups run monthly.")


@pytest.mark.parametrize(
    ("line", "slot"),
    [
        ("- Budget: ??", True),
        ("- Date: 2026/10/??", True),
        ("- Jul: 1-2 weeks EU ??", False),
        ("- Venue?", True),
        ("- Revisit meeting schedule?", False),
        ("- 何谓数学？", False),
    ],
)
def test_a_slot_is_a_value_left_open_not_a_question_or_a_doubt(line: str, slot: bool) -> None:
    plan = f"# Meetup plan 2026\n\n## Logistics\n\n{line}\n"
    assert bool(_codes_at(plan, "plan.placeholder")) is slot


def test_the_activities_that_serve_a_goal_are_not_goals_and_deliverables_are_scope() -> None:
    plan = """
    # Policy plan 2022-2027

    ## Goals

    The association seeks to achieve its goal by carrying out the following activities:

    * a. the provision of services that increase the re-use of public code
    * b. carrying out research for the development of public code

    ## Deliverables

    | Major Deliverable | Description |
    | --- | --- |
    | Backend Server | The server that routes calls and stores user data. |
    | Write the operations manual | For administrators. |
    """
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "raci.no-owner") == [15]


@pytest.mark.parametrize(
    "text",
    [
        "| 症狀 | 處理方式 |\n|---|---|\n| CUDA OOM | 調降 batch size |",
        "Mesos must become a top-level project or risk termination from Apache.",
    ],
)
def test_a_troubleshooting_table_or_a_stated_consequence_identifies_a_risk(text: str) -> None:
    assert _silenced_by(text, "risk.no-register", plain="Steps run in order.")


@pytest.mark.parametrize(
    "text",
    [
        "Within 6 months the board will produce an annual report and accounts.",
        "- Plan to measure: count the maintainers listed on the governance page",
        "数模协会对收集到的文章进行筛选，并公示名单。",
    ],
)
def test_annual_reports_measuring_plans_and_screening_entries_are_a_check(text: str) -> None:
    assert _silenced_by(text, "pdca.no-check", plain="Volunteers meet.")


def test_the_steps_of_a_migration_plan_written_as_headings_are_its_tasks() -> None:
    plan = """
    # Issue tracker migration

    ## Migration Plan

    Here we outline the tasks and steps we need to take.

    ### Create a playground tracker on GitHub

    We should create a playground tracker where we can test the new workflow.

    ### Close the old bank account

    Close the account and transfer the funds (Treasurer).

    ### Backup of the data

    Nightly exports keep a copy.
    """
    # A step stated only by its heading is the task; a heading over its own task sentence is
    # that task's title (the sentence is the task, owned here).
    assert _codes_at(plan, "raci.no-owner") == [7]


def test_a_quoted_front_block_gives_the_plan_its_period() -> None:
    plan = """
    # 大学生创新训练项目申请书

    > 项目类型：创新训练
    > 项目周期：12 个月

    ## 具体目标

    1. 完成不少于 3 组对照实验。
    """
    assert _codes_at(plan, "smart.time-bound") == []
    assert _codes_at(
        plan.replace("> 项目周期：12 个月", "> 团队规模：3–5 人"), "smart.time-bound"
    ) == [8]


def test_a_risk_table_rates_with_a_rating_not_with_the_consequence_in_words() -> None:
    plan = """
    # 活动方案 2026

    ## 风险评估

    | 风险 | 影响 | 机率 | 应对 |
    |---|---|---|---|
    | 网络不稳定 | 手机无法访问 | 中 | 准备备用热点 |

    | 风险 | 影响 | 应对 |
    |---|---|---|
    | 团队不熟悉 GitHub | 采用率低 | 1 小时培训（Keroro 负责） |
    """
    assert _codes_at(plan, "risk.no-assessment") == [11]
    assert _codes_at(plan, "risk.no-owner") == [7]


def test_checklist_items_that_start_with_a_name_before_a_chinese_verb_are_owned() -> None:
    plan = """
    # 迁移计划 2026

    ## 待辦事項

    - [ ] Kururu 建立 Issue Labels
    - [ ] Keroro 確認 Labels 命名
    - [ ] 更新流程文件
    """
    assert _codes_at(plan, "raci.no-owner") == [7]


def test_an_ellipsis_that_continues_a_series_is_not_a_placeholder() -> None:
    plan = """
    # Sprint setup 2026

    ## Iterations

    - Sprint-2026-W14
    - Sprint-2026-W15
    - ...

    ## Owners

    - ...
    """
    assert _codes_at(plan, "plan.placeholder") == [11]


def test_outputs_named_as_things_are_not_goals() -> None:
    plan = """
    # 创新训练项目申请书，项目周期 12 个月

    ## 预期成果

    1. 软件著作权 1 项。
    2. 结题报告一份。
    3. 搭建数据平台
    4. 用户满意度达到 90%
    """
    assert _codes_at(plan, "smart.achievable") == [8]
    # Under 预期成果 the work that makes an output is an output too (wave 24 zhs, superseding the
    # earlier "a goal only with doubt" there); only the result level is a goal.
    assert _severities(plan, "smart.measurable") == []


def test_an_event_plan_that_counts_down_to_its_day_gives_its_goals_the_event() -> None:
    plan = """
    # 校园开源活动策划

    ## 活动目标

    - 让 200 人以上现场观众参与互动。

    ## 活动前准备

    | 时间 | 事项 | 负责人 |
    |---|---|---|
    | T-3 天 | 确认场地 | 项目负责人 |
    | T-1 天 | 彩排 | 技术负责人 |
    """
    assert _codes_at(plan, "smart.time-bound") == []
    assert "pdca.no-milestones" not in _document_codes(plan)
    no_countdown = plan.replace("T-3 天", "活动前").replace("T-1 天", "活动前")
    assert _codes_at(no_countdown, "smart.time-bound") == [5]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("2.1 GitHub Projects（Kanban 板）", None),
        ("GitHub Actions", None),
        ("IT Projects", "tasks"),
    ],
)
def test_a_product_named_by_a_head_word_is_a_name(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind


def test_a_comparison_matrix_is_not_a_task_list() -> None:
    plan = """
    # Migration plan 2026

    ## Tasks

    | 能力 | 資料夾 | GitHub Projects |
    |---|---|---|
    | 視覺化 Kanban | ❌ | ✅ |
    | 離線存取 | ✅ | ❌（需網路）|
    | Move the task files | Ana | May |
    """
    assert _codes_at(plan, "raci.no-owner") == [9]


def test_a_site_maintained_by_one_person_is_owned_and_a_pause_is_no_task() -> None:
    plan = """
    # Roadmap

    ## To do

    - [ ] Add a metadata search page

    ## Release schedule

    | What | Who | When |
    |---|---|---|
    | KubeCon idle week | --- | --- |
    | Cut the release branch | | Tuesday 25th November 2025 |

    ## Content themes

    - Tax reform and fiscal policy

    ## Site governance

    This site is maintained by [Shane Curcuru](https://example.org), with the hope of more maintainers.
    """
    # The maintainer owns the help-wanted item (an empty Who cell stays empty); the idle week is a
    # pause; a list of content themes is topics, not tasks.
    assert _codes_at(plan, "raci.no-owner") == [12]
    unowned = plan.replace("This site is maintained by", "Thanks to")
    assert _codes_at(unowned, "raci.no-owner") == [5, 12]


def test_tables_of_other_things_and_totals_in_a_work_section_are_not_tasks() -> None:
    plan = """
    # 遷移計畫 2026

    ## 具體實作步驟

    | GitHub | 本地 |
    |---|---|
    | Issue `#1` | `tasks/T001/` |
    | 建立 Issue Labels | |

    | 項目 | 負責 | 金額 |
    |---|---|---|
    | 場地 | 王小明 | 1,000元 |
    | **總計** | - | **1,000元** |
    """
    assert _codes_at(plan, "raci.no-owner") == [8]


def test_a_parenthesis_glossing_a_label_names_no_owner() -> None:
    plan = """
    # Setup plan 2026

    ## Tasks

    - Set the `Status` field（Single Select）：Backlog / Done
    - Set the `Iteration` field（Iteration）：Sprint-W14
    - Write the onboarding guide (Ana Lee)
    """
    assert _codes_at(plan, "raci.no-owner") == [5, 6]


# --- Key results in the shapes OKR sheets use (labels, containers, boxes) ----------------------


def test_objective_paragraph_with_a_bold_key_results_label_reads_its_list_as_krs() -> None:
    text = """
        # Project OKRs 2027

        **Objective 1:** Make the SDK easy to adopt

        **Key Results:**

        1. Time to first API call under 10 minutes for 80% of new users
        2. Publish quickstarts for 5 languages
        3. Reach 1,000 weekly active developers
        """
    assert _codes_at(text, "okr.kr-is-task") == [8]
    # The objective is judged by the okr rules, not as a SMART goal.
    assert _codes_at(text, "smart.measurable") == []
    assert _codes_at(text, "okr.kr-count") == []


def test_a_key_results_heading_is_a_container_not_an_objective_or_a_kr() -> None:
    en = """
        # Project OKRs 2027

        ## Objective 2: A healthy contributor community

        ### Key Results

        - [ ] KR 2.1 - 30 new contributors merge a first PR
        - [ ] KR 2.2 - Reach 90% of PRs reviewed within 3 days
        - [x] Key Result 2.3 - Run two contributor summits
        """
    assert _codes_at(en, "okr.kr-count") == []
    # The box and the "Key Result 2.3 -" label are not the KR's first word.
    assert _codes_at(en, "okr.kr-is-task") == [9]
    zh = """
        # 2027 年度 OKR

        ## 目标 2：建设健康的贡献者社区

        ### 关键结果

        1. 新增 30 名贡献者合并首个 PR
        2. 所有 PR 在 3 天内得到评审
        3. 举办两次贡献者峰会
        """
    assert _codes_at(zh, "okr.kr-not-measurable") == []
    assert _codes_at(zh, "okr.kr-count") == []
    assert _codes_at(zh, "okr.kr-is-task") == [9]


def test_key_outcomes_in_chinese_and_numbered_labels_are_krs() -> None:
    text = """
        # 2027 年度 OKR

        目标1：提升开发者体验
        关键成果1：首次调用 API 时间缩短到 10 分钟以内
        关键成果2：发布 5 种语言的快速入门
        关键成果3：零回滚

        ## O3 發佈更穩定

        - KR3.1 推出新版發佈流程
        """
    assert _codes_at(text, "okr.kr-is-task") == [5, 10]
    # "5 种语言" and "零回滚" are target values; the new process has none.
    assert _codes_at(text, "okr.kr-not-measurable") == [10]
    # O3 has one key result (its heading needs no colon to be an objective).
    assert _codes_at(text, "okr.kr-count") == [8]
    assert _codes_at(text, "smart.measurable") == []


def test_bold_kr_labels_on_consecutive_lines_are_separate_krs() -> None:
    text = """
        # OKRs Q3 2027

        ### O4. Build the community

        **KR 4.1** Grow forum weekly actives to 2,000
        **KR 4.2** Launch the ambassador programme

        ## Objective: Delight customers

        Key results:

        - NPS above 45
        - Median first reply under 4 hours
        """
    assert _codes_at(text, "okr.kr-count") == []
    assert _codes_at(text, "okr.kr-is-task") == [6]
    # "Key results:" introduces the list; it is not a key result without a target.
    assert _codes_at(text, "okr.kr-not-measurable") == [6]


def test_core_text_drops_whole_kr_labels_and_task_boxes() -> None:
    from service.rules.extract.facts import core_text
    from service.rules.extract.normalize import fold

    assert core_text(fold("KR3.1 每 6 週發佈一次")) == fold("每 6 週發佈一次")
    assert core_text(fold("关键结果 4.2：推出大使计划")) == "推出大使计划"
    assert core_text(fold("- [x] Key Result 2.3 - Run two summits")) == "run two summits"
    assert core_text(fold("O2O strategy for retail")) == "o2o strategy for retail"


# --- Periods and spans of years written the ways plans write them ------------------------------


def test_year_spans_and_halves_are_periods_not_their_last_year() -> None:
    from datetime import date

    from service.rules.extract.dates import find_dates

    def spans(text: str) -> list[tuple[date, date]]:
        return [(m.start, m.end) for m in find_dates(text)]

    assert spans("strategic plan 2022-2027") == [(date(2022, 1, 1), date(2027, 12, 31))]
    assert spans("2025–2026 学年") == [(date(2025, 1, 1), date(2026, 12, 31))]
    assert spans("the 2026-27 season") == [(date(2026, 1, 1), date(2027, 12, 31))]
    assert spans("second half of 2026") == [(date(2026, 7, 1), date(2026, 12, 31))]
    # A year and a month stay one month.
    assert spans("2026-05") == [(date(2026, 5, 1), date(2026, 5, 31))]
    assert spans("between july and december 2026") == [
        (date(2026, 7, 1), date(2026, 7, 31)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ]


def test_a_start_with_a_duration_or_a_run_of_months_is_the_plan_period() -> None:
    plan = "# Volunteer programme\n\n{}\n\n## Goals\n\n- Recruit 40 volunteers\n"
    assert _codes_at(plan.format("Teams of three."), "smart.time-bound") == [7]
    for line in (
        "Duration: 12 weeks, starting 1 March 2027",
        "Runs from March to June 2027.",
        "项目周期：12 周，自 2027 年 3 月 1 日起",
    ):
        assert _codes_at(plan.format(line), "smart.time-bound") == [], line


# --- Owners written the ways action items name them ----------------------------------------------


def test_action_items_name_their_owner_by_label_handle_or_bracket() -> None:
    text = """
        # Website relaunch plan, Q3 2027

        ## Tasks

        - Alice: set up the staging server
        - Write the style guide [Carol]
        - Update the DNS records (@dave, due 2027-07-15)
        - Scope: define the public API
        - Next: migrate the blog posts
        - Review analytics setup
        """
    # "Scope:" is a field of the plan (no task); "Next:" is a label, not a name.
    assert _codes_at(text, "raci.no-owner") == [9, 10]


# --- Check, Act and risks said in ordinary sentences --------------------------------------------


def test_contingencies_said_in_a_sentence_identify_risks() -> None:
    for text in (
        "The venue may cancel; we hold a backup booking.",
        "If the speaker drops out, a co-host steps in.",
        "Bad weather could force us indoors, so we booked a hall.",
        "Key dependency: the vendor API; a fallback is manual entry.",
        "可能出现场地临时变更，需提前准备备用场地。",
        "若讲师临时缺席，由助教代课。",
        "天气不佳时改为线上进行。",
    ):
        assert _silenced_by(text, "risk.no-register"), text
    # A backup of data is no contingency for the plan.
    assert not _silenced_by("We back up the database nightly.", "risk.no-register")


def test_progress_looked_at_on_a_cadence_is_a_check() -> None:
    for text in (
        "We look at the numbers every Friday.",
        "Each sprint ends with a demo and a review of the burndown.",
        "At the halfway point we compare actuals against targets.",
        "项目组每两周召开一次进度会。",
        "每週一在群組更新進度。",
    ):
        assert _silenced_by(text, "pdca.no-check"), text
    assert not _silenced_by("We compare three vendors.", "pdca.no-check")


def test_re_planning_in_answer_to_results_is_an_act() -> None:
    for text in (
        "If the budget runs over, we cut the lowest-priority item.",
        "Underperforming activities are reworked after each review.",
        "When a target slips, the lead re-plans the sprint.",
    ):
        assert _silenced_by(text, "pdca.no-act"), text
    assert not _silenced_by("We will rework the logo.", "pdca.no-act")


def test_an_owner_line_right_after_a_list_owns_its_items() -> None:
    text = """
        # 2027 年计划

        ## 任务

        - 预订场地
        - 采购物料

        负责人：张伟

        ## 下一步工作

        - 起草预算
        """
    # The 任务 items are owned by the line that closes their list; the next section's is not.
    assert _codes_at(text, "raci.no-owner") == [12]


# --- Categories read from wave 10 (after its first contact; the plan shapes written anew) -------


def test_a_heading_over_a_key_results_heading_is_an_objective_whatever_its_words() -> None:
    text = """
        # Browser team OKRs, Q1 2027

        ## People understand how sync should work

        ### Key results

        - Document the sync user journeys
        - Publish a style guide repo
        - Key Result: How do we review design changes?
        """
    assert _codes_at(text, "okr.kr-is-task") == [7, 8]
    # A question under an objective is an open question, not a key result without a target.
    assert _codes_at(text, "okr.kr-not-measurable") == [7, 8]


def test_risk_tables_with_a_mitigation_column_in_chinese_words() -> None:
    text = """
        # 2027 年網站改版計畫

        ## 風險與緩解

        | # | 風險 | 衝擊 | 緩解 |
        |---|------|------|------|
        | R1 | 業主校對延遲 | 卡關鍵路徑 | 先用草稿資料推進 |
        | R2 | 字體顯示差異 | 易讀性 | |

        主要风险包括数据年代较早、样本少。对策是限制结论、保留基准。
        """
    assert _codes_at(text, "risk.no-mitigation") == [8]


def test_a_resource_column_names_the_owner_of_a_schedule_row() -> None:
    text = """
        # 2027 年检测项目任务计划表

        ## 任务

        | 任务名称 | 工期（天） | 资源 |
        | --- | --- | --- |
        | 检测项目 | 12 | |
        | 1. 计划阶段 | | |
        | 1.1 制定项目计划 | 1 | 张山龙 |
        | 1.2 可行性分析 | 0.5 | |
        | 2. 开发阶段 | | |
        | 2.1 GUI 开发 | 3 | |
        """
    # The project's own row and the phases over numbered rows are summaries, not tasks.
    assert _codes_at(text, "raci.no-owner") == [10, 12]


def test_metric_glossaries_are_not_goals_and_time_columns_give_a_time() -> None:
    text = """
        # 咖啡记录推广计划

        ## 成功指标

        | 环节 | 指标 | 含义 |
        |------|------|------|
        | 激活 | 首次记录转化率 | 多少人真的录了第一杯 |

        | 指标 | 30 天目标 | 90 天目标 |
        |------|----------|----------|
        | 累计访问 | 300–800 | 2000–5000 |
        """
    assert _codes_at(text, "smart.measurable") == []
    assert _codes_at(text, "smart.time-bound") == []


def test_a_list_of_bare_topics_under_goals_names_areas_not_goals() -> None:
    text = """
        # Compiler community call

        ### Goals for 2027

        - Macro expansion
        - Imports (use declarations)
        - Const generics

        ### Goals for 2028

        - Macro expansion
        - Grow the contributor base to 40 people
        - Const generics
        """
    # One item with a verb and a target makes the list goals, and its topic items with it.
    assert _codes_at(text, "smart.measurable") == [11, 13]


def test_a_zero_budget_and_a_one_person_team_are_stated() -> None:
    assert _silenced_by("We run this on a zero budget.", "resource.no-budget")
    assert _silenced_by("现实目标：0 预算。", "resource.no-budget")
    assert _silenced_by("One person, 3–5h per week.", "resource.no-staffing")
    assert _silenced_by("一个人，每周 3–5 小时。", "resource.no-staffing")
    assert not _silenced_by("The budget is 0.5 million.", "resource.no-budget")


def test_owner_names_are_whole_words_not_a_surname_inside_a_gloss() -> None:
    text = """
        # 2027 年網站改版計畫

        ## 2. 任務拆解

        ### 階段 D — 組裝與串接（最高風險）

        | # | 任務 | 產出 | 預估 |
        |---|------|------|------|
        | D1 | 公告資料化（橫向滑動） | 串接 | 0.5 天 |
        | D2 | 響應式測試（iOS Safari / Android Chrome） | 紀錄 | 0.5 天 |
        | D3 | 部署網站（製造部 黃國華） | 網址 | 0.25 天 |
        """
    # "任務拆解" is a work breakdown; "組裝與串接", "高風險", "向滑動" and "Android Chrome" name nobody.
    assert _codes_at(text, "raci.no-owner") == [9, 10]


def test_owner_names_read_from_handles_and_brackets() -> None:
    from service.rules.extract.normalize import fold
    from service.rules.extract.signals import owner_in_text

    def who(text: str) -> str | None:
        return owner_in_text(text, fold(text))

    assert who("Update DNS (@dave, due May)") == "@dave"
    assert who("Update DNS @dave") == "@dave"
    assert who("撰写新闻稿【王芳】") == "王芳"
    assert who("完成报名【必做】") is None  # a mark, not a name
    assert who("Report to the retail customers (Key Account Quality, Omar Said)") is not None


_PARTS_OKR = """
# Team OKRs Q2 2026

## Individual OKR — Backend

### Owner: Ana

### Objective
Build a reliable backend that serves the review dashboard.

### Key Results

#### Infrastructure

| KR | Target |
|----|--------|
| **KR 1** | Implement the export endpoint by Week 6. |
| **KR 2** | Ship all endpoints the dashboard needs by Week 7. |
| **KR 3** | Export at least one correction file for upstream review. |

#### Quality

| KR | Target |
|----|--------|
| **KR 1** | Serve the review queue so that a place is reviewed in <10 seconds per place. |
| **KR 2** | Reduce failed API calls to under 1% by the final demo. |
| **KR 3** | Keep p95 latency below 300 ms. |

### Key Metrics

| Metric | Target |
|--------|--------|
| Failed calls | <1% |
"""


def test_an_okr_written_as_parts_is_one_objective_with_all_its_grouped_key_results() -> None:
    # "### Owner", "### Objective", "### Key Metrics" and the "####" groups are parts of one OKR:
    # one objective (its statement, line 8) with six key results, so one kr-count finding, and
    # no objective made of a part heading.
    assert _codes_at(_PARTS_OKR, "okr.kr-count") == [8]


def test_a_key_result_row_is_read_without_its_label_cell() -> None:
    # "KR 1" is a label: its digit is no target and its cell does not hide the verb. Work with a
    # deadline only is a task and unmeasurable; "all" of a set and "at least one" are targets;
    # a level to reach ("<10 seconds per place") makes work an outcome.
    assert _codes_at(_PARTS_OKR, "okr.kr-is-task") == [16, 17, 18]
    assert _codes_at(_PARTS_OKR, "okr.kr-not-measurable") == [16]


@pytest.mark.parametrize(
    ("swot", "register"),
    [
        (
            "Strengths | Weaknesses | Opportunities | Threats\n---|---|---|---\n"
            "Loyal customers | Small team | New markets | Rising rents\n",
            False,
        ),
        (
            "| 面向 | 内容 |\n|---|---|\n| **優勢 (Strengths)** | 在地團隊 |\n"
            "| **威脅 (Threats)** | 資料來源變動 |\n",
            False,
        ),
        ("We are small. Threats · Funding sources and the market we work in.\n", False),
        ("我們從威脅模型出發，說清楚匿名支付為何重要。\n", True),  # a word in a sentence
        (
            "Strengths | Weaknesses | Opportunities | Threats\n---|---|---|---\n"
            "Loyal customers | Small team | New markets |\n",
            True,
        ),  # an empty Threats column
    ],
)
def test_a_swot_that_names_threats_has_identified_risks(swot: str, register: bool) -> None:
    plan = "# Plan 2026\n\n## Goals\n\n- Raise repeat orders from 20% to 30% by December 2026\n\n"
    plan += "## Analysis\n\n" + swot
    from service.review import ReviewOptions, review_text

    codes = {f.code for f in review_text(plan, "t.md", ReviewOptions(llm="off")).findings}
    assert ("risk.no-register" in codes) is register


def test_a_field_whose_label_names_a_time_is_no_task_whatever_its_prefix() -> None:
    plan = """
    # 组队学习计划

    ## 任务安排

    - 学习周期：18天
    - 报名截止时间：3月5日
    - 整理每日打卡记录（负责人：张三）
    - 汇总学员问题（负责人：李四）
    - 完成第一章习题并提交笔记
    """
    # The head noun (周期, 时间) says when or how long; the last item is work with no owner.
    assert _codes_at(plan, "raci.no-owner") == [9]


def test_activities_qualified_by_the_scope_are_scope_not_unowned_tasks() -> None:
    plan = """
    # Waitlist chatbot charter

    ## Activities

    | Activity | Owner |
    |---|---|
    | Map the cancellation workflow | Dana |

    - Train the front-desk staff

    ## 7. Scope

    **In-Scope Activities:**

    * Design and deploy the chatbot.

    **Out-of-Scope but Critical Activities:**

    * Voice calling functions.
    """
    assert _codes_at(plan, "raci.no-owner") == [9]


def test_capabilities_system_features_schedule_entries_and_non_goals_are_not_goals() -> None:
    plan = """
    # 集章系统计划

    ## 背景与目标

    本专案将前端原型升级为一套跑在 LINE 上的线上集章系统：

    - 透过 LIFF 免下载 App、以使用者既有身分即可参与
    - 后端持久化资料，提供防作弊机制

    本期目标如下。

    - **Sprint 1（Week 1）**：商品、条码、库存底座
    - 店员可扫码结帐，系统自动扣库存。
    - 可视化呈现每日参与数据
    - 首年活跃用户达到 5000 人

    ### 非目标（本阶段不做）

    - 网页管理后台
    """
    # Features of the system named by the lead-in, a capability ("可扫码结帐"), a period-labelled
    # schedule entry and the non-goals are not goals; "可视化" is an adjective, so its item is
    # a goal (no number); the target with a number is timed by its ordinal year ("首年").
    assert _codes_at(plan, "smart.measurable") == [14]
    assert _codes_at(plan, "smart.time-bound") == [14]


def test_a_target_of_none_is_a_measurable_target() -> None:
    plan = """
    # Bot plan 2026

    ## Goals

    1. **Correct**: zero scoring errors when many users bet at once, by June 2026.
    2. **易用**：使用者零學習成本，2026 年 6 月前上線。
    3. **可維運**：2026 年 6 月前重啟不丟資料。
    4. **Fast**: make the bot feel snappy by June 2026.
    """
    assert _codes_at(plan, "smart.measurable") == [8]


def test_levels_and_responses_held_ready_under_a_work_heading_are_not_unowned_tasks() -> None:
    plan = """
    # 营运计划 2026

    ## 风险控制措施

    - 目标满载率：90%（月盈余 24 万元）
    - 保底线：80%（若低于此需立即调整行销策略）
    - 满载率 < 85%：加强社区宣传
    - 满载率 < 75%：调整收费结构
    - 招募志工：20 人（负责人：王芳）
    - 印制宣传单
    """
    assert _codes_at(plan, "raci.no-owner") == [10]


def test_completing_a_share_of_the_work_is_a_task_key_result() -> None:
    plan = """
    # OKRs Q3 2026

    ## Objective 1: Secure the platform

    1. *Key Result 1*: Complete 100% configuration of the key vault for all services.
    2. *Key Result 2*: Move 80% of secrets into the key vault by September 2026.
    """
    assert _codes_at(plan, "okr.kr-is-task") == [5]


@pytest.mark.parametrize(
    "goal",
    [
        "Be financially viable by 2028.",
        "Raise 40% of our income from grants by 2028.",
        "Grow individual donors to 300 by 2028.",
        "Keep a fiscal reserve of six months by 2028.",
    ],
)
def test_finance_in_other_words_covers_the_financial_perspective(goal: str) -> None:
    plan = f"""
    # Strategic plan 2026–2028

    ## Goals

    - Raise resident satisfaction to 90% by 2028.
    - Train every member of staff in trauma-informed care by 2027.
    - Cut the referral waiting time to 10 days by 2027.
    - {goal}
    """
    from textwrap import dedent

    from service.review import ReviewOptions, review_text

    review = review_text(dedent(plan).strip() + "\n", "t.md", ReviewOptions(llm="off"))
    missing = [f.message for f in review.findings if f.code == "bsc.missing-perspective"]
    assert not any("financial" in m for m in missing)


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("主办单位：学生会；指导老师：王老师。", True),
        ("上线后的服务器费用由客户负担。", True),
        ("We agree the scope with the client before each phase.", True),
        ("本地必须安装连接 SSH 服务的客户端工具。", False),  # client software, not a client
        ("目标是提升客户满意度。", False),  # customers as what a goal improves, not a party
    ],
)
def test_the_parties_a_plan_is_run_for_are_its_stakeholders(line: str, named: bool) -> None:
    plan = f"# 活动计划\n\n## 目标\n\n- 2026 年 6 月前举办 3 场讲座\n\n## 说明\n\n{line}\n"
    from service.review import ReviewOptions, review_text

    codes = {f.code for f in review_text(plan, "t.md", ReviewOptions(llm="off")).findings}
    assert ("comm.no-stakeholders" in codes) is not named


@pytest.mark.parametrize(
    ("work", "tracked"),
    [
        (
            "| 任务 | 负责人 | 状态 |\n|---|---|---|\n| 搭建环境 | 王芳 | 已完成 |\n| 编写接口 | 李四 | 进行中 |\n",
            True,
        ),
        ("- [x] Book the venue\n- [ ] Print the badges\n", True),
        ("- [ ] Book the venue\n- [ ] Print the badges\n", False),  # nothing ticked yet
        (
            "| 任务 | 负责人 | 状态 |\n|---|---|---|\n| 搭建环境 | 王芳 | |\n",
            False,
        ),  # an empty column
    ],
)
def test_a_filled_status_column_or_ticked_checklist_is_a_check(work: str, tracked: bool) -> None:
    plan = f"# Plan 2026\n\n## Goals\n\n- Ship the site by June 2026\n\n## Tasks\n\n{work}"
    from service.review import ReviewOptions, review_text

    codes = {f.code for f in review_text(plan, "t.md", ReviewOptions(llm="off")).findings}
    assert ("pdca.no-check" in codes) is not tracked


def test_milestones_placed_relative_to_each_other_are_milestones() -> None:
    plan = """
    # Project charter

    Start: 1 March 2026. End: 30 November 2026.

    ## Executive milestones

    | Executive Milestones | Estimated Completion Timeframe |
    | --- | --- |
    | Requirements analysis complete | Eight weeks after project initiation. |
    | Prototype release | Six weeks after requirements analysis. |
    """
    assert _codes_at(plan, "pdca.no-milestones") == []


def test_the_items_under_a_labelled_goal_heading_are_its_parts_not_goals() -> None:
    plan = """
    # Roadmap

    ## 2026 Goals

    ### Goal: Enable and encourage adoption

    * Onboarding documentation for new adopters
    * Running the service at scale

    ### Goal: Reach 500 active users by June 2026

    * Signing remote requests
    """
    # The labelled headings are the goals; the feature bullets under them are their scope.
    assert _codes_at(plan, "smart.measurable") == [5]


def test_a_response_list_or_section_answers_the_risks_before_it() -> None:
    plan = """
    # 项目计划 2026

    ## 风险评估和规避

    (1) 对于框架不够熟练
    (2) 组员离校

    Resolution 解决:

    (1) 上网加强学习
    (2) 由小组成员共同负责项目功能

    ## Risk Identification

    | Risk | Probability | Severity |
    |---|---|---|
    | Integration difficulties | High | Medium |

    ## Mitigation Plan

    We hold weekly reviews; if a sprint is too big we split its tasks.
    """
    # The numbered responses are no risks of their own, and they answer the risks above; the
    # table under "Risk Identification" is the register (its rows have ratings, no owner).
    assert _codes_at(plan, "risk.no-mitigation") == []
    assert _codes_at(plan, "risk.no-assessment") == [5, 6]
    assert _codes_at(plan, "risk.no-owner") == [17]


def test_a_bracketed_qualifier_does_not_make_a_risk_column_an_aside() -> None:
    plan = """
    # 平台项目计划 2026

    ## 风险与缓解

    | ID | 风险 | 影响 | 概率【假设】 | 缓解措施 | 负责人 |
    |----|------|------|--------------|----------|--------|
    | R1 | 协议频繁变更 | 接入返工 | 中 | 协议适配层隔离 | 王芳 |
    """
    assert _codes_at(plan, "risk.no-assessment") == []


def test_unticked_items_of_a_tick_list_are_tasks_and_ticked_ones_are_done() -> None:
    plan = """
    # 網站工作計畫 2026

    ## 3) SOP 勾選清單（進度追蹤）

    ### A. 規格與資料（SOP-REQ）

    - [x] SOP-REQ-01：確認第一版要支援的運動
    - [ ] SOP-REQ-02：定義棒球資料模型
    - [ ] SOP-REQ-03：設計棒球勝率模型
    """
    # Identifiers are not the items' first words; 定義 and 設計 are activity verbs.
    assert _codes_at(plan, "raci.no-owner") == [8, 9]


def test_a_span_said_as_over_the_course_of_n_months_is_the_plan_period() -> None:
    plan = """
    # Community proposal

    ## Project description

    Over the course of 5 months (Aug 2021 - Dec 2021), we will run meetups in Seoul.

    ## Value

    We will aid in the following goals:

    - Build 1-2 strategic partnerships with enterprises in Korea
    """
    assert _codes_at(plan, "smart.time-bound") == []


def test_a_list_after_a_label_naming_risks_holds_risk_entries() -> None:
    plan = """
    # Community proposal 2026

    ## Value

    Potential risks of not getting it right:

    - Misinformation through translation errors, hurting the brand
    """
    assert _codes_at(plan, "risk.no-mitigation") == [7]


def test_end_states_under_a_deliverables_heading_are_not_tasks() -> None:
    plan = """
    # Proposal 2026

    ## Deliverables

    - Filecoin profiled on a YouTube show with 4k subscribers
    - At least 1 meetup planned in Korea this year
    - Write five monthly reports for the sponsor
    """
    assert _codes_at(plan, "raci.no-owner") == [7]


def test_a_table_keyed_by_stages_is_the_schedule_not_goals() -> None:
    plan = """
    # 讀書會規劃 2026

    ## 3. 階段目標

    | 階段 | 主要目的 | 應留下的成果 |
    |---|---|---|
    | 初賽前 | 檢查六領域知識與弱項 | 個人能力診斷 |
    | 學期末 | 決定後續方向 | 下學期主攻方向 |
    """
    assert _codes_at(plan, "smart.measurable") == []


def test_a_plural_goals_label_is_a_goal_line_but_not_under_an_option_weighed() -> None:
    plan = """
    # Roadmap 2026

    ## Casual web user

    **Goals:** Serve them as quickly as possible.

    ## Option 2: One major release

    **Goals:** Replace the old site in a single release.
    """
    assert _codes_at(plan, "smart.measurable") == [5]


@pytest.mark.parametrize("heading", ["工作計畫", "實施計畫", "📋 待執行計畫", "行動規畫"])
def test_taiwan_plan_words_fold_to_the_mainland_words(heading: str) -> None:
    # 計畫 is 计划 (a plan), not 计画 (a picture); the fold keeps the heading's length.
    from service.rules.extract.normalize import fold

    assert len(fold(heading)) == len(heading)
    assert classify_heading(heading) == "tasks"


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("專案時程", "timeline"),
        ("計畫期程", "timeline"),
        ("風險因應", "risks"),
        ("檢核機制", "monitoring"),
        ("利害關係人", "communication"),
        ("計畫緣起", "background"),
        ("團隊成員", "organisation"),
        ("分工", "organisation"),  # 分 starts the word; it is not the numbering of 第二部分
        ("部门职责", "organisation"),
        ("第二部分 风险", "risks"),
    ],
)
def test_taiwan_and_plain_part_names_are_read(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Communication Plan", "communication"),
        ("Communications", "communication"),
        ("Responsibilities", "organisation"),
        ("Contingency Plan", "risks"),
        ("Financial Plan", "resources"),
        ("Key Performance Indicators", "goals"),
    ],
)
def test_stem_cues_end_a_heading_with_the_rest_of_their_word(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


@pytest.mark.parametrize(
    "item",
    [
        "辦理說明會",
        "邀請講者",
        "採購器材",
        "聯絡廠商",
        "拍攝影片",
        "維護網站",
        "盤點需求",
        "編列預算",
    ],
)
def test_everyday_chinese_work_verbs_start_a_task(item: str) -> None:
    from service.rules.extract import shapes
    from service.rules.extract.normalize import fold

    assert shapes.is_action(fold(item))
    assert not shapes.is_action(fold("品牌知名度提升"))


def test_a_styled_link_button_is_a_link_not_a_task() -> None:
    plan = """
    # 工作坊籌備 2026

    ## 工作事項

    - 邀請講者（負責人：王芳）

    [報名參與「活動籌備人員」](#報名){ .md-button .md-button--primary }
    """
    assert _codes_at(plan, "raci.no-owner") == []


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Cost Estimate", "resources"),
        ("Exit Criteria", "monitoring"),
        ("Definition of Done", "monitoring"),
        ("Course Correction", "iteration"),
        ("Lessons Learned", "iteration"),
        ("Point of Contact", "organisation"),
        ("Agenda", "timeline"),
        ("Run of Show", "timeline"),
    ],
)
def test_common_english_part_names_are_read(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


def test_an_events_notices_are_no_tasks() -> None:
    plan = """
    # 黑客马拉松 2026

    ## 工作安排

    - 王芳 联系场地

    ## 活动说明

    1. 活动筹备中所有签署的合约具有法律效应，双方均需按合约承担责任。
    2. 活动进行过程中若有调整，均以最终情况为准。
    """
    assert classify_heading("任务说明") == "tasks"  # a description of the tasks is still tasks
    assert _codes_at(plan, "raci.no-owner") == []


def test_a_blank_standing_for_a_value_is_a_placeholder_but_a_rule_line_is_not() -> None:
    plan = """
    # 報價單 2026

    ## 費用

    | 項目 | 工作天 | 報價 |
    |---|---|---|
    | 網站開發 | 3 | ＿＿＿ |
    | 維護 | 1 | ____ 元 |

    ___

    Written by __the team__.
    """
    assert _codes_at(plan, "plan.placeholder") == [7, 8]


@pytest.mark.parametrize(
    ("code", "line", "severity"),
    [
        ("risk.no-register", "We hold the meetup in the library.", "error"),
        ("risk.no-register", "If the library is booked we might move to the café.", "warning"),
        ("risk.no-register", "宣传时注意避免与期末考试撞期。", "warning"),
        ("pdca.no-check", "We hold the meetup in the library.", "error"),
        ("pdca.no-check", "Attendees give feedback at the door.", "warning"),
        ("pdca.no-check", "活动结束后写一份总结。", "warning"),
        ("pdca.no-act", "We hold the meetup in the library.", "warning"),
        ("pdca.no-act", "The next version will take in the feedback.", "info"),
        ("pdca.no-act", "Improve customer satisfaction.", "warning"),
        ("pdca.no-act", "活动流程会不断完善。", "info"),
    ],
)
def test_hedges_and_check_words_in_passing_lower_a_missing_part_by_one_severity(
    code: str, line: str, severity: str
) -> None:
    # A plan that hedges may name its risks in prose, and one that says "feedback" or "总结"
    # may check its work in ways the rules cannot place: the finding is less certain there.
    from service.review import ReviewOptions, review_text

    plan = f"# Meetup plan 2026\n\n## Tasks\n\n- Book the room (owner: Ana)\n\n## Notes\n\n{line}\n"
    found = [
        f.severity
        for f in review_text(plan, "t.md", ReviewOptions(llm="off")).findings
        if f.code == code
    ]
    assert found == [severity]


def test_a_solution_heading_far_from_the_risks_does_not_answer_them() -> None:
    plan = """
    # Proposal 2026

    ## Risks

    - The venue might cancel

    ## Timeline

    - June 2026: launch

    ## Solution

    We build a booking app.
    """
    assert _codes_at(plan, "risk.no-mitigation") == [5]


def test_a_goals_heading_labelled_with_its_period_is_no_goal_itself() -> None:
    plan = """
    # Plan

    ## Goals: Q3 2026

    - Raise NPS to 50 by September 2026
    """
    assert _codes_at(plan, "smart.measurable") == []


def test_an_objective_label_over_only_a_period_heads_goals_not_an_objective() -> None:
    plan = """
    # 计划

    ## 目标：2026年

    - 满意度达到 90%
    - 提升新人体验
    """
    # The items are goals with the heading's period, not key results of an objective "2026年".
    assert _codes_at(plan, "okr.kr-not-measurable") == []
    assert _codes_at(plan, "smart.measurable") == [6]


@pytest.mark.parametrize("title", ["7天营销执行计划", "30-Day Launch Plan", "三个月行动方案"])
def test_a_title_naming_the_plans_length_gives_its_goals_their_time(title: str) -> None:
    plan = f"""
    # {title}

    ## 目标

    - 注册用户达到 1万
    """
    assert _codes_at(plan, "smart.time-bound") == []


def test_a_heading_naming_a_span_times_its_goals_but_a_lead_time_does_not() -> None:
    plan = """
    # 营销计划

    ## 目标

    ### 7天核心指标

    - 注册用户达到 1万

    ### 3天前准备

    - 物料到位率达到 100%
    """
    assert _codes_at(plan, "smart.time-bound") == [11]


def test_expected_value_under_a_results_chapter_is_no_goal() -> None:
    plan = """
    # 2027 推广计划

    ## 整体预期成果

    ### 💰 商业价值预期

    - **品牌价值**: 显著提升
    - **融资加分**: 显著提升估值

    ### Expected benefits

    - A stronger brand
    """
    assert _codes_at(plan, "smart.measurable") == []


def _campaign(schedule: str) -> str:
    return f"""
    # 集氣計畫

    ## 一、專案目標

    - 新學員註冊數達到 350 人

    ## 二、專案執行時程

    | 階段 | 時間 | 核心目標 |
    | --- | --- | --- |
    {schedule}
    """


def test_a_short_schedule_near_the_top_is_the_time_of_the_campaigns_goals() -> None:
    rows = "| 第一階段 | 7/6－7/12 | 曝光 |\n    | 第二階段 | 7/13－7/31 | 轉換 |"
    assert _codes_at(_campaign(rows), "smart.time-bound") == []


def test_a_long_or_partly_undated_schedule_does_not_time_the_goals() -> None:
    long_rows = "| 第一階段 | 1/6－3/12 | 曝光 |\n    | 第二階段 | 3/13－12/31 | 轉換 |"
    undated = "| 第一階段 | 7/6－7/12 | 曝光 |\n    | 第二階段 | 待定 | 轉換 |"
    assert _codes_at(_campaign(long_rows), "smart.time-bound") == [5]
    assert _codes_at(_campaign(undated), "smart.time-bound") == [5]


def test_headings_after_a_goals_sub_section_and_deliverables_are_not_goals() -> None:
    plan = """
    # SIG 章程

    ## 工作目标和范围

    ### 工作目标

    - 在社区中添加对桌面环境的支持

    ### 交付物

    - 源码和tar包

    ### 该SIG管理的repository

    - https://gitee.com/example/desktop
    """
    assert _codes_at(plan, "smart.measurable") == [7]


def test_objectives_written_as_lines_over_their_key_results_under_period_headings() -> None:
    plan = """
    # Objectives and Key Results

    ## Quarterly

    ### Q1 2027

    Alpha release of the game (7/10)
    - 40 matches played online
    - 12 shared components

    Make the stream good!
    - 12 streams
    - 3 streams with guests

    ### Q2 2027

    Better dev tools

    Progress on the whitepaper
    """
    # Each line is an objective; the quarter headings are their periods. Under Q2, the two lines
    # have no key results.
    assert _codes_at(plan, "okr.kr-count") == [17, 19]


def test_risks_written_as_prose_before_a_labelled_response_are_risks_it_answers() -> None:
    plan = """
    # Project charter

    ## Challenges and Risks

    Developing the frontend before the backend is finished
    Integrating work developed by different people at the same time

    Mitigation strategies: create issues with a clear plan for integration

    ## Notes

    To be completed.
    """
    # The plan identifies its risks (no risk.no-register) and answers them (no mitigation
    # finding); they carry no rating.
    assert _codes_at(plan, "risk.no-register") == []
    assert _codes_at(plan, "risk.no-mitigation") == []
    assert _codes_at(plan, "risk.no-assessment") == [5]


def test_a_missing_response_stands_out_only_where_other_risks_have_one() -> None:
    from service.review import ReviewOptions, review_text

    def severities(risks: str) -> list[str]:
        plan = f"# Plan\n\n## Risks\n\n{risks}\n"
        review = review_text(plan, "t.md", ReviewOptions(llm="off"))
        return [str(f.severity) for f in review.findings if f.code == "risk.no-mitigation"]

    none_answered = "- The venue may cancel\n- Sponsors may pull out\n"
    one_answered = "- The venue may cancel\n- Sponsors may pull out. Mitigation: sign two backups\n"
    assert severities(none_answered) == ["info", "info"]
    assert severities(one_answered) == ["warning"]


def test_an_okr_sheet_by_its_title_with_tagged_key_results_and_earlier_quarters() -> None:
    plan = """
    # Quarterly Objectives and Key Results

    ## 2027 Q4

    **The tool handles large datasets**
    - `P0` @ana - It takes less than 48 hours to transfer 1TB
    - `P1` - There is a prototype of the sync protocol

    **Complete outstanding priorities from Q3**
    - `P0` @kev - Every issue gets triaged within a week of opening
    - `P0` - The tool doesn't have checked-in vendor paths
    - `P2` @dj - Add the mount methods and get them tested on all supported platforms

    ## 2027 Q3

    Find the OKRs for 2027 Q3 in the 2027 Q3 spreadsheet.
    """
    # The "priorities" heading is an objective of the sheet, not a goals section: its items are
    # key results, and "every", "doesn't have" and "on all" are targets. The earlier quarter is
    # part of the sheet's span, not a date outside it.
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "okr.kr-not-measurable") == [7]
    assert _codes_at(plan, "okr.kr-is-task") == [12]
    assert _codes_at(plan, "consistency.date-order") == []


def test_an_objective_heading_in_a_plan_without_key_results_heads_goals() -> None:
    plan = """
    # Hackathon proposal

    ## 2. Objective

    1. To foster creativity and teamwork among participants.
    2. To build connections between students and industry.

    ## 3. Schedule

    - September 2026: the event
    """
    # No key results anywhere: the aims are goals (SMART), not key results of an objective.
    assert _codes_at(plan, "okr.kr-not-measurable") == []
    assert _codes_at(plan, "smart.measurable") == [5, 6]


def test_a_rated_risk_item_and_its_response_item_are_one_answered_rated_risk() -> None:
    plan = """
    # 遷移提案

    ## 風險

    ### 技術債務風險

    - **中等風險**：多語系路由驗證邏輯複雜度增加
    - **對策**：統一在 middleware 處理語系驗證
    """
    assert _codes_at(plan, "risk.no-assessment") == []
    assert _codes_at(plan, "risk.no-mitigation") == []
    assert _codes_at(plan, "risk.no-register") == []


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("- 联系人：张淇，xxxxxxx（电话号码），xxxxxxx@xxx（邮箱）", False),
        ("- 联系电话：138****1234", False),
        ("- 联系人：待定", True),
        ("- 预算：xxx 元", True),
    ],
)
def test_masked_contact_details_are_redactions_not_placeholders(line: str, flagged: bool) -> None:
    plan = f"# 项目章程\n\n## 团队\n\n{line}\n"
    assert bool(_codes_at(plan, "plan.placeholder")) is flagged


@pytest.mark.parametrize(
    ("extra", "fires"),
    [
        (
            "| 階段 | 工作內容 | 預估時間 |\n|---|---|---|\n| 階段一 | 路由調整 | 3 天 |\n| 階段二 | 測試 | 2 天 |",
            False,
        ),
        ("- 开发人员时间成本：13人月", False),
        ("- SIG 成员的问题在 2 个工作日内回复", True),
        (
            "| 交付項目 | 人天 | 費用（NT$） |\n|---|---|---|\n| 前台 | 8 | ＿＿＿ |\n| 後台 | 10 | ＿＿＿ |",
            True,
        ),
    ],
)
def test_an_effort_estimate_is_a_budget_unless_its_money_is_left_blank(
    extra: str, fires: bool
) -> None:
    plan = f"# 專案計畫\n\n## 工作安排\n\n{extra}\n"
    assert bool(_codes_at(plan, "resource.no-budget")) is fires


def test_a_risk_item_over_its_responses_is_one_risk_not_a_category() -> None:
    plan = """
    # Strategic plan

    ## Risk Management

    1. **Data Quality**
       - Mitigation: Implement data validation
       - Regular quality assessments

    2. **Competition**
       - Mitigation: Unique features
       - Strong partnerships
    """
    # Two risks, each answered; unrated; one field each, so no owner field to miss.
    assert _codes_at(plan, "risk.no-mitigation") == []
    assert _codes_at(plan, "risk.no-assessment") == [5, 9]
    assert _codes_at(plan, "risk.no-owner") == []


def test_numbered_top_level_chapters_are_sections_not_a_title() -> None:
    plan = """
    # 一、活动目的

    丰富同学们的课余生活。

    # 二、前期宣传

    ## （一）线上宣传

    向全院学生征集创意视频。

    # 三、节目要求

    ## （一）节目时长

    控制在4-8分钟
    """
    # "活动目的" is the first chapter, not the document's title: the chapters after it are no goals.
    assert _codes_at(plan, "smart.measurable") == []


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("Signature: ________  Date: ________", False),
        ("Print Name: ________", False),
        ("審批意見：＿＿＿＿", False),
        ("Budget: ________ USD", True),
    ],
)
def test_a_sign_off_form_is_filled_in_at_approval_not_a_placeholder(
    line: str, flagged: bool
) -> None:
    plan = f"# Project charter\n\n## Approvals\n\n{line}\n"
    assert bool(_codes_at(plan, "plan.placeholder")) is flagged


@pytest.mark.parametrize("title", ["PyCon TW 2027 Proposal", "MoneroKon 2027 Funding"])
def test_an_event_named_with_its_year_is_no_period_for_its_preparation(title: str) -> None:
    plan = f"""
    # {title}

    ## Timeline

    - NOV 2026 (pre-kickoff): form the team
    - MAR 2027: open the call for proposals
    """
    assert _codes_at(plan, "consistency.date-order") == []


def test_key_results_led_by_their_means_items_of_a_colon_kr_and_every_as_a_target() -> None:
    plan = """
    # 项目OKR

    ## O1: 打造高质量的对话提示词
    * KR1.1: 对话在以下评估维度上达到 90 分：
    * 共情
    * 积极关注
    * KR1.2: 基于Gemini模型设计和迭代打分提示词。
    * KR1.3: 测试集包含针对每个评估维度的打分案例。
    """
    # The bare items belong to KR1.1 (no kr-count, no findings of their own); KR1.2 is work
    # by the verb after its means; "每个…维度" is all of a set.
    assert _codes_at(plan, "okr.kr-count") == []
    assert _codes_at(plan, "okr.kr-not-measurable") == [7]
    assert _codes_at(plan, "okr.kr-is-task") == [7]


def test_an_accepted_limitation_answers_its_risk_and_a_displayed_word_is_no_slot() -> None:
    plan = """
    # 產品企劃書

    ## 風險

    - **匯出 WAV 檔很大**（1 分鐘 ≈ 10 MB）；第一版先接受，MP3 排第二版
    - **瀏覽器限制聲音**；可能無法背景播放

    ## 規格

    - 無 `year` 時顯示 `TBD`。
    - 上線日期：TBD
    """
    assert _codes_at(plan, "risk.no-mitigation") == [6]
    assert _codes_at(plan, "plan.placeholder") == [11]


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("- 沒有就先用 Vercel 給的 `xxx.vercel.app`", False),
        ("- GET `/auth/verify?token=xxx` 驗證並設定 session", False),
        ('- 遇到"和 XXX 比怎么样" → 不贬低同行', False),
        ("- Stage 1：`FROM rust:1.XX AS rust-builder`", True),
        ("- 场地：XXX 礼堂", True),
    ],
)
def test_a_url_shape_or_a_quoted_reply_is_no_slot_but_a_version_slot_is(
    line: str, flagged: bool
) -> None:
    plan = f"# 推广方案\n\n## 执行\n\n{line}\n"
    assert bool(_codes_at(plan, "plan.placeholder")) is flagged


def test_a_minimum_is_a_requirement_and_full_compliance_a_target() -> None:
    plan = """
    # 2027 大會提案

    ## 目標

    - Ensure compliance with relevant regulations by June 2027

    ## 工作項目

    - 至少 2 天的會議時間。
    - 籌組志工團隊
    """
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "raci.no-owner") == [10]


def test_an_unranked_px_among_ranked_items_is_a_placeholder() -> None:
    plan = """
    # Q4 OKRs

    **Ship the sync protocol**
    - `P0` - Transfer 1TB in under 48 hours
    - `PX` - There is a prototype of the sync protocol
    - `P1` - 3 partners test the protocol
    """
    assert _codes_at(plan, "plan.placeholder") == [5]


def test_an_empty_okr_heading_titles_the_same_level_objectives_after_it() -> None:
    plan = """
    # OKRs for Q2 2027

    # scale current platform

    * grow the number of followers by 2x
    * have 15 repeat customers

    # ecosystem

    * Build relationships with infrastructure projects
    * Maintain an above average diversity percentage in the team
    """
    # "# scale current platform" and "# ecosystem" are objectives; their items key results.
    assert _codes_at(plan, "okr.kr-is-task") == [10]
    assert _codes_at(plan, "okr.kr-not-measurable") == [10]


def test_staffing_is_named_in_the_plans_words_not_in_its_code_or_addresses() -> None:
    # A package, a config key or a path is no team: the plan still names nobody for the work.
    assert not _silenced_by("Run `npm install @types/node`.", "resource.no-staffing")
    assert not _silenced_by("Set `host: true` in vite.config.", "resource.no-staffing")
    assert not _silenced_by(
        "See https://github.com/acme/va.gov-team/issues/1 for the release.", "resource.no-staffing"
    )
    assert not _silenced_by(
        "Notes:\n\n```yaml\nlogging:\n  driver: gcplogs\n```", "resource.no-staffing"
    )
    # A person's profile link, a handle in the text and a named office still are.
    assert _silenced_by("Led by [Ann Lee](https://github.com/annlee).", "resource.no-staffing")
    assert _silenced_by("Questions go to @annlee.", "resource.no-staffing")
    assert _silenced_by("上线前由院方专案办公室核定。", "resource.no-staffing")
    assert _silenced_by("The project office signs off each release.", "resource.no-staffing")


def test_a_goal_by_position_alone_is_said_one_severity_lower() -> None:
    text = """
        # 项目计划书（2026 年）

        ## 研究目标

        1. 各机维护局部搜索图，仅在通信范围内融合。
        2. 提高团队的协作效率。
        3. A production-ready registrar for every agency.
        4. Improve customer satisfaction.
        """
    # Items with no outcome, change or metric of their own may be requirements or deliverables;
    # items that state a change to reach are goals, and keep the catalogue's severity.
    assert _severities(text, "smart.measurable") == [
        (5, "warning"),
        (6, "error"),
        (7, "warning"),
        (8, "error"),
    ]


def test_a_fallback_said_as_a_condition_answers_the_risk() -> None:
    text = """
        # 网站开发计划（2026 年 3 月至 6 月）

        ## 风险

        - 数据来源不稳：若没有可靠的即时数据来源，第一版将以用户输入的资料为准
        - 市场可能洗牌（短期透过 SKILL 抽象层即可吸纳）
        - 大厂可能推出官方服务（时间窗口估 12–18 个月，需快速建立先发优势）
        - 预算资源风险：若经费不足则可能导致项目宣发失败
        - 不可抗力风险：如果课程要求更改，则项目会面临困境
        """
    # A condition with what the plan then does is a response; one with only what follows is not.
    assert _codes_at(text, "risk.no-mitigation") == [8, 9]


# A short undated plan with staff; `{}` is one more work item.
_UNDATED_WORK = "# 社区规划\n\n## 工作\n\n- 由 @ann 整理文档并发布。\n- {}\n"


@pytest.mark.parametrize(
    "line",
    [
        "FlinkSQL 生命周期：创建、开发、调试、发布、上线。",
        "建议将之前写的示例整理为一篇文章，之后对外发布。",
        "活动期间请保持群内沟通。",
        "群组：https://www.facebook.com/groups/1650961761843383/?ref=group_browse_new",
        "Latest revision: August 2025",
        "建立日期：2025-03-02",
    ],
)
def test_a_vague_time_word_an_address_or_a_revision_date_is_no_timeline(line: str) -> None:
    assert "resource.no-timeline" in _document_codes(_UNDATED_WORK.format(line))


@pytest.mark.parametrize(
    "line", ["於下週二開會時請大家測試 CRUD。", "本周五前完成文档整理。", "为期 3 周的试点。"]
)
def test_a_day_of_next_week_or_a_duration_is_a_timeline(line: str) -> None:
    assert "resource.no-timeline" not in _document_codes(_UNDATED_WORK.format(line))
    assert "resource.no-timeline" in _document_codes(_UNDATED_WORK.format("整理文档。"))


# A staffed plan; `{}` is one more section: its heading and two items.
_DECISIONS_PLAN = "# 社區共餐計畫\n\n## 工作\n\n- 由 @ann 整理名冊。\n\n{}\n"


@pytest.mark.parametrize(
    ("heading", "items"),
    [
        ("### 待決事項（TBD）", ("- 供餐地點", "- 食材採購方式")),
        ("## 未决事项", ("- 场地选择", "- 采购渠道")),
        ("## Open decisions (TBD)", ("- Venue for the kickoff", "- Catering purchase")),
        ("## Unresolved questions", ("- Who hosts the archive", "- Purchase of the domain")),
    ],
)
def test_the_decisions_a_plan_leaves_open_are_no_tasks_and_no_slot(
    heading: str, items: tuple[str, str]
) -> None:
    section = "\n".join((heading, "", *items))
    text = _DECISIONS_PLAN.format(section)
    assert _codes_at(text, "plan.placeholder") == []
    assert _codes_at(text, "raci.no-owner") == []
    # Under a heading that names work, the same items are tasks nobody owns.
    work = _DECISIONS_PLAN.format(
        section.replace(heading, "## 待办事项" if "事" in heading else "## To do")
    )
    assert _codes_at(work, "raci.no-owner"), work
    assert classify_heading(heading.lstrip("# ")) is None


def test_a_list_of_confirmations_to_make_stays_a_task_list() -> None:
    text = _DECISIONS_PLAN.format("## TODO / 待确认事项\n\n- 确认场地\n- 确认采购渠道")
    assert _codes_at(text, "raci.no-owner") == [9, 10]
    assert _codes_at(text, "plan.placeholder") == []


def test_a_priority_grid_ticked_holds_no_goals() -> None:
    text = """
        # 宠物之家项目管理计划（2026 年 3 月至 8 月）

        ## 管理目标及优先次序

        | 目标 | 高优先级 | 中优先级 | 低优先级 |
        | ---- | -------- | -------- | -------- |
        | 范围 |          |          | √        |
        | 时间 | √        |          |          |
        | 成本 |          | √        |          |
        | 体验 | 满意度提升 | | |
        """
    # The ticked rows place scope, time and cost on the grid; the row with words is a goal.
    assert _codes_at(text, "smart.measurable") == [10]


@pytest.mark.parametrize(
    ("phase", "aim", "part"),
    [
        ("## 迭代 1（Day 1~14）", "### 🎯 目标", "### ⚙ 要实现的功能"),
        ("## Phase 2: Beta", "### Goals", "### Deliverables"),
    ],
)
def test_a_phases_aim_beside_its_work_is_no_goal_of_the_plan(
    phase: str, aim: str, part: str
) -> None:
    def plan(parent: str, title: str = "# 课程平台项目计划") -> str:
        aim_item = "- 实现学生端核心流程，实现前后端跑通，具备基本可演示的功能。"
        features = ["- 用户登录（学生/老师）", "- 课程首页（学生）"]
        return "\n".join([title, "", parent, "", aim, aim_item, "", part, *features, ""])

    assert _codes_at(plan(phase), "smart.measurable") == []
    # The same aim under a heading that names no phase is a goal of the plan.
    assert _codes_at(plan("## 总体安排"), "smart.measurable") == [6]
    # And under the plan's own title, though it names a phase, the goals are the plan's.
    assert _codes_at(plan("", title="# " + phase[3:]), "smart.measurable") == [6]


def test_a_count_with_joined_modifiers_is_a_measure() -> None:
    from service.rules.extract.normalize import fold
    from service.rules.extract.signals import has_metric

    assert has_metric(fold("Generate 300 new/renewed members at conferences"))
    assert has_metric(fold("Hire 2 full-time/part-time engineers"))
    assert not has_metric(fold("Generate new/renewed members at conferences"))


_GOAL_HEADINGS = """
    # Community Strategic Plan 2027

    ## Our Goals

    ### Goal 1: Grow the community.

    {body}

    Strategies:
    * Develop within the website a way of tracking skills and training.
    * Identify the skills sought by employers.
    """


def test_a_goal_headings_target_can_stand_in_the_paragraph_under_it() -> None:
    body = "There are currently 900 members. We aim to increase this number by at least 40% a year."
    assert _codes_at(_GOAL_HEADINGS.format(body=body), "smart.measurable") == []
    vague = "The community should be the first place veterans go to."
    assert _codes_at(_GOAL_HEADINGS.format(body=vague), "smart.measurable") == [5]


def test_items_under_a_strategies_label_are_how_a_goal_is_pursued() -> None:
    text = _GOAL_HEADINGS.format(body="Membership grows by 40% a year.")
    assert _codes_at(text, "smart.measurable") == []
    assert _codes_at(text.replace("Strategies:", "Targets:"), "smart.measurable") == [10]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Our Programs & Services", "background"),
        ("Programs and Services", "background"),
        ("Core programs", "background"),
        ("我们的服务", "background"),
        ("Programs", "tasks"),  # the programmes the plan sets out to run
        ("Programs for 2027", "tasks"),
    ],
)
def test_the_organisations_standing_programmes_are_context(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


@pytest.mark.parametrize(
    "goal",
    [
        "Streamline sponsorships",
        "Revise the committee's governance",
        "完善项目治理机制",
        "建立月度例会制度",
    ],
)
def test_governance_and_streamlining_are_internal_process(goal: str) -> None:
    from service.rules.extract import cues
    from service.rules.extract.normalize import fold

    assert cues.BSC_PERSPECTIVES["process"].search(fold(goal))
    assert not cues.BSC_PERSPECTIVES["process"].search(fold("Grow the membership"))


@pytest.mark.parametrize(
    ("line", "identified"),
    [
        ("- [x] 技术方案与风险登记评审（02 文档）", True),
        ("- The risk register is reviewed at every steering meeting.", True),
        ("- 建立风险登记册。", False),
        ("- Create a risk register.", False),
    ],
)
def test_a_risk_register_kept_elsewhere_identifies_risks(line: str, identified: bool) -> None:
    text = f"# 插件发布计划（2027 年 3 月）\n\n## 里程碑\n\n{line}\n"
    assert ("risk.no-register" not in _document_codes(text)) is identified


def test_chinese_prose_of_several_sentences_is_no_goal_statement() -> None:
    text = """
        # 放流水质预报专题（2027 年 1 月至 12 月）

        ## 一、专题目的与本次修订

        本版取代先前以单一时间序列预测为核心的规划。主要研究途径改为进出水配对分析。

        将预报准确率提升到 90%。
        """
    # The two-sentence revision note is context; the one-sentence line is the goal.
    assert _codes_at(text, "smart.time-bound") == []
    assert _codes_at(text, "smart.achievable") == [7]


_COSTS = """
    # 影片工具計畫（2027 年 3 月）

    ## 成本

    | 項目 | 成本 |
    |---|---|
    | 文案 | {first} |
    | 語音 | $0.012 |
    | **合計** | **{total}** |
    """


@pytest.mark.parametrize(
    ("first", "total", "fires"),
    [
        ("$0.01", "$0.04", True),  # exact figures that do not add up
        ("$0.01", "< $0.04", False),  # within the ceiling the total sets
        ("$0.05", "< $0.04", True),  # over it
        ("~$0.005–0.02", "$0.04", False),  # an item estimated as a range
    ],
)
def test_a_ceiling_or_an_estimated_item_is_no_sum_to_check(
    first: str, total: str, fires: bool
) -> None:
    text = _COSTS.format(first=first, total=total)
    assert bool(_codes_at(text, "consistency.budget-sum")) is fires


@pytest.mark.parametrize(
    ("line", "check", "act"),
    [
        ("- 第二階段：腳本轉語音後試聽。**風險閘門**：發音不夠自然就改用另一家服務。", True, True),
        (
            "- Phase 2 ends at a quality gate: the demo is reviewed before phase 3 starts.",
            True,
            False,
        ),
        ("- 第二階段：腳本轉語音，發音自然。", False, False),
    ],
)
def test_a_gate_is_a_check_and_a_switch_on_a_shortfall_an_act(
    line: str, check: bool, act: bool
) -> None:
    text = f"# 影片工具計畫（2027 年 3 月）\n\n## 分階段執行\n\n- 第一階段：由 @ann 申請金鑰。\n{line}\n"
    codes = _document_codes(text)
    assert ("pdca.no-check" not in codes) is check
    assert ("pdca.no-act" not in codes) is act


@pytest.mark.parametrize(
    ("heading", "goals"),
    [
        ("## 九、预期成果", False),
        ("## 十二、预期成果与推广路径", False),
        ("## 三、调研目标", True),
    ],
)
def test_expected_outputs_are_deliverables_not_goals(heading: str, goals: bool) -> None:
    text = f"""
        # 武穴调研方案（2026 年 7 月）

        {heading}

        1. 产业与社会服务主体访谈记录汇编。
        2. 武穴产业资源与社会服务点位清单。
        """
    assert bool(_codes_at(text, "smart.measurable")) is goals


@pytest.mark.parametrize(
    ("row", "achievable"),
    [
        ("| 活动实施 | 宣讲场次 | ≥5场 |", False),  # sessions the plan holds
        ("| 内容生产 | 标准版宣讲课件 | 1套 |", False),  # courseware it makes
        ("| Content | Blog posts published | ≥ 8 |", False),
        ("| 活动评价 | 现场满意度 | ≥90% |", True),  # a level: needs a baseline
        ("| 会员 | 会员人数 | ≥300人 |", True),
        ("| 销售 | 图书销量 | 5000份 |", True),  # what buyers take
    ],
)
def test_counts_of_what_the_plan_produces_need_no_baseline(row: str, achievable: bool) -> None:
    text = (
        "# 宣讲计划（2026 年 7 月至 9 月）\n\n## 量化目标\n\n"
        f"| 类别 | 指标 | 目标值 |\n|---|---|---:|\n{row}\n"
    )
    assert bool(_codes_at(text, "smart.achievable")) is achievable


@pytest.mark.parametrize(
    ("card", "owned"),
    [
        ("| 队长/统筹 | 对接老师和基地；把控每日任务、安全与进度 |", True),
        ("| Coordinator | oversees all tasks and the schedule |", True),
        ("| 队长/统筹 | 对接老师和基地 |", False),  # a lead with no say over the whole work
        ("| 宣传组 | 统筹每日任务与进度 |", False),  # not a coordinating role
    ],
)
def test_a_card_that_runs_the_whole_work_owns_what_nobody_else_is_named_for(
    card: str, owned: bool
) -> None:
    text = f"""
        # 武穴暑期社会实践方案（2026 年 7 月 13 日至 22 日）

        ## 团队分工

        | 分工 | 主要职责 |
        | --- | --- |
        {card}
        | 财务组 | 记录经费、票据 |

        ## 行前待办

        1. 按对象准备访谈提纲。
        2. 确认每个点位的联系人和交通。
        """
    assert (_codes_at(text, "raci.no-owner") == []) is owned


@pytest.mark.parametrize(
    "item",
    ["2. 例如品牌传播弱、人才供给不足等问题的成因", "2. e.g. the booking flow and the reminders"],
)
def test_an_item_that_opens_with_an_example_carries_on_the_one_before(item: str) -> None:
    text = f"""
        # 调研方案

        ## 调研目标

        1. 梳理产业振兴的主要资源，2026 年 8 月底前完成 20 次访谈。
        {item}
        """
    assert _codes_at(text, "smart.time-bound") == []
    plain = text.replace(item, "2. 分析品牌传播弱、人才供给不足等问题的成因")
    assert _codes_at(plain, "smart.time-bound") == [6]


@pytest.mark.parametrize(
    "goal",
    ["首年 MAU 達 5,000 人，第三年 MAU 達 35,000 人。", "Reach 1,000 members in the first year."],
)
def test_an_ordinal_year_times_a_goal_but_schedules_no_work(goal: str) -> None:
    text = f"# 社區平台計畫\n\n## 目標\n\n- {goal}\n\n## 工作\n\n- 由 @ann 建置網站。\n"
    assert _codes_at(text, "smart.time-bound") == []
    if goal.startswith("首年"):
        assert "resource.no-timeline" in _document_codes(text)


@pytest.mark.parametrize(
    ("line", "buffer"), [("| 应急费用 | 5% |", True), ("| 宣传费用 | 5% |", False)]
)
def test_a_contingency_cost_line_is_a_buffer(line: str, buffer: bool) -> None:
    text = (
        "# 宣讲计划（2026 年 7 月至 9 月）\n\n## 经费\n\n| 项目 | 占比 |\n|---|---|\n"
        f"| 物料 | 95% |\n{line}\n"
    )
    assert ("resource.no-buffer" not in _document_codes(text)) is buffer


@pytest.mark.parametrize(
    ("title", "goal"), [("# 实战指南 — OKR & 任务拆解", False), ("# 实战指南 — 写作计划", True)]
)
def test_the_aim_atop_an_okr_sheet_is_judged_by_its_key_results(title: str, goal: bool) -> None:
    text = f"""
        {title}

        > 目标：写出一本通俗易懂、代码完整的实战书

        ## Objective 1

        **完成初稿，达到可公开发布的质量**

        - KR1：2026 年 9 月底前写完 14 章正文
        """
    assert bool(_codes_at(text, "smart.measurable")) is goal


@pytest.mark.parametrize(
    ("step", "owned"),
    [
        ("業主確認本計畫與里程碑", True),
        ("A1–A3 完成後送業主校對", True),
        ("由老师审核分类结果", True),
        ("甲方验收首页", True),
        ("整理业主资料", False),  # the client is the object, not the one who acts
    ],
)
def test_a_review_step_names_the_client_or_teacher_who_takes_it(step: str, owned: bool) -> None:
    from service.rules.extract.normalize import fold
    from service.rules.extract.signals import owner_in_text

    assert (owner_in_text(step, fold(step)) is not None) is owned


@pytest.mark.parametrize(
    ("line", "hedged"),
    [
        ("學校網路無法從線上安裝函式庫，須請工作人員當天早上以 ZIP 方式安裝。", True),
        ("当前工具是手动模式，无法支持更多组件的扫描，需要考虑自动化。", False),  # a problem now
    ],
)
def test_a_known_obstacle_with_its_workaround_makes_no_register_less_certain(
    line: str, hedged: bool
) -> None:
    from service.review import ReviewOptions, review_text

    text = f"# 營隊計畫（2026 年 7 月）\n\n## 課程\n\n- 由 @ann 帶第一堂課。\n- {line}\n"
    review = review_text(text, "t.md", ReviewOptions(llm="off"))
    (finding,) = [f for f in review.findings if f.code == "risk.no-register"]
    assert (finding.severity == "warning") is hedged


@pytest.mark.parametrize(("ref", "owned"), [("PR-001", True), ("PR-009", False)])
def test_a_task_that_refers_to_an_item_of_an_owner_table_takes_its_owner(
    ref: str, owned: bool
) -> None:
    text = f"""
        # 流程遷移提案（2026 年 4 月）

        ## 責任分工

        | 工作項目 | 負責人 | 截止 |
        |---------|--------|------|
        | 流程文件更新（PR-001, PR-003）| Keroro | 2026-04-07 |
        | 全員 GitHub 操作培訓 | Kururu | 2026-04-08 |

        ## 待辦事項

        - [ ] 更新 `{ref}_task-flow.md` 納入 GitHub 流程
        """
    assert (_codes_at(text, "raci.no-owner") == []) is owned


@pytest.mark.parametrize(
    ("line", "act"),
    [
        ("- Iterative improvements based on your input.", True),
        ("- Priorities are re-aligned as needed after the review.", True),
        ("- Plan for next year: what worked, what didn't.", True),
        ("- Pursue collaborations as opportunities arise.", True),
        ("- Improve the website design.", False),
    ],
)
def test_input_taken_back_and_a_look_at_what_worked_are_acts(line: str, act: bool) -> None:
    text = f"# Website plan, 2027-01 to 2027-06\n\n## Work\n\n- @ann builds the site by 2027-03-01.\n{line}\n"
    assert ("pdca.no-act" not in _document_codes(text)) is act
