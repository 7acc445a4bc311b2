"""The LLM tier end to end: ``run_llm_tier(plan, review, options, settings, lang) -> Review``.

It never raises (except ``CassetteMissing`` when the caller asks for it):
whatever fails, the offline review comes back with ``engine.llm_status =
"failed: <reason>"``. Round-trips per plan: the critique (its parts in
parallel), at most one repair, the draft; never more than ``MAX_ROUND_TRIPS``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from service.errors import PlanReviewError
from service.llm.cache import CacheEntry, CacheKey
from service.llm.cassettes import CassetteMissing
from service.llm.client import ChatBackend, LLMFailure
from service.llm.guidance import GuidanceSource
from service.llm.redact import redact
from service.models import Finding, Plan, Review, Usage
from service.rules.engine import suppressions
from service.settings import Settings

log = logging.getLogger(__name__)

MAX_ROUND_TRIPS = 3


def run_llm_tier(
    plan: Plan,
    review: Review,
    options: Any,
    settings: Settings,
    lang: str,
    *,
    backend: ChatBackend | None = None,
    guidance: GuidanceSource | None = None,
    raise_missing_cassette: bool = False,
) -> Review:
    """The review with the LLM tier's findings merged in, or the offline review on failure.

    ``backend`` and ``guidance`` replace the ChatOpenAI client and the knowledge retriever
    (tests, dry runs). With ``raise_missing_cassette`` a replay that misses raises
    ``CassetteMissing`` (the eval suite's signal) instead of returning a failed status.
    """
    run = LLMRun(plan, review, options, settings, lang, backend=backend, guidance=guidance)
    try:
        return run.execute()
    except CassetteMissing as exc:
        if raise_missing_cassette:
            raise
        return run.failed(f"no cassette for request {exc.request_hash[:12]} in {exc.directory}")
    except LLMFailure as exc:
        return run.failed(exc.reason)
    except PlanReviewError as exc:
        return run.failed(exc.message)
    except Exception as exc:  # the tier must never take the review down with it
        log.exception("LLM tier failed")
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return run.failed(f"internal error ({type(exc).__name__}: {redact(str(exc), [key])[:80]})")
    finally:
        run.close()


class LLMRun:
    """One plan through the LLM tier."""

    def __init__(
        self,
        plan: Plan,
        review: Review,
        options: Any,
        settings: Settings,
        lang: str,
        *,
        backend: ChatBackend | None,
        guidance: GuidanceSource | None,
    ) -> None:
        self.plan = plan
        self.review = review
        self.options = options
        self.settings = settings
        self.lang = lang
        self.backend = backend
        self._own_backend = False
        self.guidance = guidance
        self.round_trips = 0
        self.warnings: list[str] = []

    # ------------------------------------------------------------------ outcome

    def failed(self, reason: str) -> Review:
        out = self.review.model_copy(deep=True)
        out.engine.llm_status = f"failed: {reason}"
        if self.backend is not None:
            u = self.backend.usage
            out.usage = Usage(
                llm_calls=u.calls,
                prompt_tokens=u.prompt_tokens,
                completion_tokens=u.completion_tokens,
            )
        return out

    def close(self) -> None:
        if self._own_backend and self.backend is not None:
            self.backend.close()

    def _apply(self, entry: CacheEntry, status: str, usage: Usage) -> Review:
        from service.llm.validate import DROP_REASONS, merge

        out = self.review.model_copy(deep=True)
        merged, duplicates = merge(out.findings, entry.findings)
        dropped = {reason: int(entry.dropped.get(reason, 0)) for reason in DROP_REASONS}
        dropped["duplicate"] += duplicates
        out.findings = merged
        out.engine.tier = "llm"
        out.engine.model = entry.key.model
        out.engine.prompt_version = entry.key.prompt_version
        out.engine.llm_status = status
        out.engine.dropped = dropped
        out.usage = usage
        out.draft = entry.draft if self.options.draft else None
        if entry.summary:
            out.summary = entry.summary
        out.warnings.extend(self.warnings)
        return out

    # ------------------------------------------------------------------ the run

    def execute(self) -> Review:
        from service.llm import cache
        from service.llm.prompts import get_prompts
        from service.rules.engine import RULES_VERSION

        prompts = get_prompts()
        key = CacheKey(
            plan_sha256=self.plan.sha256,
            prompt_version=prompts.version,
            model=self.backend.model_name if self.backend else self.settings.llm_model,
            knowledge_version=self.review.engine.knowledge_version or _kv(),
            draft=bool(self.options.draft),
            language=self.lang,
            rules_version=RULES_VERSION,
        )
        hit = cache.load(self.settings.data_dir, key)
        if hit is not None:
            return self._apply(hit, "cached", Usage())
        entry = self._call(prompts, key)
        if not (self.options.draft and entry.draft is None):
            cache.save(self.settings.data_dir, entry)
        u = self.backend.usage if self.backend is not None else None
        usage = (
            Usage(
                llm_calls=u.calls,
                prompt_tokens=u.prompt_tokens,
                completion_tokens=u.completion_tokens,
            )
            if u
            else Usage()
        )
        entry.usage = usage
        return self._apply(entry, "ok", usage)

    def _ensure_clients(self) -> tuple[ChatBackend, GuidanceSource]:
        from service.llm.cassettes import cassette_config
        from service.llm.client import build_backend
        from service.llm.guidance import KnowledgeGuidance

        cassettes = cassette_config(self.settings)
        if self.backend is None:
            self.backend = build_backend(self.settings, cassettes=cassettes)
            self._own_backend = True
        if self.guidance is None:
            self.guidance = KnowledgeGuidance(self.settings, mode="lexical" if cassettes else None)
        return self.backend, self.guidance

    def _call(self, prompts: Any, key: CacheKey) -> CacheEntry:
        from service.llm.critique import Outcome, call, repair, run_parallel
        from service.llm.planner import BudgetError, plan_critique
        from service.llm.quotes import QuoteFinder
        from service.llm.schemas import CRITIQUE_SHAPE, CritiqueOutput, json_schema
        from service.llm.validate import validate_critique

        backend, guidance = self._ensure_clients()
        schema = json_schema(CritiqueOutput)
        try:
            cplan = plan_critique(
                self.plan,
                self.review.findings,
                prompts=prompts,
                lang=self.lang,
                context_tokens=self.settings.llm_context_tokens,
                max_output_tokens=self.settings.llm_max_output_tokens,
                schema=schema,
                method=backend.method,
                shape=CRITIQUE_SHAPE,
                draft=bool(self.options.draft),
                guidance=guidance,
            )
        except BudgetError as exc:
            raise LLMFailure(str(exc)) from None
        system = cplan.system

        # Round-trip 1: every part of the critique, in parallel.
        self.round_trips += 1

        def critique_job(user: str) -> Callable[[], Outcome]:
            return lambda: call(backend, system, user, schema, CRITIQUE_SHAPE, CritiqueOutput)

        outcomes: list[Outcome] = run_parallel(
            [critique_job(p.user) for p in cplan.parts], self.settings.llm_concurrency
        )

        # Round-trip 2 (only if needed): one repair per part whose answer was unusable.
        broken = [i for i, o in enumerate(outcomes) if o.output is None]
        if broken:
            self.round_trips += 1
            left = cplan.budget - backend.usage.prompt_tokens
            share = max(left // len(broken), 0)

            def repair_job(o: Outcome) -> Callable[[], Outcome]:
                return lambda: repair(
                    backend, prompts, system, o, schema, CRITIQUE_SHAPE, CritiqueOutput, share
                )

            fixed = run_parallel(
                [repair_job(outcomes[i]) for i in broken], self.settings.llm_concurrency
            )
            for i, outcome in zip(broken, fixed, strict=True):
                outcomes[i] = outcome

        finder = QuoteFinder(self.plan)
        found: list[Finding] = []
        dropped: Counter[str] = Counter()
        summaries: list[str] = []
        for part, outcome in zip(cplan.parts, outcomes, strict=True):
            assert isinstance(outcome.output, CritiqueOutput)
            result = validate_critique(outcome.output, self.plan, part.given, finder, self.lang)
            found.extend(result.findings)
            dropped.update(result.dropped)
            if outcome.output.summary.strip():
                summaries.append(" ".join(outcome.output.summary.split()))
        found = self._configured(found)
        _ground(found, self.plan)
        entry = CacheEntry(
            key=key, findings=found, dropped=dict(dropped), summary=" ".join(summaries)[:1200]
        )
        if self.options.draft:
            entry.draft = self._draft(prompts, backend, system, cplan.budget, found)
        return entry

    def _configured(self, findings: list[Finding]) -> list[Finding]:
        """Apply the review's config (select/ignore/severity) and inline suppressions."""
        config = getattr(self.options, "config", None)
        enabled = config.enabled_codes() if config is not None else None
        whole, by_line = suppressions(self.plan)
        out = []
        for f in findings:
            if enabled is not None and f.code not in enabled:
                continue
            if f.code in whole:
                continue
            if f.span is not None and f.code in by_line.get(f.span.start_line, set()):
                continue
            if config is not None:
                f.severity = config.severity_for(f.code, f.severity)
            out.append(f)
        return out

    def _draft(
        self,
        prompts: Any,
        backend: ChatBackend,
        system: str,
        budget: int,
        llm_findings: list[Finding],
    ) -> str | None:
        from service.llm.critique import call, repair
        from service.llm.draft import assemble, draft_prompt
        from service.llm.planner import schema_tokens
        from service.llm.schemas import DRAFT_SHAPE, DraftOutput, json_schema
        from service.llm.validate import merge

        if self.round_trips >= MAX_ROUND_TRIPS:
            self._warn("draft skipped: no round-trip left")
            return None
        findings, _ = merge(self.review.findings, llm_findings)
        schema = json_schema(DraftOutput)
        left = budget - backend.usage.prompt_tokens
        user = draft_prompt(
            prompts,
            self.plan,
            findings,
            self.lang,
            system,
            schema_tokens(schema, backend.method),
            DRAFT_SHAPE,
            backend.method,
            left,
        )
        if user is None:
            self._warn("draft skipped: the token budget is spent")
            return None
        self.round_trips += 1
        try:
            outcome = call(backend, system, user, schema, DRAFT_SHAPE, DraftOutput)
            if outcome.output is None:
                if self.round_trips >= MAX_ROUND_TRIPS:
                    raise LLMFailure(f"malformed output ({outcome.error})")
                self.round_trips += 1
                outcome = repair(
                    backend,
                    prompts,
                    system,
                    outcome,
                    schema,
                    DRAFT_SHAPE,
                    DraftOutput,
                    budget - backend.usage.prompt_tokens,
                )
        except LLMFailure as exc:
            self._warn(f"draft failed: {exc.reason}")
            return None
        assert isinstance(outcome.output, DraftOutput)
        text, applied = assemble(self.plan, outcome.output, self.lang)
        if applied == 0:
            self._warn("draft: the model proposed no usable edit")
        return text

    def _warn(self, message: str) -> None:
        self.warnings.append(f"LLM tier: {message}")


def _kv() -> str:
    try:
        from service.knowledge.corpus import knowledge_version

        return knowledge_version()
    except Exception:
        return ""


def _ground(findings: list[Finding], plan: Plan) -> None:
    """Add the code's guidance to LLM findings (their own citations are kept)."""
    if not findings:
        return
    try:
        from service.knowledge import grounding

        grounding.ground(findings, plan)
    except Exception:  # guidance is a bonus; the findings stand without it
        log.debug("grounding LLM findings failed", exc_info=True)
