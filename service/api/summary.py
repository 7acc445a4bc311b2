"""The HTML summary of an API batch: the batch runner's library dashboard when available.

The dashboard (service/batch) shows what only many plans together reveal:
the commonest gaps, the weakest folders (teams), duplicate goals, conflicting
targets, overloaded owners. Its links point at ``reviews/<plan>.json`` next to
the page; the batch routes serve those paths, so they work here too. Without
the batch package the page lists the plans' own HTML reports instead.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

from service.settings import Settings
from service.store import reviews as store


def render_summary(
    batch: store.BatchRecord, items: list[store.ReviewRecord], settings: Settings
) -> str:
    try:
        from service.batch.dashboard import render_dashboard  # noqa: F401
    except ImportError:
        return _plain(batch, items)
    return _dashboard(batch, items, settings)


def _dashboard(
    batch: store.BatchRecord, items: list[store.ReviewRecord], settings: Settings
) -> str:
    import json

    from service.batch.dashboard import render_dashboard
    from service.batch.digest import digest_plan
    from service.batch.discovery import PlanFile
    from service.batch.library import LibraryOptions, check_library
    from service.batch.outcome import Outcome
    from service.batch.runner import versions_for
    from service.models import Plan

    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for r in items:
        rel = unique_rel(r.source, seen)
        file = PlanFile(path=Path(rel), rel=rel, source=r.source)
        if r.status == store.SUCCEEDED and r.review_json and r.plan_json:
            review = json.loads(r.review_json)
            findings = review.get("findings", [])
            plan = Plan.model_validate_json(r.plan_json)
            outcomes.append(
                Outcome(
                    file=file,
                    key=r.id,
                    status="ok",
                    language=review["plan"].get("language", ""),
                    title=review["plan"].get("title", ""),
                    source_format=plan.source_format,
                    scores=dict(review.get("scores", {})),
                    severities=Counter(f["severity"] for f in findings),
                    codes=Counter(f["code"] for f in findings),
                    families=Counter(f["family"] for f in findings),
                    code_severity=Counter((f["code"], f["severity"]) for f in findings),
                    llm_status=review.get("engine", {}).get("llm_status", "off"),
                    digest=digest_plan(plan),
                )
            )
        elif r.status == store.FAILED:
            outcomes.append(
                Outcome(
                    file=file,
                    key=r.id,
                    status="failed",
                    reason=r.error_detail or "the review failed",
                )
            )
    langs = [o.language for o in outcomes if o.status == "ok"]
    lang = "zh" if langs and langs.count("zh") > len(langs) / 2 else "en"
    digests = [(o.file.source, o.digest) for o in outcomes if o.status == "ok" and o.digest]
    fired = {o.file.source: set(o.codes) for o in outcomes if o.status == "ok"}
    library = check_library(digests, LibraryOptions(lang=lang), fired)
    llm = batch.options.get("llm", "auto")
    wanted = llm == "on" or (llm == "auto" and settings.llm_requested)
    page = render_dashboard(outcomes, library, lang=lang, versions=versions_for(wanted, settings))
    pending = batch.total - batch.done
    if pending:
        note = (
            f'<p class="batch-note"><strong>{pending} of {batch.total} plans are still being '
            "reviewed; reload for the rest.</strong></p>"
        )
        page = page.replace("<body>", f"<body>{note}", 1)
    return page


def unique_rel(source: str, seen: set[str]) -> str:
    """The plan's path as the dashboard links it (``reviews/<rel>.json``), unique in the batch."""
    rel = source.lstrip("/") or "plan"
    candidate, n = rel, 2
    while candidate in seen:
        candidate, n = f"{rel}~{n}", n + 1
    seen.add(candidate)
    return candidate


def _plain(batch: store.BatchRecord, items: list[store.ReviewRecord]) -> str:
    rows = []
    for r in items:
        link = (
            f'<a href="/v1/reviews/{escape(r.id)}/report?format=html">{escape(r.source)}</a>'
            if r.status == store.SUCCEEDED
            else escape(r.source)
        )
        detail = escape(r.error_detail or "") if r.status == store.FAILED else ""
        rows.append(
            f"<tr><td>{link}</td><td>{escape(r.status)}</td>"
            f"<td>{r.finding_count if r.finding_count is not None else ''}</td>"
            f"<td>{detail}</td></tr>"
        )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Batch '
        f"{escape(batch.id)}</title></head><body><h1>Batch {escape(batch.id)}</h1>"
        f"<p>{batch.done} of {batch.total} plans reviewed.</p><table><tr><th>Plan</th>"
        "<th>Status</th><th>Findings</th><th>Reason</th></tr>"
        f"{''.join(rows)}</table></body></html>"
    )
