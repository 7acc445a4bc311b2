"""The LLM tier end to end: ``run_llm_tier(plan, review, options, settings, lang) -> Review``.

It never raises (except ``CassetteMissing`` when the caller asks for it):
whatever fails, the offline review comes back with ``engine.llm_status =
"failed: <reason>"``. Round-trips per plan: the critique (its parts in
parallel), at most one more round (a repair of an unusable answer, or the
validator's errors sent back once in the same conversation), the draft;
never more than ``MAX_ROUND_TRIPS``.

What reaches the user is checked: the model's summary is bounded and
dropped sentence by sentence where it copies the prompt; an empty critique is
reported as ``ok: no findings``. ``engine.sent_to`` names the host the plan
text went to (never the key), or stays null when nothing left the machine.
"""

from __future__ import annotations

import logging
import re
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
FEEDBACK_ERRORS = 8
"""Most validator errors sent back in the second try."""
SUMMARY_LIMIT = 1200
"""Most characters of the summary over all parts (each part's is bounded by the schema)."""


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
        self.scale = 1.0
        """Server tokens per counted token (1.0: not calibrated)."""
        from service.llm.client import Deadline

        self.deadline = Deadline(settings.llm_deadline)
        """One deadline for every request of this review, from its start."""
        self._tokenized: str | None = None
        """The host whose /tokenize counted the plan (so the plan text went there)."""

    # ------------------------------------------------------------------ outcome

    def failed(self, reason: str) -> Review:
        out = self.review.model_copy(deep=True)
        out.engine.llm_status = f"failed: {reason}"
        out.engine.sent_to = self._sent_to()
        out.warnings.extend(self.warnings)
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

    def _secrets(self) -> list[str | None]:
        key = self.settings.openai_api_key
        return [key.get_secret_value() if key else None]

    def _sent_to(self) -> str | None:
        """The host the plan text reached in this run (None: it did not leave the machine)."""
        backend = self.backend
        if backend is None or not getattr(backend, "delivered", 0):
            return self._tokenized
        host = getattr(backend, "host", None)
        return str(host) if host else self._tokenized

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
        out.engine.sent_to = None if status == "cached" else self._sent_to()
        for extra in ("citation_stripped", "summary_dropped"):
            if entry.dropped.get(extra):
                dropped[extra] = int(entry.dropped[extra])
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
        st = self.settings
        key = CacheKey(
            plan_sha256=self.plan.sha256,
            prompt_version=prompts.version,
            model=self.backend.model_name if self.backend else st.llm_model,
            knowledge_version=self.review.engine.knowledge_version or _kv(),
            draft=bool(self.options.draft),
            language=self.lang,
            rules_version=RULES_VERSION,
            endpoint=cache.endpoint_key(st.openai_base_url),
            temperature=st.llm_temperature,
            output_mode=st.llm_structured,
            max_output_tokens=st.llm_max_output_tokens,
            context_tokens=st.llm_context_tokens,
        )
        hit = cache.load(st.data_dir, key)
        if hit is not None:
            return self._apply(hit, "cached", Usage())
        entry = self._calibrated_call(prompts, key)
        if not (self.options.draft and entry.draft is None):
            cache.save(st.data_dir, entry, max_entries=cache.MAX_ENTRIES)
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
        return self._apply(entry, "ok" if entry.findings else "ok: no findings", usage)

    def _calibrated_call(self, prompts: Any, key: CacheKey) -> CacheEntry:
        """``_call`` counting in the endpoint's tokens when its /tokenize says how."""
        from service.llm.calibrate import EndpointDown, tokenize_scale
        from service.llm.client import endpoint_host
        from service.llm.progress import reporter
        from service.llm.tokens import token_scale

        if self.backend is not None and not self._own_backend:
            return self._call(prompts, key)  # an injected backend (tests, dry runs): as is
        try:
            scale = tokenize_scale(self.settings, self.plan.text, self.deadline.left())
        except EndpointDown:
            base = self.settings.openai_base_url or ""
            say = reporter()
            if say is not None:
                say(f"critique: nothing listens at {endpoint_host(base)} (connection refused)")
            where = redact(base, self._secrets())
            raise LLMFailure(f"cannot connect to {where} after 2 attempts") from None
        left = self.deadline.left()
        if left is not None and left < 0.5:
            raise LLMFailure(f"the LLM deadline of {self.deadline.seconds:g}s was reached")
        if scale is None:
            return self._call(prompts, key)
        self._tokenized = endpoint_host(self.settings.openai_base_url)
        self.scale = scale
        with token_scale(scale):
            return self._call(prompts, key)

    def _ensure_clients(self) -> tuple[ChatBackend, GuidanceSource]:
        from service.llm.cassettes import cassette_config
        from service.llm.client import build_backend
        from service.llm.guidance import KnowledgeGuidance
        from service.llm.progress import reporter

        cassettes = cassette_config(self.settings)
        if self.backend is None:
            self.backend = build_backend(
                self.settings, cassettes=cassettes, progress=reporter(), deadline=self.deadline
            )
            self._own_backend = True
        elif getattr(self.backend, "progress", "absent") is None:
            self.backend.progress = reporter()  # type: ignore[attr-defined]
        if self.guidance is None:
            self.guidance = KnowledgeGuidance(self.settings, mode="lexical" if cassettes else None)
        return self.backend, self.guidance

    def _call(self, prompts: Any, key: CacheKey) -> CacheEntry:
        from service.llm.critique import Outcome, call, feedback, repair, run_parallel
        from service.llm.planner import (
            DRAFT_RESERVE,
            BudgetError,
            boundary_for,
            plan_critique,
            schema_tokens,
        )
        from service.llm.quotes import QuoteFinder
        from service.llm.schemas import CRITIQUE_SHAPE, CritiqueOutput, json_schema
        from service.llm.validate import Validated, validate_critique

        backend, guidance = self._ensure_clients()
        schema = json_schema(CritiqueOutput, _dialect(self.settings))
        boundary = boundary_for(self.plan)
        draft = bool(self.options.draft)
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
                draft=draft,
                guidance=guidance,
            )
        except BudgetError as exc:
            raise LLMFailure(str(exc)) from None
        for text in cplan.notes:
            self.warnings.append(text)
        system = cplan.system
        n = len(cplan.parts)

        def label(i: int, what: str = "critique") -> str:
            return f"{what} {i + 1}/{n}" if n > 1 else what

        # Round-trip 1: every part of the critique, in parallel.
        self.round_trips += 1

        def critique_job(i: int, user: str) -> Callable[[], Outcome]:
            return lambda: call(
                backend, system, user, schema, CRITIQUE_SHAPE, CritiqueOutput, label=label(i)
            )

        outcomes: list[Outcome] = run_parallel(
            [critique_job(i, p.user) for i, p in enumerate(cplan.parts)],
            self.settings.llm_concurrency,
        )
        for i, o in enumerate(outcomes):
            if o.salvaged:
                self._warn("salvaged", what=label(i), n=o.salvaged)

        # Round-trip 2 (only if needed): one repair per part whose answer was unusable.
        broken = [i for i, o in enumerate(outcomes) if o.output is None]
        if broken:
            self.round_trips += 1
            left = cplan.budget - backend.usage.prompt_tokens
            share = max(left // len(broken), 0)

            def repair_job(i: int) -> Callable[[], Outcome]:
                return lambda: repair(
                    backend,
                    prompts,
                    system,
                    outcomes[i],
                    schema,
                    CRITIQUE_SHAPE,
                    CritiqueOutput,
                    share,
                    boundary=boundary,
                    label=label(i, "repair"),
                )

            fixed = run_parallel([repair_job(i) for i in broken], self.settings.llm_concurrency)
            for i, outcome in zip(broken, fixed, strict=True):
                outcomes[i] = outcome

        finder = QuoteFinder(self.plan)
        results: list[Validated] = []
        for part, outcome in zip(cplan.parts, outcomes, strict=True):
            assert isinstance(outcome.output, CritiqueOutput)
            results.append(
                validate_critique(outcome.output, self.plan, part.given, finder, self.lang)
            )

        # Round-trip 2 (when no repair took it): the validator's errors, sent back once.
        wrong = [i for i, r in enumerate(results) if r.errors]
        trips_after = 1 if draft else 0
        if wrong and not broken and self.round_trips + 1 + trips_after <= MAX_ROUND_TRIPS:
            left = cplan.budget - backend.usage.prompt_tokens - (DRAFT_RESERVE if draft else 0)
            share = max(left // len(wrong), 0)
            extra = schema_tokens(schema, backend.method)

            def feedback_job(i: int) -> Callable[[], Outcome | None]:
                return lambda: feedback(
                    backend,
                    prompts,
                    system,
                    outcomes[i],
                    results[i].errors[:FEEDBACK_ERRORS],
                    schema,
                    CRITIQUE_SHAPE,
                    CritiqueOutput,
                    share,
                    boundary=boundary,
                    blocks=_named_blocks(self.plan, outcomes[i].output),
                    schema_extra=extra,
                    label=label(i, "second try"),
                )

            self.round_trips += 1
            try:
                again = run_parallel(
                    [feedback_job(i) for i in wrong], self.settings.llm_concurrency
                )
            except LLMFailure as exc:  # the first answers stand
                self._warn("second_try_failed", reason=exc.reason)
                again = [None] * len(wrong)
            if all(a is None for a in again):
                self.round_trips -= 1
            for i, outcome2 in zip(wrong, again, strict=True):
                if outcome2 is None or not isinstance(outcome2.output, CritiqueOutput):
                    continue
                part = cplan.parts[i]
                second = validate_critique(
                    outcome2.output, self.plan, part.given, finder, self.lang
                )
                results[i] = _combine(results[i], second)
                if outcome2.output.summary.strip():
                    outcomes[i] = outcome2

        found: list[Finding] = []
        dropped: Counter[str] = Counter()
        summaries: list[str] = []
        instructions = _instruction_text(system, [p.user for p in cplan.parts], boundary)
        for outcome, result in zip(outcomes, results, strict=True):
            found.extend(result.findings)
            dropped.update(result.dropped)
            assert isinstance(outcome.output, CritiqueOutput)
            summary = clean_summary(outcome.output.summary, instructions)
            if summary:
                summaries.append(summary)
            elif outcome.output.summary.strip():
                dropped["summary_dropped"] += 1
        found = self._configured(found)
        _ground(found, self.plan)
        entry = CacheEntry(
            key=key,
            findings=found,
            dropped=dict(dropped),
            summary=" ".join(summaries)[:SUMMARY_LIMIT],
        )
        if draft:
            entry.draft = self._draft_calibrated(prompts, backend, system, cplan, found)
        return entry

    def _draft_calibrated(
        self, prompts: Any, backend: ChatBackend, system: str, cplan: Any, found: list[Finding]
    ) -> str | None:
        """The draft, sized in the server's tokens when its usage shows ours count low."""
        from service.llm.calibrate import clamp
        from service.llm.planner import OVERHEAD_BUDGET, SAFETY
        from service.llm.tokens import count_tokens, current_scale, token_scale

        sent = backend.usage.prompt_tokens
        from service.llm.cassettes import cassette_config

        if current_scale() != 1.0 or not cplan.planned or cassette_config(self.settings):
            return self._draft(prompts, backend, system, cplan.budget, found)
        observed = sent / cplan.planned
        if observed <= 1.15:
            return self._draft(prompts, backend, system, cplan.budget, found)
        scale = clamp(observed)
        self.scale = scale
        with token_scale(scale):
            budget = count_tokens(self.plan.text) + OVERHEAD_BUDGET - SAFETY
            return self._draft(prompts, backend, system, budget, found)

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
        from service.llm.planner import boundary_for, schema_tokens
        from service.llm.schemas import DRAFT_SHAPE, DraftOutput, json_schema
        from service.llm.validate import merge

        if self.round_trips >= MAX_ROUND_TRIPS:
            self._warn("draft_no_trip", trips=MAX_ROUND_TRIPS)
            return None
        findings, _ = merge(self.review.findings, llm_findings)
        schema = json_schema(DraftOutput, _dialect(self.settings))
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
            self._warn("draft_no_budget", left=max(left, 0))
            return None
        self.round_trips += 1
        try:
            outcome = call(backend, system, user, schema, DRAFT_SHAPE, DraftOutput, label="draft")
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
                    boundary=boundary_for(self.plan),
                    label="draft repair",
                )
        except LLMFailure as exc:
            self._warn("draft_failed", reason=exc.reason)
            return None
        assert isinstance(outcome.output, DraftOutput)
        text, applied = assemble(self.plan, outcome.output, self.lang)
        if applied == 0:
            self._warn("draft_no_edit")
        if outcome.salvaged:
            self._warn("draft_salvaged", n=outcome.salvaged)
        return text

    def _warn(self, key: str, **values: object) -> None:
        from service.llm.notes import note

        self.warnings.append(note(key, self.lang, self.plan.script, **values))


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


def _dialect(settings: Settings) -> str:
    """The schema dialect the endpoint takes: OpenAI's strict mode refuses string lengths."""
    from service.llm.client import endpoint_host

    host = endpoint_host(settings.openai_base_url)
    return "openai" if host.endswith("openai.com") or host.endswith("azure.com") else "full"


def _combine(first: Any, second: Any) -> Any:
    """The first answer's findings that passed, plus what the second try adds.

    Drop counts are the second try's (what is still wrong after the feedback), stripped
    citations the first answer's (whose findings are the ones kept).
    """
    from service.llm.validate import Validated

    out = Validated(findings=list(first.findings))
    ids = {f.id for f in out.findings}
    for f in second.findings:
        if f.id in ids:
            continue
        ids.add(f.id)
        out.findings.append(f)
    out.dropped.update(second.dropped)
    out.dropped["citation_stripped"] = first.dropped.get("citation_stripped", 0)
    return out


_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]*")


def _instruction_text(system: str, users: list[str], boundary: str) -> str:
    from service.llm.prompts import instruction_part
    from service.llm.quotes import normalise

    return normalise(" ".join([system, *(instruction_part(u, boundary) for u in users)])).text


def clean_summary(summary: str, instructions: str) -> str:
    """The model's summary without the sentences it copied from the prompt's instructions."""
    from service.llm.quotes import normalise

    text = " ".join(summary.split())
    kept = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0).strip()
        norm = normalise(sentence).text
        if not norm:
            continue
        if len(norm) >= 12 and norm in instructions:
            continue
        kept.append(sentence)
    out = " ".join(kept).strip()
    return out if len(normalise(out).text) >= 12 else ""


def _named_blocks(plan: Plan, output: Any) -> list[dict[str, str]]:
    """The plan blocks the model's items named (for the compact second try), plan order."""
    from service.llm.planner import block_line

    named = {
        str(getattr(item, "block_id", "")).strip()
        for item in [*getattr(output, "findings", []), *getattr(output, "risks", [])]
    }
    return [{"id": b.id, "text": block_line(b)} for b in plan.blocks if b.id in named][:12]
