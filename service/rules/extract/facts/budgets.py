"""Budgets and shares: the items and totals of budget lists and tables, and percentages of one
whole."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.extract import cues
from service.rules.extract.facts.base import AmountLine, PercentGroup, PlanFacts, data_rows_by_table
from service.rules.extract.normalize import fold

_AMOUNT = re.compile(
    r"(?P<cur>[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?"
    r"(?P<mult>k\b|m\b|bn\b|million\b|billion\b|thousand\b|万|亿|千)?\s?(?P<unit>元|美元|人民币|usd|eur|gbp|cny|rmb)?",
    re.I,
)


_MULT = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "万": 1e4,
    "亿": 1e8,
    "千": 1e3,
}


HEADING_CURRENCY = re.compile(
    r"\b(?:usd|eur|gbp|cny|rmb|hkd|twd|dollars?|euros?)\b|[$€£¥]|元|万元|'000|in thousands", re.I
)


_AMOUNT_COLUMN = re.compile(
    r"amount|budget|cost|spend|total|eur|usd|\$|€|£|¥|金额|预算|费用|成本|万元|元|投入", re.I
)


_ASIDE_AMOUNTS = re.compile(
    r"[；;。.]\s*(?:另|另外|此外|另有|另行|plus|in addition|separately|on top of)", re.I
)


_INLINE_BREAKDOWN = re.compile(
    r"[,，;；]\s*(?:其中|包括|含)\s*[:：]?|(?<=[元万亿\d])\s*[:：]|\b(?:of which|broken down as|broken down into|split as|comprising|made up of|consisting of|consists of|funded by|financed by|paid for by)\b\s*[:：]?",
    re.I,
)


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")


_SHARE_WORD = re.compile(r"share|split|占比|构成", re.I)


_NOT_SHARES = re.compile(
    r"投入|fte|capacity|commitment|utili[sz]ation|availability|completion|progress|完成|进度|达成|增长|growth|change",
    re.I,
)


_SHARE_COLUMN = re.compile(
    r"share|percent|%|split|allocation|weight|占比|比例|比重|权重|分配", re.I
)


def parse_amount(text: str, *, need_currency: bool) -> float | None:
    """The first money amount in ``text`` (scaled by k/m/万/亿), or None."""
    for m in _AMOUNT.finditer(text):
        num = m.group("num")
        if re.fullmatch(r"(?:19|20)\d{2}", num) and not (
            m.group("cur") or m.group("unit") or m.group("mult")
        ):
            continue
        after = text[m.end() : m.end() + 1]
        if after == "%":
            continue
        code_before = re.search(
            r"(?:usd|eur|gbp|cny|rmb|hkd|twd|chf|nt\$|hk\$|港币|新台币|人民币|美元)\s*$",
            text[: m.start()],
            re.I,
        )
        has_cur = bool(
            m.group("cur") or m.group("unit") or (m.group("mult") in ("万", "亿")) or code_before
        )
        if need_currency and not has_cur:
            continue
        value = float(num.replace(",", ""))
        mult = (m.group("mult") or "").lower()
        return value * _MULT.get(mult, 1.0)
    return None


def _amount_cell(row: Block, col: int) -> float | None:
    cells = row.cells or []
    return parse_amount(cells[col], need_currency=False) if col < len(cells) else None


def _budgets(facts: PlanFacts) -> None:
    plan = facts.plan
    # Tables: an amount column and a total row.
    for rows in data_rows_by_table(plan):
        header = rows[0].header or []
        amount_cols = [i for i, h in enumerate(header) if _AMOUNT_COLUMN.search(h)]
        if not amount_cols:
            continue
        col = (
            amount_cols[-1]
            if len(amount_cols) > 1
            and re.search(r"total|合计|小计", header[amount_cols[-1]], re.I) is None
            else amount_cols[0]
        )
        # "| Budget item | Amount | Running Total |": the amount column is the one whose cells
        # are amounts, not the item names under a header that says "budget".
        numeric = [
            i
            for i in amount_cols
            if re.search(r"total|合计|小计", header[i], re.I) is None
            and 2 * sum(1 for r in rows if _amount_cell(r, i) is not None) >= len(rows)
        ]
        if numeric and col not in numeric:
            col = numeric[0]
        unit_scale = (
            1e4
            if re.search(r"万元|万", header[col])
            else (1e3 if re.search(r"\bk\b|000s|千", header[col], re.I) else 1.0)
        )
        lines: list[AmountLine] = []
        for r in rows:
            cells = r.cells or []
            if col >= len(cells):
                continue
            amount = parse_amount(cells[col], need_currency=False)
            if amount is None:
                continue
            if not re.search(r"[万亿kmb]", cells[col], re.I):
                amount *= unit_scale
            first = fold(" ".join(cells[:col]) or cells[0])
            lines.append(
                AmountLine(block=r, amount=amount, is_total=bool(cues.TOTAL_CUES.search(first)))
            )
        if any(line.is_total for line in lines) and sum(1 for x in lines if not x.is_total) >= 2:
            facts.budget_groups.append(lines)
    # Lists under a resources/budget heading with a total line.
    by_heading: dict[str, list[Block]] = {}
    for b in plan.blocks:
        if (
            b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH)
            and b.heading_id
            and facts.section[b.id] == "resources"
        ):
            by_heading.setdefault(b.heading_id, []).append(b)
    for heading_id, blocks in by_heading.items():
        heading_text = facts.folded.get(heading_id, "")
        currency_in_heading = bool(HEADING_CURRENCY.search(heading_text))
        scale = 1e4 if "万" in heading_text else 1.0
        lines = []
        for b in blocks:
            text = facts.folded[b.id]
            if b.kind == BlockKind.LIST_ITEM and b.level > 0:
                continue
            amount = parse_amount(text, need_currency=not currency_in_heading)
            if (
                amount is not None
                and currency_in_heading
                and not re.search(r"[万亿kmb$€£¥元]", text)
            ):
                amount *= scale
            if amount is None:
                continue
            is_total = bool(cues.TOTAL_CUES.search(text))
            if b.kind == BlockKind.PARAGRAPH and not is_total:
                continue
            lines.append(AmountLine(block=b, amount=amount, is_total=is_total))
        totals = [x for x in lines if x.is_total]
        if len(totals) == 1 and sum(1 for x in lines if not x.is_total) >= 2:
            facts.budget_groups.append(lines)
    # One sentence: "预算300万元，其中买量180万元、KOL 80万元…" / "Budget: $90k, of which …".
    for b in plan.blocks:
        text = facts.folded[b.id]
        m = _INLINE_BREAKDOWN.search(text)
        if not m or not cues.BUDGET_CUES.search(text[: m.start()]):
            continue
        total = parse_amount(text[: m.start()], need_currency=True)
        breakdown = _ASIDE_AMOUNTS.split(text[m.end() :], maxsplit=1)[
            0
        ]  # "；另…预留30万元" is outside the total
        parts = [
            parse_amount(x.group(0), need_currency=True)
            for x in cues.CURRENCY_AMOUNT.finditer(breakdown)
        ]
        values = [p for p in parts if p is not None]
        if total is not None and len(values) >= 2:
            facts.budget_groups.append(
                [AmountLine(block=b, amount=v, is_total=False) for v in values]
                + [AmountLine(block=b, amount=total, is_total=True)]
            )


_PROGRESS_MARK = re.compile(
    r"(?:=>|->|→|⇒)\s*`?\d+(?:\.\d+)?\s*[%％]"
    r"|\d+(?:\.\d+)?\s*[%％]`?\s*(?:done|complete[d]?|finished|implemented|已?完成|进度)",
    re.I,
)


def _percents(facts: PlanFacts) -> None:
    plan = facts.plan
    for rows in data_rows_by_table(plan):
        header = rows[0].header or []
        cols = [i for i, h in enumerate(header) if _SHARE_COLUMN.search(h)]
        if not cols:
            continue
        col = cols[0]
        vals: list[float] = []
        blocks: list[Block] = []
        total: Block | None = None
        for r in rows:
            cells = r.cells or []
            if col >= len(cells):
                continue
            m = _PERCENT.search(cells[col]) or re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*", cells[col])
            if not m:
                continue
            if cues.TOTAL_CUES.search(fold(cells[0])):
                total = r
                continue
            vals.append(float(m.group(1)))
            blocks.append(r)
        shares = _SHARE_WORD.search(fold(header[col])) or not _NOT_SHARES.search(fold(header[col]))
        if len(vals) >= 2 and max(vals) < 100 and shares:
            facts.percent_groups.append(PercentGroup(blocks, vals, total))
    # Runs of short "label: N%" items or paragraphs under one heading.
    by_heading: dict[str, list[Block]] = {}
    for b in plan.blocks:
        if (
            b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH)
            and b.level == 0
            and b.heading_id
            and facts.section[b.id] not in ("goals", "okr", "background", "problem")
        ):
            by_heading.setdefault(b.heading_id, []).append(b)
    for blocks in by_heading.values():
        vals, group = [], []
        for b in blocks:
            text = facts.folded[b.id]
            found = _PERCENT.findall(text)
            if len(found) != 1 or len(text) > 80 or _GROWTH.search(text):
                continue
            if _PROGRESS_MARK.search(text):
                continue  # "Assignees for the program roles => 100%": how far along, not a share
            vals.append(float(found[0]))
            group.append(b)
        if len(vals) >= 2 and (
            facts.section[group[0].id] in ("resources", "organisation", "timeline")
            or all(_SHARE_ITEM.match(facts.folded[b.id]) for b in group)
        ):
            facts.percent_groups.append(PercentGroup(group, vals, None))
    # One sentence that splits a whole: "allocated by depot: Coventry 34%, Leicester 28%, …".
    for b in plan.blocks:
        text = facts.folded[b.id]
        found = _PERCENT.findall(text)
        if len(found) >= 3 and _SPLIT_WORDS.search(text) and not _GROWTH.search(text):
            facts.percent_groups.append(PercentGroup([b], [float(x) for x in found], None))


_GROWTH = re.compile(
    r"\b(?:increase|grow|reduce|raise|cut|lift|improve|target)\w*\b|\b(?:by|to|from|up|down)\s+\d|提升|提高|增长|降低|达到|下降|同比|环比|目标",
    re.I,
)


_SHARE_ITEM = re.compile(
    r"^[^\d%]{1,30}[:：]\s*\d+(?:\.\d+)?\s*%\s*[。.;；]?$|^\d+(?:\.\d+)?\s*%\s+[^\d%]{1,30}$"
)


_SPLIT_WORDS = re.compile(
    r"\b(?:split|allocat\w*|share|shares|breakdown|divided|distribution|time this year|of (?:the |our )?(?:budget|time|spend|capacity))\b|\bof which\b|分配|占比|比例|构成|分布|拆分|其中",
    re.I,
)
