"""Write eval/retrieval/queries.jsonl from the hand-written queries below.

Each query is written as a plan reviewer would ask it, with the *topics*
(chunk ids without their language suffix) that answer it. This script expands
topics into the chunk ids of the languages the query may be answered in and
checks every id against the corpus, so the queries file never names a chunk
that does not exist:

- group ``en`` / ``zh`` (monolingual, no language filter): the topic in every
  language is relevant (a Chinese query answered by the English page is fine);
- group ``cross`` (``lang`` set to the other language, as when no chunk in the
  query's language covers it): only chunks in ``lang`` are relevant;
- group ``mixed`` (English terms inside a Chinese question, no filter): every
  language is relevant.

``framework`` is the framework the answer belongs to (for the "right framework
in top 3" rate); by default the first framework tag of the first topic.

Usage: .venv/bin/python eval/retrieval/build_queries.py [--check]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service.knowledge.corpus import load_corpus, shipped_knowledge_dir  # noqa: E402

OUT = Path(__file__).resolve().parent / "queries.jsonl"

# (group, query, topics, lang filter or None, query script)
Q = tuple[str, str, list[str], str | None]

QUERIES: list[Q] = [
    # ---------------------------------------------------------------- English
    ("en", "how do I set a deadline for a goal", ["smart-time-bound"], None),
    (
        "en",
        "our goal just says improve customer satisfaction, is that specific enough",
        ["smart-specific"],
        None,
    ),
    ("en", "the goal has no number or target value to reach", ["smart-measurable"], None),
    (
        "en",
        "is a target of 40% market share realistic when we don't know where we start",
        ["smart-achievable"],
        None,
    ),
    (
        "en",
        "how do I show that a goal supports the company strategy",
        ["smart-relevant", "okr-alignment"],
        None,
    ),
    ("en", "how many key results should one objective have", ["okr-kr-count"], None),
    ("en", "launch the new app is listed as a key result, is that okay", ["okr-kr-is-task"], None),
    (
        "en",
        "who should be accountable when two managers share a task",
        ["raci-multiple-accountable", "raci-no-accountable"],
        None,
    ),
    ("en", "one person owns almost every task in the plan", ["raci-overloaded"], None),
    (
        "en",
        "several actions in the plan have nobody responsible for them",
        ["raci-no-owner", "raci-no-responsible"],
        None,
    ),
    (
        "en",
        "what is the difference between consulted and informed",
        ["raci-consulted-informed"],
        None,
    ),
    (
        "en",
        "how do we adjust the plan when the numbers go off track",
        ["pdca-act", "monitoring-escalation"],
        None,
    ),
    (
        "en",
        "what checkpoints should a six-month plan have between start and finish",
        ["pdca-milestones"],
        None,
    ),
    (
        "en",
        "how to run a monthly review meeting that leads to decisions",
        ["pdca-review-meeting"],
        None,
    ),
    (
        "en",
        "all our KPIs are revenue and sales, which leading indicators could we add",
        ["bsc-leading-lagging"],
        None,
    ),
    (
        "en",
        "the plan says nothing about training staff or building capabilities",
        ["bsc-learning-growth"],
        None,
    ),
    ("en", "what are the four perspectives of the balanced scorecard", ["bsc-overview"], None),
    ("en", "what columns does a risk register need", ["risk-register"], None),
    (
        "en",
        "how to rate risks by probability and impact",
        ["risk-likelihood-impact", "risk-levels"],
        None,
    ),
    (
        "en",
        "can we buy insurance or outsource to move a risk to someone else",
        ["risk-transfer"],
        None,
    ),
    ("en", "what should trigger the fallback plan if a supplier fails", ["risk-contingency"], None),
    (
        "en",
        "how much spare time and money should we keep for surprises",
        ["resource-buffers"],
        None,
    ),
    ("en", "the budget line items don't add up to the total", ["consistency-budget-sum"], None),
    ("en", "a milestone is dated after the plan period ends", ["consistency-date-order"], None),
    (
        "en",
        "when should a KPI in the red be escalated to management",
        ["monitoring-escalation"],
        None,
    ),
    (
        "en",
        "sales dropped last quarter, how do we find out why",
        ["monitoring-root-cause-analysis"],
        None,
    ),
    (
        "en",
        "the plan jumps to solutions without stating the problem",
        ["plan-problem-definition"],
        None,
    ),
    (
        "en",
        "who needs to hear about the plan and how often do we report to them",
        ["communication-stakeholders", "communication-cadence"],
        None,
    ),
    ("en", "how do we train the team to run the new process", ["enablement-training"], None),
    (
        "en",
        "should we test the new promotion on a small group before rolling it out",
        ["iteration-ab-testing", "case-ecommerce-promotion-ab-test"],
        None,
    ),
    (
        "en",
        "example of a retailer whose sales and purchasing teams did not share stock data",
        ["case-retail-inventory-sharing", "communication-cross-department"],
        None,
    ),
    (
        "en",
        "a case where the plan stalled because its only owner went on leave",
        ["case-plant-manager-overload"],
        None,
    ),
    # ---------------------------------------------------------------- 中文 (简体 + 繁體)
    ("zh", "风险应对措施怎么写", ["risk-response-strategies", "risk-contingency"], None),
    ("zh", "目标没有截止时间怎么办", ["smart-time-bound"], None),
    ("zh", "目标怎么写才算可衡量", ["smart-measurable"], None),
    ("zh", "一个目标下面应该有几个关键结果", ["okr-kr-count"], None),
    ("zh", "关键结果写成了上线会员系统这样的任务", ["okr-kr-is-task"], None),
    ("zh", "任务表里好几项工作没有负责人", ["raci-no-owner"], None),
    ("zh", "同一个人负责了太多任务，忙不过来", ["raci-overloaded"], None),
    ("zh", "计划缺少定期检查和复盘机制", ["pdca-check", "pdca-review-meeting"], None),
    ("zh", "发现指标偏离后如何调整计划", ["pdca-act", "monitoring-escalation"], None),
    ("zh", "半年的计划中间要设哪些里程碑", ["pdca-milestones"], None),
    ("zh", "平衡计分卡有哪四个维度", ["bsc-overview"], None),
    ("zh", "先行指标和滞后指标有什么区别", ["bsc-leading-lagging"], None),
    ("zh", "客户满意度和复购率属于哪个维度", ["bsc-customer"], None),
    ("zh", "如何识别外部和内部的风险来源", ["risk-identification"], None),
    ("zh", "请专家匿名多轮打分来评估风险", ["risk-delphi"], None),
    ("zh", "预算分项加起来和总额对不上", ["consistency-budget-sum"], None),
    ("zh", "预留多少时间和资金作为缓冲", ["resource-buffers"], None),
    ("zh", "团队人手和技能怎么配置", ["resource-staffing"], None),
    ("zh", "监控数据口径不一致、不准确怎么办", ["monitoring-data-quality"], None),
    ("zh", "计划写了很多措施，但看不出它们服务哪个目标", ["plan-traceability"], None),
    ("zh", "目標應該在什麼時候完成", ["smart-time-bound"], None),
    ("zh", "風險登記冊要包含哪些欄位", ["risk-register"], None),
    (
        "zh",
        "每項工作只能有一位最終負責的人",
        ["raci-no-accountable", "raci-multiple-accountable"],
        None,
    ),
    ("zh", "如何找出銷售下滑問題的根本原因", ["monitoring-root-cause-analysis"], None),
    ("zh", "各項預算佔比加起來超過百分之百", ["consistency-percent-sum"], None),
    ("zh", "關鍵結果一定要有目標值嗎", ["okr-kr-measurable"], None),
    ("zh", "怎麼開一場有效的月度檢討會", ["pdca-review-meeting"], None),
    (
        "zh",
        "跨部门信息不共享，各干各的怎么办",
        ["communication-cross-department", "case-retail-inventory-sharing"],
        None,
    ),
    ("zh", "激励机制要和计划目标挂钩", ["enablement-incentives"], None),
    (
        "zh",
        "新促销方案全面推广前先小范围测试",
        ["iteration-ab-testing", "case-ecommerce-promotion-ab-test"],
        None,
    ),
    ("zh", "有没有医院出院流程出现两个负责人的案例", ["case-hospital-discharge-raci"], None),
    (
        "zh",
        "沟通工具太多，信息太杂，大家应接不暇",
        ["communication-channels", "case-tech-communication-tool-overload"],
        None,
    ),
    ("zh", "如何把專案的經驗教訓沉澱下來", ["iteration-knowledge-capture"], None),
    # ---------------------------------------------------------------- cross-lingual
    ("cross", "目标的截止日期怎么定", ["smart-time-bound"], "en"),
    ("cross", "风险应对措施怎么写", ["risk-response-strategies", "risk-contingency"], "en"),
    (
        "cross",
        "两个经理共同负责一个任务，谁来最终负责",
        ["raci-multiple-accountable", "raci-no-accountable"],
        "en",
    ),
    ("cross", "关键结果应该是成果而不是任务", ["okr-kr-is-task"], "en"),
    ("cross", "先行指标有哪些例子", ["bsc-leading-lagging"], "en"),
    ("cross", "计划中间的里程碑和检查点", ["pdca-milestones"], "en"),
    ("cross", "預算要預留多少緩衝", ["resource-buffers"], "en"),
    ("cross", "評估風險發生的可能性和影響", ["risk-likelihood-impact", "risk-levels"], "en"),
    ("cross", "复盘会议怎么开", ["pdca-review-meeting"], "en"),
    ("cross", "预算明细加总不等于总预算", ["consistency-budget-sum"], "en"),
    ("cross", "what does a minimal risk register contain", ["risk-register"], "zh"),
    ("cross", "the goal has no measurable target", ["smart-measurable"], "zh"),
    ("cross", "how many key results per objective", ["okr-kr-count"], "zh"),
    ("cross", "every task needs a named owner", ["raci-no-owner"], "zh"),
    ("cross", "balanced scorecard customer perspective", ["bsc-customer"], "zh"),
    ("cross", "escalate when a KPI crosses its threshold", ["monitoring-escalation"], "zh"),
    (
        "cross",
        "find the root cause instead of treating symptoms",
        ["monitoring-root-cause-analysis"],
        "zh",
    ),
    ("cross", "a task ends before it starts in the timeline", ["consistency-date-order"], "zh"),
    ("cross", "员工培训计划怎么写", ["enablement-training"], "en"),
    ("cross", "沟通节奏：周会和月报怎么安排", ["communication-cadence"], "en"),
    (
        "cross",
        "a marketplace that set a tenfold GMV target with no baseline",
        ["case-marketplace-10x-target"],
        "zh",
    ),
    (
        "cross",
        "a retrospective at the end of each cycle that changes the next one",
        ["iteration-review-loops"],
        "zh",
    ),
    # ---------------------------------------------------------------- mixed
    ("mixed", "OKR 的 key result 应该有几个", ["okr-kr-count"], None),
    ("mixed", "RACI 里的 Consulted 和 Informed 有什么区别", ["raci-consulted-informed"], None),
    ("mixed", "KPI 没有 baseline，目标是否可实现", ["smart-achievable"], None),
    ("mixed", "PDCA 的 Check 阶段要做什么", ["pdca-check"], None),
    ("mixed", "risk owner 应该由谁担任", ["risk-owner"], None),
    ("mixed", "Gantt 图和项目排期怎么做", ["resource-schedule-gantt"], None),
    ("mixed", "BSC 的学习与成长维度", ["bsc-learning-growth"], None),
    ("mixed", "SMART 原则里的 Specific 是什么意思", ["smart-specific"], None),
    ("mixed", "A/B test 的对照组怎么设计", ["iteration-ab-testing"], None),
    ("mixed", "stakeholder 沟通计划怎么写", ["communication-stakeholders"], None),
    ("mixed", "RCA 根因分析有哪些步骤", ["monitoring-root-cause-analysis"], None),
]


def build() -> list[dict[str, object]]:
    chunks = load_corpus([shipped_knowledge_dir()])
    by_id = {c.chunk_id: c for c in chunks}
    rows: list[dict[str, object]] = []
    missing: list[str] = []
    counters: dict[str, int] = {}
    for group, query, topics, lang in QUERIES:
        langs = {"en": ["en"], "zh": ["zh", "zht"]}.get(lang or "", ["en", "zh", "zht"])
        ids = [f"{t}-{s}" for t in topics for s in langs if f"{t}-{s}" in by_id]
        for t in topics:
            if not any(f"{t}-{s}" in by_id for s in langs):
                missing.append(f"{t} ({lang or 'any'}) for {query!r}")
        if not ids:
            continue
        counters[group] = counters.get(group, 0) + 1
        rows.append(
            {
                "id": f"{group}-{counters[group]:02d}",
                "group": group,
                "query": query,
                "lang": lang,
                "relevant_chunk_ids": ids,
                "framework": by_id[ids[0]].frameworks[0],
            }
        )
    if missing:
        print("topics with no chunk yet (queries skipped or narrowed):", file=sys.stderr)
        for m in missing:
            print("  " + m, file=sys.stderr)
    return rows


def main() -> int:
    rows = build()
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if "--check" in sys.argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is stale: run eval/retrieval/build_queries.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    groups: dict[str, int] = {}
    for r in rows:
        groups[str(r["group"])] = groups.get(str(r["group"]), 0) + 1
    print(f"wrote {len(rows)} queries to {OUT.relative_to(ROOT)}: {groups}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
