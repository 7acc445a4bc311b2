"""Word documents -> the same plan blocks as the Markdown they were made from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from docgen import SAMPLE_EN, SAMPLE_HANS, SAMPLE_HANT, markdown_to_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml

from service.errors import InputTooLarge
from service.ingest import convert_bytes, load_plan
from service.ingest.markdown import parse_markdown
from service.models import Plan
from service.settings import Settings

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def structure(plan: Plan) -> list[tuple[str, int, bool, str]]:
    """Headings, list items and table rows: what the rules read."""
    return [
        (b.kind.value, b.level, b.ordered, " ".join(b.text.split()))
        for b in plan.blocks
        if b.kind.value in ("heading", "list_item", "table_row")
    ]


@pytest.mark.parametrize(
    "sample", [SAMPLE_EN, SAMPLE_HANS, SAMPLE_HANT], ids=["en", "hans", "hant"]
)
@pytest.mark.parametrize("lists", ["numpr", "styles"])
def test_docx_from_markdown_keeps_structure(tmp_path: Path, sample: str, lists: Any) -> None:
    path = markdown_to_docx(sample, tmp_path / "plan.docx", lists=lists)
    plan = load_plan(path)
    reference = parse_markdown(sample, source="plan.md")
    assert plan.source_format == "docx"
    assert structure(plan) == structure(reference)
    assert [b.text for b in plan.blocks if b.kind == "paragraph"] == [
        b.text for b in reference.blocks if b.kind == "paragraph"
    ]
    assert plan.title == reference.title
    assert plan.language == reference.language


def test_docx_markdown_text_and_lines(tmp_path: Path) -> None:
    path = markdown_to_docx(SAMPLE_EN, tmp_path / "plan.docx")
    text = convert_bytes(path.read_bytes(), "plan.docx").text
    assert "| Review pricing \\| discounts | Bob | 2024-09-01 |" in text
    assert "   - Weekly inventory sync between stores\n" in text
    assert "     1. Build the dashboard\n" in text
    plan = load_plan(path)
    lines = plan.text.split("\n")
    for block in plan.blocks:  # every block's lines hold its text
        assert block.text.split()[0].strip("|") in " ".join(
            lines[block.start_line - 1 : block.end_line]
        )


def test_title_style_becomes_level_one_and_headings_move_down(tmp_path: Path) -> None:
    path = markdown_to_docx(SAMPLE_EN, tmp_path / "plan.docx", title_style=True)
    text = convert_bytes(path.read_bytes(), "plan.docx").text
    assert text.startswith("# Q3 Growth Plan\n")
    assert "\n## Background\n" in text  # Heading 2 under a Title stays level 2


def _doc_with(build: Any, tmp_path: Path) -> str:
    doc = docx.Document()
    build(doc)
    path = tmp_path / "built.docx"
    doc.save(str(path))
    return convert_bytes(path.read_bytes(), "built.docx").text


def test_localised_heading_styles_and_outline_levels(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        h1 = doc.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)
        h1.base_style = doc.styles["Normal"]
        doc.styles.add_style("標題 2", WD_STYLE_TYPE.PARAGRAPH)
        custom = doc.styles.add_style("Plan Section", WD_STYLE_TYPE.PARAGRAPH)
        custom.base_style = doc.styles["Heading 3"]
        doc.add_paragraph("年度计划", style="标题 1")
        doc.add_paragraph("營運目標", style="標題 2")
        doc.add_paragraph("Section from a custom style", style="Plan Section")
        p = doc.add_paragraph("Outline level on the paragraph")
        p._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl xmlns:w="{W}" w:val="1"/>'))
        doc.add_paragraph("Body text.")

    text = _doc_with(build, tmp_path)
    assert text == (
        "# 年度计划\n\n## 營運目標\n\n### Section from a custom style\n\n"
        "## Outline level on the paragraph\n\nBody text.\n"
    )


def test_merged_cells_multiline_cells_and_one_column_tables(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        t = doc.add_table(rows=4, cols=3)
        for r, row in enumerate(
            [["Phase", "Task", "Owner"], ["Build", "API", "Ann"], ["", "UI", "Bo"]]
        ):
            for c, val in enumerate(row):
                t.cell(r, c).text = val
        t.cell(1, 0).merge(t.cell(2, 0))  # vertical merge: "Build" spans two rows
        t.cell(1, 0).text = "Build"
        t.cell(3, 0).merge(t.cell(3, 1))  # horizontal merge
        t.cell(3, 0).text = "Launch"
        t.cell(3, 2).text = "Cy"
        t.cell(3, 2).add_paragraph("and Di")
        box = doc.add_table(rows=1, cols=1)
        box.cell(0, 0).text = "Note: a framed box is just text."

    text = _doc_with(build, tmp_path)
    assert text == (
        "| Phase | Task | Owner |\n| --- | --- | --- |\n| Build | API | Ann |\n"
        "| Build | UI | Bo |\n| Launch |  | Cy and Di |\n\nNote: a framed box is just text.\n"
    )


def test_tracked_changes_toc_and_content_controls(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        doc.add_paragraph("Contents", style=doc.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH))
        p = doc.add_paragraph("Budget is ")
        p._p.append(
            parse_xml(
                f'<w:del xmlns:w="{W}" w:id="1" w:author="a"><w:r><w:delText>$10k</w:delText></w:r></w:del>'
            )
        )
        p._p.append(
            parse_xml(
                f'<w:ins xmlns:w="{W}" w:id="2" w:author="a"><w:r><w:t>$12k</w:t></w:r></w:ins>'
            )
        )
        body = doc.element.body
        sdt = parse_xml(
            f'<w:sdt xmlns:w="{W}"><w:sdtContent><w:p><w:r><w:t>Inside a content control</w:t>'
            "</w:r></w:p></w:sdtContent></w:sdt>"
        )
        body.insert(len(body) - 1, sdt)  # before sectPr

    assert _doc_with(build, tmp_path) == "Budget is $12k\n\nInside a content control\n"


def test_bold_lines_and_typed_bullets(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        doc.add_paragraph().add_run("Annual Plan").bold = True
        doc.add_paragraph("We grow the business in three ways.")
        doc.add_paragraph().add_run("Objectives:").bold = True
        doc.add_paragraph("• Open two stores")
        doc.add_paragraph("- Raise margin to 30%")
        doc.add_paragraph("-5% cost is not a bullet.")

    text = _doc_with(build, tmp_path)
    assert text == (
        "# Annual Plan\n\nWe grow the business in three ways.\n\n## Objectives:\n\n"
        "- Open two stores\n- Raise margin to 30%\n\n-5% cost is not a bullet.\n"
    )


def test_bold_label_in_a_document_with_headings_stays_emphasised(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        doc.add_heading("Plan", level=1)
        doc.add_paragraph().add_run("Vision").bold = True
        doc.add_paragraph("Every store stocked.")

    assert _doc_with(build, tmp_path) == "# Plan\n\n**Vision**\n\nEvery store stocked.\n"


def test_markdown_lookalikes_in_body_text_are_escaped(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        doc.add_paragraph("# of stores: 12")
        doc.add_paragraph("    indented text")
        doc.add_paragraph("> not a quote")

    text = _doc_with(build, tmp_path)
    assert text == "\\# of stores: 12\n\nindented text\n\n\\> not a quote\n"
    plan = parse_markdown(text, source="x")
    assert [b.kind.value for b in plan.blocks] == ["paragraph"] * 3


def test_paragraph_limit(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        for i in range(12):
            doc.add_paragraph(f"Paragraph {i}")

    doc = docx.Document()
    build(doc)
    path = tmp_path / "long.docx"
    doc.save(str(path))
    with pytest.raises(
        InputTooLarge, match=r"^.*long\.docx: the document has more than 10 paragraphs"
    ):
        load_plan(path, Settings(max_paragraphs=10))


def test_list_defined_through_a_list_style(tmp_path: Path) -> None:
    # Word's multi-level list styles: the list's abstractNum only points at the style,
    # whose own abstractNum holds the level formats.
    def build(doc: Any) -> None:
        root = doc.part.numbering_part.element
        first_num = root.find(f"{{{W}}}num")
        for xml in (
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="950"><w:styleLink w:val="PlanList"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>',
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="951">'
            '<w:numStyleLink w:val="PlanList"/></w:abstractNum>',
        ):
            first_num.addprevious(parse_xml(xml))
        root.append(
            parse_xml(f'<w:num xmlns:w="{W}" w:numId="950"><w:abstractNumId w:val="951"/></w:num>')
        )
        for text, ilvl in [("Open two stores", 0), ("Hire managers", 1), ("Launch app", 0)]:
            p = doc.add_paragraph(text)
            p._p.get_or_add_pPr().append(
                parse_xml(
                    f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="950"/></w:numPr>'
                )
            )

    assert _doc_with(build, tmp_path) == "1. Open two stores\n   - Hire managers\n2. Launch app\n"


def test_text_box_text_follows_its_anchor_once(tmp_path: Path) -> None:
    def build(doc: Any) -> None:
        doc.add_paragraph("Goals for the year.")
        anchor = doc.add_paragraph()
        box = "<w:txbxContent><w:p><w:r><w:t>Budget: 2 million</w:t></w:r></w:p></w:txbxContent>"
        anchor._p.append(
            parse_xml(
                f'<w:r xmlns:w="{W}" '
                'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                'xmlns:v="urn:schemas-microsoft-com:vml">'
                '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>'
                f"{box}</wps:txbx></w:drawing></mc:Choice>"
                f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
                "</mc:AlternateContent></w:r>"
            )
        )
        doc.add_paragraph("Risks follow.")

    path = tmp_path / "box.docx"
    doc = docx.Document()
    build(doc)
    doc.save(str(path))
    converted = convert_bytes(path.read_bytes(), "box.docx")
    assert converted.text == "Goals for the year.\n\nBudget: 2 million\n\nRisks follow.\n"
    assert any("text boxes" in w for w in converted.warnings)
