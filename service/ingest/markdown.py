"""Normalised Markdown text -> Plan blocks with 1-based line spans.

markdown-it-py gives each block token a line map. Plans are often written as
plain lines rather than tidy Markdown (Chinese outlines like ``一、背景``,
``（一）``, label lines such as ``目标：…``), so a paragraph that spans several
lines is split where a line starts a new statement, and outline lines become
headings. The text itself is never changed: lines stay the user's lines.
"""

from __future__ import annotations

import hashlib
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from service.models import Block, BlockKind, Plan
from service.text import detect_language, detect_script

# Blocks take their text from each inline token's raw ``content``; the inline
# parse into child tokens (a quarter of the parse time) would go unused.
_MD = MarkdownIt("commonmark", {"html": True}).enable("table").disable(["inline", "text_join"])

# Outline markers that open a heading-like line in plain-text plans, with the level they imply.
_OUTLINE_HEADINGS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章部篇]\s*\S"), 1),
    (re.compile(r"^第[一二三四五六七八九十百零〇\d]+[节節]\s*\S"), 2),
    (re.compile(r"^[壹贰貳叁參肆伍陆陸柒捌玖拾]+[、.．]\s*\S"), 1),
    (re.compile(r"^[一二三四五六七八九十]+[、.．]\s*\S"), 2),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*\S"), 3),
    (re.compile(r"^\d+(\.\d+){1,3}\.?\s*[^\d\s.]"), 3),
    (re.compile(r"^(PART|Part|SECTION|Section)\s+[\dIVX]+\b"), 2),
]
# Markers that start a new statement inside a multi-line paragraph (numbered or labelled lines).
_STATEMENT_START = re.compile(
    r"^(?:[一二三四五六七八九十壹贰貳叁參肆伍陆陸柒捌玖拾]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、)）]|\d+\.\d+|"
    r"[①②③④⑤⑥⑦⑧⑨⑩]|[•·▪◦●○■□➢►\-*+]\s|"
    r"(?:目标|目標|关键结果|關鍵結果|KR\s*\d|O\s*\d|Objective|Goal|Target|Key result|Risk|风险|風險|任务|任務|"
    r"负责人|負責人|责任人|責任人|预算|預算|Owner|Budget|Period|Timeline|计划周期|計劃周期|時間|时间|Deadline)"
    r"\s*\d*\s*[:：]"
    # "**KR 4.2** Launch …", "O2 - …": a numbered KR or objective label opens its own line.
    r"|(?:\*\*|__)?\s*(?:KR|O)\s*\d+(?:\.\d+)*(?:\*\*|__)?(?=[\s:：.\-–—)]))",
    re.IGNORECASE,
)
# "Site: Rotterdam", "Roadmap period: …", "申报单位：…": one fact per line.
_LABEL_LINE = re.compile(r"^(?:[A-Za-z][\w/&()' -]{0,28}|[\u4e00-\u9fff]{1,8})\s*[:：]\s*\S")
_LABEL_HEADING = re.compile(
    r"^(?:[A-Z][A-Za-z&/-]+(?: (?:and |& )?[A-Za-z&/-]+){0,2}|[\u4e00-\u9fff]{2,8})\s*[:：]?$"
)
_INDENTED_BULLET = re.compile(r"^\s{2,}[-*+•·]\s+\S")
_TERMINAL_PUNCT = re.compile(r"[。.!?！？；;，,：:]$")
_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_INLINE_MARK = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`)")
_BOLD_ONLY = re.compile(r"^\s*(\*\*|__)([^*_]{1,80})\1\s*[:：]?\s*$")


def strip_inline(text: str) -> str:
    """Inline Markdown -> plain text (links keep their label, emphasis markers go)."""
    text = _INLINE_LINK.sub(r"\1", text)
    text = _INLINE_MARK.sub("", text)
    text = re.sub(r"<[^>]{1,80}>", "", text)
    return " ".join(text.split())


def _outline_level(line: str) -> int | None:
    """Heading level of a plain-text outline line, or None if it is not one."""
    s = line.strip()
    if not s or len(s) > 60 or re.search(r"[:：]\s*\S", s):
        return None  # "3.1 Total: 50,000" is a statement, not a heading
    for pattern, level in _OUTLINE_HEADINGS:
        if pattern.match(s):
            body_len = len(s)
            # A heading is short and does not read as a full sentence.
            if body_len <= 40 and not re.search(r"[。；;.!?！？]$", s):
                return level
            return None
    return None


class _Builder:
    def __init__(self, lines: list[str], *, plain_text: bool = False) -> None:
        self.lines = lines
        self.plain_text = plain_text  # a .txt plan: bare label lines act as headings
        self.section_lines: set[int] = set()  # numbered section lines of a headingless file
        self.blocks: list[Block] = []
        self.heading_stack: list[Block] = []
        self.summary_ids: set[str] = set()  # headings made from <details><summary>
        self.table_count = 0

    def _next_id(self) -> str:
        return f"b{len(self.blocks) + 1}"

    def current_heading_id(self) -> str | None:
        return self.heading_stack[-1].id if self.heading_stack else None

    def add_heading(self, text: str, start: int, end: int, level: int) -> Block:
        block = Block(
            id=self._next_id(),
            kind=BlockKind.HEADING,
            text=text,
            start_line=start,
            end_line=end,
            level=level,
            heading_id=None,
        )
        while self.heading_stack and self.heading_stack[-1].level >= level:
            self.heading_stack.pop()
        block.heading_id = self.current_heading_id()
        self.heading_stack.append(block)
        self.blocks.append(block)
        return block

    def add(self, kind: BlockKind, text: str, start: int, end: int, **extra: object) -> Block:
        block = Block(
            id=self._next_id(),
            kind=kind,
            text=text,
            start_line=start,
            end_line=end,
            heading_id=self.current_heading_id(),
            **extra,  # type: ignore[arg-type]
        )
        self.blocks.append(block)
        return block

    # -- paragraphs: split plain-line plans into statements -------------------------------
    def add_paragraph(
        self, start: int, end: int, list_extra: dict[str, object] | None = None
    ) -> None:
        """Lines start..end (1-based, inclusive) of one markdown paragraph."""
        groups: list[tuple[int, int]] = []
        cur_start = start
        for ln in range(start + 1, end + 1):
            line = self.lines[ln - 1].strip()
            prev = self.lines[ln - 2].strip()
            if (
                _STATEMENT_START.match(line)
                or _LABEL_LINE.match(line)
                or _outline_level(line) is not None
                or _outline_level(prev) is not None
                or _BOLD_ONLY.match(prev)
                or _BOLD_ONLY.match(line)
                or _all_caps(line)
                or _all_caps(prev)
                or (_cjk_line(prev) and _TERMINAL_PUNCT.search(prev) is not None)
                or (_cjk_line(prev) and _cjk_line(line) and len(prev) < 40)
            ):
                groups.append((cur_start, ln - 1))
                cur_start = ln
        groups.append((cur_start, end))
        statement: Block | None = None  # the last unindented statement of this paragraph
        for g_start, g_end in groups:
            # A quoted paragraph ("> 项目周期：12 个月") reads without its quote markers.
            raw = "\n".join(_QUOTE_MARK.sub("", x) for x in self.lines[g_start - 1 : g_end])
            first_raw = _QUOTE_MARK.sub("", self.lines[g_start - 1])
            first = first_raw.strip()
            level = _outline_level(first) if g_start == g_end else None
            bold = _BOLD_ONLY.match(first) if g_start == g_end else None
            if list_extra is None and level is not None:
                self.add_heading(strip_inline(first), g_start, g_end, level)
            elif list_extra is None and bold is not None:
                self.add_heading(strip_inline(bold.group(2)), g_start, g_end, 4)
            elif (
                list_extra is None
                and self.plain_text
                and start == end
                and _LABEL_HEADING.match(first)
            ):
                # A plain-text plan's bare section line ("Goals", "Actions:", "行动计划").
                self.add_heading(strip_inline(first).rstrip(":："), g_start, g_end, 3)
            elif list_extra is None and statement is not None and _INDENTED_BULLET.match(first_raw):
                # "2.1 Raise on-time performance …" then "    - On time means …": a detail of it.
                self.add(
                    BlockKind.LIST_ITEM,
                    strip_inline(raw),
                    g_start,
                    g_end,
                    level=1,
                    parent_id=statement.id,
                )
            else:
                kind = BlockKind.LIST_ITEM if list_extra is not None else BlockKind.PARAGRAPH
                statement = self.add(kind, strip_inline(raw), g_start, g_end, **(list_extra or {}))


_QUOTE_MARK = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")


def _looks_like_heading_item(lines: list[str], line_no: int, text: str) -> bool:
    raw = lines[line_no - 1].strip()
    m = re.match(r"^(\d{1,2})[.)]\s+(.*)$", raw)
    if not m or len(text) > 80 or _TERMINAL_PUNCT.search(text):
        return False
    title = m.group(2)
    letters = re.sub(r"[^A-Za-z]", "", title)
    if (
        not _cjk_line(title)
        and (len(title.split()) >= 2 or len(letters) >= 4)
        and letters.isupper()
        and len(letters) >= 0.6 * len(title.replace(" ", ""))
    ):
        return True
    number = m.group(1)
    for nxt in lines[line_no : line_no + 4]:
        if nxt.strip():
            return bool(re.match(rf"^{number}\.\d+\b", nxt.strip()))
    return False


def _all_caps(line: str) -> bool:
    """A title-like line in capitals ("ANNUAL SERVICE PLAN 2026/27")."""
    letters = re.sub(r"[^A-Za-z]", "", line)
    return (
        len(line.split()) >= 2 and len(letters) >= 4 and letters.isupper() and not _cjk_line(line)
    )


def _cjk_line(line: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", line))


def _split_cells(token_children: list[Token]) -> list[str]:
    return [strip_inline(t.content) for t in token_children if t.type == "inline"]


_RULE_CELL = re.compile(r"^[\s:=+-]*[-=][\s:=+-]*$")


def _is_rule_row(cells: list[str]) -> bool:
    return any(c.strip() for c in cells) and all(
        not c.strip() or _RULE_CELL.match(c) for c in cells
    )


def _join_wrapped(a: str, b: str) -> str:
    """Join a cell's text with its continuation on the next line (no space between CJK)."""
    if not a:
        return b
    if not b:
        return a
    if _cjk_line(a) or _cjk_line(b[0]):
        return a + b
    return a + " " + b


def _grid_records(
    rows: list[tuple[list[str], int, bool]],
) -> list[tuple[list[str], int, int, bool]]:
    """A table's rows as records: (cells, first line, last line, is header).

    A grid table written as a pipe table (what pandoc makes of a Word table whose cells wrap)
    separates its records with `|----|----|` rows inside the body; every row between two such
    rules continues the record above it cell by cell. Without interior rules each row is a record.
    """
    body = [r for r in rows if not r[2]]
    if not any(_is_rule_row(c) for c, _, _ in body):
        return [(c, line, line, h) for c, line, h in rows]
    out: list[tuple[list[str], int, int, bool]] = [
        (c, line, line, True) for c, line, h in rows if h
    ]
    record: list[str] | None = None
    first = last = 0
    for cells, line, _ in body:
        if _is_rule_row(cells):
            if record is not None:
                out.append((record, first, last, False))
            record = None
            continue
        if record is None:
            record, first = list(cells), line
        else:
            width = max(len(record), len(cells))
            record += [""] * (width - len(record))
            record = [
                _join_wrapped(record[k], cells[k] if k < len(cells) else "") for k in range(width)
            ]
        last = line
    if record is not None:
        out.append((record, first, last, False))
    return out


_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def _collapsible(tok: Token, b: _Builder) -> None:
    """A `<details><summary>Title</summary>` block titles what follows, like a heading one
    level below the section it sits in; `</details>` closes it."""
    assert tok.map is not None
    for offset, line in enumerate(tok.content.split("\n")):
        m = _SUMMARY.search(line)
        if m:
            title = strip_inline(_TAG.sub("", m.group(1))).strip()
            if not title:
                continue
            top = b.heading_stack[-1] if b.heading_stack else None
            if top is not None and top.id in b.summary_ids:
                level = top.level
            else:
                level = min(6, (top.level if top is not None else 0) + 1)
            line_no = tok.map[0] + 1 + offset
            b.summary_ids.add(b.add_heading(title, line_no, line_no, level).id)
        elif (
            re.search(r"</details\s*>", line, re.I)
            and b.heading_stack
            and b.heading_stack[-1].id in b.summary_ids
        ):
            b.heading_stack.pop()


def _walk(tokens: list[Token], b: _Builder) -> None:
    list_stack: list[dict[str, object]] = []  # open lists: ordered flag
    item_stack: list[Block | None] = []  # None marks a numbered section line promoted to a heading
    i = 0
    header: list[str] | None = None
    table_id: str | None = None
    in_thead = False
    body_rows: list[tuple[list[str], int, bool]] = []  # the open table's rows: cells, line, header
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "heading_open" and tok.map:
            inline = tokens[i + 1]
            level = int(tok.tag[1])
            b.add_heading(strip_inline(inline.content), tok.map[0] + 1, tok.map[1], level)
            i += 3
            continue
        if t == "html_block" and tok.map and not item_stack:
            _collapsible(tok, b)
        if t in ("bullet_list_open", "ordered_list_open"):
            list_stack.append({"ordered": t == "ordered_list_open"})
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif t == "list_item_open" and tok.map:
            # The item's own lines end where its first nested block other than the paragraph starts.
            start = tok.map[0] + 1
            end = tok.map[1]
            j = i + 1
            depth = 0
            para_done = False
            while j < len(tokens):
                tj = tokens[j]
                if tj.type == "list_item_close" and depth == 0:
                    break
                if (
                    tj.type
                    in (
                        "bullet_list_open",
                        "ordered_list_open",
                        "table_open",
                        "fence",
                        "code_block",
                        "blockquote_open",
                        "html_block",
                        "heading_open",
                    )
                    and tj.map
                    and depth == 0
                ):
                    end = tj.map[0]
                    break
                if tj.type == "paragraph_close" and depth == 0:
                    para_done = True
                if tj.type == "paragraph_open" and para_done and depth == 0 and tj.map:
                    # A second paragraph of the same item stays part of it.
                    pass
                if tj.type == "list_item_open":
                    depth += 1
                if tj.type == "list_item_close":
                    depth -= 1
                j += 1
            while end > start and not b.lines[end - 1].strip():
                end -= 1
            text = strip_inline(
                " ".join(
                    tk.content
                    for tk in tokens[i + 1 : j]
                    if tk.type == "inline" and tk.level <= tok.level + 2
                )
            )
            parent = item_stack[-1] if item_stack else None
            if (
                parent is None
                and start == end
                and (start in b.section_lines or _looks_like_heading_item(b.lines, start, text))
            ):
                # "2. PRIORITIES AND TARGETS" followed by "2.1 …": a numbered section, not a list.
                b.add_heading(text, start, start, 2)
                item_stack.append(None)
                k = i + 1
                while k < len(tokens) and tokens[k].type == "paragraph_open":
                    k += 3
                i = k
                continue
            block = b.add(
                BlockKind.LIST_ITEM,
                text,
                start,
                max(start, end),
                level=len(list_stack) - 1,
                ordered=bool(list_stack[-1]["ordered"]) if list_stack else False,
                parent_id=parent.id if parent else None,
            )
            item_stack.append(block)
            # Skip the item's own paragraph tokens; nested structures are walked normally.
            k = i + 1
            while k < len(tokens) and tokens[k].type == "paragraph_open":
                k += 3
            i = k
            continue
        elif t == "list_item_close":
            if item_stack:
                item_stack.pop()
        elif t == "paragraph_open" and tok.map:
            start, end = tok.map[0] + 1, tok.map[1]
            if item_stack:
                pass  # further paragraphs of a list item belong to it
            else:
                b.add_paragraph(start, end)
            i += 3
            continue
        elif t == "table_open":
            b.table_count += 1
            table_id = f"t{b.table_count}"
            header = None
        elif t == "thead_open":
            in_thead = True
        elif t == "thead_close":
            in_thead = False
        elif t == "tr_open" and tok.map:
            j = i + 1
            cells_tokens: list[Token] = []
            while tokens[j].type != "tr_close":
                cells_tokens.append(tokens[j])
                j += 1
            cells = _split_cells(cells_tokens)
            if in_thead:
                header = cells
            body_rows.append((cells, tok.map[0] + 1, in_thead))
            i = j + 1
            continue
        elif t == "table_close":
            for cells, start, end, is_header in _grid_records(body_rows):
                b.add(
                    BlockKind.TABLE_ROW,
                    " | ".join(cells),
                    start,
                    end,
                    table_id=table_id,
                    cells=cells,
                    header=header,
                    is_header=is_header,
                )
            body_rows = []
        i += 1


def _front_matter(text: str) -> tuple[str, str]:
    """Blank out YAML front matter (keeping line numbers) and return its title."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return text, ""
    title = ""
    for line in m.group(1).split("\n"):
        if line.lower().startswith("title:"):
            title = line.split(":", 1)[1].strip().strip("'\"")
    n_lines = m.group(0).count("\n")
    return "\n" * n_lines + text[m.end() :], title


def _title(blocks: list[Block], fm_title: str, lines: list[str]) -> str:
    for block in blocks:
        if block.kind == BlockKind.HEADING and block.level == 1:
            return block.text
    if fm_title:
        return fm_title
    first = blocks[0] if blocks else None
    if (
        first is not None
        and first.kind == BlockKind.PARAGRAPH
        and first.start_line == first.end_line
        and len(first.text) <= 80
        and not _TERMINAL_PUNCT.search(first.text)
    ):
        return first.text  # a plain-text plan's first line
    for block in blocks:
        if block.kind == BlockKind.HEADING:
            return block.text
    for line in lines:
        if line.strip():
            return strip_inline(line.strip().lstrip("#").strip())[:120]
    return ""


_SECTION_TITLE = re.compile(r"^\s*(\d{1,2})[.)]\s+(\S.{0,58})$")


def _numbered_section_lines(tokens: list[Token], lines: list[str]) -> set[int]:
    """Lines of a headingless document that number its sections ("1. Introduction", then prose,
    "2. Context and Challenges", …): one-line items alone in their list, short, with no end
    punctuation, and at least three of them numbered 1, 2, 3… in order."""
    found: list[tuple[int, int]] = []  # (number, line)
    for k, tok in enumerate(tokens):
        if tok.type != "ordered_list_open" or tok.level != 0 or not tok.map:
            continue
        items = 0
        for t in tokens[k + 1 :]:
            if t.type == "ordered_list_close" and t.level == 0:
                break
            if t.type == "list_item_open" and t.level == 1:
                items += 1
        first, last = tok.map[0], tok.map[1]
        body = [x for x in lines[first:last] if x.strip()]
        if items != 1 or len(body) != 1:
            continue
        m = _SECTION_TITLE.match(body[0])
        if m and not _TERMINAL_PUNCT.search(m.group(2).strip()):
            found.append((int(m.group(1)), first + 1))
    numbers = [n for n, _ in found]
    if len(found) < 3 or numbers != sorted(numbers) or numbers[0] != 1:
        return set()
    return {line for _, line in found}


def parse_markdown(text: str, *, source: str, source_format: str = "markdown") -> Plan:
    """Parse normalised Markdown (\\n line ends, no BOM) into a Plan."""
    body, fm_title = _front_matter(text)
    lines = text.split("\n")
    tokens = _MD.parse(body)
    # A Markdown file without a single heading is text converted from a document (a Word file
    # saved as .md): its bare label lines and numbered section lines are its headings, as in .txt.
    headingless = not any(t.type == "heading_open" for t in tokens)
    builder = _Builder(lines, plain_text=source_format == "text" or headingless)
    if headingless:
        builder.section_lines = _numbered_section_lines(tokens, lines)
    _walk(tokens, builder)
    language = detect_language(text)
    return Plan(
        source=source,
        source_format=source_format,  # type: ignore[arg-type]
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        language=language,  # type: ignore[arg-type]
        script=detect_script(text),  # type: ignore[arg-type]
        title=_title(builder.blocks, fm_title, lines),
        blocks=builder.blocks,
    )
