"""The pipeline: plan -> rules -> grounding -> (LLM tier) -> merged, scored Review.

Nothing here knows about HTTP, the terminal or LSP; the edges call
``review_plan`` / ``review_path`` / ``review_text`` and render the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.config import ReviewConfig
from service.errors import KnowledgeError
from service.models import EngineInfo, Finding, Plan, PlanInfo, Review
from service.rules.engine import RULES_VERSION, analyse
from service.rules.messages import to_traditional
from service.scoring import score, summarise
from service.settings import Settings, get_settings

Progress = Callable[[str], None]


class ReviewOptions(BaseModel):
    """How one review runs; API bodies and CLI flags map onto this."""

    model_config = ConfigDict(extra="forbid")

    llm: Literal["auto", "off", "on"] = Field(
        default="auto",
        description="auto: use the LLM tier when planreview is told to (PLANREVIEW_LLM_MODEL "
        "or OPENAI_BASE_URL set, or an [llm] section in planreview.toml); an OPENAI_API_KEY "
        "alone is not enough.",
    )
    lang: Literal["auto", "en", "zh"] = Field(
        default="auto", description="Language of messages; auto follows the plan."
    )
    draft: bool = Field(default=False, description="Also write an improved draft (LLM tier).")
    config: ReviewConfig = Field(default_factory=ReviewConfig)


def _llm_wanted(options: ReviewOptions, settings: Settings) -> bool:
    """Private by default: ``auto`` sends the plan nowhere unless planreview was told to."""
    if options.llm == "off":
        return False
    if options.llm == "on":
        return True
    section = options.config.llm
    if section is not None:
        return section.enabled
    return settings.llm_requested


def review_plan(
    plan: Plan,
    options: ReviewOptions | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    parse_ms: int = 0,
) -> Review:
    """Review a parsed plan. Never raises for LLM failures: they degrade to the offline review."""
    options = options or ReviewOptions()
    settings = settings or get_settings()
    notify = progress or (lambda _stage: None)
    lang = plan.language if options.lang == "auto" else options.lang
    t0 = time.perf_counter()

    notify("rules")
    facts, findings = analyse(plan, options.config, lang=lang)
    t_rules = time.perf_counter()

    notify("retrieve")
    knowledge_version, ground_warning = _ground(findings, plan)
    t_ground = time.perf_counter()

    engine = EngineInfo(
        tier="offline", rules_version=RULES_VERSION, knowledge_version=knowledge_version
    )
    review = Review(
        plan=PlanInfo(
            source=plan.source,
            sha256=plan.sha256,
            language=plan.language,
            title=plan.title,
            lines=len(plan.lines),
            words=plan.words,
            source_format=plan.source_format,
            script=plan.script,
        ),
        engine=engine,
        findings=findings,
        warnings=[*plan.warnings, *ground_warning],
    )
    llm_ms = 0
    if _llm_wanted(options, settings):
        notify("llm")
        t_llm = time.perf_counter()
        review = _run_llm(plan, review, options, settings, lang)
        llm_ms = int((time.perf_counter() - t_llm) * 1000)

    review.scores = score(review.findings, facts)
    llm_summary = review.summary.strip()  # the LLM tier's critique summary, if any
    summary = summarise(review, lang)
    if lang == "zh" and plan.script == "hant":
        summary = to_traditional(summary)
    review.summary = summary + (f" {llm_summary}" if llm_summary else "")
    review.timings_ms = {
        "parse": parse_ms,
        "rules": int((t_rules - t0) * 1000),
        "retrieve": int((t_ground - t_rules) * 1000),
        "llm": llm_ms,
        "total": parse_ms + int((time.perf_counter() - t0) * 1000),
    }
    notify("done")
    return review


def _ground(findings: list[Finding], plan: Plan) -> tuple[str, list[str]]:
    """Attach guidance citations; returns the knowledge version used and any warning."""
    from service.knowledge import grounding  # light: no Chroma, langchain or model here

    try:
        index = grounding.grounding_index()  # kept in the data dir between runs
        grounding.ground(findings, plan, index=index)
        return index.version, []
    except KnowledgeError as exc:
        # A broken guidance folder must not stop reviews: findings go out uncited, and say why.
        return "", [f"guidance not attached: {exc}"]


def _run_llm(
    plan: Plan, review: Review, options: ReviewOptions, settings: Settings, lang: str
) -> Review:
    """Run the LLM tier; any failure leaves the offline review with llm_status 'failed: …'."""
    from service.llm.tier import run_llm_tier  # imported only when the tier runs

    if options.config.llm is not None:
        settings = settings.model_copy(update=options.config.llm.settings_update())
    return run_llm_tier(plan, review, options, settings, lang)


def review_file(
    path: Path,
    options: ReviewOptions | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> tuple[Plan, Review]:
    """Load and review one file; returns the plan too (renderers need its text)."""
    from service.ingest import load_plan

    t0 = time.perf_counter()
    plan = load_plan(path, settings)
    parse_ms = int((time.perf_counter() - t0) * 1000)
    return plan, review_plan(plan, options, settings=settings, progress=progress, parse_ms=parse_ms)


def review_path(
    path: Path,
    options: ReviewOptions | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> Review:
    return review_file(path, options, settings=settings, progress=progress)[1]


def review_text_with_plan(
    text: str,
    source: str = "-",
    options: ReviewOptions | None = None,
    *,
    settings: Settings | None = None,
) -> tuple[Plan, Review]:
    """Review Markdown text (stdin, an API body, an editor buffer)."""
    from service.ingest.markdown import parse_markdown

    t0 = time.perf_counter()
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    plan = parse_markdown(text, source=source)
    parse_ms = int((time.perf_counter() - t0) * 1000)
    return plan, review_plan(plan, options, settings=settings, parse_ms=parse_ms)


def review_text(
    text: str,
    source: str = "-",
    options: ReviewOptions | None = None,
    *,
    settings: Settings | None = None,
) -> Review:
    return review_text_with_plan(text, source, options, settings=settings)[1]
