"""Plan completeness: unfinished template text left in the plan (``plan.placeholder``)."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts
from service.rules.extract.normalize import fold
from service.rules.extract.sections import classify_heading, names_open_decisions


def placeholder_in(text: str) -> str | None:
    """The placeholder a block's text holds ("TBD", "X%", "待定", "XX市"), or None."""
    m = cues.TEMPLATE_SLOT.search(text)
    if m is None:
        return None
    return m.group(0).strip(" :：")


_SUPPRESSION = re.compile(r"<!--\s*planreview\s*:", re.I)
# Fill-ins shown as an example or a form to copy are illustrations ("例：xxxxx", "e.g. X%").
_EXAMPLE = re.compile(
    r"(?:^|\s|[(（])(?:例|示例|范例|範例|例如|格式|模板|e\.g\.|for example|example)\s*[:：]", re.I
)
_ADMONITION = re.compile(r"^\s*(?:[?!]{3}\+?)\s+\w")


# Contact details masked on purpose, keeping their shape: a redaction, not a slot to fill in.
_REDACTED = re.compile(
    r"(?<![A-Za-z0-9])(?:1[xX*]{10}|\d{3}[xX*]{4}\d{4}|[xX*]{2,}@[xX*]{2,}(?:\.[a-zA-Z]{2,})?"
    r"|[xX*]{3,}\s*[（(]\s*(?:电话|電話|手机|手機|联系电话|邮箱|郵箱|电邮|電郵|phone|tel|mobile|e-?mail|qq|"
    r"微信|wechat)[^)）]{0,10}[)）])(?![A-Za-z0-9])",
    re.I,
)
_SIGN_OFF = re.compile(
    r"(?:\b(?:signature|signed|sign|date|print(?:ed)? name|name|title|role|position|approved by|approver|"
    r"reviewed by|witness)|签名|签字|签章|盖章|日期|审批意见|审核意见|批准人|审批人|簽名|簽字|簽章|審批意見|審核意見|批准人)"
    r"\s*[:：]\s*(?:_{2,}|＿{2,}|\.{4,})",
    re.I,
)
_QUOTED_DISPLAY = re.compile(
    r"(?:显示|顯示|展示|display(?:s|ed)?|shows?|shown|returns?|返回|回传|回傳|输出|輸出|提示)\s*"
    r"(?:`[^`]{1,20}`|「[^」]{1,20}」|“[^”]{1,20}”|'[^']{1,20}'|\"[^\"]{1,20}\")",
    re.I,
)
_SAMPLE_SLOT = re.compile(
    r"\b[xX]{3,}\.[a-z][\w-]*(?:\.[a-z][\w-]*)*\b|[?&][\w-]+=[xX]{2,}\b|/[xX]{3,}\b"
    # (not a version slot in quoted code: "`FROM rust:1.XX`" is one)
    r"|`[^`\n]*?(?<![\d.:])[xX]{2,}[^`\n]*?`|\"[^\"\n]*?(?<![\d.:])[xX]{2,}[^\"\n]*?\""
    r"|“[^”\n]*?(?<![\d.:])[xX]{2,}[^”\n]*?”|「[^」\n]*?(?<![\d.:])[xX]{2,}[^」\n]*?」"
)
# Priority tags: a plan that ranks its items P0, P1, P2 and leaves one as "PX" has not ranked it.
_RANK = re.compile(r"(?<![\w-])`?P([0-4])`?(?![\w-])")
_UNRANKED = re.compile(r"^[\s>*+-]*`?P[xX?]`?(?![\w-])", re.M)
_ELLIPSIS_ONLY = re.compile(r"^\W*(?:\.{3,}|…+|等等?)\W*$")


def _continues_a_series(facts: PlanFacts, b: Block) -> bool:
    """An item that is only an ellipsis after items of one series (they share their start):
    the list goes on in the same way; nothing is missing."""
    if b.kind != BlockKind.LIST_ITEM or not _ELLIPSIS_ONLY.match(b.text):
        return False
    i = facts.position[b.id]
    before = [
        x
        for x in facts.plan.blocks[max(0, i - 3) : i]
        if x.kind == BlockKind.LIST_ITEM and x.parent_id == b.parent_id
    ]
    if len(before) < 2:
        return False
    first, *rest = (x.text.strip("`* ") for x in before)
    shared = len(first)
    for other in rest:
        k = 0
        while k < min(shared, len(other)) and first[k] == other[k]:
            k += 1
        shared = k
    return shared >= 4


_FILL_IN_CELL = re.compile(
    r"^\W*(?:请填入|请填写|请补充|请输入|待填写?|待补充|to be filled(?: in)?|fill in|please fill in)\W*$",
    re.I,
)
_TODO_WORD = re.compile(
    r"\b(?:to-?dos?|to do|tbd items|open items)\b|待办|待(?:确认|確認|定|处理|處理|完成|讨论|討論)(?=事项|事項|清单|清單|問題|问题)",
    re.I,
)


def check(facts: PlanFacts, emit: Emitter) -> None:
    lines = facts.plan.lines
    ranked = len(set(_RANK.findall(facts.plan.text))) >= 2
    for b in facts.plan.blocks:
        if b.kind == BlockKind.HEADING and cues.TODO_HEADING.fullmatch(facts.folded[b.id].strip()):
            continue  # "## To do" names a task list; it is not a slot
        if b.kind == BlockKind.HEADING and names_open_decisions(b.text):
            continue  # "### 待決事項（TBD）": the label of the open decisions listed under it
        # The block's source lines, so that a slot in a link target ("[录屏](xxxx)") counts too.
        source = "\n".join(lines[b.start_line - 1 : b.end_line]) or b.text
        if b.kind == BlockKind.HEADING and classify_heading(b.text) == "tasks":
            # "## 十一、TODO / 待确认事项": the word names the task list under it, not a slot.
            source = _TODO_WORD.sub(" ", source)
        if _SUPPRESSION.search(source):
            continue  # a suppression comment is an instruction to the reviewer, not plan text
        if _EXAMPLE.search(source) or _ADMONITION.match(source):
            continue  # "例：Issue Number: #xxx", "??? tip": an illustration or markup, not a slot
        if _continues_a_series(facts, b):
            continue  # "- Sprint-2026-W14", "- Sprint-2026-W15", "- ...": and so on, not a slot
        # "xxxxxxx（电话号码）", "xxx@xxx", "138****1234": contact details masked on purpose.
        source = _REDACTED.sub(" ", source)
        # "Signature: ________  Date: ________": an approval form, filled in when it is signed.
        source = _SIGN_OFF.sub(" ", source)
        # "無 year 時顯示 `TBD`": a word the product shows, quoted, not a slot left in the plan.
        source = _QUOTED_DISPLAY.sub(" ", source)
        # "`xxx.vercel.app`", "?token=xxx", a reply to copy ("和 XXX 比怎么样", "`你们说的 XX 我加上了`"):
        # the shape of a name or the reader's own words, not a slot in the plan.
        source = _SAMPLE_SLOT.sub(" ", source)
        found = placeholder_in(source)
        if found is None and ranked and _UNRANKED.search(source):
            found = "PX"  # "`PX` - There is a prototype…" among P0/P1/P2 items: a rank not given
        if found is None and b.kind != BlockKind.TABLE_ROW:
            m = cues.OPEN_SLOT.search(_REDACTED.sub(" ", facts.folded[b.id]))
            found = m.group(0).strip() if m else None
        if found is None and b.kind == BlockKind.TABLE_ROW:
            # "| 機三乙 | （請填入） | 鍾沅駿 |": a cell that still asks to be filled in.
            found = next((c.strip() for c in b.cells or [] if _FILL_IN_CELL.match(fold(c))), None)
        if found is not None:
            emit.block("plan.placeholder", b, placeholder=found, confidence=0.85)
