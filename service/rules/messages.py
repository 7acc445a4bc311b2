"""What each rule says, in English and Simplified Chinese (繁體 plans get these too)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

# code -> lang -> (message, suggestion). Messages may use {placeholders} filled by the rule.
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "smart.specific": {
        "en": (
            'Goal is too general: "{verb}" what, where, for whom?',
            "Name the specific thing to change (which product, segment, region or process) and the metric that shows it.",
        ),
        "zh": (
            "目标过于笼统：“{verb}”什么、在哪里、针对谁？",
            "写明要改变的具体对象（哪条产品线、哪个客群、哪个区域或流程）以及衡量它的指标。",
        ),
    },
    "smart.measurable": {
        "en": (
            "Goal has no target value: say how much, measured how.",
            "State the metric, its current baseline and the target value (a number, percentage, amount or count).",
        ),
        "zh": (
            "目标没有可衡量的目标值：要达到多少、用什么衡量？",
            "写明衡量指标、当前基线和目标值（数字、百分比、金额或数量）。",
        ),
    },
    "smart.achievable": {
        "en": (
            "Target {target} has no baseline, so nobody can judge whether it is achievable.",
            'Add the current value ("from 31% to 40%") and the evidence that the jump is realistic.',
        ),
        "zh": (
            "目标值“{target}”没有基线，无法判断是否可实现。",
            "补充当前值（如“从31%提升至40%”）以及判断该目标可实现的依据。",
        ),
    },
    "smart.achievable.jump": {
        "en": (
            "Target implies a {ratio:.0f}x jump from the baseline: check that it is achievable.",
            "Explain what makes a jump this large realistic, or split it into staged targets.",
        ),
        "zh": (
            "目标相对基线提升约{ratio:.0f}倍，请确认其可实现性。",
            "说明实现如此大幅提升的依据，或拆分为分阶段目标。",
        ),
    },
    "smart.time-bound": {
        "en": (
            "Goal has no deadline, and the plan states no period it could inherit.",
            'Add a date or period ("by 2027-06-30", "in Q3 2027"), or state the plan\'s period at the top.',
        ),
        "zh": (
            "目标没有截止时间，计划也没有可继承的周期。",
            "补充完成日期或周期（如“2027年6月30日前”“2027年第三季度”），或在开头写明计划周期。",
        ),
    },
    "okr.kr-count": {
        "en": (
            "Objective has {n} key result(s); 2 to 5 keep it focused and measurable.",
            "Give each objective 2-5 key results that together show it was achieved.",
        ),
        "zh": (
            "该目标（O）有 {n} 个关键结果，建议 2–5 个，以保持聚焦且可衡量。",
            "为每个目标设置 2–5 个关键结果，合起来能证明目标达成。",
        ),
    },
    "okr.kr-is-task": {
        "en": (
            "Key result is an activity, not an outcome: doing it does not show the objective moved.",
            "Keep the activity in the initiatives list and state the outcome it should produce as the key result.",
        ),
        "zh": (
            "关键结果写成了任务/产出，完成它并不能说明目标已推进。",
            "把该动作放入行动计划，用它要带来的可衡量结果作为关键结果。",
        ),
    },
    "okr.kr-not-measurable": {
        "en": (
            "Key result has no target value{placeholder}.",
            'Give the key result a metric with a baseline and a target value ("from X to Y").',
        ),
        "zh": (
            "关键结果没有目标值{placeholder}。",
            "为关键结果设定指标、基线和目标值（“从X到Y”）。",
        ),
    },
    "raci.no-owner": {
        "en": (
            "Task has no owner: nobody is answerable for getting it done.",
            "Name one responsible person or role for the task (Owner: …).",
        ),
        "zh": (
            "任务没有负责人，无人对其完成负责。",
            "为该任务指定一名负责人或责任岗位（负责人：……）。",
        ),
    },
    "raci.no-accountable": {
        "en": (
            'RACI row "{task}" has no A: nobody is accountable for the outcome.',
            "Mark exactly one role as A (accountable) for this activity.",
        ),
        "zh": ("RACI 行“{task}”没有 A，结果无人问责。", "为该事项指定且仅指定一个 A（问责人）。"),
    },
    "raci.multiple-accountable": {
        "en": (
            'RACI row "{task}" has {n} A\'s: shared accountability means nobody is accountable.',
            "Keep one A; make the others R (doing the work) or C (consulted).",
        ),
        "zh": (
            "RACI 行“{task}”有 {n} 个 A，多人问责等于无人问责。",
            "只保留一个 A，其余改为 R（执行）或 C（咨询）。",
        ),
    },
    "raci.no-responsible": {
        "en": (
            'RACI row "{task}" has no R: nobody is doing the work.',
            "Mark at least one role as R (responsible for doing the work).",
        ),
        "zh": ("RACI 行“{task}”没有 R，无人执行。", "至少指定一个 R（负责执行）。"),
    },
    "raci.overloaded": {
        "en": (
            "{who} owns {n} of {total} tasks: a single point of failure and a bottleneck.",
            "Spread ownership: give some tasks to other owners, or confirm {who} has the capacity.",
        ),
        "zh": (
            "{who} 负责了 {total} 项任务中的 {n} 项，存在单点瓶颈。",
            "分散负责人：将部分任务交给其他人，或确认 {who} 有足够精力。",
        ),
    },
    "pdca.no-check": {
        "en": (
            "The plan has no monitoring or review mechanism (the Check in PDCA).",
            "Add how progress is tracked: which KPIs, reviewed by whom, how often (weekly dashboard, monthly review).",
        ),
        "zh": (
            "计划没有监控或复盘机制（PDCA 中的 C）。",
            "补充进度跟踪方式：看哪些指标、由谁、多久检查一次（如每周看板、每月复盘）。",
        ),
    },
    "pdca.no-act": {
        "en": (
            "The plan does not say how it will adjust course when monitoring shows a gap (the Act in PDCA).",
            "State the triggers and responses: who decides, what thresholds cause a change, how lessons feed the next cycle.",
        ),
        "zh": (
            "计划没有说明监控发现偏差后如何调整（PDCA 中的 A）。",
            "写明触发条件和应对：谁来决策、什么阈值触发调整、经验如何进入下一轮。",
        ),
    },
    "pdca.no-milestones": {
        "en": (
            "The plan runs for more than a month but sets no intermediate milestones.",
            "Add dated milestones or checkpoints between start and end so slippage shows early.",
        ),
        "zh": (
            "计划周期超过一个月，但没有中间里程碑或检查点。",
            "在起止之间设置带日期的里程碑或检查点，以便及早发现延误。",
        ),
    },
    "bsc.missing-perspective": {
        "en": (
            "Goals and KPIs cover no {perspective} perspective of the Balanced Scorecard.",
            "Consider at least one {perspective} goal or indicator, or say why it is out of scope.",
        ),
        "zh": (
            "目标和 KPI 没有覆盖平衡计分卡的{perspective}维度。",
            "考虑补充至少一个{perspective}方面的目标或指标，或说明为何不在范围内。",
        ),
    },
    "bsc.lagging-only": {
        "en": (
            "Every KPI is a lagging result; nothing warns early that the plan is off track.",
            "Add leading indicators that move first (pipeline, adoption, cycle time, visits) and track them weekly.",
        ),
        "zh": (
            "所有 KPI 都是滞后结果指标，无法提前预警偏离。",
            "补充先行指标（如线索量、使用率、周期时长、拜访量），并按周跟踪。",
        ),
    },
    "risk.no-register": {
        "en": (
            "The plan identifies no risks.",
            "Add a risk register: each risk with likelihood, impact, mitigation and an owner.",
        ),
        "zh": (
            "计划没有识别任何风险。",
            "补充风险清单：每项风险写明可能性、影响、应对措施和责任人。",
        ),
    },
    "risk.no-mitigation": {
        "en": (
            "Risk has no mitigation or contingency.",
            "Say how the risk will be reduced, and what you will do if it happens (trigger and response).",
        ),
        "zh": (
            "该风险没有应对措施或预案。",
            "说明如何降低该风险，以及一旦发生如何处理（触发条件和应对动作）。",
        ),
    },
    "risk.no-assessment": {
        "en": (
            "Risk has no likelihood, impact or level rating.",
            "Rate likelihood and impact (e.g. High/Medium/Low) so risks can be prioritised.",
        ),
        "zh": (
            "该风险没有可能性、影响或等级评估。",
            "评估可能性和影响（高/中/低），以便排序和分配精力。",
        ),
    },
    "risk.no-owner": {
        "en": ("Risk has no owner.", "Name who watches this risk and triggers the response."),
        "zh": ("该风险没有责任人。", "指定负责监测该风险并启动应对的人。"),
    },
    "resource.no-budget": {
        "en": (
            "The plan states no budget or cost{tbd}.",
            "Add a budget: the total and its split across the main workstreams, with a contingency line.",
        ),
        "zh": (
            "计划没有预算或成本{tbd}。",
            "补充预算：总额及其在主要工作上的分配，并预留不可预见费用。",
        ),
    },
    "resource.no-staffing": {
        "en": (
            "The plan assigns no people, roles or team to the work.",
            "Say who does the work: the team, the roles and the time each can commit.",
        ),
        "zh": ("计划没有安排人员、角色或团队。", "说明由谁来做：团队、岗位以及各自可投入的时间。"),
    },
    "resource.no-timeline": {
        "en": (
            "The plan has no dates, periods or schedule.",
            "Add the plan's period and a schedule of dated milestones.",
        ),
        "zh": ("计划中没有任何日期、周期或进度安排。", "补充计划周期和带日期的里程碑进度表。"),
    },
    "resource.no-buffer": {
        "en": (
            "The schedule reserves no buffer time or contingency budget.",
            "Reserve slack for the riskiest steps (commonly 10-20% of time or budget) and say who may release it.",
        ),
        "zh": (
            "进度安排没有预留缓冲时间或应急预算。",
            "为风险最高的环节预留缓冲（通常为时间或预算的10%–20%），并明确由谁批准动用。",
        ),
    },
    "consistency.budget-sum": {
        "en": (
            "Budget items add up to {items}, but the stated total is {total}.",
            "Correct the items or the total so they agree.",
        ),
        "zh": ("预算明细合计为 {items}，与所写总额 {total} 不符。", "修正明细或总额，使两者一致。"),
    },
    "consistency.percent-sum": {
        "en": (
            "Shares add up to {total}%, more than 100%.",
            "Correct the shares so the parts of one whole sum to 100%.",
        ),
        "zh": ("各部分占比合计 {total}%，超过 100%。", "修正占比，使同一整体的各部分合计为 100%。"),
    },
    "consistency.date-order": {
        "en": (
            "{what} ({date}) falls outside the plan period ({start} to {end}).",
            "Move the date inside the plan period, or extend the period and say why.",
        ),
        "zh": (
            "{what}（{date}）超出了计划周期（{start} 至 {end}）。",
            "将日期调整到计划周期内，或延长周期并说明原因。",
        ),
    },
    "consistency.date-order.reversed": {
        "en": ("End date {end} is before start date {start}.", "Swap or correct the dates."),
        "zh": ("结束日期 {end} 早于开始日期 {start}。", "更正起止日期。"),
    },
    "plan.placeholder": {
        "en": (
            'Unfinished text left in the plan: "{placeholder}" stands where content belongs.',
            "Fill in the missing value, name or step, or delete the line; if it is still open, say who decides it and by when.",
        ),
        "zh": (
            "方案中留有未完成的内容：“{placeholder}”处应填写实际内容。",
            "补上缺失的数值、人员或步骤，或删除该行；若仍未确定，写明由谁、在何时之前确定。",
        ),
    },
    "comm.no-stakeholders": {
        "en": (
            "The plan names no stakeholders, reporting line or communication cadence.",
            "Say who must be kept informed, who the plan reports to, and how often (e.g. weekly sync, monthly steering update).",
        ),
        "zh": (
            "计划没有说明干系人、汇报关系或沟通频率。",
            "写明需要知会谁、向谁汇报、多久一次（如每周同步会、每月向领导小组汇报）。",
        ),
    },
}

PERSPECTIVES = {
    "financial": ("financial", "财务"),
    "customer": ("customer", "客户"),
    "process": ("internal process", "内部流程"),
    "learning": ("learning and growth", "学习与成长"),
}


@lru_cache(maxsize=1)
def _s2t() -> Callable[[str], str]:
    from opencc import OpenCC  # loaded only for plans written in 繁體

    return OpenCC("s2t").convert


# Words the converter gets wrong in this domain (复 has three Traditional forms).
_S2T_FIXES = {"覆盤": "復盤", "複覈": "複核"}


def to_traditional(text: str) -> str:
    """Simplified -> Traditional, for messages on plans written in 繁體."""
    out = _s2t()(text)
    for wrong, right in _S2T_FIXES.items():
        out = out.replace(wrong, right)
    return out


def text_for(key: str, lang: str, **values: object) -> tuple[str, str]:
    """(message, suggestion) for a rule key in the plan's language."""
    table = MESSAGES[key]
    message, suggestion = table["zh" if lang == "zh" else "en"]
    return message.format(**values), suggestion.format(**values)
