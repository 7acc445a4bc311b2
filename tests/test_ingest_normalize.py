"""Text from .pdf and .docx normalised to the characters a reader sees, line mapping kept.

Chinese PDFs printed from browsers or Word carry Kangxi radicals and CJK
compatibility ideographs for ordinary characters (``⽬标`` for ``目标``), English
ones ligatures (``ﬁ``) and words hyphenated at line breaks. A plan written that
way must give the findings its Markdown gives.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from docgen import markdown_to_docx, markdown_to_pdf
from pypdf import PdfReader

from service.ingest import load_plan
from service.ingest.normalize_text import hyphen_join, normalize_line
from service.ingest.pdf_text import join_all
from service.models import Plan
from service.review import ReviewOptions, review_plan

PLANS = Path(__file__).resolve().parents[1] / "eval" / "plans"

# -- the normaliser, range by range ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("drawn", "read"),
    [
        ("⽬标", "目标"),
        ("⾏动计划", "行动计划"),
        ("⼀、背景", "一、背景"),
        ("⼆、⼯作⽬标", "二、工作目标"),
        ("⼤区销售⼒度", "大区销售力度"),
    ],
)
def test_kangxi_radicals_read_as_ideographs(drawn: str, read: str) -> None:
    assert normalize_line(drawn) == read


def test_every_kangxi_radical_becomes_one_unified_ideograph() -> None:
    for cp in range(0x2F00, 0x2FD6):
        out = normalize_line(chr(cp))
        assert len(out) == 1 and "\u4e00" <= out <= "\u9fff", hex(cp)


@pytest.mark.parametrize(
    ("drawn", "read"),
    [
        ("⻓期⽬标", "长期目标"),
        ("⻔店", "门店"),
        ("⻛险评估", "风险评估"),
        ("⾸⻚改版", "首页改版"),
        ("⻋辆调度", "车辆调度"),
        ("⼈⺠医院", "人民医院"),
        ("⻩⾦周", "黄金周"),
    ],
)
def test_radicals_supplement_with_a_unified_equivalent(drawn: str, read: str) -> None:
    assert normalize_line(drawn) == read


def test_radicals_supplement_without_an_equivalent_stays() -> None:
    assert normalize_line("\u2e80") == "\u2e80"  # CJK RADICAL REPEAT: no unified equivalent


def test_door_radical_follows_the_script_of_its_line() -> None:
    assert normalize_line("提升客⼾满意度") == "提升客户满意度"
    assert (
        normalize_line("提升客⼾滿意度與體驗，負責人：王芳") == "提升客戶滿意度與體驗，負責人：王芳"
    )


def test_compatibility_ideographs_read_as_unified() -> None:
    assert normalize_line("\uf967\uf9dd\uf9e4") == "不利理"
    assert normalize_line("\U0002f800") == "丽"
    for cp in [*range(0xF900, 0xFB00), *range(0x2F800, 0x2FA20)]:
        out = normalize_line(chr(cp))
        assert len(out) == 1, hex(cp)
        if unicodedata.decomposition(chr(cp)):
            assert out != chr(cp), hex(cp)
        else:  # the twelve unified ideographs inside the block, and unassigned points
            assert out == chr(cp), hex(cp)


def test_latin_ligatures_read_as_letters() -> None:
    assert (
        normalize_line("ﬁnance ﬂow oﬀer oﬃce baﬄe ﬅ ﬆ") == "finance flow offer office baffle st st"
    )


def test_full_width_letters_and_digits_become_ascii() -> None:
    assert normalize_line("ＯＫＲ：Ｑ３客单价提升至８０元") == "OKR：Q3客单价提升至80元"
    assert normalize_line("ｋｐｉ") == "kpi"


def test_full_width_punctuation_and_ideographic_space_stay() -> None:
    text = "目标：提升满意度（全年），达到８０％；负责人：王芳。　备注！？"
    assert normalize_line(text) == text.replace("８０", "80")


def test_odd_spaces_become_spaces_and_invisible_characters_go() -> None:
    assert normalize_line("Owner:\u00a0Alice\u2009Chen\u202fand\u3000王芳") == (
        "Owner: Alice Chen and\u3000王芳"
    )
    assert normalize_line("目\u200b标\ufeff") == "目标"
    assert normalize_line("co\u00adoperate with\u200d the\u2060 team") == "cooperate with the team"
    assert normalize_line("re\u2010use, non\u2011stop") == "re-use, non-stop"


def test_soft_hyphen_at_a_line_end_shows_as_a_hyphen_only_when_asked() -> None:
    assert normalize_line("reorgani\u00ad", line_end_hyphen=True) == "reorgani-"
    assert normalize_line("reorgani\u00ad") == "reorgani"
    assert normalize_line("re\u00adorgani\u00ad ", line_end_hyphen=True) == "reorgani-"


def test_no_line_break_is_added_or_removed() -> None:
    text = "a\u2028b\u2029c\u0085d\re\x0bf\x0cg"
    out = normalize_line(text)
    assert out == "a b c d e f g"
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "2024-2025",
        "- Weekly inventory sync",
        "1. 客户满意度从71%提升到80%",
        "① 目标",
        "（一）组织保障",
        "三、重点工作：每季度复盘一次。",
        "Raise CSAT from 71% to 80% by 2024-09-30.",
        "Ⅲ. Risks ½ ² ㎡ №",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert normalize_line(text) == text


@pytest.mark.parametrize(
    ("left", "right", "how"),
    [
        ("the organi-", "sation", "mend"),
        ("Organi-", "sation of stores", "mend"),
        ("(reorgani-", "sation)", "mend"),
        ("2024-", "2025", "keep"),
        ("due 2024-09-", "30", "keep"),
        ("a state-of-the-", "art dashboard", "keep"),
        ("Wi-", "Fi", "keep"),
        ("Q3-", "Q4", "keep"),
        ("Owner -", "Alice", None),
        ("-", "item", None),
        ("the plan", "continues", None),
        ("the organi-", "- sation", None),
    ],
)
def test_hyphen_at_a_line_break(left: str, right: str, how: str | None) -> None:
    assert hyphen_join(left, right) == how


# -- whole plans: a browser's Chinese PDF, a Word .docx, a typeset English PDF ---------------------

# How browsers' and Word's PDFs carry Chinese text: every character that has a Kangxi radical
# or a radicals-supplement form is drawn with that glyph and mapped to the radical; a few
# others come out as compatibility ideographs.
_SUPPLEMENT_FORMS = {
    "长": "⻓",
    "门": "⻔",
    "风": "⻛",
    "页": "⻚",
    "车": "⻋",
    "见": "⻅",
    "贝": "⻉",
    "马": "⻢",
    "鱼": "⻥",
    "齐": "⻬",
    "黄": "⻩",
    "龙": "⻰",
    "麦": "⻨",
    "民": "⺠",
    "青": "⻘",
    "西": "⻄",
    "食": "⻝",
    "户": "⼾",
}


def _browser_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for cp in range(0xF900, 0xFB00):  # compatibility ideographs first, radicals win
        target = unicodedata.normalize("NFKC", chr(cp))
        if len(target) == 1 and target != chr(cp):
            forms.setdefault(target, chr(cp))
    for cp in range(0x2F00, 0x2FD6):
        forms[unicodedata.normalize("NFKC", chr(cp))] = chr(cp)
    forms.update(_SUPPLEMENT_FORMS)
    return forms


def as_browser_pdf_text(md: str) -> str:
    forms = _browser_forms()
    return "".join(forms.get(ch, ch) for ch in md)


def typeset(md: str) -> str:
    """English as a hyphenating typesetter with ligatures draws it: ﬁ, ﬂ, soft hyphens."""

    def hyphenate(m: re.Match[str]) -> str:
        word = m.group(0)
        return word[: len(word) // 2] + "\u00ad" + word[len(word) // 2 :]

    return re.sub(r"\b[a-z]{8,}\b", hyphenate, md).replace("fi", "ﬁ").replace("fl", "ﬂ")


def findings(plan: Plan, *, codes: tuple[str, ...] = ()) -> Counter[tuple[str, str]]:
    review = review_plan(plan, ReviewOptions(llm="off"))
    return Counter(
        (f.code, " ".join(f.quote.split()))
        for f in review.findings
        if not codes or f.code.startswith(codes)
    )


def structure(plan: Plan) -> list[tuple[str, int, str]]:
    return [
        (b.kind.value, b.level, " ".join(b.text.split()))
        for b in plan.blocks
        if b.kind.value in ("heading", "list_item", "table_row")
    ]


def assert_lines_point_at_quotes(plan: Plan) -> None:
    """A finding's line numbers refer to the normalised text (what --show-source prints)."""
    review = review_plan(plan, ReviewOptions(llm="off"))
    lines = plan.text.split("\n")
    checked = 0
    for f in review.findings:
        if f.span is None or not f.quote:
            continue
        at = " ".join(" ".join(lines[f.span.start_line - 1 : f.span.end_line]).split())
        assert " ".join(f.quote.split())[:20] in at, (f.code, f.span, f.quote)
        checked += 1
    assert checked


GOALS_AND_OWNERS = ("smart.", "raci.no-owner")
ZH_PLANS = ["zh-fmcg-annual-01.md", "zh-retail-store-short-01.md"]


def _radicals(text: str) -> int:
    return sum(1 for ch in text if "\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff")


@pytest.mark.parametrize("name", ZH_PLANS)
def test_chinese_pdf_with_radicals_gives_the_markdown_goal_and_owner_findings(
    tmp_path: Path, name: str
) -> None:
    md_path = PLANS / name
    expected = findings(load_plan(md_path), codes=GOALS_AND_OWNERS)
    assert expected, "the plan must have goal and owner findings to compare"
    pdf = markdown_to_pdf(as_browser_pdf_text(md_path.read_text("utf-8")), tmp_path / "plan.pdf")
    drawn = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert _radicals(drawn) >= 10  # the PDF really carries the look-alike characters
    plan = load_plan(pdf)
    assert _radicals(plan.text) == 0
    assert findings(plan, codes=GOALS_AND_OWNERS) == expected
    assert_lines_point_at_quotes(plan)


@pytest.mark.parametrize("name", ZH_PLANS)
def test_chinese_docx_with_radicals_gives_the_markdown_goal_and_owner_findings(
    tmp_path: Path, name: str
) -> None:
    md_path = PLANS / name
    reference = load_plan(md_path)
    docx = markdown_to_docx(as_browser_pdf_text(md_path.read_text("utf-8")), tmp_path / "plan.docx")
    plan = load_plan(docx)
    assert _radicals(plan.text) == 0
    assert structure(plan) == structure(reference)
    assert findings(plan, codes=GOALS_AND_OWNERS) == findings(reference, codes=GOALS_AND_OWNERS)
    assert_lines_point_at_quotes(plan)


EN_PLANS = ["en-hospital-ed-flow-07.md", "en-mfg-quality-annual-25.md", "en-saas-okr-q3-01.md"]


@pytest.mark.parametrize("name", EN_PLANS)
def test_english_pdf_with_ligatures_and_hyphenation_gives_the_markdown_findings(
    tmp_path: Path, name: str
) -> None:
    md_path = PLANS / name
    reference = load_plan(md_path)
    pdf = markdown_to_pdf(typeset(md_path.read_text("utf-8")), tmp_path / "plan.pdf", truetype=True)
    drawn = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "ﬁ" in drawn or "ﬂ" in drawn
    assert re.search(r"[a-z]-\n[a-z]", drawn)  # words really are hyphenated at line breaks
    plan = load_plan(pdf)
    assert not re.search("[\ufb00-\ufb06\u00ad]", plan.text)
    assert structure(plan) == structure(reference)
    assert findings(plan) == findings(reference)
    assert_lines_point_at_quotes(plan)


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["Improve the organi-", "sation of stores."], "Improve the organisation of stores."),
        (
            ["over the budget period 2024-", "2025, reviewed monthly."],
            "over the budget period 2024-2025, reviewed monthly.",
        ),
        (["a state-of-the-", "art dashboard"], "a state-of-the-art dashboard"),
        (["Owner -", "Alice Chen"], "Owner - Alice Chen"),
        (["提升客户满意-", "度"], "提升客户满意-度"),
    ],
)
def test_wrapped_pdf_lines_join_across_hyphens(lines: list[str], joined: str) -> None:
    assert join_all(lines, mend_hyphen=True) == joined
