"""The library dashboard (``index.html``): one page, inline CSS and SVG, no JavaScript.

Built from the per-plan outcomes and the library report; everything a plan
contributes (paths, titles, goal texts, reasons) is escaped by Jinja2's
autoescape, and the template runs with StrictUndefined. The page holds no
timestamps or timings, so a resumed run writes the same bytes as a clean one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from statistics import median
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup

from service.batch.charts import Bar, hbar_chart, histogram
from service.batch.library import LIBRARY_CODES, SECTION_NAMES, LibraryReport
from service.batch.outcome import Outcome
from service.batch.outputs import REVIEWS_DIR
from service.report.templating import html_environment

TEMPLATES = Path(__file__).parent / "templates"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Plan library review",
        "plans": "Plans",
        "reviewed": "Reviewed",
        "failed": "Failed",
        "findings": "Findings",
        "error": "Errors",
        "warning": "Warnings",
        "info": "Info",
        "avg_score": "Average score",
        "median_score": "Median score",
        "by_family": "Findings by framework family",
        "by_code": "Findings by rule code",
        "score_dist": "Plans by overall score",
        "gaps": "Most common gaps",
        "gaps_note": "Rule codes by the share of plans they fire in.",
        "code": "Code",
        "rule": "Rule",
        "plans_affected": "Plans",
        "share": "Share",
        "folders": "By folder (team)",
        "folder": "Folder",
        "weakest": "Weakest family",
        "ranked": "Plans ranked by score (weakest first)",
        "rank": "#",
        "plan": "Plan",
        "language": "Language",
        "score": "Score",
        "failed_files": "Files that could not be reviewed",
        "skipped_files": "Files found but not reviewed",
        "reason": "Reason",
        "library": "Library-level findings",
        "duplicates": "Duplicate goals",
        "conflicts": "Conflicting targets",
        "owners": "People spread too thin",
        "sections": "Sections plans lack",
        "section": "Section",
        "missing": "Missing in",
        "none": "None found.",
        "similarity": "similarity",
        "identical": "identical",
        "target": "target",
        "due": "due",
        "concurrent": "at once",
        "in_plans": "plans",
        "versions": "Versions",
        "folder_scores": "Average overall score by folder",
        "coverage_chart": "Share of plans missing each section",
        "all_ok": "Every file was read.",
        "top": "top",
        "more": "more",
        "metric": "Metric",
        "person": "Person",
        "where": "Where",
        "nothing": "No plans were reviewed.",
    },
    "zh": {
        "title": "计划库评审",
        "plans": "计划数",
        "reviewed": "已评审",
        "failed": "失败",
        "findings": "意见",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "avg_score": "平均分",
        "median_score": "中位分",
        "by_family": "按框架分类的意见",
        "by_code": "按规则代码的意见",
        "score_dist": "总分分布",
        "gaps": "最常见的缺口",
        "gaps_note": "按触发该规则的计划占比排序。",
        "code": "代码",
        "rule": "规则",
        "plans_affected": "计划数",
        "share": "占比",
        "folders": "按文件夹（团队）",
        "folder": "文件夹",
        "weakest": "最弱维度",
        "ranked": "计划按总分排序（最弱在前）",
        "rank": "#",
        "plan": "计划",
        "language": "语言",
        "score": "总分",
        "failed_files": "无法评审的文件",
        "skipped_files": "找到但未评审的文件",
        "reason": "原因",
        "library": "计划库层面的意见",
        "duplicates": "重复的目标",
        "conflicts": "相互冲突的目标值",
        "owners": "负责过多计划的人",
        "sections": "计划普遍缺少的部分",
        "section": "部分",
        "missing": "缺少的计划",
        "none": "未发现。",
        "similarity": "相似度",
        "identical": "完全相同",
        "target": "目标值",
        "due": "截止",
        "concurrent": "同时进行",
        "in_plans": "个计划",
        "versions": "版本",
        "folder_scores": "各文件夹平均总分",
        "coverage_chart": "缺少各部分的计划占比",
        "all_ok": "所有文件均已读取。",
        "top": "前",
        "more": "更多",
        "metric": "指标",
        "person": "人员",
        "where": "位置",
        "nothing": "没有评审任何计划。",
    },
}


@dataclass
class PlanRow:
    rank: int
    source: str
    href: str
    folder: str
    language: str
    title: str
    overall: int | None
    error: int
    warning: int
    info: int
    weakest: str


@dataclass
class FolderRow:
    folder: str
    plans: int
    failed: int
    avg: float | None
    error: int
    warning: int
    info: int
    weakest: str


@dataclass
class GapRow:
    code: str
    title: str
    severity: str
    plans: int
    share: float


@dataclass
class DashboardView:
    lang: str
    labels: dict[str, str]
    totals: dict[str, object]
    versions: dict[str, str]
    charts: dict[str, Markup]
    gaps: list[GapRow]
    folders: list[FolderRow]
    ranked: list[PlanRow]
    failed: list[tuple[str, str]]
    library: LibraryReport
    section_names: dict[str, str]
    library_titles: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # found, not reviewed: why


def environment() -> Environment:
    return html_environment(TEMPLATES)


def _weakest(scores: dict[str, int | None]) -> str:
    items = [(v, k) for k, v in scores.items() if k != "overall" and v is not None and v < 100]
    return min(items)[1] if items else ""


def _href(rel: str) -> str:
    return quote(str(PurePosixPath(REVIEWS_DIR) / f"{rel}.json"))


def build_view(
    outcomes: list[Outcome], library: LibraryReport, *, lang: str, versions: dict[str, str]
) -> DashboardView:
    from service.rules.catalogue import BY_CODE, FAMILIES

    labels = LABELS["zh" if lang == "zh" else "en"]
    zh = lang == "zh"
    ok = [o for o in outcomes if o.status == "ok"]
    failed = [o for o in outcomes if o.status != "ok"]
    sev: Counter[str] = Counter()
    fam_sev: dict[str, Counter[str]] = defaultdict(Counter)
    code_count: Counter[str] = Counter()
    code_plans: Counter[str] = Counter()
    for o in ok:
        sev.update(o.severities)
        code_count.update(o.codes)
        code_plans.update(set(o.codes))
    code_sev: dict[str, Counter[str]] = defaultdict(Counter)
    for o in ok:
        for (code, severity), n in o.code_severity.items():
            code_sev[code][severity] += n
    for code, counts in code_sev.items():
        family = code.split(".", 1)[0]
        fam_sev[family].update(counts)
    scores = [o.overall for o in ok if o.overall is not None]

    def fam_label(f: str) -> str:
        names = FAMILIES.get(f)
        return (names[1] if zh else names[0]) if names else f

    def sev_title(name: str, s: str, n: int) -> str:
        return f"{name}: {n} {labels[s]}"

    family_bars = [
        Bar(
            label=fam_label(f),
            segments=[
                (fam_sev[f][s], s, sev_title(fam_label(f), s, fam_sev[f][s]))
                for s in ("error", "warning", "info")
            ],
        )
        for f in sorted(fam_sev, key=lambda f: (-sum(fam_sev[f].values()), f))
    ]
    top_codes = sorted(code_count, key=lambda c: (-code_count[c], c))[:20]
    code_bars = [
        Bar(
            label=c,
            segments=[
                (code_sev[c][s], s, sev_title(c, s, code_sev[c][s]))
                for s in ("error", "warning", "info")
            ],
        )
        for c in top_codes
    ]
    bands = [0] * 10
    for s in scores:
        bands[min(9, max(0, s) // 10)] += 1
    band_labels = [f"{i * 10}–{i * 10 + 9}" if i < 9 else "90–100" for i in range(10)]
    band_colors = ["bad"] * 4 + ["warning"] * 3 + ["good"] * 3

    gaps = [
        GapRow(
            code=c,
            title=(BY_CODE[c].title("zh" if zh else "en") if c in BY_CODE else c),
            severity=BY_CODE[c].severity if c in BY_CODE else "info",
            plans=code_plans[c],
            share=code_plans[c] / len(ok) if ok else 0.0,
        )
        for c in sorted(code_plans, key=lambda c: (-code_plans[c], c))[:12]
    ]

    by_folder: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_folder[o.file.folder].append(o)
    folders: list[FolderRow] = []
    for name in sorted(by_folder):
        group = by_folder[name]
        good = [o for o in group if o.status == "ok"]
        vals = [o.overall for o in good if o.overall is not None]
        fam_totals: Counter[str] = Counter()
        fam_n: Counter[str] = Counter()
        for o in good:
            for k, v in o.scores.items():
                if k != "overall" and v is not None:
                    fam_totals[k] += v
                    fam_n[k] += 1
        avgs = {k: fam_totals[k] / fam_n[k] for k in fam_totals}
        weakest = min(avgs.items(), key=lambda kv: (kv[1], kv[0]))[0] if avgs else ""
        folders.append(
            FolderRow(
                folder=name,
                plans=len(group),
                failed=len(group) - len(good),
                avg=round(sum(vals) / len(vals), 1) if vals else None,
                error=sum(o.severities["error"] for o in good),
                warning=sum(o.severities["warning"] for o in good),
                info=sum(o.severities["info"] for o in good),
                weakest=fam_label(weakest) if weakest else "",
            )
        )
    folder_bars = [
        Bar(
            label=f.folder,
            segments=[(f.avg or 0.0, "bar", f"{f.folder}: {f.avg}")],
            note=f"{f.avg}" if f.avg is not None else "–",
        )
        for f in folders
    ]

    ranked_src = sorted(
        ok,
        key=lambda o: (
            o.overall if o.overall is not None else 101,
            -o.severities["error"],
            o.file.source,
        ),
    )
    ranked = [
        PlanRow(
            rank=i + 1,
            source=o.file.source,
            href=_href(o.file.rel),
            folder=o.file.folder,
            language=o.language,
            title=o.title,
            overall=o.overall,
            error=o.severities["error"],
            warning=o.severities["warning"],
            info=o.severities["info"],
            weakest=fam_label(_weakest(o.scores)) if _weakest(o.scores) else "",
        )
        for i, o in enumerate(ranked_src)
    ]
    section_names = SECTION_NAMES["zh" if zh else "en"]
    coverage_bars = [
        Bar(
            label=section_names[c.section],
            segments=[
                (
                    c.share_missing * 100,
                    "bad" if c.share_missing >= library.options.missing_share else "bar",
                    f"{c.missing}/{c.total}",
                )
            ],
            note=f"{round(c.share_missing * 100)}% ({c.missing}/{c.total})",
        )
        for c in library.section_coverage
    ]
    charts = {
        "family": hbar_chart(family_bars, title=labels["by_family"], label_width=190, width=520),
        "code": hbar_chart(code_bars, title=labels["by_code"], label_width=240),
        "scores": histogram(
            bands,
            band_labels,
            title=labels["score_dist"],
            colors=band_colors,
            width=520,
            height=220,
        ),
        "folders": hbar_chart(folder_bars, title=labels["folder_scores"], max_value=100.0),
        "coverage": hbar_chart(
            coverage_bars, title=labels["coverage_chart"], max_value=100.0, label_width=200
        ),
    }
    totals: dict[str, object] = {
        "plans": len(outcomes),
        "reviewed": len(ok),
        "failed": len(failed),
        "findings": sum(sev.values()),
        "error": sev["error"],
        "warning": sev["warning"],
        "info": sev["info"],
        "avg": round(sum(scores) / len(scores), 1) if scores else None,
        "median": median(scores) if scores else None,
    }
    titles = {code: (zh_t if zh else en_t) for code, (_, en_t, zh_t) in LIBRARY_CODES.items()}
    return DashboardView(
        lang="zh" if zh else "en",
        labels=labels,
        totals=totals,
        versions=versions,
        charts=charts,
        gaps=gaps,
        folders=folders,
        ranked=ranked,
        failed=[(o.file.source, o.reason) for o in failed],
        library=library,
        section_names=section_names,
        library_titles=titles,
    )


def render_dashboard(
    outcomes: list[Outcome],
    library: LibraryReport,
    *,
    lang: str,
    versions: dict[str, str],
    skipped: list[tuple[str, str]] | None = None,
) -> str:
    """The dashboard page; ``skipped``: (path, reason) of files found but not reviewed (an old
    .doc, a README that is not a plan, a link leaving the library)."""
    view = build_view(outcomes, library, lang=lang, versions=versions)
    view.skipped = list(skipped or [])
    css = (TEMPLATES / "dashboard.css").read_text(encoding="utf-8")
    return environment().get_template("dashboard.html.j2").render(v=view, css=Markup(css))
