"""Generated plan libraries: for the batch tests, demos and the benchmark.

``generate_library(root, n)`` writes ``n`` plans of about two pages each into
team folders under ``root``, by varying a few templates in English,
Simplified and Traditional Chinese with a seeded random generator (the same
seed gives the same bytes). Plans differ in which sections they have, their
numbers, owners and dates, so the rules and the library checks have
something to find. On top of that it plants, and records in the returned
manifest:

- one goal copied (once slightly reworded) into several plans: a duplicate;
- one metric given different targets and dates by two plans: a conflict;
- one person owning tasks in more plans than the default owner limit;
- bad files (empty, whitespace only, binary, a corrupt .docx, a damaged PDF).

Nothing here is downloaded; every word is written by this module.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

EN_TEAMS = ["sales", "support", "operations", "finance", "marketing"]
ZH_TEAMS = ["华东区", "客服中心"]
ZHT_TEAMS = ["香港分行"]

_EN_FIRST = [
    "Alice",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Samir",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zane",
    "Anton",
    "Bianca",
    "Caleb",
    "Dina",
    "Elliot",
    "Fiona",
    "Gavin",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Marco",
    "Nadia",
]
_EN_LAST = [
    "Adams",
    "Baker",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinlan",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Young",
    "Zimmer",
    "Albers",
    "Brandt",
    "Carver",
    "Dalton",
    "Ekström",
    "Fontaine",
    "Gill",
    "Holm",
    "Iqbal",
    "Jovanovic",
    "Keller",
    "Lindqvist",
    "Mendes",
    "Nilsen",
    "Ortega",
    "Park",
    "Reyes",
    "Sato",
    "Torres",
    "Ueda",
    "Vogel",
    "Weber",
    "Yilmaz",
    "Zhou",
]
_ZH_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹")
_ZH_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓东",
    "海燕",
    "建华",
    "丽娟",
    "志强",
    "雪梅",
    "国庆",
    "春梅",
    "文博",
    "子涵",
    "欣怡",
    "浩然",
    "思远",
    "雨桐",
    "嘉怡",
    "宇航",
    "一鸣",
    "佳琪",
    "俊杰",
    "诗涵",
    "梓轩",
    "若曦",
    "天佑",
    "晨曦",
    "紫萱",
    "博文",
    "奕辰",
    "梦瑶",
    "家豪",
    "雅婷",
    "凯文",
    "志远",
    "宏伟",
    "丹丹",
    "秀兰",
    "永刚",
    "立新",
    "红梅",
    "晓燕",
    "德华",
]

EN_CITIES = [
    "Leeds",
    "Bristol",
    "Lyon",
    "Porto",
    "Gdansk",
    "Malmo",
    "Turin",
    "Ghent",
    "Graz",
    "Bilbao",
    "Aarhus",
    "Bergen",
    "Cork",
    "Utrecht",
    "Brno",
    "Tartu",
]
ZH_CITIES = ["苏州", "杭州", "宁波", "无锡", "合肥", "南京", "常州", "嘉兴", "绍兴", "温州"]

PLANTED_DUPLICATE_EN = (
    "Move every regional warehouse onto the shared inventory platform by 2026-11-30."
)
PLANTED_DUPLICATE_VARIANT = (
    "Move every regional warehouse onto the shared inventory platform by 30 November 2026."
)
PLANTED_CONFLICT_METRIC = "on-time delivery rate for the Northern region"
PLANTED_OWNER = "Morgan Blake"

_FILLER_EN = [
    "Demand in the region grew faster than headcount, and the team absorbed the difference with overtime.",
    "Customers told us in the last survey that response times matter more to them than price.",
    "Two of the largest accounts renewed late because their questions went unanswered for weeks.",
    "The team changed its tooling twice in eighteen months, and the data from before the change is patchy.",
    "Handovers between shifts lose context, so the same issue is often diagnosed twice.",
    "A competitor opened nearby and matched our prices on the most visible products.",
    "Most of the work is still tracked in spreadsheets owned by individual people.",
    "Seasonal peaks in the fourth quarter stretch every queue and every warehouse.",
    "The finance review found that a fifth of spend went to rush orders that planning could have avoided.",
    "New starters take about three months to reach full productivity, longer than the industry norm.",
    "Store managers say the weekly report arrives too late to change anything that week.",
    "Returns have risen since the new product line launched, and nobody owns the root cause.",
]
_FILLER_ZH = [
    "过去一年区域需求增长快于人员增长，团队主要依靠加班消化差额。",
    "上次客户调研显示，客户更在意响应速度而不是价格。",
    "两家大客户因问题长期得不到答复而推迟续约。",
    "十八个月内团队两次更换系统，切换前的数据不完整。",
    "交接班时信息丢失，同一问题经常被重复诊断。",
    "附近新开了一家竞争门店，在最显眼的商品上与我们价格持平。",
    "大部分工作仍由个人维护的表格跟踪，缺少统一视图。",
    "第四季度的季节性高峰让每个队列和仓库都很紧张。",
    "财务复盘发现五分之一的支出用于本可通过计划避免的加急订单。",
    "新员工大约需要三个月才能独立上岗，长于行业平均水平。",
    "门店经理反映周报到得太晚，无法据此调整当周工作。",
    "新产品线上市后退货增加，但没有人负责追查根本原因。",
]


@dataclass
class LibraryManifest:
    """What a generated library holds, for tests to check against."""

    root: Path
    plans: list[str] = field(default_factory=list)  # relative paths of readable plans
    bad: dict[str, str] = field(default_factory=dict)  # relative path -> kind of damage
    duplicate_goal_plans: list[str] = field(default_factory=list)
    conflict_plans: dict[str, str] = field(default_factory=dict)  # rel -> target
    overloaded_plans: list[str] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)  # rel -> en | zh | zht


def _en_name(rng: random.Random) -> str:
    return f"{rng.choice(_EN_FIRST)} {rng.choice(_EN_LAST)}"


def _zh_name(rng: random.Random) -> str:
    return rng.choice(_ZH_SURNAMES) + rng.choice(_ZH_GIVEN)


def _period(rng: random.Random) -> tuple[str, str, int]:
    year = rng.choice([2026, 2026, 2027])
    start_month = rng.choice([1, 4, 7])
    return (
        f"{year}-{start_month:02d}-01",
        f"{year}-{start_month + 5:02d}-{30 if start_month + 5 in (6, 9) else 31}",
        year,
    )


def en_plan(
    rng: random.Random,
    i: int,
    team: str,
    *,
    extra_goals: list[str] | None = None,
    forced_owner: str | None = None,
    notes: int = 2,
) -> str:
    start, end, year = _period(rng)
    if forced_owner:  # the planted owner's plans all run at the same time
        start, end, year = "2026-07-01", "2026-12-31", 2026
    city = rng.choice(EN_CITIES)
    site = f"{city} site {i:03d}"
    owners = [_en_name(rng) for _ in range(6)]
    if forced_owner:
        owners[0] = owners[3] = forced_owner
    has = {
        "problem": rng.random() < 0.6,
        "budget": rng.random() < 0.6,
        "risk": rng.random() < 0.35,
        "monitoring": rng.random() < 0.7,
        "comm": rng.random() < 0.3,
        "timeline": rng.random() < 0.8,
        "okr": rng.random() < 0.25,
    }
    lines = [
        f"# {team.capitalize()} plan for {site}, H{1 if start[5:7] == '01' else 2} {year}",
        "",
        f"Plan period: {start} to {end}",
        f"Prepared by: {owners[1]}",
        "",
        "## Background",
        "",
    ]
    fill = rng.sample(_FILLER_EN, 6)
    lines += [" ".join(fill[:3]), "", " ".join(fill[3:]), ""]
    if has["problem"]:
        lines += [
            "## Problems to solve",
            "",
            f"- Backlog at {site} stands at {rng.randint(80, 400)} open items.",
            f"- Rework costs about {rng.randint(5, 20)}% of team capacity.",
            "",
        ]
    a, b = rng.randint(55, 75), rng.randint(78, 92)
    goals = [
        f"Raise customer satisfaction at {site} from {a}% to {b}% by {end}.",
        f"Cut average handling time at {site} from {rng.randint(9, 15)} minutes to {rng.randint(5, 8)} minutes by {end}.",
        f"Reduce stock-outs at {site} to {rng.randint(1, 4)}% of lines.",
        f"Improve teamwork at {site}."
        if rng.random() < 0.5
        else f"Grow repeat orders at {site} from {rng.randint(20, 30)}% to {rng.randint(32, 45)}% by {end}.",
    ]
    goals += extra_goals or []
    if has["okr"]:
        lines += [
            "## OKRs",
            "",
            f"Objective: Make {site} the easiest site to buy from",
            "",
            f"- KR1: Raise online conversion at {site} from {rng.randint(2, 3)}.{rng.randint(0, 9)}% to {rng.randint(4, 5)}.{rng.randint(0, 9)}%",
            f"- KR2: Cut complaints at {site} from {rng.randint(40, 80)} to {rng.randint(10, 30)} a month",
            f"- KR3: Launch the new returns page for {site}",
            "",
        ]
    lines += ["## Goals", ""] + [f"{n}. {g}" for n, g in enumerate(goals, 1)] + [""]
    lines += ["## Tasks", "", "| Task | Owner | Due |", "| --- | --- | --- |"]
    tasks = [
        "Map the current order-to-delivery process",
        "Train staff on the new triage script",
        "Set up the weekly stock review",
        "Clean the customer contact list",
        "Pilot self-service returns",
        "Agree service levels with the carrier",
    ]
    for k, task in enumerate(tasks):
        who = owners[k] if rng.random() < 0.85 or (forced_owner and k in (0, 3)) else "TBD"
        lines.append(
            f"| {task} at {site} | {who} | {year}-{min(12, int(start[5:7]) + k):02d}-{rng.randint(10, 28)} |"
        )
    lines.append("")
    if has["timeline"]:
        lines += [
            "## Timeline",
            "",
            f"- {start}: kick-off",
            f"- {year}-{int(start[5:7]) + 2:02d}-15: pilot review",
            f"- {end}: close-out and lessons learned",
            "",
        ]
    if has["budget"]:
        items = [rng.randint(5, 30) * 1000 for _ in range(3)]
        lines += [
            "## Budget",
            "",
            "| Item | Cost |",
            "| --- | --- |",
            f"| Training | ${items[0]:,} |",
            f"| Tooling | ${items[1]:,} |",
            f"| Contractors | ${items[2]:,} |",
            f"| Total | ${sum(items):,} |",
            "",
        ]
    if has["risk"]:
        lines += [
            "## Risks",
            "",
            f"- Carrier capacity is short in the peak season (likelihood: medium, impact: high). "
            f"Mitigation: book a second carrier by {year}-09-01. Owner: {owners[2]}.",
            "- Staff turnover during the pilot (likelihood: high, impact: medium). "
            "Mitigation: pair every new starter with a buddy.",
            "",
        ]
    if has["monitoring"]:
        lines += [
            "## Monitoring",
            "",
            "- A weekly dashboard of satisfaction, handling time and stock-outs.",
            "- A monthly review with the regional director; adjust the plan when a metric is off track for two weeks.",
            "",
        ]
    if has["comm"]:
        lines += [
            "## Communication",
            "",
            "- Fortnightly update e-mail to all stakeholders.",
            f"- Escalations go to {owners[1]} within one working day.",
            "",
        ]
    # Pad to about two pages with notes that vary by plan.
    lines += ["## Notes", ""]
    for _ in range(notes):
        lines += [" ".join(rng.sample(_FILLER_EN, 4)), ""]
    return "\n".join(lines)


def zh_plan(
    rng: random.Random, i: int, team: str, *, forced_owner: str | None = None, notes: int = 2
) -> str:
    start, end, year = _period(rng)
    city = rng.choice(ZH_CITIES)
    site = f"{city}{i:03d}号门店"
    owners = [_zh_name(rng) for _ in range(6)]
    if forced_owner:
        owners[0] = owners[3] = forced_owner
    has = {
        "problem": rng.random() < 0.6,
        "budget": rng.random() < 0.6,
        "risk": rng.random() < 0.35,
        "monitoring": rng.random() < 0.7,
        "comm": rng.random() < 0.3,
        "timeline": rng.random() < 0.8,
    }
    half = "上半年" if start[5:7] == "01" else "下半年"
    lines = [
        f"# {team}{site}{year}年{half}运营计划",
        "",
        f"计划周期：{start} 至 {end}",
        f"编制人：{owners[1]}",
        "",
        "## 一、背景",
        "",
    ]
    fill = rng.sample(_FILLER_ZH, 6)
    lines += ["".join(fill[:3]), "", "".join(fill[3:]), ""]
    if has["problem"]:
        lines += [
            "## 二、存在的问题",
            "",
            f"- {site}积压工单约{rng.randint(80, 400)}件。",
            f"- 返工约占团队产能的{rng.randint(5, 20)}%。",
            "",
        ]
    goals = [
        f"{end}前将{site}客户满意度从{rng.randint(60, 75)}%提升至{rng.randint(80, 92)}%。",
        f"{site}平均处理时长由{rng.randint(9, 15)}分钟缩短至{rng.randint(5, 8)}分钟。",
        f"{site}缺货率控制在{rng.randint(1, 4)}%以内。",
        f"提升{site}团队协作水平。"
        if rng.random() < 0.5
        else f"{site}复购率由{rng.randint(20, 30)}%提升至{rng.randint(32, 45)}%。",
    ]
    lines += ["## 三、目标", ""] + [f"{n}. {g}" for n, g in enumerate(goals, 1)] + [""]
    lines += ["## 四、重点任务", "", "| 任务 | 负责人 | 完成时间 |", "| --- | --- | --- |"]
    tasks = [
        "梳理订单到交付的现有流程",
        "培训员工使用新的分诊话术",
        "建立每周库存复盘机制",
        "清洗客户联系人名单",
        "试点自助退货",
        "与物流商确定服务水平",
    ]
    for k, task in enumerate(tasks):
        who = owners[k] if rng.random() < 0.85 or (forced_owner and k in (0, 3)) else "待定"
        lines.append(
            f"| {site}{task} | {who} | {year}-{min(12, int(start[5:7]) + k):02d}-{rng.randint(10, 28)} |"
        )
    lines.append("")
    if has["timeline"]:
        lines += [
            "## 五、时间安排",
            "",
            f"- {start}：项目启动",
            f"- {year}-{int(start[5:7]) + 2:02d}-15：试点复盘",
            f"- {end}：收尾总结",
            "",
        ]
    if has["budget"]:
        items = [rng.randint(5, 30) for _ in range(3)]
        lines += [
            "## 六、预算",
            "",
            "| 项目 | 金额 |",
            "| --- | --- |",
            f"| 培训 | {items[0]}万元 |",
            f"| 系统工具 | {items[1]}万元 |",
            f"| 外包 | {items[2]}万元 |",
            f"| 合计 | {sum(items)}万元 |",
            "",
        ]
    if has["risk"]:
        lines += [
            "## 七、风险与应对",
            "",
            f"- 旺季物流运力不足（可能性：中，影响：高）。应对：{year}年9月1日前签约第二家物流商，责任人：{owners[2]}。",
            "- 试点期间人员流失（可能性：高，影响：中）。应对：为每位新员工安排带教师傅。",
            "",
        ]
    if has["monitoring"]:
        lines += [
            "## 八、监控与复盘",
            "",
            "- 每周看板跟踪满意度、处理时长和缺货率。",
            "- 每月与区域总监复盘；指标连续两周偏离时调整计划。",
            "",
        ]
    if has["comm"]:
        lines += [
            "## 九、沟通机制",
            "",
            "- 每两周向所有相关方发送进展邮件。",
            f"- 升级问题一个工作日内报{owners[1]}。",
            "",
        ]
    lines += ["## 附注", ""]
    for _ in range(notes):
        lines += ["".join(rng.sample(_FILLER_ZH, 5)), ""]
    return "\n".join(lines)


def _traditional(text: str) -> str:
    from hanziconv import HanziConv

    return str(HanziConv.toTraditional(text))


def generate_library(
    root: Path,
    n: int = 300,
    *,
    seed: int = 7,
    bad: bool = True,
    plant: bool = True,
    pages: float = 1.0,
) -> LibraryManifest:
    """Write ``n`` readable plans (plus bad files when ``bad``) under ``root``.

    ``pages`` sets the length: 1 is about 450 English words, 2 about 850.
    """
    notes = 2 + max(0, round((pages - 1) * 6))
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    manifest = LibraryManifest(root=root)
    dup_at = {3, 40 % max(n, 1), 77 % max(n, 1)} if plant and n >= 8 else set()
    variant_at = 111 % max(n, 1) if plant and n >= 8 else -1
    conflict_at = {5: "95%", 58 % max(n, 1): "90%"} if plant and n >= 8 else {}
    taken = set(conflict_at) | dup_at | {variant_at}
    english = [i for i in range(n) if i % 10 < 6 and i not in taken]
    owner_at = set(english[:: max(1, len(english) // 8)][:8]) if plant and n >= 16 else set()
    for i in range(n):
        kind = "en" if i % 10 < 6 else ("zh" if i % 10 < 9 else "zht")
        if i in dup_at or i == variant_at or i in conflict_at:
            kind = "en"
        extra: list[str] = []
        if i in dup_at:
            extra.append(PLANTED_DUPLICATE_EN)
        if i == variant_at:
            extra.append(PLANTED_DUPLICATE_VARIANT)
        if i in conflict_at:
            due = "2026-09-30" if conflict_at[i] == "95%" else "2026-12-31"
            extra.append(
                f"Raise the {PLANTED_CONFLICT_METRIC} from 82% to {conflict_at[i]} by {due}."
            )
        forced = PLANTED_OWNER if i in owner_at and kind == "en" else None
        if kind == "en":
            team = EN_TEAMS[i % len(EN_TEAMS)]
            text = en_plan(rng, i, team, extra_goals=extra, forced_owner=forced, notes=notes)
        else:
            team = ZH_TEAMS[i % len(ZH_TEAMS)] if kind == "zh" else ZHT_TEAMS[0]
            text = zh_plan(rng, i, team, notes=notes)
            if kind == "zht":
                text = _traditional(text)
        suffix = ".md" if i % 7 else ".txt"
        rel = f"{team}/plan-{i:04d}{suffix}"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        manifest.plans.append(rel)
        manifest.languages[rel] = kind
        if i in dup_at or i == variant_at:
            manifest.duplicate_goal_plans.append(rel)
        if i in conflict_at:
            manifest.conflict_plans[rel] = conflict_at[i]
        if forced:
            manifest.overloaded_plans.append(rel)
    if bad:
        bad_dir = root / "misc"
        bad_dir.mkdir(exist_ok=True)
        brng = random.Random(seed + 1)
        files: dict[str, tuple[bytes, str]] = {
            "empty.md": (b"", "empty"),
            "blank.txt": (b"  \n\n\t\n", "whitespace only"),
            "binary.md": (bytes(brng.randrange(256) for _ in range(2048)) + b"\0", "binary"),
            "corrupt.docx": (
                b"PK\x03\x04" + bytes(brng.randrange(256) for _ in range(600)),
                "corrupt docx",
            ),
            "damaged.pdf": (
                b"%PDF-1.4\n" + bytes(brng.randrange(256) for _ in range(600)),
                "damaged pdf",
            ),
        }
        for name, (data, what) in files.items():
            (bad_dir / name).write_bytes(data)
            manifest.bad[f"misc/{name}"] = what
    return manifest
