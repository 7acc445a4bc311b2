"""PDF plans: structure recovered from the layout, bad PDFs refused with a clear reason."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from docgen import SAMPLE_EN, SAMPLE_HANS, SAMPLE_HANT, markdown_to_pdf

from service.errors import InputError, InputTooLarge
from service.ingest import convert_bytes, load_plan
from service.ingest.markdown import parse_markdown
from service.ingest.pdf import APPROXIMATE_WARNING
from service.models import Plan
from service.settings import Settings


def structure(plan: Plan) -> list[tuple[str, int, bool, str]]:
    return [
        (b.kind.value, b.level, b.ordered, " ".join(b.text.split()))
        for b in plan.blocks
        if b.kind.value in ("heading", "list_item", "table_row")
    ]


@pytest.mark.parametrize(
    "sample", [SAMPLE_EN, SAMPLE_HANS, SAMPLE_HANT], ids=["en", "hans", "hant"]
)
def test_pdf_from_markdown_keeps_structure(tmp_path: Path, sample: str) -> None:
    path = markdown_to_pdf(sample, tmp_path / "plan.pdf", header="Internal")
    plan = load_plan(path)
    reference = parse_markdown(sample, source="plan.md")
    assert plan.source_format == "pdf"
    assert structure(plan) == structure(reference)
    assert plan.title == reference.title
    assert plan.script == reference.script
    assert APPROXIMATE_WARNING in plan.warnings


def _long_plan(chinese: bool) -> str:
    parts = ["# 长期计划" if chinese else "# Long plan", ""]
    for n in range(1, 15):
        if chinese:
            parts += [
                f"## 第{n}部分",
                "",
                f"第{n}部分的目标是提升门店的库存周转率，并且每周由区域经理复盘一次执行情况，"
                "发现偏差时在两个工作日内提出纠正措施，所有措施记录在风险登记表中。" * 2,
                "",
            ]
        else:
            parts += [
                f"## Part {n}",
                "",
                f"Part {n} raises stock turnover in every store; regional managers review progress "
                "every week, propose corrective actions within two working days when results drift, "
                "and record every action in the shared risk register so that nothing is lost.",
                "",
            ]
    return "\n".join(parts)


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_wrapped_paragraphs_join_and_running_headers_go(tmp_path: Path, chinese: bool) -> None:
    md = _long_plan(chinese)
    path = markdown_to_pdf(md, tmp_path / "long.pdf", header="ACME Corp · Confidential")
    from pypdf import PdfReader

    assert len(PdfReader(path).pages) >= 2
    text = convert_bytes(path.read_bytes(), "long.pdf").text
    assert "Confidential" not in text
    assert "Page " not in text and "页" not in text
    reference = [b.text for b in parse_markdown(md, source="x").blocks if b.kind == "paragraph"]
    plan = load_plan(path)
    assert [b.text for b in plan.blocks if b.kind == "paragraph"] == reference


def test_numbered_outline_lines_stay_on_their_own_line(tmp_path: Path) -> None:
    md = "一、背景\n\n门店库存数据没有共享。\n\n二、目标\n\n库存周转率提升到每年12次。\n"
    path = markdown_to_pdf(md, tmp_path / "outline.pdf")
    text = convert_bytes(path.read_bytes(), "outline.pdf").text
    assert text == "一、背景\n\n门店库存数据没有共享。\n\n二、目标\n\n库存周转率提升到每年12次。\n"


def _pypdf_writer_from(path: Path) -> Any:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(path).pages:
        writer.add_page(page)
    return writer


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    writer = _pypdf_writer_from(markdown_to_pdf(SAMPLE_EN, tmp_path / "plain.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError) as err:
        load_plan(locked)
    message = str(err.value)
    assert message.startswith(f"{locked}: the PDF is password-protected")
    assert "remove the password" in message and "\n" not in message


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    writer = _pypdf_writer_from(markdown_to_pdf(SAMPLE_EN, tmp_path / "plain.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    restricted = tmp_path / "restricted.pdf"
    with restricted.open("wb") as fh:
        writer.write(fh)
    plan = load_plan(restricted)
    assert plan.title == "Q3 Growth Plan"


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    from PIL import Image  # reportlab depends on Pillow
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    scan = Image.new("L", (200, 280), color=230)  # a page image, as a scanner makes
    c.drawImage(ImageReader(scan), 40, 40, width=500, height=700)
    c.showPage()
    c.save()
    with pytest.raises(InputError, match=r"no text layer.*run OCR first"):
        load_plan(path)


def test_blank_pdf_is_not_called_a_scan(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path))
    c.rect(72, 72, 400, 600)
    c.showPage()
    c.save()
    with pytest.raises(InputError, match=r"no readable text: its pages are blank"):
        load_plan(path)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_truncated_pdf_fails_cleanly_or_reads(tmp_path: Path, cut: float) -> None:
    data = markdown_to_pdf(SAMPLE_EN, tmp_path / "plan.pdf").read_bytes()
    broken = data[: int(len(data) * cut)]
    start = time.monotonic()
    try:
        convert_bytes(broken, "broken.pdf")
    except InputError as exc:
        assert str(exc).startswith("broken.pdf: ")
        assert "\n" not in str(exc)
    assert time.monotonic() - start < 10


def test_garbage_after_a_pdf_header(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    data = b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(20000))
    with pytest.raises(InputError, match=r"^junk\.pdf: "):
        convert_bytes(data, "junk.pdf")


def test_page_limit(tmp_path: Path) -> None:
    path = markdown_to_pdf(_long_plan(False), tmp_path / "long.pdf")
    with pytest.raises(
        InputTooLarge, match=r"long\.pdf: the PDF has \d+ pages, more than the 1 limit"
    ):
        load_plan(path, Settings(max_pages=1))


def test_time_budget_stops_reading(tmp_path: Path) -> None:
    path = markdown_to_pdf(SAMPLE_EN, tmp_path / "plan.pdf")
    with pytest.raises(InputTooLarge, match="took longer than"):
        load_plan(path, Settings(pdf_time_budget=1e-6))


def test_pdf_without_pages(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    buf = io.BytesIO()
    PdfWriter().write(buf)
    with pytest.raises(InputError, match="no pages"):
        convert_bytes(buf.getvalue(), "empty.pdf")
