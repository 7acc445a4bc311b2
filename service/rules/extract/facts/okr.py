"""Objectives and their key results, wherever the plan writes them as OKRs."""

from __future__ import annotations

import re
from collections.abc import Callable

from service.models import Block, BlockKind
from service.rules.extract import cues, shapes
from service.rules.extract.facts.base import (
    _INTRO_LINE,
    _LIST_NUMBER,
    Objective,
    PlanFacts,
    Statement,
    _names_only_a_period,
    _stmt,
    data_rows_by_table,
    in_work_package,
    record_aim,
)
from service.rules.extract.normalize import fold
from service.rules.extract.sections import _OKR_WORDS, classify_heading, empty_title

_OBJ_COL = re.compile(r"objective|^目标$|^o$", re.I)


_KR_COL = re.compile(r"key result|\bkrs?\b|关键结果", re.I)


def _okr_tables(facts: PlanFacts, used: set[str]) -> None:
    """Tables with an Objective column and a Key result column: one row per KR."""
    for rows in data_rows_by_table(facts.plan):
        header = [fold(h).strip() for h in rows[0].header or []]
        kr_col = next((i for i, h in enumerate(header) if _KR_COL.search(h)), None)
        obj_col = next(
            (i for i, h in enumerate(header) if i != kr_col and _OBJ_COL.search(h)), None
        )
        if kr_col is None or obj_col is None:
            _labelled_okr_table(facts, rows, used)
            continue
        current: Objective | None = None
        for r in rows:
            cells = r.cells or []
            obj_text = cells[obj_col].strip() if obj_col < len(cells) else ""
            if obj_text or current is None:
                current = Objective(block=r, krs=[])
                facts.objectives.append(current)
            kr = _stmt(facts, r)
            if kr_col < len(cells):
                kr.raw, kr.text = cells[kr_col], fold(cells[kr_col])
            current.krs.append(kr)
            used.add(r.id)


_O_LABEL = re.compile(r"^\s*(?:o|objective|目标)\s*[一二三四五六七八九十\d]+\s*[:：.]?\s*$", re.I)


_KR_LABEL = re.compile(r"^\s*kr\s*\d+(?:\.\d+)?\s*[:：.]?\s*$", re.I)


def _labelled_okr_table(facts: PlanFacts, rows: list[Block], used: set[str]) -> None:
    """'| O1 | 提升会员活跃 |' then '| KR1.1 | … |': objectives and key results by label."""
    labels = [fold((r.cells or [""])[0]) for r in rows]
    if not any(_KR_LABEL.match(x) for x in labels) or not any(_O_LABEL.match(x) for x in labels):
        return
    current: Objective | None = None
    for r, label in zip(rows, labels, strict=True):
        text = " ".join((r.cells or [])[1:])
        if _O_LABEL.match(label):
            current = Objective(block=r, krs=[])
            facts.objectives.append(current)
            used.add(r.id)
        elif _KR_LABEL.match(label) and current is not None:
            kr = _stmt(facts, r)
            kr.raw, kr.text = text, fold(text)
            current.krs.append(kr)
            used.add(r.id)


def _objectives(facts: PlanFacts, by_parent: dict[str, list[Block]]) -> None:
    _read_objectives(facts, by_parent)
    # "Key Result: How do we propose and review non-feature changes in PRs?": an open question
    # under an objective, not a key result (questions are not goals).
    for obj in facts.objectives:
        obj.krs = [k for k in obj.krs if not _QUESTION_END.search(k.text)]


_QUESTION_END = re.compile(r"[?？]\s*$")
# The plan speaks of key results somewhere (the OKR words sections.py reads a plan by, or a KR
# label): an "Objective" heading heads an OKR, not goals.
_KR_MENTION = re.compile(r"\bkrs?\s*(?:\d|[:：])", re.I)


def _read_objectives(facts: PlanFacts, by_parent: dict[str, list[Block]]) -> None:
    plan = facts.plan
    lang_kr = cues.KR_LINE
    lang_obj = cues.OBJECTIVE_LINE

    def is_container(text: str) -> bool:
        return bool(cues.KR_CONTAINER.match(text))

    def is_kr(text: str) -> bool:
        if is_container(text):
            return False
        return bool(lang_kr["en"].match(text) or lang_kr["zh"].match(text))

    def is_obj(text: str) -> bool:
        # "🎯 Objective 1（核心目标）": a leading emoji or symbol decorates the label.
        t = _LIST_NUMBER.sub("", re.sub(r"^[^\w\u4e00-\u9fff(（*]+", "", text))
        m = lang_obj["en"].match(t) or lang_obj["zh"].match(t)
        # "## 目标：2026年", "Objective: Q3": a label over a period heads a goals section; it
        # states no objective of its own.
        return m is not None and not _names_only_a_period(t[m.end() :])

    blocks = plan.blocks
    by_id = {b.id: b for b in blocks}
    used: set[str] = set()
    _okr_tables(facts, used)
    covered = _label_okrs(facts, used, is_container, is_kr)
    seen_lines = False  # the sheet writes objectives as lines over their key results
    okr_words = bool(_OKR_WORDS.search(facts.all_text) or _KR_MENTION.search(facts.all_text))
    # "# OKRs for Q2 2018" over nothing, then "# scale current platform" …: the sheet's objectives.
    sheet_title = empty_title(plan)
    if sheet_title is not None and classify_heading(sheet_title.text) != "okr":
        sheet_title = None
    # (a) objective headings inside an OKR section, or headings that say "Objective".
    for i, h in enumerate(blocks):
        if h.kind != BlockKind.HEADING or h.id in covered:
            continue
        in_okr = facts.section[h.id] == "okr" and (
            (h.heading_id is not None and facts.section.get(h.heading_id) == "okr")
            or (sheet_title is not None and h.heading_id is None and h is not sheet_title)
        )
        if not (
            in_okr
            or (is_obj(facts.folded[h.id]) and okr_words)
            or _over_kr_container(blocks, i, is_container)
        ):
            continue  # "**2. Objective**" over aims in a plan that never speaks of key results: goals
        if (
            is_kr(facts.folded[h.id])
            or is_container(facts.folded[h.id])
            or _objectives_container(facts, h)
        ):
            continue
        if in_okr and _states_parent_objective(facts, blocks, i, is_obj):
            continue  # "## Objective 1" then "**完成初稿…**" alone: the statement of that objective
        if in_okr and _paragraph_objectives(facts, blocks, i, is_kr, by_parent, used, seen_lines):
            seen_lines = True
            continue  # "### Q1 2020" over "Alpha release (7/10)" + its list, "Make the stream good!"…
        krs: list[Statement] = []
        # Under a heading that is itself a key result ("#### KR: … by 25%"), the list is the KR's
        # initiatives ("The following initiatives will impact this KR:"), not more key results.
        kr_heading_level: int | None = None
        # "### 任务拆解" beside "### Key Results": the objective's work, read as tasks.
        work_level: int | None = None
        for b in blocks[i + 1 :]:
            if b.kind == BlockKind.HEADING and b.level <= h.level:
                break
            if b.kind == BlockKind.HEADING:
                if kr_heading_level is not None and b.level <= kr_heading_level:
                    kr_heading_level = None
                if work_level is not None and b.level <= work_level:
                    work_level = None
                if work_level is None and facts.section.get(b.id) == "tasks":
                    work_level = b.level
                if is_kr(facts.folded[b.id]):
                    krs.append(_stmt(facts, b))
                    kr_heading_level = b.level
                continue
            if kr_heading_level is not None or work_level is not None:
                continue
            if (
                b.kind == BlockKind.LIST_ITEM
                and b.level == 0
                and krs
                and krs[-1].raw.rstrip().endswith((":", "："))
                and is_kr(krs[-1].text)
                and not is_kr(facts.folded[b.id])
            ):
                # "KR1.2: … 在以下评估维度上达到高质量标准：" then bare "* 共情", "* 积极关注":
                # the dimensions of that key result, not key results of their own.
                krs[-1].children.append(b)
                used.add(b.id)
                continue
            if b.kind == BlockKind.LIST_ITEM and b.level == 0:
                krs.append(_stmt(facts, b, by_parent.get(b.id)))
            elif (b.kind == BlockKind.PARAGRAPH and is_kr(facts.folded[b.id])) or (
                b.kind == BlockKind.TABLE_ROW
                and not b.is_header
                and b.heading_id == h.id
                and not shapes.is_blank_form_row(b)
            ):
                krs.append(_stmt(facts, b))
        if krs or in_okr:
            facts.objectives.append(Objective(block=h, krs=krs))
            used.update(k.block.id for k in krs)
            used.add(h.id)
    # (b) list items / paragraphs that say "Objective" followed by KR lines or nested items.
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.id in used or b.kind in (BlockKind.HEADING, BlockKind.TABLE_ROW):
            i += 1
            continue
        text = facts.folded[b.id]
        in_okr = facts.section[b.id] == "okr"
        kids = by_parent.get(b.id, [])
        if (
            b.kind == BlockKind.LIST_ITEM
            and kids
            and (is_obj(text) or (in_okr and b.level == 0 and not is_kr(text)))
        ):
            krs = [_stmt(facts, k, by_parent.get(k.id)) for k in kids]
            facts.objectives.append(Objective(block=b, krs=krs))
            used.add(b.id)
            used.update(k.id for k in kids)
            i += 1
            continue
        if (
            b.kind == BlockKind.LIST_ITEM
            and not kids
            and b.level == 0
            and in_okr
            and b.heading_id is not None
            and _objectives_container(facts, by_id[b.heading_id])
            and _NAMES_OBJECTIVES.search(facts.folded[b.heading_id])
            and not is_kr(text)
            and not _INTRO_LINE.search(text)
        ):
            # "#### Current quarter objectives" over plain items: objectives with no key result.
            facts.objectives.append(Objective(block=b, krs=[]))
            used.add(b.id)
            i += 1
            continue
        if (
            is_obj(text)
            and not is_kr(text)
            and not in_work_package(facts, b)
            and not record_aim(facts, b)
            # "*   **目標：** 建立專案的MVP" over "**重點平台：**…" in a plan that never speaks of
            # key results: a phase's aim, read as a goal, not an objective over key results.
            and (okr_words or in_okr or bool(kids))
        ):
            krs = []
            j = i + 1
            while j < len(blocks):
                nb = blocks[j]
                ntext = facts.folded[nb.id]
                if is_container(ntext) and not krs:
                    # "**Objective 1:** …" then "**Key Results:**" over the list: its KRs.
                    j += 1
                    continue
                if nb.kind == BlockKind.HEADING or (is_obj(ntext) and not is_kr(ntext)):
                    break
                if (
                    krs
                    and nb.kind == BlockKind.LIST_ITEM
                    and nb.parent_id != b.id
                    and not is_kr(ntext)
                    and all(is_kr(k.text) for k in krs)
                ):
                    break  # "KR 3: …" lines, then "2. The Conversion Flywheel": the next part
                if (
                    nb.kind == BlockKind.PARAGRAPH
                    and not is_kr(ntext)
                    and re.search(r"[:：]\s*$", ntext)
                    and len(ntext) <= 30
                ):
                    break  # "目标：…" then "交付：" over its list: the list is the deliverables
                if is_kr(ntext) or (
                    nb.kind == BlockKind.LIST_ITEM and (nb.parent_id == b.id or nb.level == 0)
                ):
                    krs.append(_stmt(facts, nb, by_parent.get(nb.id)))
                    used.add(nb.id)
                elif nb.kind == BlockKind.PARAGRAPH and krs:
                    break
                j += 1
            if krs or in_okr:
                facts.objectives.append(Objective(block=b, krs=krs))
                used.add(b.id)
            i = j
            continue
        i += 1


def _states_parent_objective(
    facts: PlanFacts, blocks: list[Block], i: int, is_obj: Callable[[str], bool]
) -> bool:
    """A heading with nothing under it, right under an "Objective N" heading: its statement."""
    h = blocks[i]
    parent = facts.plan.block(h.heading_id) if h.heading_id else None
    if parent is None or not is_obj(facts.folded[parent.id]) or blocks[i - 1] is not parent:
        return False
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    return nxt is None or (nxt.kind == BlockKind.HEADING and nxt.level <= h.level)


def _paragraph_objectives(
    facts: PlanFacts,
    blocks: list[Block],
    i: int,
    is_kr: Callable[[str], bool],
    by_parent: dict[str, list[Block]],
    used: set[str],
    convention: bool,
) -> bool:
    """Objectives written as short lines, each over its key results, under a period heading
    ("### Q1 2020", then "Alpha release of Squad Chess (7/10)" over bullets, "Make the stream
    good!" over bullets, "Alpha release of Squad SDK" alone): each line is an objective and the
    list after it its key results; the heading is their period, not an objective. Needs two such
    lines at least, one with a list unless an earlier heading of the sheet showed the convention
    (`convention`); records them and returns True."""
    h = blocks[i]
    body: list[Block] = []
    for b in blocks[i + 1 :]:
        if b.kind == BlockKind.HEADING:
            break
        body.append(b)

    def is_line(b: Block) -> bool:
        text = facts.folded[b.id]
        return (
            b.kind == BlockKind.PARAGRAPH
            and len(text) <= 150
            and not is_kr(text)
            and not text.rstrip().endswith((":", "："))
            and not _INTRO_LINE.search(text)
        )

    lines = [k for k, b in enumerate(body) if is_line(b)]
    with_list = [
        k
        for k in lines
        if k + 1 < len(body) and body[k + 1].kind == BlockKind.LIST_ITEM and body[k + 1].level == 0
    ]
    if len(lines) < 2 or not (with_list or convention) or h.id in used:
        return False
    for k in lines:
        krs: list[Statement] = []
        for b in body[k + 1 :]:
            if b.kind != BlockKind.LIST_ITEM:
                break
            if b.level == 0:
                krs.append(_stmt(facts, b, by_parent.get(b.id)))
                used.add(b.id)
        facts.objectives.append(Objective(block=body[k], krs=krs))
        used.add(body[k].id)
    used.add(h.id)
    return True


# A heading that is only the label of the objective stated below it ("### Objective", "### 目标").
_OBJECTIVE_LABEL = re.compile(r"^\W*(?:the\s+)?(?:objective|目标)\W*$", re.I)


def _kr_statement(facts: PlanFacts, b: Block) -> Statement:
    """A key result; in a table row whose first cell is only its label ("| **KR 1** | Ship … |")
    the key result is the rest of the row, so the label's number is not read as a target."""
    kr = _stmt(facts, b)
    cells = b.cells or []
    if b.kind == BlockKind.TABLE_ROW and len(cells) > 1 and _KR_LABEL.match(fold(cells[0])):
        rest = " | ".join(c for c in cells[1:] if c.strip())
        kr.raw, kr.text = rest, fold(rest)
        kr.row = {h: c for h, c in kr.row.items() if c != cells[0]}
    return kr


def _label_okrs(
    facts: PlanFacts,
    used: set[str],
    is_container: Callable[[str], bool],
    is_kr: Callable[[str], bool],
) -> set[str]:
    """OKRs written as parts under one heading ("## Individual OKR — Backend", then "### Owner:
    …", "### Objective" over the statement, "### Key Results" over "####" groups of rows,
    "### Key Metrics"): one objective, stated under its label, with every key result under the
    Key Results part and its groups. The part headings, and the heading over them, are not
    objectives of their own. Returns the ids of those headings."""
    plan = facts.plan
    blocks = plan.blocks
    covered: set[str] = set()
    for h in blocks:
        if (
            h.kind != BlockKind.HEADING
            or h.heading_id is None
            or not _OBJECTIVE_LABEL.match(facts.folded[h.id])
        ):
            continue
        parent = h.heading_id
        parts = [b for b in blocks if b.kind == BlockKind.HEADING and b.heading_id == parent]
        container = next(
            (b for b in parts if b.start_line > h.start_line and is_container(facts.folded[b.id])),
            None,
        )
        if container is None:
            continue
        statement = next(
            (
                b
                for b in plan.under(h.id)
                if b.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM)
                and not shapes.is_markup_only(b.text)
            ),
            h,
        )
        krs: list[Statement] = []
        for b in blocks[facts.position[container.id] + 1 :]:
            if b.kind == BlockKind.HEADING and b.level <= container.level:
                break
            if b.kind == BlockKind.HEADING:
                covered.add(b.id)
                if is_kr(facts.folded[b.id]):
                    krs.append(_stmt(facts, b))
            elif (b.kind == BlockKind.LIST_ITEM and b.level == 0) or (
                b.kind == BlockKind.TABLE_ROW
                and not b.is_header
                and not shapes.is_blank_form_row(b)
            ):
                krs.append(_kr_statement(facts, b))
            elif b.kind == BlockKind.PARAGRAPH and is_kr(facts.folded[b.id]):
                krs.append(_stmt(facts, b))
        facts.objectives.append(Objective(block=statement, krs=krs))
        used.add(statement.id)
        used.update(k.block.id for k in krs)
        covered.update(b.id for b in parts)
        covered.add(parent)
    return covered


def _over_kr_container(blocks: list[Block], i: int, is_container: Callable[[str], bool]) -> bool:
    """The heading's first sub-heading is "Key results" ("## We have a shared understanding of …"
    then "### Key results"): whatever its words, the heading states an objective."""
    h = blocks[i]
    for b in blocks[i + 1 :]:
        if b.kind == BlockKind.HEADING:
            return b.level > h.level and is_container(fold(b.text))
    return False


_OBJECTIVES_PLURAL = re.compile(r"\bobjectives\b|\bokrs\b|目标$", re.I)


_NAMES_OBJECTIVES = re.compile(r"\bobjectives\b|目标$", re.I)


def _objectives_container(facts: PlanFacts, h: Block) -> bool:
    """An OKR-section heading that names a set of objectives ("Current quarter objectives",
    "Q3 OKRs"), not one objective: its items are the objectives."""
    if h.kind != BlockKind.HEADING or facts.section.get(h.id) != "okr":
        return False
    text = facts.folded[h.id]
    if cues.OBJECTIVE_LINE["en"].match(text) or cues.OBJECTIVE_LINE["zh"].match(text):
        return False  # "Objective 1: …"
    return classify_heading(h.text) in ("goals", "okr") and bool(_OBJECTIVES_PLURAL.search(text))
