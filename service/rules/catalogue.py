"""The rule catalogue: every code the reviewer may report (a public contract).

Codes are stable identifiers (see docs/rules.md in the shared docs). Add
codes freely; never rename or repurpose one.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.models import Scope, Severity


@dataclass(frozen=True)
class RuleSpec:
    code: str
    severity: Severity
    scope: Scope
    summary_en: str
    summary_zh: str
    title_en: str
    title_zh: str
    llm_only: bool = False

    @property
    def family(self) -> str:
        return self.code.split(".", 1)[0]

    def summary(self, lang: str) -> str:
        return self.summary_zh if lang == "zh" else self.summary_en

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


FAMILIES: dict[str, tuple[str, str]] = {
    "smart": ("SMART goals", "SMART 目标"),
    "okr": ("OKR", "OKR"),
    "raci": ("RACI / ownership", "RACI / 责任分工"),
    "pdca": ("PDCA monitoring and iteration", "PDCA 监控与迭代"),
    "bsc": ("Balanced Scorecard", "平衡计分卡"),
    "risk": ("Risk", "风险"),
    "resource": ("Resources and schedule", "资源与进度"),
    "consistency": ("Consistency", "一致性"),
    "comm": ("Communication", "沟通"),
    "plan": ("Plan completeness", "方案完整性"),
    "llm": ("Reviewer judgement", "评审判断"),
}

_R = RuleSpec

RULES: tuple[RuleSpec, ...] = (
    _R(
        "smart.specific",
        "warning",
        "block",
        "Goal is a generic improvement with an abstract object and no scope.",
        "目标只是笼统的“提升/改善”，对象抽象、没有范围。",
        "SMART: Specific",
        "SMART：具体",
    ),
    _R(
        "smart.measurable",
        "error",
        "block",
        "Goal names no metric with a target value.",
        "目标没有可衡量的指标和目标值。",
        "SMART: Measurable",
        "SMART：可衡量",
    ),
    _R(
        "smart.achievable",
        "info",
        "block",
        "Numeric target with no baseline, or an implausible jump.",
        "给出了目标值但没有基线，或目标跨度不合常理。",
        "SMART: Achievable",
        "SMART：可实现",
    ),
    _R(
        "smart.relevant",
        "info",
        "block",
        "Goal is not tied to a stated problem, strategy or higher objective.",
        "目标与所述问题、战略或上级目标没有关联。",
        "SMART: Relevant",
        "SMART：相关",
    ),
    _R(
        "smart.time-bound",
        "error",
        "block",
        "Goal has no deadline or period, and inherits none.",
        "目标没有截止时间或周期，也无法从计划周期继承。",
        "SMART: Time-bound",
        "SMART：有时限",
    ),
    _R(
        "okr.kr-count",
        "warning",
        "block",
        "Objective has fewer than 2 or more than 5 key results.",
        "目标（O）下的关键结果少于 2 个或多于 5 个。",
        "OKR: number of key results",
        "OKR：关键结果数量",
    ),
    _R(
        "okr.kr-is-task",
        "warning",
        "block",
        "Key result is an activity or output, not a measurable outcome.",
        "关键结果写成了任务或产出，而不是可衡量的成果。",
        "OKR: key result is a task",
        "OKR：关键结果是任务",
    ),
    _R(
        "okr.kr-not-measurable",
        "error",
        "block",
        "Key result has no target value.",
        "关键结果没有目标值。",
        "OKR: key result not measurable",
        "OKR：关键结果不可衡量",
    ),
    _R(
        "raci.no-owner",
        "error",
        "block",
        "Task or initiative names no owner.",
        "任务或举措没有负责人。",
        "RACI: no owner",
        "RACI：无负责人",
    ),
    _R(
        "raci.no-accountable",
        "error",
        "block",
        "RACI row has no A (accountable).",
        "RACI 表中该行没有 A（批准/问责人）。",
        "RACI: no accountable",
        "RACI：无问责人",
    ),
    _R(
        "raci.multiple-accountable",
        "error",
        "block",
        "RACI row has more than one A.",
        "RACI 表中该行有多个 A。",
        "RACI: several accountable",
        "RACI：多个问责人",
    ),
    _R(
        "raci.no-responsible",
        "warning",
        "block",
        "RACI row has no R (responsible).",
        "RACI 表中该行没有 R（执行人）。",
        "RACI: no responsible",
        "RACI：无执行人",
    ),
    _R(
        "raci.overloaded",
        "warning",
        "document",
        "One person owns more than half of all tasks (and at least 4).",
        "同一人负责超过一半（且至少 4 项）的任务。",
        "RACI: owner overloaded",
        "RACI：负责人过载",
    ),
    _R(
        "pdca.no-check",
        "error",
        "document",
        "No monitoring or review mechanism.",
        "没有监控或复盘机制。",
        "PDCA: no Check step",
        "PDCA：缺少检查环节",
    ),
    _R(
        "pdca.no-act",
        "warning",
        "document",
        "Nothing on adjusting course from what monitoring shows.",
        "没有说明如何根据监控结果调整。",
        "PDCA: no Act step",
        "PDCA：缺少改进环节",
    ),
    _R(
        "pdca.no-milestones",
        "warning",
        "document",
        "Plan spans more than a month but sets no intermediate milestones.",
        "计划周期超过一个月，却没有中间里程碑或检查点。",
        "PDCA: no milestones",
        "PDCA：缺少里程碑",
    ),
    _R(
        "bsc.missing-perspective",
        "info",
        "document",
        "Goals/KPIs cover none of one Balanced Scorecard perspective.",
        "目标/KPI 完全没有覆盖平衡计分卡的某个维度。",
        "BSC: missing perspective",
        "平衡计分卡：缺少维度",
    ),
    _R(
        "bsc.lagging-only",
        "warning",
        "document",
        "Every KPI is a lagging result; no leading indicator.",
        "所有 KPI 都是滞后指标，没有领先指标。",
        "BSC: lagging indicators only",
        "平衡计分卡：只有滞后指标",
    ),
    _R(
        "risk.no-register",
        "error",
        "document",
        "The plan identifies no risks.",
        "计划没有识别任何风险。",
        "Risk: no risk register",
        "风险：没有风险清单",
    ),
    _R(
        "risk.no-mitigation",
        "warning",
        "block",
        "A listed risk has no mitigation or contingency.",
        "所列风险没有应对或预案。",
        "Risk: no mitigation",
        "风险：没有应对措施",
    ),
    _R(
        "risk.no-assessment",
        "info",
        "block",
        "A listed risk has no likelihood/impact/level rating.",
        "所列风险没有可能性、影响或等级评估。",
        "Risk: no assessment",
        "风险：没有评估",
    ),
    _R(
        "risk.no-owner",
        "info",
        "block",
        "A listed risk has no owner.",
        "所列风险没有责任人。",
        "Risk: no owner",
        "风险：没有责任人",
    ),
    _R(
        "resource.no-budget",
        "warning",
        "document",
        "No budget or cost figure, or the budget is TBD.",
        "没有预算或成本数字，或预算“待定”。",
        "Resources: no budget",
        "资源：没有预算",
    ),
    _R(
        "resource.no-staffing",
        "warning",
        "document",
        "No people, roles or team assigned to the work.",
        "没有为工作分配人员、角色或团队。",
        "Resources: no staffing",
        "资源：没有人员安排",
    ),
    _R(
        "resource.no-timeline",
        "error",
        "document",
        "No dates, periods or schedule anywhere.",
        "计划中没有任何日期、周期或进度安排。",
        "Resources: no timeline",
        "资源：没有时间表",
    ),
    _R(
        "resource.no-buffer",
        "info",
        "document",
        "A schedule exists but reserves no buffer time or budget.",
        "有进度安排，但没有预留缓冲时间或预算。",
        "Resources: no buffer",
        "资源：没有缓冲",
    ),
    _R(
        "consistency.budget-sum",
        "error",
        "block",
        "Budget items do not add up to the stated total.",
        "预算明细之和与总额不符。",
        "Consistency: budget does not add up",
        "一致性：预算合计不符",
    ),
    _R(
        "consistency.percent-sum",
        "error",
        "block",
        "Shares of one whole add up to more than 100%.",
        "同一整体的各部分占比之和超过 100%。",
        "Consistency: shares exceed 100%",
        "一致性：占比超过 100%",
    ),
    _R(
        "consistency.date-order",
        "error",
        "block",
        "A date falls outside the plan period, or an end precedes its start.",
        "日期超出计划周期，或结束早于开始。",
        "Consistency: dates out of order",
        "一致性：日期顺序错误",
    ),
    _R(
        "comm.no-stakeholders",
        "info",
        "document",
        "No stakeholders, reporting line or communication cadence.",
        "没有说明干系人、汇报关系或沟通频率。",
        "Communication: no stakeholders",
        "沟通：没有干系人",
    ),
    _R(
        "plan.placeholder",
        "warning",
        "block",
        "Unfinished template text (TODO, TBD, xxx, [placeholder], 待定, 待补充) is left in the plan.",
        "方案里留有未完成的模板文字（TODO、TBD、xxx、[占位]、待定、待补充）。",
        "Placeholder left in the plan",
        "方案中留有占位内容",
    ),
    _R(
        "llm.risk",
        "warning",
        "block",
        "A specific risk the plan does not list.",
        "计划没有列出的具体风险。",
        "Unlisted risk",
        "未列出的风险",
        llm_only=True,
    ),
    _R(
        "llm.gap",
        "warning",
        "block",
        "A gap in reasoning: a goal with no initiative, a missing step.",
        "推理缺口：目标没有举措支撑、缺少步骤等。",
        "Reasoning gap",
        "逻辑缺口",
        llm_only=True,
    ),
    _R(
        "llm.inconsistency",
        "error",
        "block",
        "Two statements contradict each other.",
        "两处陈述相互矛盾。",
        "Contradiction",
        "前后矛盾",
        llm_only=True,
    ),
)

BY_CODE: dict[str, RuleSpec] = {r.code: r for r in RULES}


def get(code: str) -> RuleSpec:
    return BY_CODE[code]


def codes_matching(pattern: str) -> list[str]:
    """Codes selected by a code ('smart.measurable'), a family ('smart') or 'all'."""
    pattern = pattern.strip().lower()
    if pattern in ("all", "*"):
        return [r.code for r in RULES]
    if pattern in BY_CODE:
        return [pattern]
    return [r.code for r in RULES if r.family == pattern]
