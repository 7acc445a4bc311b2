"""Owners the plan names by its own conventions, further up than the task's line or heading
(docs/rules-interpretation.md, "Owners by the plan's conventions")."""

from __future__ import annotations

from textwrap import dedent

from service.config import ReviewConfig, VocabularyConfig
from service.review import ReviewOptions, review_text


def _codes_at(text: str, code: str, config: ReviewConfig | None = None) -> list[int]:
    options = ReviewOptions(llm="off", config=config or ReviewConfig())
    review = review_text(dedent(text).strip() + "\n", "t.md", options)
    return sorted(f.span.start_line for f in review.findings if f.code == code and f.span)


def test_role_cards_under_a_division_of_labour_chapter_own_their_duties() -> None:
    plan = """
    # 读书会活动方案

    ## 人员任务分配

    ### 主持人工作

    #### 现场任务

    1. 串场流程
    2. 结束时发放调查问卷链接

    ### 文书工作

    1. 活动前组织签到
    2. 活动结束后发布小结

    ## 后续安排

    1. 整理下次活动的报名名单
    """
    # The cards own their duties; the list outside every card still names nobody.
    assert _codes_at(plan, "raci.no-owner") == [19]


def test_parallel_role_cards_own_their_duties_without_a_division_chapter() -> None:
    plan = """
    # Club social night

    ## Tasks for the night

    ### Treasurer duties

    - Collect the entry fees at the door
    - Pay the venue deposit

    ### Host duties

    - Welcome the guests
    - Run the quiz
    """
    assert _codes_at(plan, "raci.no-owner") == []


def test_a_lone_duty_like_heading_outside_a_division_chapter_names_nobody() -> None:
    plan = """
    # Launch plan

    ## Work

    ### Daily tasks

    - Post the launch thread
    - Answer the support inbox
    """
    # "Daily" is no role: the tasks have no owner.
    assert _codes_at(plan, "raci.no-owner") == [7, 8]


def test_an_owner_table_keyed_by_phase_owns_the_sections_named_after_its_rows() -> None:
    plan = """
    # 7天营销执行计划

    ## 整体时间线

    | 天数 | 主要任务 | 负责人 |
    |------|----------|--------|
    | Day 1 | 网站上线 | 技术团队 |
    | Day 2 | 内容创作 | 内容团队 |

    ## Day 1: 网站上线

    ### 技术任务

    - [ ] 部署营销版本
    - [ ] 配置数据监控

    ## Day 2: 内容创作

    - [ ] 撰写10篇文章

    ## Day 10: 复盘

    ### 复盘任务

    - [ ] 汇总数据报告
    """
    # "Day 10" is not "Day 1": its work has no owner.
    assert _codes_at(plan, "raci.no-owner") == [25]


def test_a_role_from_the_project_vocabulary_owns_its_duty_heading() -> None:
    plan = """
    # Camp plan

    ## Tasks

    ### Quartermaster duties

    - Buy the food
    - Pack the tents

    ### Treasurer tasks

    - Collect the fees
    """
    # "Treasurer tasks" reads as a card only beside another card; "Quartermaster duties" names
    # its holder by itself once the vocabulary knows the role.
    assert _codes_at(plan, "raci.no-owner") == [7, 8, 12]
    config = ReviewConfig(vocabulary=VocabularyConfig(role_names=["Quartermaster"]))
    assert _codes_at(plan, "raci.no-owner", config) == []


def test_a_work_package_of_fields_is_one_task_and_its_aim_is_no_goal() -> None:
    plan = """
    # 開發路線圖

    ## 優先順序 1：部署流程

    ### 任務拆解

    #### 1.1 實作版本控制
    - **目標**：每次部署時自動更新版本號
    - **檔案**：`server/widget.ts`
    - **工作項**：
      - [x] 加入版本參數
      - [ ] 測試：確認嵌入碼包含版本號
    - **預期產出**：嵌入碼帶版本號

    #### 1.2 調整快取策略
    - **目標**：版本變更時強制重新載入
    - **工作項**：
      - [x] 設定長快取
      - [x] 文件化快取策略
    - **預期產出**：瀏覽器重新載入
    """
    # 1.1 is one task without an owner; 1.2 has every box ticked: done. The 目標 fields are
    # the aims of those tasks, not goals or objectives.
    assert _codes_at(plan, "raci.no-owner") == [7]
    assert _codes_at(plan, "smart.measurable") == []
    assert _codes_at(plan, "okr.kr-not-measurable") == []


def test_a_heading_naming_whose_duties_they_are_owns_them_anywhere() -> None:
    plan = """
    # 实施方案

    ## 6. 用户配合事项

    1. 每个模块完成后确认结果
    2. 注册平台并提供 API key

    ## 7. 后续任务

    1. 编写部署文档
    """
    assert _codes_at(plan, "raci.no-owner") == [10]


def test_an_english_gloss_names_nobody_and_a_test_procedure_holds_no_tasks() -> None:
    gloss = """
    # 開發路線圖

    ## 任務拆解

    #### 2.1 設計認證系統 (Magic Link)
    - **目標**：無密碼登入
    - **檔案**：`server/auth.ts`
    - **工作項**：
      - [ ] 實作 middleware
    """
    procedure = """
    # 開發路線圖

    ## 任務拆解

    ### 營運測試步驟

    1. 確認嵌入程式碼含版本號
    2. 驗證快取行為
    """
    # "(Magic Link)" translates the heading's words: the package has no owner. The operators'
    # test steps tell readers how to check; they are not tasks of the plan.
    assert _codes_at(gloss, "raci.no-owner") == [5]
    assert _codes_at(procedure, "raci.no-owner") == []


def test_responses_to_an_options_risks_and_its_pros_and_cons_are_no_tasks() -> None:
    plan = """
    # 遷移提案

    ## 工作任務

    ### 方案 A

    #### 優點
    - 架構清晰

    #### 缺點
    - SEO 流量可能在短期內下降

    #### 風險對策
    1. 提交新 sitemap
    2. 監控流量變化

    ## 下一步行動

    1. 撰寫設計文件
    """
    assert _codes_at(plan, "raci.no-owner") == [19]


def test_an_owner_under_the_title_owns_a_plan_whose_tasks_name_nobody() -> None:
    from textwrap import dedent

    from service.review import ReviewOptions, review_text

    def unowned(text: str) -> list[int]:
        review = review_text(dedent(text).strip() + "\n", "t.md", ReviewOptions(llm="off"))
        return sorted(
            f.span.start_line for f in review.findings if f.code == "raci.no-owner" and f.span
        )

    personal = """
    # 《实战指南》写作计划

    > 制定时间：2026-05-28
    > 负责人：老三

    ## 下一步行动

    1. **立即：** 继续写第5章
    2. **本周内：** 完成第二阶段
    - [ ] **Task A：** 为第1-4章补充提示框
    """
    assert unowned(personal) == []
    # Where tasks name owners of their own, the front owner is the sponsor: a task without one
    # still has none.
    team = personal.replace("继续写第5章", "继续写第5章（负责人：王芳）")
    assert unowned(team) == [9, 10]
