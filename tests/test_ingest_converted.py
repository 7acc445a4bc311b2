"""Documents converted to Markdown: grid tables (a record whose cells wrap over several rows is one
record) and headingless files (their numbered section lines and bare labels are headings).

pandoc turns a Word table with wrapping cells into a pipe table whose records are separated by
`|----|----|` rows inside the body. Each text row between two rules continues the cells of the
record above; read row by row, every wrapped fragment of a paragraph became a task of its own.
"""

from __future__ import annotations

from service.ingest.markdown import parse_markdown
from service.models import BlockKind
from service.review import ReviewOptions, review_plan

GRID = """# 协会学期计划

## 工作安排

| 项目 | 内容 | 时间 |
|------|------|------|
| 会员招新 | 面向新生招收会员，在宿舍区 | 九月 |
|      | 设点宣传并组织面试 |      |
|------|------|------|
| Repair day | Fix students' laptops on | October |
|      | the main square |      |
|------|------|------|
"""

PLAIN = """# Plan

| Task | Owner |
|------|-------|
| Write the brief | Ana |
| Book the room | Li |
"""


def _rows(text: str) -> list[tuple[list[str], int, int]]:
    plan = parse_markdown(text, source="t.md")
    return [
        (b.cells, b.start_line, b.end_line)
        for b in plan.blocks
        if b.kind is BlockKind.TABLE_ROW and not b.is_header
    ]


def test_rows_between_interior_rules_merge_into_one_record() -> None:
    rows = _rows(GRID)
    assert rows == [
        (["会员招新", "面向新生招收会员，在宿舍区设点宣传并组织面试", "九月"], 7, 8),
        (["Repair day", "Fix students' laptops on the main square", "October"], 10, 11),
    ]


def test_a_table_without_interior_rules_keeps_one_record_per_row() -> None:
    assert _rows(PLAIN) == [(["Write the brief", "Ana"], 5, 5), (["Book the room", "Li"], 6, 6)]


def test_a_wrapped_fragment_is_not_a_task_of_its_own() -> None:
    review = review_plan(parse_markdown(GRID, source="t.md"), ReviewOptions())
    lines = {f.span.start_line for f in review.findings if f.code == "raci.no-owner" and f.span}
    assert lines == {7, 10}  # one finding per record, none on its continuation rows


HEADINGLESS = """Harbour Trust Strategic Plan 2026 - 2028

1. Introduction

The trust runs two houses in the city centre.

2. Context and Challenges

Funding is tight and recruitment is hard.

3. How we are going to progress

Key Strategic Objectives

1. Be financially viable.

2. Raise our visibility.
"""


def test_a_headingless_document_reads_its_numbered_section_lines_and_labels_as_headings() -> None:
    plan = parse_markdown(HEADINGLESS, source="t.md")
    headings = [(b.start_line, b.text) for b in plan.blocks if b.kind is BlockKind.HEADING]
    assert headings == [
        (3, "Introduction"),
        (7, "Context and Challenges"),
        (11, "How we are going to progress"),
        (13, "Key Strategic Objectives"),
    ]
    items = [b.text for b in plan.blocks if b.kind is BlockKind.LIST_ITEM]
    assert items == ["Be financially viable.", "Raise our visibility."]


def test_numbered_items_of_a_document_with_headings_stay_items() -> None:
    plan = parse_markdown("# Plan\n\n" + HEADINGLESS, source="t.md")
    assert [b.text for b in plan.blocks if b.kind is BlockKind.HEADING] == ["Plan"]
