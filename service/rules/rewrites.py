"""Templated rewrites: they keep the author's words and mark what the author must supply.

Placeholders are in square brackets (``[baseline]``, ``[基线]``) so a reader
sees at once what is still to be filled in; nothing is invented.
"""

from __future__ import annotations

import re

from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts, Statement, core_text
from service.rules.extract.normalize import fold
from service.rules.vocabulary import active


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", core_text(text)).strip().rstrip("。.;；,，")


def period_end(facts: PlanFacts, lang: str) -> str:
    if facts.plan_period:
        return facts.plan_period[1].isoformat()
    return "[日期]" if lang == "zh" else "[date]"


def smart_goal(
    stmt: Statement,
    facts: PlanFacts,
    lang: str,
    *,
    need_metric: bool,
    need_time: bool,
    need_baseline: bool,
) -> str:
    goal = _clean(stmt.raw)
    if lang == "zh":
        parts = [goal]
        if need_metric:
            parts.append("：[指标]从[基线]提升至[目标值]")
        elif need_baseline:
            parts.append("（基线：[当前值]）")
        if need_time:
            parts.append(f"，{period_end(facts, lang)}前完成")
        return "".join(parts) + "。"
    parts = [goal]
    if need_metric:
        parts.append(": [metric] from [baseline] to [target]")
    elif need_baseline:
        parts.append(" (baseline: [current value])")
    if need_time:
        parts.append(f" by {period_end(facts, lang)}")
    return "".join(parts) + "."


def measurable_kr(stmt: Statement, lang: str) -> str:
    kr = _clean(stmt.raw)
    if lang == "zh":
        return f"{kr}：[指标]从[基线]达到[目标值]"
    return f"{kr}: [metric] from [baseline] to [target]"


def outcome_kr(stmt: Statement, lang: str) -> str:
    kr = _clean(stmt.raw)
    if lang == "zh":
        return f"[结果指标]从[基线]提升至[目标值]（“{kr}”移入行动计划）"
    return f'[outcome metric] from [baseline] to [target] (move "{kr}" to the initiatives)'


def with_owner(stmt: Statement, lang: str) -> str:
    placeholder = "[姓名/岗位]" if lang == "zh" else "[name or role]"
    block = stmt.block
    if block.cells is not None:
        # A task table row: the same row with the empty owner cell filled in.
        cells = list(block.cells)
        for i, header in enumerate(block.header or []):
            if (
                i < len(cells)
                and active().owner_column.search(fold(header))
                and cues.EMPTY_CELL.match(cells[i])
            ):
                cells[i] = placeholder
                break
        return "| " + " | ".join(_cell(c) for c in cells) + " |"
    text = stmt.raw.strip()
    return f"{text}（负责人：{placeholder}）" if lang == "zh" else f"{text} (Owner: {placeholder})"


def _cell(text: str) -> str:
    """Text made safe for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def with_mitigation(
    stmt: Statement, lang: str, *, mitigation: bool, assessment: bool, owner: bool
) -> str:
    text = _clean(stmt.raw)
    extra = []
    if lang == "zh":
        if not assessment:
            extra.append("可能性：[高/中/低]；影响：[高/中/低]")
        if not mitigation:
            extra.append("应对：[预防措施]；预案：[发生后的动作]")
        if not owner:
            extra.append("责任人：[姓名]")
        return f"{text}（{'；'.join(extra)}）"
    if not assessment:
        extra.append("likelihood: [H/M/L]; impact: [H/M/L]")
    if not mitigation:
        extra.append("mitigation: [preventive action]; contingency: [response if it happens]")
    if not owner:
        extra.append("owner: [name]")
    return f"{text} ({'; '.join(extra)})"


def _names(facts: PlanFacts, limit: int = 6) -> list[str]:
    items = facts.tasks or facts.goals or [kr for o in facts.objectives for kr in o.krs]
    names = []
    for s in items[:limit]:
        name = _clean((s.row and next(iter(s.row.values()), "")) or s.raw)
        names.append(_cell(name[:60]))
    return names


def _table(title: str, header: list[str], rows: list[list[str]]) -> str:
    """A Markdown section holding one table."""
    lines = [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def risk_register(facts: PlanFacts, lang: str) -> str:
    names = _names(facts, 4)
    if lang == "zh":
        level, rest = "[高/中/低]", ["[应对措施]", "[责任人]"]
        risks = [f"{n}延期或效果不达预期" for n in names] or ["[风险描述]"]
        return _table(
            "风险与应对",
            ["风险", "可能性", "影响", "应对措施", "责任人"],
            [[r, level, level, *rest] for r in risks],
        )
    level, rest = "[H/M/L]", ["[mitigation]", "[owner]"]
    risks = [f"{n}: delayed or falls short" for n in names] or ["[risk]"]
    return _table(
        "Risks",
        ["Risk", "Likelihood", "Impact", "Mitigation", "Owner"],
        [[r, level, level, *rest] for r in risks],
    )


def raci_table(facts: PlanFacts, lang: str) -> str:
    letters = ["[R]", "[A]", "[C]", "[I]"]
    if lang == "zh":
        return _table(
            "职责分工（RACI）",
            ["事项", "执行（R）", "问责（A）", "咨询（C）", "知会（I）"],
            [[n, *letters] for n in _names(facts) or ["[事项]"]],
        )
    return _table(
        "Roles (RACI)",
        ["Activity", "Responsible", "Accountable", "Consulted", "Informed"],
        [[n, *letters] for n in _names(facts) or ["[activity]"]],
    )


def milestones_table(facts: PlanFacts, lang: str) -> str:
    names = _names(facts, 5)
    if lang == "zh":
        return _table(
            "里程碑",
            ["里程碑", "日期", "完成标准"],
            [[n, "[日期]", "[完成标准]"] for n in names or ["[里程碑]"]],
        )
    return _table(
        "Milestones",
        ["Milestone", "Date", "Done when"],
        [[n, "[date]", "[done when]"] for n in names or ["[milestone]"]],
    )


def monitoring_section(lang: str) -> str:
    if lang == "zh":
        return (
            "## 监控与复盘\n\n- 每周：[负责人]更新[指标看板]，偏差超过[阈值]时升级\n"
            "- 每月：[会议]复盘目标进度，决定调整事项\n- 结束后：复盘总结，经验纳入下一周期计划"
        )
    return (
        "## Monitoring and review\n\n- Weekly: [owner] updates the [KPI dashboard]; a gap beyond [threshold] is escalated\n"
        "- Monthly: [review meeting] checks progress against the goals and decides adjustments\n"
        "- At the end: a retrospective whose lessons feed the next plan"
    )


def act_section(lang: str) -> str:
    if lang == "zh":
        return (
            "## 调整机制\n\n- 触发条件：[指标]连续[2]周低于目标[x]%\n- 决策人：[姓名/岗位]\n"
            "- 可选动作：[重新分配资源/调整目标/暂停某项举措]"
        )
    return (
        "## Adjusting course\n\n- Trigger: [metric] below target by [x]% for [2] consecutive weeks\n"
        "- Decision owner: [name or role]\n- Options: [reallocate budget / re-scope / stop an initiative]"
    )


def budget_table(facts: PlanFacts, lang: str) -> str:
    names = _names(facts, 5)
    if lang == "zh":
        rows = [[n, "[金额]"] for n in names] + [
            ["不可预见费（约10%）", "[金额]"],
            ["合计", "[总额]"],
        ]
        return _table("预算", ["项目", "金额（元）"], rows)
    rows = [[n, "[amount]"] for n in names] + [
        ["Contingency (~10%)", "[amount]"],
        ["Total", "[total]"],
    ]
    return _table("Budget", ["Item", "Amount"], rows)


def stakeholder_section(lang: str) -> str:
    if lang == "zh":
        return _table(
            "沟通机制",
            ["干系人", "关注点", "沟通方式", "频率", "负责人"],
            [
                ["[发起人/领导]", "[进度与风险]", "[月度汇报]", "每月", "[姓名]"],
                ["[执行团队]", "[任务与阻碍]", "[周会]", "每周", "[姓名]"],
            ],
        )
    return _table(
        "Communication",
        ["Stakeholder", "Interest", "Channel", "Cadence", "Owner"],
        [
            ["[sponsor]", "[progress and risks]", "[monthly update]", "monthly", "[name]"],
            ["[delivery team]", "[tasks and blockers]", "[weekly sync]", "weekly", "[name]"],
        ],
    )
