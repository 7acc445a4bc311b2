"""Text plans in every encoding an editor may have saved them in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.errors import InputError
from service.ingest import convert_bytes, load_plan
from service.ingest.decode import decode_text, normalise_newlines

HANS = (
    "# 2024年运营计划\n\n## 一、背景\n\n第二季度销售额下降12%，零售团队与采购部门没有共享库存数据。\n\n"
    "## 二、目标\n\n- 客户满意度从71%提升到80%，负责人：张伟。\n- 每周复盘一次，风险登记表由项目经理维护。\n"
)
HANT = (
    "# 2024年營運計劃\n\n## 一、背景\n\n第二季度銷售額下降12%，零售團隊與採購部門沒有共享庫存資料。\n\n"
    "## 二、目標\n\n- 客戶滿意度從71%提升到80%，負責人：張偉。\n- 每週檢討一次，「風險登記表」由專案經理維護。\n"
)
EN = "# Q3 plan\n\n## Goals\n\n- Raise CSAT from 71% to 80% by 2024-09-30.\n- Owner: Alice\n"


@pytest.mark.parametrize(
    ("text", "encoding", "bom"),
    [
        (HANS, "utf-8", b""),
        (HANS, "utf-8", b"\xef\xbb\xbf"),
        (HANT, "utf-8", b"\xef\xbb\xbf"),
        (HANS, "utf-16-le", b"\xff\xfe"),
        (HANS, "utf-16-be", b"\xfe\xff"),
        (HANT, "utf-16-le", b""),
        (HANT, "utf-16-be", b""),
        (EN, "utf-16-le", b""),
        (EN, "utf-16-be", b""),
        (HANS, "utf-32-le", b"\xff\xfe\x00\x00"),
        (HANT, "utf-32-be", b"\x00\x00\xfe\xff"),
    ],
)
def test_unicode_encodings_with_and_without_bom(
    tmp_path: Path, text: str, encoding: str, bom: bytes
) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(bom + text.encode(encoding))
    plan = load_plan(path)
    assert plan.text == text
    assert not any("legacy" in w for w in plan.warnings)
    assert plan.language == ("en" if text is EN else "zh")


@pytest.mark.parametrize(
    ("text", "encoding", "label"),
    [
        (HANS, "gbk", "GB18030"),
        (HANS, "gb18030", "GB18030"),
        (HANT, "gbk", "GB18030"),  # Traditional characters saved by a mainland editor
        (HANT, "big5", "Big5"),
        (HANT, "cp950", "Big5"),
    ],
)
def test_legacy_chinese_encodings_are_detected(
    tmp_path: Path, text: str, encoding: str, label: str
) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode(encoding))
    plan = load_plan(path)
    assert plan.text == text
    assert plan.source_format == "text"
    assert any(label in w and "UTF-8" in w for w in plan.warnings), plan.warnings


def test_short_legacy_snippets_decode_correctly() -> None:
    # A few characters are enough evidence: wrong decodings yield rare characters.
    for text, encoding in [("风险登记表", "gbk"), ("風險登記表", "big5"), ("負責人：張偉", "gbk")]:
        assert decode_text(text.encode(encoding), "x.txt").text == text


def _real_chinese_plans() -> list[Path]:
    repo = Path(__file__).resolve().parents[1]
    plans = sorted((repo / "eval" / "plans").glob("zh-*"))[:12]
    seed = Path("/work/shared/seed/operations-plan-execution.zh.txt")  # 繁體, when present
    return [*plans, seed] if seed.exists() else plans


def test_real_chinese_plans_in_gbk_and_big5() -> None:
    plans = _real_chinese_plans()
    if not plans:
        pytest.skip("no Chinese plans in eval/plans")
    checked = 0
    for path in plans:
        text = normalise_newlines(path.read_text(encoding="utf-8"))
        for encoding in ("gbk", "big5"):
            # Big5 has no simplified-only characters: those are dropped, as a Big5 editor would.
            data = text.encode(encoding, errors="ignore")
            expected = data.decode(encoding)
            assert decode_text(data, path.name).text == expected, (path.name, encoding)
            checked += 1
    assert checked >= 2


def test_windows_1252_english_plan() -> None:
    data = "# Plan\n\n“Smart quotes” and café – déjà vu.\n".encode("cp1252")
    decoded = decode_text(data, "plan.md")
    assert decoded.text == "# Plan\n\n“Smart quotes” and café – déjà vu.\n"
    assert decoded.legacy


def test_crlf_and_cr_become_lf_and_line_numbers_match(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(b"# Title\r\n\r\n## Goals\r\n\r\n- Ship it\r\n- Owner: Bob\r")
    plan = load_plan(path)
    assert plan.text == "# Title\n\n## Goals\n\n- Ship it\n- Owner: Bob\n"
    items = [b for b in plan.blocks if b.kind == "list_item"]
    assert [(b.text, b.start_line) for b in items] == [("Ship it", 5), ("Owner: Bob", 6)]


def test_text_is_kept_byte_for_byte_apart_from_line_ends() -> None:
    raw = "\ufeff  indented\t tab  \n\n\n trailing   \n\x0cform feed\n"
    text = convert_bytes(raw.encode("utf-8"), "plan.txt").text
    assert text == raw[1:]


def test_a_few_broken_utf8_bytes_are_replaced_with_a_warning() -> None:
    good = ("目标：提升客户满意度。" * 20).encode("utf-8")
    decoded = decode_text(good + b"\xff" + good, "plan.md")
    assert "\ufffd" in decoded.text
    assert decoded.warnings and "invalid UTF-8" in decoded.warnings[0]


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(4096),
        b"\x00\x01\x02\x03" * 100,
        b"PLAN\x00\x00\x00binary\x00\x07\x08",
        bytes(range(256)) * 8,
    ],
)
def test_binary_data_is_not_text(data: bytes) -> None:
    with pytest.raises(InputError) as err:
        decode_text(data, "notes.md")
    assert str(err.value).startswith("notes.md: not a text file")
    assert "\n" not in str(err.value)


def test_invalid_utf16_after_bom_is_an_error() -> None:
    with pytest.raises(InputError, match="UTF-16"):
        decode_text(b"\xff\xfe" + b"\x00\xd8" + b"a\x00", "plan.md")  # lone surrogate


def test_ascii_with_a_regular_nul_pattern_is_not_taken_for_utf16() -> None:
    # Every other byte NUL-free but with NULs at a fixed stride: reads as rare ideographs in UTF-16.
    data = b"this is not a pdf at all \x00\x01\x02" * 10
    with pytest.raises(InputError) as exc:
        decode_text(data, "garbage.md")
    assert "garbage.md" in str(exc.value) and "not a text file" in str(exc.value)
