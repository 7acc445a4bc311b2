"""Which files are plans: the files the language server, `review DIR` and `batch` review.

A workspace or a folder holds READMEs, changelogs and notes next to its plans;
reviewing them all buries the real findings. A file is a plan when, in order:

1. the file says so: front matter ``planreview: true|false`` (``on``/``off``,
   ``yes``/``no``) or a comment ``<!-- planreview: on -->`` / ``off`` on a line of its own wins over
   everything below;
2. ``exclude`` in ``planreview.toml`` matches it: not a plan;
3. ``include`` in ``planreview.toml`` is set: a plan exactly when it matches;
4. its name says so: a word like plan, OKR, roadmap, charter, strategy,
   proposal, objectives, goals, milestones, initiative (``q3-plan.md``, ``TeamOKRs.md``,
   ``workplan.txt``) or 计划, 計劃, 計畫, 方案, 规划, 規劃, 策划, 策劃, 目标, 目標,
   战略, 戰略, 路线图, 路線圖, 提案 anywhere in it: a plan;
   README, CHANGELOG, LICENSE, CONTRIBUTING and their kin: not a plan;
5. otherwise it must read like a plan: cheap counts over the parsed text, no
   model (headings that name plan parts such as goals, tasks, timeline, risks;
   lines with plan words such as owner, milestone, 负责人, 里程碑; lines with dates).

``include``/``exclude`` use gitignore syntax relative to the folder of the
``planreview.toml`` (or ``pyproject.toml``) that holds them: ``docs/``,
``**/notes/*.md``, ``!docs/plans/``. A file named on the command line is
always reviewed; the rules above apply to files found in folders, by globs and
in an editor's workspace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from service.batch.discovery import PlanFile, Skipped
    from service.config import FileSelection
    from service.models import Plan

PlanFileT = TypeVar("PlanFileT", bound="PlanFile")

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
"""Files whose content the gate reads before reviewing; .docx and .pdf in a folder are
taken as documents someone wrote (plans) unless a name rule or ``exclude`` says no."""

_NAME_WORDS = (
    "plan",
    "okr",
    "roadmap",
    "charter",
    "strategy",
    "strategies",
    "proposal",
    "objective",
    "goal",
    "milestone",
    "initiative",
    "kpi",
)
_NAME_WORDS_ZH = (
    "计划",
    "計劃",
    "計畫",
    "方案",
    "规划",
    "規劃",
    "策划",
    "策劃",
    "目标",
    "目標",
    "战略",
    "戰略",
    "路线图",
    "路線圖",
    "提案",
)
_NOT_PLAN_NAMES = frozenset(
    {
        "readme",
        "changelog",
        "changes",
        "history",
        "news",
        "license",
        "licence",
        "copying",
        "notice",
        "authors",
        "contributors",
        "contributing",
        "code_of_conduct",
        "code-of-conduct",
        "security",
        "support",
        "governance",
        "maintainers",
        "codeowners",
        "release_notes",
        "release-notes",
    }
)

_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(?P<body>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)
_FRONT_KEY = re.compile(r"^planreview[ \t]*:[ \t]*(?P<v>[A-Za-z]+)[ \t]*(?:#.*)?$", re.M | re.I)
# On a line of its own: a mention in prose or in `code` is not a marker.
_COMMENT = re.compile(r"^[ \t]*<!--\s*planreview\s*:\s*(?P<v>on|off)\s*-->[ \t]*$", re.I | re.M)
_TRUE = {"true", "on", "yes"}
_FALSE = {"false", "off", "no"}

# The gate's cues: plan words on a line, and dates a plan commits to.
_CUE = re.compile(
    r"\b(?:goals?|objectives?|key results?|okrs?|milestones?|deadlines?|owners?|timeline|"
    r"roadmap|budget|kpis?|risks?|deliverables?|targets?|initiatives?|workstreams?|"
    r"action plan|responsible|accountable|mitigation|phase \d)\b"
    r"|目标|目標|关键结果|關鍵結果|里程碑|负责人|負責人|责任人|責任人|截止|预算|預算|风险|風險|"
    r"进度|進度|举措|舉措|指标|指標|时间表|時間表|节点|節點|阶段|階段|牵头",
    re.I,
)
_DATE = re.compile(
    r"\b20\d\d[-/.]\d{1,2}\b|\b[QH][1-4]\s*(?:FY)?\s*'?(?:20)?\d\d\b|20\d\d\s*年|"
    r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(?:底|末|中|初)|第[一二三四1-4]季度|"
    r"\bby (?:the )?(?:end of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\bweek \d+\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* 20\d\d\b",
    re.I,
)
# Heading parts that any document may have; they do not make it a plan.
_GENERIC_PARTS = frozenset({"background", "communication"})


@dataclass(frozen=True)
class Verdict:
    is_plan: bool
    reason: str  # why, for logs and the batch's list of skipped files

    def __bool__(self) -> bool:
        return self.is_plan


def marker(text: str) -> bool | None:
    """The file's own say: front matter ``planreview: true|false`` or ``<!-- planreview: on|off -->``."""
    m = _FRONT_MATTER.match(text[:8192])
    if m:
        key = _FRONT_KEY.search(m.group("body"))
        if key:
            value = key.group("v").lower()
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
    c = _COMMENT.search(text)
    if c:
        return c.group("v").lower() == "on"
    return None


def _name_tokens(stem: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", stem)  # TeamOKRs -> Team_OKRs
    return re.findall(r"[a-z]+", spaced.lower())  # Workplan2027 -> workplan


def name_says(name: str) -> bool | None:
    """True for plan-like file names, False for well-known non-plans, None otherwise."""
    stem = name.rsplit("/", 1)[-1]
    stem = stem.split(".", 1)[0] if not stem.startswith(".") else stem
    if stem.lower() in _NOT_PLAN_NAMES:
        return False
    if any(w in stem for w in _NAME_WORDS_ZH):
        return True
    for token in _name_tokens(stem):
        for w in _NAME_WORDS:
            # "q3plan", "plans", "planning", "okrs"; not "explanation" or "airplanes"
            if token.startswith(w) or token.endswith((w, w + "s")):
                return True
    return None


@dataclass(frozen=True)
class GateCounts:
    parts: int  # distinct plan parts named by headings (not background/communication)
    cue_lines: int
    date_lines: int

    @property
    def reads_like_a_plan(self) -> bool:
        p, c, d = self.parts, self.cue_lines, self.date_lines
        # A heading that names a plan part (goals, tasks, timeline, risks ...) with a plan word
        # or a date somewhere; or several dated lines with plan words. Measured on the eval
        # plans (kept) against READMEs, docs and package Markdown (dropped): see the tests.
        return p >= 2 or (p >= 1 and (c >= 1 or d >= 1)) or (d >= 2 and c >= 3)


def gate_counts(plan: Plan) -> GateCounts:
    from service.models import BlockKind
    from service.rules.extract.sections import classify_heading

    parts: set[str] = set()
    cues = dates = 0
    for b in plan.blocks:
        if b.kind == BlockKind.HEADING:
            kind = classify_heading(b.text)
            if kind and kind not in _GENERIC_PARTS:
                parts.add(kind)
        if _CUE.search(b.text):
            cues += 1
        if _DATE.search(b.text):
            dates += 1
    return GateCounts(len(parts), cues, dates)


@dataclass
class Scope:
    """``include``/``exclude`` of one config file, anchored at its folder."""

    base: Path | None
    include: list[str]
    exclude: list[str]

    @classmethod
    def of(cls, config: FileSelection | None, config_path: Path | None) -> Scope:
        if config is None:
            return cls(None, [], [])
        base = config_path.resolve().parent if config_path is not None else None
        return cls(base, list(config.include), list(config.exclude))

    def _rel(self, path: Path) -> str | None:
        if self.base is None:
            return None
        try:
            return path.resolve().relative_to(self.base).as_posix()
        except (ValueError, OSError):
            return None

    def _matches(self, patterns: list[str], rel: str) -> bool:
        from service.batch.discovery import IgnoreSet

        rules = IgnoreSet()
        for p in patterns:
            rules.add("", p)
        parts = rel.split("/")
        # a pattern naming a folder covers what is inside it
        for i in range(1, len(parts)):
            if rules.ignored("/".join(parts[:i]), is_dir=True):
                return True
        return rules.ignored(rel, is_dir=False)

    def verdict(self, path: Path) -> Verdict | None:
        rel = self._rel(path)
        if rel is None:
            return None
        if self.exclude and self._matches(self.exclude, rel):
            return Verdict(False, "excluded by planreview.toml (exclude)")
        if self.include:
            if self._matches(self.include, rel):
                return Verdict(True, "included by planreview.toml (include)")
            return Verdict(False, "not matched by planreview.toml (include)")
        return None


def scope_for(path: Path) -> Scope:
    """The include/exclude of the config governing ``path`` (none when it is broken)."""
    from service.config import find_config, load_file_selection
    from service.errors import PlanReviewError

    try:
        found = find_config(path)
        return Scope.of(load_file_selection(found), found) if found else Scope(None, [], [])
    except (PlanReviewError, OSError):
        return Scope(None, [], [])


def decide(
    path: Path | None, text: str, plan: Plan | None = None, *, scope: Scope | None = None
) -> Verdict:
    """Is this file a plan? (the order in the module doc). ``plan`` is the parsed text,
    parsed here when the gate needs it and none is given."""
    said = marker(text)
    if said is not None:
        return Verdict(
            said, "planreview: on in the file" if said else "planreview: off in the file"
        )
    if path is not None:
        by_config = (scope if scope is not None else scope_for(path)).verdict(path)
        if by_config is not None:
            return by_config
        by_name = name_says(path.name)
        if by_name is not None:
            return Verdict(by_name, "a plan's file name" if by_name else "not a plan (its name)")
        if path.suffix.lower() not in TEXT_SUFFIXES:
            return Verdict(True, "a document in a folder of plans")
    if plan is None:
        from service.ingest.markdown import parse_markdown

        plan = parse_markdown(text, source=str(path or "-"))
    counts = gate_counts(plan)
    if counts.reads_like_a_plan:
        return Verdict(True, "reads like a plan")
    return Verdict(
        False,
        "does not read like a plan (name it *plan*, or add <!-- planreview: on -->)",
    )


MAX_GATE_BYTES = 2 * 1024 * 1024
"""Read at most this much of a text file to decide; a larger one goes to the review, which
reports it as too large."""


class Chooser:
    """Decides for the files a folder or glob yielded, one config lookup per folder."""

    def __init__(self) -> None:
        self._scopes: dict[Path, Scope] = {}

    def scope(self, path: Path) -> Scope:
        folder = path.parent
        got = self._scopes.get(folder)
        if got is None:
            got = self._scopes[folder] = scope_for(path)
        return got

    def before_reading(self, path: Path) -> Verdict | None:
        """What the path alone settles (config, name, a .docx/.pdf): None when the text must be read."""
        if path.suffix.lower() in TEXT_SUFFIXES:
            return None  # its marker could overrule anything the path says
        by_config = self.scope(path).verdict(path)
        if by_config is not None:
            return by_config
        by_name = name_says(path.name)
        if by_name is not None:
            return Verdict(by_name, "a plan's file name" if by_name else "not a plan (its name)")
        return Verdict(True, "a document in a folder of plans")

    def read_and_decide(self, path: Path) -> Verdict:
        """For a text file: read (a bounded prefix), decode as the review would, decide.
        A file that cannot be read or decoded counts as a plan: its review reports why."""
        from service.errors import PlanReviewError
        from service.ingest.decode import decode_text

        early = self.before_reading(path)
        if early is not None:
            return early
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_GATE_BYTES)
            text = decode_text(data, str(path)).text
        except (OSError, PlanReviewError):
            return Verdict(True, "unreadable: left to the review to report")
        if not text.strip():
            return Verdict(True, "empty: left to the review to report")
        return decide(path, text, scope=self.scope(path))


def named_files(args: list[str] | list[Path]) -> set[Path]:
    """The arguments that name an existing file (not a folder, not a glob): always reviewed."""
    out: set[Path] = set()
    for a in args:
        p = Path(a).expanduser()
        if str(a) != "-" and p.is_file():
            out.add(p.resolve())
    return out


def choose_plans(
    files: list[PlanFileT], args: list[str] | list[Path]
) -> tuple[list[PlanFileT], list[Skipped]]:
    """The discovered files that are plans, and the others with the reason (files named on
    the command line are kept whatever they are)."""
    from service.batch.discovery import Skipped

    named = named_files(args)
    chooser = Chooser()
    kept: list[PlanFileT] = []
    skipped: list[Skipped] = []
    for f in files:
        if f.path.resolve() in named:
            kept.append(f)
            continue
        verdict = chooser.read_and_decide(f.path)
        if verdict.is_plan:
            kept.append(f)
        else:
            skipped.append(Skipped(f.source, f"not a plan: {verdict.reason}"))
    return kept, skipped


__all__ = [
    "Chooser",
    "GateCounts",
    "Scope",
    "Verdict",
    "choose_plans",
    "decide",
    "gate_counts",
    "marker",
    "name_says",
    "scope_for",
]
