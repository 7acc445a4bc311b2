"""Fixed words of the reports (headings, severities, score names), per language.

Messages, suggestions and rewrites come from the findings themselves and are
already in the plan's language; only the report's own labels live here.
Chinese labels are written in 简体; for a plan in 繁體 (``script == "hant"``)
they are converted with OpenCC, loaded only when such a plan is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.rules.catalogue import BY_CODE, FAMILIES
from service.rules.messages import to_traditional

_EN: dict[str, str] = {
    "whole_plan": "Whole plan",
    "before_first_heading": "Before the first heading",
    "error": "error",
    "warning": "warning",
    "info": "info",
    "errors": "errors",
    "warnings": "warnings",
    "infos": "info",
    "findings": "Findings",
    "no_findings": "No findings.",
    "scores": "Scores",
    "score": "Score",
    "framework": "Framework",
    "overall": "Overall",
    "summary": "Summary",
    "suggestion": "suggestion",
    "rewrite": "rewrite",
    "see": "see",
    "tier": "Tier",
    "llm": "LLM",
    "model": "model",
    "llm_failed": "LLM tier failed ({reason}); showing the offline review only.",
    "sent_to": "Plan text was sent to {host} for the LLM tier.",
    "warnings_label": "Warnings",
    "plan_warning": "warning",
    "review_of": "Review",
    "source": "Source",
    "language": "Language",
    "lines": "Lines",
    "words": "Words",
    "line": "line",
    "lines_range": "lines",
    "quote": "Quote",
    "citations": "Sources",
    "improved_draft": "Improved draft",
    "plan_text": "Plan text",
    "document_findings": "Findings on the whole plan",
    "total": "Total",
    "plans": "plans",
    "untitled": "(untitled plan)",
    "no_section": "(no heading)",
    "rules_version": "Rules",
    "knowledge_version": "Knowledge",
    "jump_to_line": "Go to line",
    "findings_count": "{n} findings",
    "same_on_lines": "the same on {n} lines: {lines}",
    "also_on": "Also on {n} more lines",
    "first_rewrite": "rewrite (first of them)",
}

_ZH: dict[str, str] = {
    "whole_plan": "整份计划",
    "before_first_heading": "第一个标题之前",
    "error": "错误",
    "warning": "警告",
    "info": "提示",
    "errors": "个错误",
    "warnings": "个警告",
    "infos": "个提示",
    "findings": "问题",
    "no_findings": "没有发现问题。",
    "scores": "评分",
    "score": "得分",
    "framework": "框架",
    "overall": "总分",
    "summary": "摘要",
    "suggestion": "建议",
    "rewrite": "改写",
    "see": "参见",
    "tier": "评审层级",
    "llm": "大模型",
    "model": "模型",
    "llm_failed": "大模型评审失败（{reason}），以下仅为离线评审结果。",
    "sent_to": "计划文本已发送至 {host}，供大模型评审使用。",
    "warnings_label": "注意",
    "plan_warning": "注意",
    "review_of": "评审报告",
    "source": "来源",
    "language": "语言",
    "lines": "行数",
    "words": "字数",
    "line": "第",
    "lines_range": "行",
    "same_on_lines": "以下 {n} 行同样如此：第 {lines} 行",
    "also_on": "另有 {n} 处相同",
    "first_rewrite": "改写（第一处）",
    "quote": "原文",
    "citations": "依据",
    "improved_draft": "改进稿",
    "plan_text": "计划原文",
    "document_findings": "针对整份计划的问题",
    "total": "合计",
    "plans": "份计划",
    "untitled": "（无标题计划）",
    "no_section": "（无标题）",
    "rules_version": "规则版本",
    "knowledge_version": "知识库版本",
    "jump_to_line": "跳到第几行",
    "findings_count": "{n} 个问题",
}

# Short score names for the compact text footer; long names come from FAMILIES.
_SHORT_EN: dict[str, str] = {
    "smart": "SMART",
    "okr": "OKR",
    "raci": "RACI",
    "pdca": "PDCA",
    "bsc": "BSC",
    "risk": "risk",
    "resource": "resources",
    "consistency": "consistency",
    "comm": "communication",
    "plan": "completeness",
    "llm": "judgement",
}
_SHORT_ZH: dict[str, str] = {
    "smart": "SMART",
    "okr": "OKR",
    "raci": "RACI",
    "pdca": "PDCA",
    "bsc": "平衡计分卡",
    "risk": "风险",
    "resource": "资源",
    "consistency": "一致性",
    "comm": "沟通",
    "plan": "完整性",
    "llm": "评审判断",
}


@dataclass(frozen=True)
class Labels:
    """The report's fixed words for one language and script."""

    lang: str
    script: str = "latin"

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def _conv(self, text: str) -> str:
        return to_traditional(text) if self.zh and self.script == "hant" else text

    def __getitem__(self, key: str) -> str:
        table = _ZH if self.zh else _EN
        return self._conv(table.get(key, _EN.get(key, key)))

    @property
    def colon(self) -> str:
        """The colon after a label: full-width in Chinese."""
        return "：" if self.zh else ": "

    def severity(self, severity: str) -> str:
        return self[severity]

    def family(self, family: str) -> str:
        """Long name of a framework family ('SMART goals', 'SMART 目标')."""
        names = FAMILIES.get(family)
        if names is None:
            return family
        return self._conv(names[1] if self.zh else names[0])

    def score_name(self, key: str, *, short: bool = False) -> str:
        if key == "overall":
            return self["overall"]
        if short:
            table = _SHORT_ZH if self.zh else _SHORT_EN
            return self._conv(table.get(key, key))
        return self.family(key)

    def rule_title(self, code: str) -> str:
        spec = BY_CODE.get(code)
        if spec is None:
            return code
        return self._conv(spec.title(self.lang))

    def rule_summary(self, code: str) -> str:
        spec = BY_CODE.get(code)
        if spec is None:
            return ""
        return self._conv(spec.summary(self.lang))

    def line_ref(self, start: int, end: int | None = None) -> str:
        """'line 14' / 'lines 14-16'; '第 14 行' / '第 14–16 行'."""
        if self.zh:
            rng = f"{start}" if end is None or end == start else f"{start}–{end}"
            return self._conv(f"第 {rng} 行")
        if end is None or end == start:
            return f"line {start}"
        return f"lines {start}–{end}"

    def count(self, severity: str, n: int) -> str:
        """'1 error', '2 errors', '3 info'; '2 个错误'."""
        if self.zh:
            return f"{n} {self[severity + 's']}"
        word = severity if severity == "info" or n == 1 else severity + "s"
        return f"{n} {word}"

    def counts(self, counts: dict[str, int]) -> str:
        """'2 errors, 1 warning, 0 info' / '2 个错误，1 个警告，0 个提示'."""
        parts = [self.count(s, counts.get(s, 0)) for s in ("error", "warning", "info")]
        return ("，" if self.zh else ", ").join(parts)

    def score_value(self, value: int | None) -> str:
        return "n/a" if value is None else str(value)

    @property
    def html_lang(self) -> str:
        if not self.zh:
            return "en"
        return "zh-Hant" if self.script == "hant" else "zh-Hans"


def labels_for(lang: str, script: str = "latin") -> Labels:
    return Labels(lang="zh" if lang == "zh" else "en", script=script)
