"""Run the eval: review every plan of the chosen split, match, score, and describe the run.

``run_eval`` is what ``planreview eval`` calls; it returns an ``EvalRun`` (meta, metrics and
per-plan outcomes) that the report module renders and the baseline module compares.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from service.config import ReviewConfig
from service.errors import PlanReviewError
from service.evaluation.dataset import EvalItem, load_dataset
from service.evaluation.matching import Prediction, match_findings
from service.evaluation.metrics import (
    NOT_EVALUATED,
    EvalMetrics,
    Metric,
    PlanOutcome,
    citation_metric,
    compute,
)
from service.evaluation.modes import OK_LLM_STATUSES, ReplayError, mode_context
from service.models import Plan, Review
from service.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]
LLM_JUDGE_METRICS = ("rewrite_quality", "faithfulness")


class RunMeta(BaseModel):
    created_at: str
    mode: str
    split: str
    language: str | None = None
    plans: int = 0
    git_sha: str = ""
    git_dirty: bool = False
    model: str | None = None
    rules_version: str = ""
    knowledge_version: str = ""
    prompt_version: str | None = None
    config_hash: str = ""
    prompt_hash: str = ""
    dataset_hash: str = ""
    duration_s: float = 0.0
    disabled_codes: list[str] = Field(
        default_factory=list, description="Codes the config turned off."
    )


class EvalRun(BaseModel):
    """Everything one eval run produced (written as results.json)."""

    meta: RunMeta
    metrics: EvalMetrics
    plans: list[PlanOutcome] = Field(default_factory=list)


ReviewFn = Callable[[Path, Any], tuple[Plan, Review]]
Progress = Callable[[str], None]


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def git_state() -> tuple[str, bool]:
    sha = _git("rev-parse", "HEAD")
    # Uncommitted changes to what decides the numbers: the engine, the knowledge, the prompts,
    # the eval code and data (new untracked dataset files count; stray untracked plans don't).
    tracked = _git(
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        "service",
        "eval",
        "knowledge",
        "prompts",
    )
    tracked = "\n".join(
        line
        for line in tracked.splitlines()
        if not line.split(maxsplit=1)[-1].startswith(("eval/baselines/", "eval/out/"))
    )  # blessing writes the baselines; they are its output, not its input
    untracked = _git("status", "--porcelain", "--", "eval/datasets")
    return sha, bool(tracked or untracked)


def hash_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        if p.is_file():
            h.update(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def config_hash(config: ReviewConfig, settings: Settings, mode: str) -> str:
    data = {
        "config": config.model_dump(),
        "mode": mode,
        "model": settings.llm_model if mode != "offline" else None,
        "temperature": settings.llm_temperature if mode != "offline" else None,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def default_review(path: Path, options: Any) -> tuple[Plan, Review]:
    """Review one plan file through the public pipeline."""
    from service import review as pipeline

    try:
        return pipeline.review_file(path, options)
    except ImportError:  # ingestion package not importable: plans are Markdown anyway
        text = path.read_text(encoding="utf-8")
        return pipeline.review_text_with_plan(text, str(path), options)


def _chunk_ids() -> tuple[set[str] | None, str]:
    try:
        from service.knowledge.corpus import load_corpus
    except ImportError:
        return None, "service.knowledge.corpus is not installed"
    try:
        return {c.chunk_id for c in load_corpus()}, ""
    except Exception as exc:  # a broken corpus must not stop the eval
        return None, f"knowledge corpus could not be loaded: {exc}"


def _outcome(
    item: EvalItem, plan: Plan, review: Review, latency_ms: float, chunk_ids: set[str] | None
) -> PlanOutcome:
    preds = [Prediction.from_finding(f) for f in review.findings]
    text = plan.text
    quotes: list[bool | None] = [None if not p.quote else p.quote in text for p in preds]
    cites = (
        [cid in chunk_ids for p in preds for cid in p.citations] if chunk_ids is not None else []
    )
    return PlanOutcome(
        id=item.id,
        language=item.language,
        split=item.split,
        source=item.source,
        negative_control=item.negative_control,
        plan_file=item.plan_file,
        gold=item.gold,
        predictions=preds,
        match=match_findings(preds, item.gold),
        quote_found=quotes,
        citation_valid=cites,
        latency_ms=round(latency_ms, 1),
        timings_ms=dict(review.timings_ms),
        llm_calls=review.usage.llm_calls,
        prompt_tokens=review.usage.prompt_tokens,
        completion_tokens=review.usage.completion_tokens,
        llm_status=review.engine.llm_status,
    )


def retrieval_metrics(
    mode: str = "lexical", items: list[EvalItem] | None = None
) -> tuple[dict[str, Any] | None, str]:
    """recall@k and MRR from the knowledge engineer's eval/retrieval runner, if present."""
    runner = ROOT / "eval" / "retrieval" / "run.py"
    if not runner.is_file():
        return None, "eval/retrieval/run.py is not present"
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location("planreview_retrieval_eval", runner)
        if spec is None or spec.loader is None:
            return None, "eval/retrieval/run.py cannot be imported"
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        from service.knowledge.corpus import shipped_knowledge_dir
        from service.knowledge.retriever import Retriever

        retriever = Retriever(
            dirs=[shipped_knowledge_dir()],
            mode=mode,  # type: ignore[arg-type]
            auto_index=mode != "lexical",
        )
        results = module.evaluate(retriever, module.load_queries(), mode)
    except Exception as exc:  # optional figure: report why it is missing
        return None, f"retrieval eval failed: {type(exc).__name__}: {exc}"
    keep = ("n", "recall@1", "recall@3", "recall@5", "mrr", "fw@3")
    summary = {
        group: {k: v for k, v in figures.items() if k in keep}
        for group, figures in results.items()
        if isinstance(figures, dict) and "mrr" in figures
    }
    plan_queries = [q for item in (items or []) for q in item.retrieval_gold]
    if plan_queries:
        summary["plans"] = plan_retrieval(retriever, plan_queries, mode)
    return {"mode": mode, "groups": summary}, "ok"


def plan_retrieval(retriever: Any, queries: list[Any], mode: str, k: int = 10) -> dict[str, float]:
    """recall@1/3/5 and MRR over the datasets' own retrieval_gold queries."""
    ranks: list[int | None] = []
    for q in queries:
        hits = retriever.search(q.query, k=k, mode=mode)
        ids = [h.chunk_id for h in hits]
        relevant = set(q.relevant_chunk_ids)
        ranks.append(next((i + 1 for i, cid in enumerate(ids) if cid in relevant), None))
    n = len(ranks)
    out: dict[str, float] = {"n": n}
    for cut in (1, 3, 5):
        out[f"recall@{cut}"] = round(sum(1 for r in ranks if r is not None and r <= cut) / n, 4)
    out["mrr"] = round(sum(1 / r for r in ranks if r is not None) / n, 4)
    return out


def run_eval(
    *,
    mode: str = "offline",
    split: str = "dev",
    language: str | None = None,
    ids: list[str] | None = None,
    waves: list[str] | None = None,
    eval_dir: Path | None = None,
    config: ReviewConfig | None = None,
    settings: Settings | None = None,
    cassette_dir: Path | None = None,
    record: bool = False,
    retrieval: str | None = "lexical",
    review_fn: ReviewFn | None = None,
    progress: Progress | None = None,
) -> EvalRun:
    """Review, match and score every plan of the split (see the module docstring)."""
    from service.review import ReviewOptions

    t0 = time.perf_counter()
    settings = settings or get_settings()
    config = config or ReviewConfig()
    eval_dir = eval_dir or (ROOT / "eval")
    items = load_dataset(eval_dir, split=split, language=language, ids=ids, waves=waves)
    review = review_fn or default_review
    options = ReviewOptions(llm="off" if mode == "offline" else "on", config=config)
    chunk_ids, cite_why = _chunk_ids()
    outcomes: list[PlanOutcome] = []
    engine: dict[str, Any] = {}
    with mode_context(mode, cassette_dir, record=record, llm_configured=settings.llm_configured):
        for item in items:
            if progress:
                progress(item.id)
            start = time.perf_counter()
            try:
                plan, result = review(item.path(eval_dir), options)
            except PlanReviewError as exc:
                if mode == "replay":
                    raise ReplayError(f"{item.id}: {exc.message}", hint=exc.hint) from None
                raise PlanReviewError(f"{item.id}: {exc.message}", hint=exc.hint) from None
            latency = (time.perf_counter() - start) * 1000
            if mode == "replay" and result.engine.llm_status not in OK_LLM_STATUSES:
                raise ReplayError(
                    f"{item.id}: the LLM tier did not answer from cassettes "
                    f"({result.engine.llm_status})"
                )
            outcomes.append(_outcome(item, plan, result, latency, chunk_ids))
            engine = result.engine.model_dump()

    metrics = compute(outcomes)
    metrics.citation_validity = citation_metric(outcomes, chunk_ids is not None, cite_why)
    if retrieval:
        metrics.retrieval, status = retrieval_metrics(retrieval, items)
        metrics.retrieval_status = status
    else:
        metrics.retrieval_status = f"{NOT_EVALUATED}: switched off"
    metrics.llm_judge = {
        name: Metric.missing("needs an LLM judge: run with --mode live")
        for name in LLM_JUDGE_METRICS
    }
    if mode == "live":
        from service.evaluation.judge import judge_outcomes

        metrics.llm_judge = judge_outcomes(outcomes, eval_dir, settings)

    sha, dirty = git_state()
    all_codes = {r for r in config.enabled_codes()}
    from service.evaluation.metrics import rule_codes

    meta = RunMeta(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mode=mode,
        split=split,
        language=language,
        plans=len(outcomes),
        git_sha=sha,
        git_dirty=dirty,
        model=engine.get("model") if mode != "offline" else None,
        rules_version=str(engine.get("rules_version", "")),
        knowledge_version=str(engine.get("knowledge_version", "")),
        prompt_version=engine.get("prompt_version"),
        config_hash=config_hash(config, settings, mode),
        prompt_hash=hash_files(list((ROOT / "prompts").rglob("*")))
        if (ROOT / "prompts").is_dir()
        else "",
        dataset_hash=hash_files(
            [*sorted((eval_dir / "datasets").glob("*.jsonl")), *[i.path(eval_dir) for i in items]]
        ),
        duration_s=round(time.perf_counter() - t0, 2),
        disabled_codes=sorted(c for c in rule_codes() if c not in all_codes),
    )
    return EvalRun(meta=meta, metrics=metrics, plans=outcomes)
