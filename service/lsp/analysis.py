"""The rule tier on an editor buffer: parse, run the rules, attach guidance. No LSP types here.

This is the fast path behind every keystroke, so it skips what the editor does
not need at once: scores, the summary and case-card matching (the hover looks a
case card up for the one finding it shows). Citations are the guidance chunks
the rule-to-chunk map gives for each code.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from service.config import ReviewConfig, find_config, load_config_file
from service.errors import PlanReviewError
from service.ingest.markdown import parse_markdown
from service.lsp.positions import normalise
from service.lsp.settings import LspSettings
from service.models import Citation, Finding, Plan
from service.planfiles import Verdict, decide
from service.rules.engine import analyse as analyse_plan
from service.rules.engine import run_rules
from service.rules.extract.facts import PlanFacts

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    """The rule tier's view of one version of one document."""

    uri: str
    version: int | None
    buffer: str
    text: str = ""
    plan: Plan | None = None
    facts: PlanFacts | None = None
    findings: list[Finding] = field(default_factory=list)
    lang: str = "en"
    too_large: int | None = None  # size in bytes when over the cap
    not_a_plan: str | None = None  # why the document gets no diagnostics (service/planfiles.py)
    elapsed_ms: float = 0.0

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == finding_id), None)


def message_lang(settings: LspSettings, plan: Plan) -> str:
    return plan.language if settings.lang == "auto" else settings.lang


def analyse(
    uri: str,
    version: int | None,
    buffer: str,
    *,
    source: str,
    settings: LspSettings,
    config: ReviewConfig,
) -> Analysis:
    """Review one buffer with the rule tier (never the file on disk)."""
    t0 = time.perf_counter()
    result = Analysis(uri=uri, version=version, buffer=buffer)
    size = len(buffer.encode("utf-8", "surrogatepass"))
    if size > settings.max_document_bytes:
        result.too_large = size
        return result
    text = normalise(buffer)
    plan = parse_markdown(text, source=source)
    verdict = plan_verdict(uri, text, plan)
    if not verdict.is_plan:
        result.text, result.plan, result.not_a_plan = text, plan, verdict.reason
        result.elapsed_ms = (time.perf_counter() - t0) * 1000
        return result
    lang = message_lang(settings, plan)
    facts, findings = analyse_plan(plan, config, lang=lang)
    attach_guidance(findings, plan)
    result.text, result.plan, result.facts, result.findings, result.lang = (
        text,
        plan,
        facts,
        findings,
        lang,
    )
    result.elapsed_ms = (time.perf_counter() - t0) * 1000
    return result


def plan_verdict(uri: str, text: str, plan: Plan) -> Verdict:
    """Whether the buffer is a plan: READMEs and notes in a workspace get no diagnostics."""
    path: Path | None = None
    if uri.startswith("file:"):
        from pygls.uris import to_fs_path

        fs = to_fs_path(uri)
        path = Path(fs) if fs else None
    return decide(path, text, plan)


def attach_guidance(findings: list[Finding], plan: Plan) -> None:
    """Cite each finding's guidance chunk (plan language first) when it has none yet."""
    try:
        from service.knowledge.grounding import grounding_index
    except ImportError:  # knowledge is optional at this layer
        return
    try:
        gi = grounding_index()
    except PlanReviewError as exc:  # a malformed organisation guidance folder
        log.warning("guidance unavailable: %s", exc)
        return
    prefs = preferences(plan)
    for f in findings:
        if f.citations:
            continue
        f.citations = [
            Citation(chunk_id=c.chunk_id, title=c.title, source=c.source)
            for c in gi.guidance_for(f.code, prefs)
        ]


def preferences(plan: Plan) -> list[tuple[str, str]]:
    """(language, script) of guidance to prefer for a plan: its own, then the others."""
    if plan.language == "zh":
        first = ("zh", "hant") if plan.script == "hant" else ("zh", "hans")
        other = ("zh", "hans") if first[1] == "hant" else ("zh", "hant")
        return [first, other, ("en", "latin")]
    return [("en", "latin"), ("zh", "hans"), ("zh", "hant")]


class ProjectConfigs:
    """planreview.toml / pyproject.toml [tool.planreview] per folder, re-read when it changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[float, ReviewConfig]] = {}
        self.reported: set[str] = set()

    def for_path(self, path: Path | None) -> tuple[ReviewConfig, str | None]:
        """The config governing ``path`` and an error message when that file is broken."""
        if path is None:
            return ReviewConfig(), None
        try:
            found = find_config(path)
        except OSError:
            return ReviewConfig(), None
        if found is None:
            return ReviewConfig(), None
        try:
            mtime = found.stat().st_mtime
        except OSError:
            return ReviewConfig(), None
        with self._lock:
            hit = self._cache.get(found)
            if hit is not None and hit[0] == mtime:
                return hit[1], None
        try:
            config = load_config_file(found)
        except PlanReviewError as exc:
            return ReviewConfig(), exc.message
        with self._lock:
            self._cache[found] = (mtime, config)
        return config, None


def effective_config(base: ReviewConfig, settings: LspSettings) -> ReviewConfig:
    """The project config narrowed by the editor's select/ignore settings."""
    return base.merged(settings.select or None, settings.ignore or None)


def warm_up() -> None:
    """Load the rule tables, the segmenter and the guidance index before the first keystroke."""
    for sample in (
        "# Plan\n\n- Improve customer satisfaction\n",
        "# 运营计划\n\n一、目标\n\n- 提升客户满意度\n",
    ):
        plan = parse_markdown(sample, source="warm-up")
        attach_guidance(run_rules(plan), plan)
