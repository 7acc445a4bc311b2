"""Build real .docx and .pdf files from a Markdown plan, for tests.

Everything is generated at run time with python-docx and reportlab; nothing is
downloaded. Chinese PDFs use reportlab's built-in CID fonts (STSong-Light for
Simplified, MSung-Light for Traditional): the PDF references the font by name
and carries a Unicode CMap, so pypdf extracts the text back as Unicode and no
font file is needed.

Supported Markdown: ATX headings, paragraphs (with **bold**), bullet and
ordered lists (nested), and GFM pipe tables. That is what plans are made of.

    markdown_to_docx(md, path)               # lists as Word numbering (numPr), like Word writes them
    markdown_to_docx(md, path, lists="styles")  # lists via "List Bullet 2" / "List Number" styles
    markdown_to_pdf(md, path, header="Q3 plan")  # running header and page numbers on every page
    markdown_to_pdf(md, path, truetype=True)     # embedded TrueType (ligatures, soft hyphens)

Line breaks inside a Markdown paragraph stay line breaks (``softbreaks="line"``,
Shift+Enter in Word, <br/> in the PDF) so that label lines ("Owner: ...",
"Budget: ...") stay separate lines, as writers of such plans intend; pass
``softbreaks="space"`` to join them as a Markdown renderer would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark").enable("table")

# Sample plans with every structure the converters must keep: three heading levels,
# paragraphs, nested bullet and numbered lists, a table with a pipe in a cell.
SAMPLE_EN = """\
# Q3 Growth Plan

## Background

Sales fell 12% in Q2 because the retail team and purchasing did not share inventory data.

## Goals

1. Raise CSAT from 71% to 80% by 2024-09-30.
2. Cut stock-outs by half before the holiday season.
   - Weekly inventory sync between stores
   - Shared stock dashboard
     1. Build the dashboard
     2. Train store managers
3. Hire two demand analysts.

### Resources

- Owner: Alice Chen
- Budget: $50,000 for tooling

## Tasks

| Task | Owner | Due |
| --- | --- | --- |
| Launch inventory sync | Alice | 2024-08-01 |
| Review pricing \\| discounts | Bob | 2024-09-01 |

## Risks

Supplier delays could push the launch; we keep a two-week buffer.
"""

SAMPLE_HANS = """\
# 2024年第三季度运营计划

## 一、背景

第二季度销售额下降12%，零售团队与采购部门没有共享库存数据。

## 二、目标

1. 客户满意度从71%提升到80%，2024年9月30日前完成。
2. 缺货率降低一半。
   - 每周同步门店库存
   - 建立共享库存看板
     1. 完成看板开发
     2. 培训门店经理
3. 招聘两名需求分析师。

### 资源

- 负责人：陈丽
- 预算：5万元

## 三、任务分工

| 任务 | 负责人 | 截止日期 |
| --- | --- | --- |
| 上线库存同步 | 陈丽 | 2024-08-01 |
| 建立风险登记表 | 王强 | 2024-09-01 |

## 四、风险

供应商延误可能推迟上线，我们保留两周缓冲时间。
"""

SAMPLE_HANT = """\
# 2024年第三季度營運計劃

## 一、背景

第二季度銷售額下降12%，零售團隊與採購部門沒有共享庫存資料。

## 二、目標

1. 客戶滿意度從71%提升到80%，2024年9月30日前完成。
2. 缺貨率降低一半。
   - 每週同步門市庫存
   - 建立「共享庫存」看板
3. 招聘兩名需求分析師。

## 三、任務分工

| 任務 | 負責人 | 截止日期 |
| --- | --- | --- |
| 上線庫存同步 | 陳麗 | 2024-08-01 |
| 建立風險登記表 | 王強 | 2024-09-01 |

## 四、風險

供應商延誤可能推遲上線，我們保留兩週緩衝時間。
"""
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uffef]")


# -- Markdown -> a small document model ----------------------------------------------------------

Segment = tuple[str, bool]  # (text, bold)


@dataclass
class Heading:
    level: int
    segments: list[Segment]


@dataclass
class Para:
    segments: list[Segment]


@dataclass
class ListItem:
    segments: list[Segment]
    children: list[ListBlock] = field(default_factory=list)


@dataclass
class ListBlock:
    ordered: bool
    start: int
    items: list[ListItem] = field(default_factory=list)


@dataclass
class TableBlock:
    rows: list[list[str]]


Block = Heading | Para | ListBlock | TableBlock


def plain(segments: list[Segment]) -> str:
    return "".join(t for t, _ in segments)


def _join_soft(before: str, after: str) -> str:
    """What a soft line break becomes: nothing between Chinese characters, else a space."""
    a = before[-1:] if before else ""
    b = after[:1]
    if (_CJK.match(a) or _CJK_PUNCT.match(a)) and (_CJK.match(b) or _CJK_PUNCT.match(b)):
        return ""
    return " "


def _inline(token: Token, softbreak: str = "line") -> list[Segment]:
    segments: list[Segment] = []
    bold = 0
    children = token.children or []
    for i, child in enumerate(children):
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type in ("text", "code_inline", "text_special"):
            segments.append((child.content, bold > 0))
        elif child.type == "softbreak" and softbreak == "line":
            segments.append(("\n", bold > 0))  # the writer's line break (Shift+Enter in Word)
        elif child.type == "softbreak":
            prev = plain(segments)
            nxt = next((c.content for c in children[i + 1 :] if c.content), "")
            segments.append((_join_soft(prev, nxt), bold > 0))
        elif child.type == "hardbreak":
            segments.append(("\n", bold > 0))
    merged: list[Segment] = []
    for text, b in segments:
        if merged and merged[-1][1] == b:
            merged[-1] = (merged[-1][0] + text, b)
        elif text:
            merged.append((text, b))
    return merged


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def parse(md_text: str, softbreaks: str = "line") -> list[Block]:
    """Markdown -> blocks (YAML front matter is metadata, not document text).

    ``softbreaks="line"`` keeps the source's line breaks inside a paragraph as line
    breaks (plans often put "Owner: ..." and "Budget: ..." on consecutive lines);
    ``"space"`` joins them as a Markdown renderer would.
    """
    tokens = _MD.parse(_FRONT_MATTER.sub("", md_text.replace("\r\n", "\n")))
    blocks, _ = _blocks(tokens, 0, None, softbreaks)
    return blocks


def _blocks(
    tokens: list[Token], i: int, stop: str | None, softbreaks: str = "line"
) -> tuple[list[Block], int]:
    out: list[Block] = []
    while i < len(tokens):
        tok = tokens[i]
        if stop is not None and tok.type == stop:
            return out, i
        if tok.type == "heading_open":
            out.append(Heading(int(tok.tag[1]), _inline(tokens[i + 1], "space")))
            i += 3
        elif tok.type == "paragraph_open":
            out.append(Para(_inline(tokens[i + 1], softbreaks)))
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            block, i = _list(tokens, i, softbreaks)
            out.append(block)
        elif tok.type == "table_open":
            block_t, i = _table(tokens, i)
            out.append(block_t)
        elif tok.type in ("fence", "code_block"):
            for line in tok.content.splitlines():
                if line.strip():
                    out.append(Para([(line, False)]))
            i += 1
        else:
            i += 1
    return out, i


def _list(tokens: list[Token], i: int, softbreaks: str) -> tuple[ListBlock, int]:
    open_tok = tokens[i]
    ordered = open_tok.type == "ordered_list_open"
    start = int(open_tok.attrs.get("start", 1) or 1) if ordered else 1
    close = "ordered_list_close" if ordered else "bullet_list_close"
    block = ListBlock(ordered, start)
    i += 1
    while tokens[i].type != close:
        if tokens[i].type == "list_item_open":
            inner, i = _blocks(tokens, i + 1, "list_item_close", softbreaks)
            segments: list[Segment] = []
            children: list[ListBlock] = []
            for b in inner:
                if isinstance(b, Para):
                    if segments:
                        segments.append((" ", False))
                    segments.extend(b.segments)
                elif isinstance(b, ListBlock):
                    children.append(b)
            block.items.append(ListItem(segments, children))
        i += 1
    return block, i + 1


def _table(tokens: list[Token], i: int) -> tuple[TableBlock, int]:
    rows: list[list[str]] = []
    row: list[str] = []
    while tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "tr_open":
            row = []
        elif t.type == "inline":
            row.append(plain(_inline(t, "space")))
        elif t.type == "tr_close":
            rows.append(row)
        i += 1
    return TableBlock(rows), i + 1


def is_chinese(md_text: str) -> bool:
    return len(_CJK.findall(md_text)) > 0


def is_traditional(md_text: str) -> bool:
    from service.text import detect_script

    return detect_script(md_text) == "hant"


# -- .docx -----------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def markdown_to_docx(
    md_text: str,
    path: Path | str,
    *,
    lists: Literal["numpr", "styles"] = "numpr",
    title_style: bool = False,
    softbreaks: Literal["line", "space"] = "line",
) -> Path:
    """Write ``md_text`` as a real Word document.

    ``lists="numpr"`` numbers list paragraphs the way Word does (a ``w:num`` per list,
    ``ilvl`` for nesting, "List Paragraph" style); ``"styles"`` uses the built-in
    "List Bullet"/"List Number" styles instead. ``title_style`` writes a leading level-1
    heading with the Title style.
    """
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = docx.Document()
    if is_chinese(md_text):
        rpr = doc.styles["Normal"].element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), "PMingLiU" if is_traditional(md_text) else "SimSun")
    numbering = _Numbering(doc) if lists == "numpr" else None
    blocks = parse(md_text, softbreaks)
    for n, block in enumerate(blocks):
        if isinstance(block, Heading):
            level = min(block.level, 9)
            if title_style and n == 0 and level == 1:
                doc.add_heading(plain(block.segments), level=0)
            else:
                doc.add_heading(plain(block.segments), level=level)
        elif isinstance(block, Para):
            _add_runs(doc.add_paragraph(), block.segments)
        elif isinstance(block, ListBlock):
            _add_list(doc, block, 0, numbering)
        elif isinstance(block, TableBlock):
            width = max(len(r) for r in block.rows)
            table = doc.add_table(rows=len(block.rows), cols=width)
            table.style = doc.styles["Table Grid"]
            for r, row in enumerate(block.rows):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(text)
                    run.bold = r == 0
    path = Path(path)
    doc.save(str(path))
    return path


def _add_runs(paragraph: Any, segments: list[Segment]) -> None:
    for text, bold in segments:
        lines = text.split("\n")
        for k, line in enumerate(lines):
            run = paragraph.add_run(line)
            if bold:
                run.bold = True
            if k < len(lines) - 1:
                run.add_break()


def _add_list(doc: Any, block: ListBlock, depth: int, numbering: _Numbering | None) -> None:
    num_id = numbering.new_list(block.ordered, depth, block.start) if numbering else None
    for item in block.items:
        if numbering is not None and num_id is not None:
            p = doc.add_paragraph(style="List Paragraph")
            numbering.apply(p, num_id, depth)
        else:
            kind = "List Number" if block.ordered else "List Bullet"
            style = kind if depth == 0 else f"{kind} {min(depth + 1, 3)}"
            p = doc.add_paragraph(style=style)
        _add_runs(p, item.segments)
        for child in item.children:
            _add_list(doc, child, depth + 1, numbering)


class _Numbering:
    """Adds list definitions to the numbering part, one ``w:num`` per list as Word does."""

    def __init__(self, doc: Any) -> None:
        self.root = doc.part.numbering_part.element
        self.next_abstract = 900
        self.next_num = 900

    def new_list(self, ordered: bool, depth: int, start: int) -> str:
        from docx.oxml import parse_xml

        aid = str(self.next_abstract)
        self.next_abstract += 1
        levels = []
        for ilvl in range(9):
            if ordered:
                fmt, text = "decimal", f"%{ilvl + 1}."
            else:
                fmt, text = "bullet", "•"
            levels.append(
                f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start if ilvl == depth else 1}"/>'
                f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{720 * (ilvl + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
            )
        abstract = parse_xml(
            f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="{aid}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>'
        )
        # abstractNum elements must precede num elements in the numbering part.
        first_num = self.root.find(f"{{{_W}}}num")
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.root.append(abstract)
        nid = str(self.next_num)
        self.next_num += 1
        self.root.append(
            parse_xml(
                f'<w:num xmlns:w="{_W}" w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>'
            )
        )
        return nid

    @staticmethod
    def apply(paragraph: Any, num_id: str, depth: int) -> None:
        from docx.oxml import parse_xml

        ppr = paragraph._p.get_or_add_pPr()
        ppr.append(
            parse_xml(
                f'<w:numPr xmlns:w="{_W}"><w:ilvl w:val="{depth}"/><w:numId w:val="{num_id}"/></w:numPr>'
            )
        )


# -- .pdf ------------------------------------------------------------------------------------------


def markdown_to_pdf(
    md_text: str,
    path: Path | str,
    *,
    header: str | None = None,
    page_numbers: bool = True,
    softbreaks: Literal["line", "space"] = "line",
    truetype: bool = False,
) -> Path:
    """Write ``md_text`` as a PDF with reportlab's platypus (wrapped text, real tables).

    Headings are set larger than body text, lists use bullets or numbers with
    hanging indents, tables have a grid. ``header`` is drawn at the top of every
    page and ``page_numbers`` puts "Page N" (or "第 N 页") at the bottom, as
    exported office documents do.

    ``truetype`` sets Latin text in reportlab's bundled Vera fonts, embedded with a
    ToUnicode map as browsers and Word embed theirs: they can draw ligatures
    (``ﬁ``, ``ﬂ``), and a soft hyphen (U+00AD) in the text is a place where a word
    may be broken across lines with a hyphen drawn, as hyphenating typesetters do.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Table, TableStyle
    from reportlab.platypus import ListItem as RLListItem

    chinese = is_chinese(md_text) or bool(header and is_chinese(header))
    if chinese:
        font = "MSung-Light" if is_traditional(md_text) else "STSong-Light"
        pdfmetrics.registerFont(UnicodeCIDFont(font))
        regular = bold = font
    elif truetype:
        import reportlab
        from reportlab.pdfbase.pdfmetrics import registerFontFamily
        from reportlab.pdfbase.ttfonts import TTFont

        fonts = Path(reportlab.__file__).parent / "fonts"
        pdfmetrics.registerFont(TTFont("Vera", str(fonts / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("Vera-Bold", str(fonts / "VeraBd.ttf")))
        registerFontFamily(
            "Vera", normal="Vera", bold="Vera-Bold", italic="Vera", boldItalic="Vera-Bold"
        )
        regular, bold = "Vera", "Vera-Bold"
    else:
        regular, bold = "Helvetica", "Helvetica-Bold"
    wrap = "CJK" if chinese else None
    hyphens = {"embeddedHyphenation": 1, "hyphenationMinWordLength": 4} if truetype else {}
    body = ParagraphStyle(
        "body",
        fontName=regular,
        fontSize=10.5,
        leading=15,
        spaceAfter=6,
        wordWrap=wrap,
        **hyphens,
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0)
    heading_sizes = {1: 20, 2: 16, 3: 13.5, 4: 12, 5: 11.5, 6: 11.5}
    headings = {
        lvl: ParagraphStyle(
            f"h{lvl}",
            fontName=bold,
            fontSize=size,
            leading=size * 1.3,
            spaceBefore=10,
            spaceAfter=6,
            wordWrap=wrap,
        )
        for lvl, size in heading_sizes.items()
    }

    def markup(segments: list[Segment]) -> str:
        out = []
        for text, is_bold in segments:
            t = escape(text).replace("\n", "<br/>")
            out.append(f"<b>{t}</b>" if is_bold and not chinese else t)
        return "".join(out)

    def rl_list(block: ListBlock) -> Any:
        items = []
        for item in block.items:
            flow: list[Any] = [Paragraph(markup(item.segments), body)]
            flow.extend(rl_list(child) for child in item.children)
            items.append(RLListItem(flow if len(flow) > 1 else flow[0]))
        if block.ordered:
            return ListFlowable(
                items,
                bulletType="1",
                start=str(block.start),
                bulletFormat="%s.",
                bulletFontName=regular,
                bulletFontSize=10.5,
                leftIndent=18,
            )
        return ListFlowable(
            items,
            bulletType="bullet",
            start="•",
            bulletFontName=regular,
            bulletFontSize=10.5,
            leftIndent=18,
        )

    story: list[Any] = []
    for block in parse(md_text, softbreaks):
        if isinstance(block, Heading):
            story.append(Paragraph(markup(block.segments), headings[min(block.level, 6)]))
        elif isinstance(block, Para):
            story.append(Paragraph(markup(block.segments), body))
        elif isinstance(block, ListBlock):
            story.append(rl_list(block))
        elif isinstance(block, TableBlock):
            width = max(len(r) for r in block.rows)
            data = [
                [Paragraph(escape(c), cell) for c in r + [""] * (width - len(r))]
                for r in block.rows
            ]
            table = Table(data, colWidths=[(A4[0] - 144) / width] * width, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ]
                )
            )
            story.append(table)

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 9)
        if header:
            canvas.drawString(72, A4[1] - 40, header)
        if page_numbers:
            label = f"第 {doc.page} 页" if chinese else f"Page {doc.page}"
            canvas.drawCentredString(A4[0] / 2, 30, label)
        canvas.restoreState()

    path = Path(path)
    SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=72,
        rightMargin=72,
        topMargin=72,
        bottomMargin=72,
        title=header or "",
        author="planreview tests",
    ).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return path
