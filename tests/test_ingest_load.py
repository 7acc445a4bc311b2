"""load_plan / load_bytes: format dispatch, content sniffing, limits and every way a file can be bad."""

from __future__ import annotations

import io
import os
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docgen import SAMPLE_EN, SAMPLE_HANS, markdown_to_docx, markdown_to_pdf

from service.errors import InputError, InputTooLarge, UnsupportedFormat
from service.ingest import convert_bytes, load_bytes, load_plan
from service.settings import Settings


def _one_line_naming(err: InputError, name: str) -> str:
    message = str(err)
    assert message.startswith(f"{name}: "), message
    assert "\n" not in message and "Traceback" not in message
    return message


# -- formats ---------------------------------------------------------------------------------------


def test_markdown_text_is_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(SAMPLE_EN, encoding="utf-8")
    plan = load_plan(path)
    assert plan.text == SAMPLE_EN
    assert plan.source == str(path)
    assert plan.source_format == "markdown"
    assert plan.warnings == []


@pytest.mark.parametrize("suffix", [".txt", ".text"])
def test_plain_text(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"
    path.write_text(SAMPLE_HANS, encoding="utf-8")
    plan = load_plan(path)
    assert plan.source_format == "text"
    assert plan.language == "zh"


def test_load_bytes_uses_the_name(tmp_path: Path) -> None:
    data = markdown_to_docx(SAMPLE_EN, tmp_path / "x.docx").read_bytes()
    plan = load_bytes(data, "upload.docx")
    assert plan.source == "upload.docx"
    assert plan.source_format == "docx"
    assert load_bytes(b"# Title\n\nText\n", "-").source_format == "markdown"


def test_docx_that_is_really_a_pdf_is_read_as_pdf(tmp_path: Path) -> None:
    data = markdown_to_pdf(SAMPLE_EN, tmp_path / "x.pdf").read_bytes()
    plan = load_bytes(data, "plan.docx")
    assert plan.source_format == "pdf"
    assert any("content is PDF although its name says Word (.docx)" in w for w in plan.warnings)


def test_pdf_that_is_really_text_is_read_as_text() -> None:
    plan = load_bytes(SAMPLE_EN.encode(), "plan.pdf")
    assert plan.source_format == "text"
    assert plan.text == SAMPLE_EN
    assert any("although its name says PDF" in w for w in plan.warnings)


def test_md_that_is_really_a_docx_is_read_as_docx(tmp_path: Path) -> None:
    data = markdown_to_docx(SAMPLE_EN, tmp_path / "x.docx").read_bytes()
    plan = load_bytes(data, "plan.md")
    assert plan.source_format == "docx"
    assert plan.title == "Q3 Growth Plan"


# -- bad inputs ------------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    # 60 MB of zeros compresses to ~60 KB: a 1000x ratio, dressed as a Word document.
    return _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"\0" * (60 * 1024 * 1024),
        }
    )


def _ole(*streams: str) -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    directory = b"".join(s.encode("utf-16-le").ljust(128, b"\0") for s in ("Root Entry", *streams))
    return header + directory + b"\0" * 1024


def _truncated_docx(tmp_path: Path) -> bytes:
    data = markdown_to_docx(SAMPLE_EN, tmp_path / "x.docx").read_bytes()
    return data[: len(data) // 2]


def _corrupt_docx_xml(tmp_path: Path) -> bytes:
    data = markdown_to_docx(SAMPLE_EN, tmp_path / "x.docx").read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = {n: src.read(n) for n in src.namelist()}
    entries["word/document.xml"] = b"<w:document><w:body><w:p>"
    return _zip(entries)


BAD_INPUTS: dict[str, tuple[str, Callable[[Path], bytes], type[InputError], str]] = {
    "empty md": ("plan.md", lambda p: b"", InputError, "the file is empty"),
    "empty docx": ("plan.docx", lambda p: b"", InputError, "the file is empty"),
    "empty pdf": ("plan.pdf", lambda p: b"", InputError, "the file is empty"),
    "whitespace": ("plan.md", lambda p: b"  \n\t\r\n \n", InputError, "empty"),
    "utf16 whitespace": ("plan.txt", lambda p: " \n \n".encode("utf-16"), InputError, "empty"),
    "random md": (
        "plan.md",
        lambda p: random.Random(1).randbytes(5000),
        InputError,
        "not a text file",
    ),
    "random docx": (
        "plan.docx",
        lambda p: random.Random(2).randbytes(5000),
        InputError,
        "not a valid .docx",
    ),
    "random pdf": (
        "plan.pdf",
        lambda p: random.Random(3).randbytes(5000),
        InputError,
        "not a valid PDF",
    ),
    "truncated docx": ("plan.docx", _truncated_docx, InputError, "damaged or truncated"),
    "corrupt docx xml": ("plan.docx", _corrupt_docx_xml, InputError, "not a valid .docx"),
    "zip bomb": ("plan.docx", lambda p: _zip_bomb(), InputTooLarge, "zip bomb"),
    "zip without document": (
        "plan.docx",
        lambda p: _zip({"readme.txt": b"hello"}),
        InputError,
        "no word/document.xml",
    ),
    "xlsx as docx": (
        "plan.docx",
        lambda p: _zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<T/>"}),
        InputError,
        "Excel .xlsx workbook",
    ),
    "encrypted docx": (
        "plan.docx",
        lambda p: _ole("EncryptionInfo", "EncryptedPackage"),
        InputError,
        "password-protected",
    ),
    "old doc": (
        "plan.docx",
        lambda p: _ole("WordDocument", "1Table"),
        InputError,
        "save it as .docx",
    ),
    "old doc named md": ("plan.md", lambda p: _ole("WordDocument"), InputError, "old binary Word"),
    "png": ("plan.md", lambda p: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, InputError, "an image"),
    "gzip": (
        "plan.pdf",
        lambda p: b"\x1f\x8b\x08\x00" + b"\0" * 100,
        InputError,
        "compressed archive",
    ),
    "rtf": ("plan.md", lambda p: b"{\\rtf1\\ansi plan}", InputError, "RTF"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_inputs_fail_with_one_line_naming_the_file(tmp_path: Path, case: str) -> None:
    name, make, error, phrase = BAD_INPUTS[case]
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    start = time.monotonic()
    with pytest.raises(error) as err:
        load_plan(path)
    assert time.monotonic() - start < 10, "no input may hang"
    message = _one_line_naming(err.value, str(path))
    assert phrase in message


def test_unsupported_extension_lists_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"whatever")
    with pytest.raises(UnsupportedFormat) as err:
        load_plan(path)
    message = _one_line_naming(err.value, str(path))
    assert ".md" in message and ".docx" in message and ".pdf" in message


def test_old_doc_extension_says_save_as_docx(tmp_path: Path) -> None:
    path = tmp_path / "plan.doc"
    path.write_bytes(_ole("WordDocument"))
    with pytest.raises(UnsupportedFormat, match=r"save it as \.docx"):
        load_plan(path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_plan(tmp_path)
    assert "is a directory" in _one_line_naming(err.value, str(tmp_path))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.md"
    with pytest.raises(InputError) as err:
        load_plan(path)
    assert "no such file" in _one_line_naming(err.value, str(path))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.md"
    path.write_text("# Plan\n")
    path.chmod(0)
    try:
        with pytest.raises(InputError) as err:
            load_plan(path)
        assert "permission denied" in _one_line_naming(err.value, str(path))
    finally:
        path.chmod(0o600)


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text("# Plan\n\n" + "Grow revenue. " * 1000)
    with pytest.raises(InputTooLarge) as err:
        load_plan(path, Settings(max_bytes=1000))
    message = _one_line_naming(err.value, str(path))
    assert "1000 bytes limit" in message and "PLANREVIEW_MAX_BYTES" in message
    with pytest.raises(InputTooLarge):
        load_bytes(path.read_bytes(), "big.md", Settings(max_bytes=1000))


def test_too_many_characters(tmp_path: Path) -> None:
    with pytest.raises(InputTooLarge, match="characters, more than the 100 limit"):
        load_bytes(("目标" * 200).encode(), "plan.md", Settings(max_chars=100))


def test_docx_uncompressed_size_limit(tmp_path: Path) -> None:
    data = markdown_to_docx(SAMPLE_EN, tmp_path / "x.docx").read_bytes()
    with pytest.raises(InputTooLarge, match=r"unpacks to .* more than the"):
        convert_bytes(data, "x.docx", Settings(max_uncompressed_bytes=10_000))


def test_docx_without_text(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "blank.docx"
    doc = docx.Document()
    doc.add_paragraph("   ")
    doc.save(str(path))
    with pytest.raises(InputError, match=r"blank\.docx: the document has no text"):
        load_plan(path)


def test_zip_with_too_many_parts() -> None:
    entries = {f"word/media/p{i}.xml": b"<x/>" for i in range(5001)}
    entries["word/document.xml"] = b"<w:document/>"
    with pytest.raises(InputTooLarge, match="parts"):
        convert_bytes(_zip(entries), "many.docx")


def test_pdf_with_only_page_numbers(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "numbers.pdf"
    c = canvas.Canvas(str(path))
    for n in (1, 2):
        c.setFont("Helvetica", 9)
        c.drawString(300, 30, str(n))
        c.showPage()
    c.save()
    with pytest.raises(InputError, match="no text apart from headers and page numbers"):
        load_plan(path)


def test_a_reader_bug_still_gives_a_one_line_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.ingest.docx as docx_module

    def broken(data: bytes, source: str, settings: Settings) -> tuple[str, list[str]]:
        raise KeyError("w:val")

    monkeypatch.setattr(docx_module, "docx_to_markdown", broken)
    data = markdown_to_docx(SAMPLE_EN, tmp_path / "x.docx").read_bytes()
    with pytest.raises(InputError) as err:
        convert_bytes(data, "plan.docx")
    message = _one_line_naming(err.value, "plan.docx")
    assert "could not be read" in message and "report this" in message
    assert "KeyError" not in message and "w:val" not in message  # internals stay in the log
