"""Targets and periods written the way real plans write them (docs/rules-interpretation.md,
"Reading rules from wave 18"): thousands separators, hyphenated counts, a value labelled as the
target, counts of what other people do, relative quarters and stage-bound deadlines."""

from __future__ import annotations

from textwrap import dedent

from service.review import ReviewOptions, review_text


def _codes_at(text: str, code: str) -> list[int]:
    review = review_text(dedent(text).strip() + "\n", "t.md", ReviewOptions(llm="off"))
    return sorted(f.span.start_line for f in review.findings if f.code == code and f.span)


def test_a_count_of_other_peoples_sign_ups_is_a_measurable_outcome() -> None:
    plan = """
    # Growth OKRs, Q3 2027

    ## Objective 1: Turn shared links into registered users

    - KR 1: Generate 15,000 new registered sign-ups from anonymous shared links.
    - KR 2: Write 12 onboarding e-mails.
    """
    # Sign-ups are what visitors do (an outcome); the e-mails are the team's own output (work).
    assert _codes_at(plan, "okr.kr-is-task") == [6]
    assert _codes_at(plan, "okr.kr-not-measurable") == []


def test_a_value_labelled_as_the_target_is_the_target_value() -> None:
    plan = """
    # KPI 與數字目標（2027 年第一季）

    ## 北極星與流動性

    - 有效填答數/週：目標 15,000；警戒 10,000；下限 8,000
    - 供需比（活躍填答者 / 活躍問卷）：目標 6.5；警戒 5.0；下限 4.0
    - P1 安全事件：目標 0；警戒 0；下限 0
    - 提升社群影響力
    """
    assert _codes_at(plan, "smart.measurable") == [8]


def test_next_quarter_in_the_goals_heading_times_its_goals() -> None:
    plan = """
    # KPI 与数字目标（下一季）

    - 注册转化率：目标 12%；警戒 8%；下限 6%
    - 问卷主 D7 留存：目标 35%；警戒 25%；下限 20%
    """
    assert _codes_at(plan, "smart.time-bound") == []
    undated = plan.replace("（下一季）", "")
    assert _codes_at(undated, "smart.time-bound") == [3, 4]


def test_a_deadline_set_by_a_stage_of_the_work_is_a_time_bound() -> None:
    plan = """
    # Project charter: deck optimiser

    ## Objectives

    1. By the end of the development phase, reach a 60% win rate in 100 simulated games.
    2. Reach a 70% win rate in 200 simulated games.
    """
    assert _codes_at(plan, "smart.time-bound") == [6]


def test_fields_that_frame_the_goals_are_not_goals() -> None:
    plan = """
    # 2027 Growth goals

    - Period and scope: next quarter, Taiwan, early growth stage.
    - Sources: business-model.md, customer-journey.md.
    - Reach 15,000 valid survey answers a week by 2027-03-31.
    - Strengthen our brand by 2027-03-31.
    """
    assert _codes_at(plan, "smart.measurable") == [6]


def test_to_do_boxes_under_a_goals_heading_are_the_schedule_not_goals() -> None:
    plan = """
    # 网站重建工作方案

    ## 时间节点和里程碑

    ### 近期目标（1-2周）

    - [ ] 完成首页内容优化
    - [ ] 完善响应式适配
    - [ ] 首页加载时间降到 3 秒以内
    """
    # The two boxes are work; a box that states a measured result is still read as a goal.
    assert _codes_at(plan, "smart.measurable") == []
    assert 7 not in _codes_at(plan, "smart.time-bound")


def test_rules_of_conduct_under_a_risk_heading_are_controls_not_risk_entries() -> None:
    plan = """
    # 30 天运营计划

    ## 风险与合规边界

    - 不做夸大收益承诺。
    - 商业合作内容必须明确标识，避免软广伪科普。
    - 若平台限流，则暂停外链并改发图文笔记。
    - 账号可能被举报封禁。
    """
    # The rules are what the plan keeps; the last item is an event that may happen to it.
    assert _codes_at(plan, "risk.no-mitigation") == [8]
    codes = {
        f.code
        for f in review_text(dedent(plan).strip() + "\n", "t.md", ReviewOptions(llm="off")).findings
    }
    assert "risk.no-register" not in codes
    only_rules = "\n".join(plan.splitlines()[:-3]) + "\n"
    assert "risk.no-register" not in {
        f.code
        for f in review_text(
            dedent(only_rules).strip() + "\n", "t.md", ReviewOptions(llm="off")
        ).findings
    }


def test_a_heading_that_repeats_the_title_names_the_plan_not_a_task_section() -> None:
    plan = """
    # 活动计划

    ## 第一次活动计划

    （人本）选题：

    - 杭州群山徒步导览
    - 重建社区中的亲密性

    ## 行动安排

    - 联系村委会确认路线
    """
    # The topics under the repeated title are no tasks; the work under "行动安排" still is one.
    assert _codes_at(plan, "raci.no-owner") == [12]


def test_a_task_heading_under_a_numbered_objective_heads_its_work_not_key_results() -> None:
    plan = """
    # 写作 OKR

    ## 🎯 Objective 1（核心目标）

    **完成初稿，达到可公开发布的质量**

    ### Key Results

    - **KR1：** 写完 14 章正文（100% 完成）
    - **KR2：** 每章代码注释覆盖率 >80%

    ### 任务拆解（按章节）

    - [ ] **Task 1.1：** 第1章 — Agent 不是套壳 Chatbot
    - [ ] **Task 1.2：** 第2章 — Agent 的三大件
    """
    assert _codes_at(plan, "okr.kr-not-measurable") == []
    assert _codes_at(plan, "okr.kr-count") == []


def test_each_chapter_and_every_run_are_all_of_a_set() -> None:
    plan = """
    # 写作 OKR（2026 年）

    ## Objective 1：建立持续更新的写作流程

    - **KR1：** 每章末尾有“延伸阅读”
    - **KR2：** 每次任务结束推送进度通知
    - **KR3：** 保持远程同步
    """
    assert _codes_at(plan, "okr.kr-not-measurable") == [7]


def test_the_aim_field_of_a_phase_record_is_no_objective_and_no_goal() -> None:
    plan = """
    # AI 點餐助理專案提案

    ## 專案時程與分期實施

    ### 第一階段：核心功能建置 (預計時程：6個月)

    *   **目標：** 建立專案的最小可行性產品(MVP)，驗證核心商業模式。
    *   **重點平台：** **AI點餐機** 為主，**品牌App** 為輔。

    ## 專案目標

    - 提升品牌形象
    """
    for code in ("okr.kr-count", "okr.kr-not-measurable", "smart.measurable"):
        assert 7 not in _codes_at(plan, code) and 8 not in _codes_at(plan, code), code
    # The aim alone under a goals heading is still a goal.
    assert _codes_at(plan, "smart.measurable") == [12]


def test_a_numbered_part_after_labelled_key_results_is_not_one_of_them() -> None:
    plan = """
    # OKRs for Project 4

    1. Velocity (User Experience)

    • Objective: Make file sharing the fastest tool on campus.
    <TAB>• KR 1: Keep the sharing flow to one click.
    <TAB>• KR 2: Reach an upload-to-link time under 2.5 seconds.

    2. The Conversion Flywheel (Turning Free Utility into Registered Users)

    • Objective: Make anonymous sharing our engine for new users.
    <TAB>• KR 1: Convert 12% of anonymous downloaders into registered users.
    """.replace("<TAB>", "\t")  # the key results are tab-indented "•" lines, as in the source
    assert _codes_at(plan, "okr.kr-not-measurable") == [6]


def test_what_the_audience_should_take_away_is_the_content_not_goals() -> None:
    plan = """
    # 三分鐘影片企劃（2026 年 5 月）

    ## 一、影片核心目標

    這支影片要在三分鐘內讓評審看懂三件事：

    1. 同一個物件在資訊補齊後，風險分數會產生明顯差異。
    2. 系統能把租屋資訊整理、判讀、產出報告，並保存到資料庫。

    ## 二、成效目標

    - 提升影片曝光度
    """
    assert _codes_at(plan, "smart.measurable") == [12]


def test_a_target_state_table_in_words_lists_requirements_not_goals() -> None:
    plan = """
    # 网站重建方案

    ## 重建目标

    | 升级维度 | 当前状态 | 目标状态 |
    | --- | --- | --- |
    | 移动适配 | 无移动优化 | 完整移动端支持 |
    | 加载速度 | 首页 8 秒 | 首页 3 秒以内 |
    """
    # The design in words is a requirement; a target state with a value is still a goal.
    assert _codes_at(plan, "smart.measurable") == []
    assert 7 not in _codes_at(plan, "smart.time-bound")
    assert 8 in _codes_at(plan, "smart.time-bound")


def test_the_aim_of_one_step_of_work_is_no_goal_of_the_plan() -> None:
    plan = """
    # WorkSense 開發計畫

    ## 6. 開發步驟拆解

    ### Step 2：整理 README

    目標：

    - 讓隊友 clone 專案後可以照文件啟動。

    完成標準：

    - 新隊友照 README 可以成功開啟首頁。

    ## 7. 預期目標

    目標：

    - 提升團隊協作效率
    """
    # The step's aim sits beside its acceptance label; the chapter's own aim is still a goal.
    assert _codes_at(plan, "smart.measurable") == [19]
    for code in ("smart.time-bound", "okr.kr-count", "okr.kr-not-measurable"):
        assert 9 not in _codes_at(plan, code) and 7 not in _codes_at(plan, code), code


def test_a_phase_aim_beside_its_deliverables_is_neither_an_objective_nor_a_goal() -> None:
    plan = """
    # 项目全局规划（2026-03-13）

    ## 4. 目标拆解（OKR 风格）

    ### O1：连续性可用性达到稳定生产水位（2026 Q2）
    - KR1：召回率达到 90%
    - KR2：误报率低于 5%

    ## 阶段 A：发布收口（2026-03-13 ~ 2026-04-10）

    目标：把“已实现能力”收口为“可发布能力”。

    交付：
    1. 完成当前大改动分批提交。
    2. 连续两轮完整门禁通过。

    退出标准（DoD）：
    - 发布候选分支无高优先级阻塞项
    """
    for code in ("okr.kr-is-task", "okr.kr-not-measurable", "okr.kr-count", "smart.measurable"):
        assert _codes_at(plan, code) == [], code


def test_a_table_of_metrics_without_targets_lists_what_is_tracked() -> None:
    plan = """
    # 开学季活动策划（2026 年 8 月）

    ## 十、数据指标

    | 指标类型 | 具体指标 |
    |---|---|
    | 参与指标 | H5 UV、PV、人均完成率 |
    | 品牌指标 | 活动满意度、品牌好感度变化 |

    ## 十一、考核指标

    | 指标 | 目标值 |
    |---|---|
    | H5 UV | 待定 |
    """
    # The first table tracks; the second sets targets, and one is still missing.
    assert _codes_at(plan, "smart.measurable") == [14]


def test_an_order_of_magnitude_is_a_rough_target() -> None:
    plan = """
    # Outreach strategy 2015-2016

    ## Goals

    * attract attention to our tools from 1000s of scientists and educators by 2016 Q4
    * build a user base of 100s by 2016 Q4
    * raise awareness among scientists by 2016 Q4
    """
    assert _codes_at(plan, "smart.measurable") == [7]


def test_specifications_and_rules_under_the_goals_are_requirements() -> None:
    plan = """
    # 機械專題實作計劃書（114 學年度第二學期）

    ## 一、計畫目標

    | 機器人 | 類型 | 尺寸限制 | 核心功能 |
    |--------|------|---------|----------|
    | 取物機器人 | 八足連桿 | ≤ 400×400 mm | 從貨架夾取零件 |

    ### 競賽規則摘要

    | 項目 | 規則 |
    |------|------|
    | 比賽時間 | 每回合 8 分鐘 |

    ### 目標物規格

    比賽需搬運 8 種零件。

    ## 二、預期成果

    - 提升組員實作能力
    """
    for code in ("smart.measurable", "smart.achievable", "smart.time-bound"):
        assert [n for n in _codes_at(plan, code) if n < 20] == [], code


def test_counts_in_words_and_all_of_a_set_are_targets() -> None:
    plan = """
    # World change OKRs 2020

    ## Objective: Reach people everywhere

    * Having one million followers combined on different platforms
    * All documents in this repository are available also in Chinese and Arabic
    * Grow our community
    """
    assert _codes_at(plan, "okr.kr-not-measurable") == [7]


def test_what_the_system_does_by_itself_is_a_requirement_not_a_goal() -> None:
    plan = """
    # 戰報自動化專案計畫（2026 年）

    ## 二、計畫目標

    1. 每日自動從 ERP 擷取業績明細，寫入指定試算表
    2. 由 Google Apps Script 排程於每日上午定時產製 PDF 戰報並以 Gmail 寄出
    3. 提升業務團隊的決策效率
    """
    assert _codes_at(plan, "smart.measurable") == [7]


def test_an_approximate_total_is_not_checked_as_an_exact_sum() -> None:
    plan = """
    # 專題預算（2026 年）

    ## 預算

    | 項目 | 金額（元） |
    |---|---|
    | 馬達 | 1,200 |
    | 感測器 | 900 |
    | **合計** | **約 3,500~4,400** |
    """
    assert _codes_at(plan, "consistency.budget-sum") == []
    exact = plan.replace("**約 3,500~4,400**", "**3,500**")
    assert _codes_at(exact, "consistency.budget-sum") == [9]


def test_struck_through_work_is_done_and_a_todo_heading_is_no_slot() -> None:
    plan = """
    # Outreach plan 2015

    ## Deliverables

    * ~~Set up a public chat room for project communications~~ 2015 Q4
    * Advertise for undergraduate interns 2016 Q1

    ## 十一、TODO / 待确认事项

    - 确认合作 UP 主名单（负责人：运营组）
    """
    assert _codes_at(plan, "raci.no-owner") == [6]
    assert _codes_at(plan, "plan.placeholder") == []


def test_a_table_cell_that_asks_to_be_filled_in_is_a_placeholder() -> None:
    plan = """
    # 專題計劃書（2026 年）

    ## 組員資料

    | 班級 | 學號 | 姓名 |
    |---|---|---|
    | 機三乙 | （請填入） | 鍾沅駿 |
    | 機三乙 | B123 | 陳翊家 |
    """
    assert _codes_at(plan, "plan.placeholder") == [7]
