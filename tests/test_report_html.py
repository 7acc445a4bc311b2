"""The standalone HTML report: escaping, Chinese, findings in place, self-containment."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from service.report import render
from service.report.samples import (
    finding,
    make_plan,
    make_review,
    sample_en,
    sample_zh,
)

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "wbr", "source"}
SVG_SELF_CLOSING = {"rect"}


class _Checker(HTMLParser):
    """Records tags, ids, hrefs and checks that elements are properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if "href" in a:
            self.hrefs.append(str(a["href"]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
            return
        self.stack.pop()


def _check(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
    return checker


def _script_plan() -> tuple:
    text = (
        "# Launch <script>alert('t')</script>\n\n"
        "## Goals\n\n"
        "- Ship the app <script>alert(1)</script> soon & well\n"
        '- <img src=x onerror="alert(2)"> grow\n'
    )
    plan = make_plan(text, source="evil<script>.md")
    findings = [
        finding(
            plan,
            "smart.measurable",
            "No target for <script>alert(3)</script>.",
            quote="Ship the app <script>alert(1)</script> soon",
            suggestion="Say </div><script>alert(4)</script>",
            rewrite="</pre><script>alert(5)</script>",
        ),
        finding(plan, "risk.no-register", "No risks <b>at all</b>."),
    ]
    review = make_review(
        plan, findings, summary="<script>alert(6)</script>", draft="<script>alert(7)</script>"
    )
    return review, plan


def test_everything_from_the_plan_is_escaped() -> None:
    html = render([_script_plan()], "html")
    assert "<script" not in html.lower()
    assert "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "soon</mark> &amp; well" in html
    checker = _check(html)
    assert "script" not in checker.tags and "img" not in checker.tags


def test_page_is_standalone_and_needs_no_javascript() -> None:
    review, plan = sample_en()
    review = review.model_copy(update={"draft": "# Better plan\n"})
    html = render([(review, plan)], "html")
    checker = _check(html)
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "<style>" in html and "<link" not in html
    assert not {"script", "link", "iframe", "img"} & checker.tags
    assert " src=" not in html and "url(" not in html and "@import" not in html
    assert all(h.startswith("#") for h in checker.hrefs), checker.hrefs
    assert "<svg" in html  # score bars


def test_header_shows_title_language_tier_and_scores() -> None:
    review, plan = sample_en()
    html = render([(review, plan)], "html")
    assert "<h1>Q3 growth plan</h1>" in html
    assert re.search(r"<dt>Language</dt><dd>en</dd>", html)
    assert re.search(r"<dt>Tier</dt><dd>offline", html)
    assert re.search(r'<th scope="row">OKR</th>\s*<td class="num">n/a</td>', html)
    assert re.search(r'<th scope="row">Overall</th>\s*<td class="num">58</td>', html)
    assert 'width="58"' in html  # the overall bar


def test_findings_are_highlighted_in_place_under_their_line() -> None:
    html = render([sample_en()], "html")
    line9 = re.search(r'<div class="ln has-error" id="p1-L9">.*?</div>', html)
    assert line9, "line 9 carries the error marker"
    assert '<mark class="sev-error">Improve customer satisfaction in all regions</mark>' in line9[0]
    after9 = html[line9.end() : html.index('id="p1-L10"')]
    assert "smart.measurable" in after9 and "smart.time-bound" in after9
    assert "smart.specific" in after9
    assert "Goal has no target value" in after9
    assert '<div class="ln" id="p1-L10">' in html  # untouched line: no marker


def test_document_findings_come_before_the_plan_text_and_draft_at_the_end() -> None:
    review, plan = sample_en()
    review = review.model_copy(update={"draft": "# Better plan\n\n- Raise CSAT to 80%\n"})
    html = render([(review, plan)], "html")
    doc = html.index('class="document-findings"')
    assert doc < html.index('class="plan-text"') < html.index('class="findings"')
    assert html.index("risk.no-register", doc) < html.index('class="plan-text"')
    draft = html.index('class="draft"')
    assert draft > html.index('class="findings"')
    assert "- Raise CSAT to 80%" in html[draft:]


def test_findings_list_is_grouped_by_family_with_quote_and_citations() -> None:
    html = render([sample_en()], "html")
    listing = html[html.index('<section class="findings">') :]
    families = re.findall(r"<h3>(.*?) <span", listing)
    assert families[:3] == ["SMART goals", "RACI / ownership", "PDCA monitoring and iteration"]
    assert (
        '<blockquote class="quote">Improve customer satisfaction in all regions</blockquote>'
        in (listing)
    )
    assert "smart-measurable-en-01" in listing
    assert '<a class="loc" href="#p1-L9">line 9</a>' in listing


def test_chinese_renders_with_lang_and_text() -> None:
    html = render([sample_zh()], "html")
    _check(html)
    assert '<html lang="zh-Hans">' in html
    assert "提升客户满意度" in html
    assert "目标没有可衡量的指标和目标值。" in html
    assert "<h2>计划原文</h2>" in html and "针对整份计划的问题" in html
    assert '<mark class="sev-error">提升客户满意度</mark>' in html


def test_traditional_chinese_page_language() -> None:
    plan = make_plan(
        "# 營運計劃\n\n- 提升客戶滿意度\n", source="p.md", language="zh", script="hant"
    )
    review = make_review(
        plan, [finding(plan, "smart.measurable", "沒有目標值。", quote="提升客戶滿意度")]
    )
    html = render([(review, plan)], "html")
    assert '<html lang="zh-Hant">' in html and "計劃原文" in html


def test_several_plans_in_one_page_with_a_section_each() -> None:
    html = render([sample_en(), sample_zh()], "html")
    checker = _check(html)
    assert html.count("<article ") == 2
    assert '<article class="review" id="p1" lang="en">' in html
    assert '<article class="review" id="p2" lang="zh-Hans">' in html
    assert {"#p1", "#p2"} <= set(checker.hrefs)
    assert '<html lang="mul">' in html


def test_failed_llm_tier_and_warnings_are_shown() -> None:
    review, plan = sample_en()
    review = review.model_copy(
        update={
            "engine": review.engine.model_copy(update={"llm_status": "failed: HTTP 503"}),
            "warnings": ["Scanned PDF: some text may be missing."],
        }
    )
    html = render([(review, plan)], "html")
    assert "LLM tier failed (HTTP 503); showing the offline review only." in html
    assert "Scanned PDF: some text may be missing." in html


def test_overlapping_findings_mark_the_worst_severity() -> None:
    plan = make_plan("# P\n\nabcdefghij\n", source="p.md")
    review = make_review(
        plan,
        [
            finding(plan, "smart.specific", "w", quote="abcdef"),  # warning
            finding(plan, "smart.measurable", "e", quote="defgh"),  # error
        ],
    )
    html = render([(review, plan)], "html")
    assert (
        '<mark class="sev-warning">abc</mark><mark class="sev-error">defgh</mark>ij</span>' in html
    )
