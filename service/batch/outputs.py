"""The files a batch run writes into ``--out``.

Everything except ``run.json`` is deterministic: sorted by plan path, no
timestamps, no timings, so an interrupted-and-resumed run ends with the same
bytes as a clean one. Every file is written atomically.

    reviews/<relative path>.json   the review JSON of each plan (contract shape)
    findings.jsonl                 one finding a line, with the plan's path
    results.sarif                  SARIF 2.1.0, one run, plans as artifacts
    summary.csv                    one row a plan: scores, counts, status
    library.json                   the library-level checks
    index.html                     the library dashboard
    run.json                       when, how long, how many (not deterministic)
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service.batch.cache import ResultCache, atomic_write, write_if_changed
from service.batch.library import LIBRARY_CODES, LibraryReport
from service.batch.outcome import Outcome, parsed_review

REVIEWS_DIR = "reviews"
OUTPUT_FILES = ("findings.jsonl", "results.sarif", "summary.csv", "library.json", "index.html")
SEVERITIES = ("error", "warning", "info")


def review_path(out: Path, rel: str) -> Path:
    return out / REVIEWS_DIR / f"{rel}.json"


def render_review(entry: dict[str, Any], source: str) -> str:
    """The per-plan review JSON (the contract's shape, as ``--format json`` prints it).

    The worker rendered it for the plan's source; only when the same content is
    now reached by another path (a moved file, another working folder) is it redone.
    """
    if entry.get("source") == source:
        return str(entry["review_text"])
    from service.batch.worker import render_review_dict

    review = dict(parsed_review(entry))
    review["plan"] = {**review["plan"], "source": source}
    return render_review_dict(review)


def write_review(out: Path, outcome: Outcome, entry: dict[str, Any]) -> None:
    write_if_changed(review_path(out, outcome.file.rel), render_review(entry, outcome.file.source))


def iter_entries(
    outcomes: list[Outcome], cache: ResultCache, memory: dict[str, str]
) -> Iterator[tuple[Outcome, dict[str, Any]]]:
    """(outcome, cache entry) for each reviewed plan, in plan order, read one at a time."""
    for o in outcomes:
        if o.status != "ok":
            continue
        raw = memory.get(o.key)
        entry: dict[str, Any] | None = json.loads(raw) if raw is not None else cache.load(o.key)
        if entry is None:
            continue
        yield o, entry


def prune_reviews(out: Path, keep: set[Path]) -> int:
    """Delete per-plan files of plans that are gone, now failing or now excluded."""
    root = out / REVIEWS_DIR
    removed = 0
    if not root.is_dir():
        return 0
    for folder, dirs, files in os.walk(root, topdown=False):
        for name in files:
            p = Path(folder) / name
            if p not in keep:
                p.unlink(missing_ok=True)
                removed += 1
        for d in dirs:
            with contextlib.suppress(OSError):
                (Path(folder) / d).rmdir()
    return removed


# -- findings.jsonl --------------------------------------------------------------------------------
def findings_lines(outcome: Outcome, entry: dict[str, Any]) -> Iterator[str]:
    for f in parsed_review(entry).get("findings", []):
        line = {"plan": outcome.file.source, "folder": outcome.file.folder, **f}
        yield json.dumps(line, ensure_ascii=False) + "\n"


# -- summary.csv -----------------------------------------------------------------------------------
def score_columns(outcomes: list[Outcome]) -> list[str]:
    from service.rules.catalogue import FAMILIES
    from service.scoring import WEIGHTS

    present = {k for o in outcomes for k in o.scores if k != "overall"}
    ordered = [f for f in FAMILIES if f in WEIGHTS or f in present]
    return [f for f in ordered if f in present or f in WEIGHTS]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading ``'``
    (OWASP's advice against CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, buf: io.StringIO) -> None:
        self._writer = csv.writer(buf, lineterminator="\n")

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([csv_cell(v) for v in row])


def render_summary_csv(outcomes: list[Outcome]) -> str:
    families = score_columns(outcomes)
    buf = io.StringIO()
    writer = _SafeWriter(buf)
    writer.writerow(
        [
            "plan",
            "folder",
            "format",
            "language",
            "status",
            "reason",
            "title",
            "findings",
            "error",
            "warning",
            "info",
            "score_overall",
            *[f"score_{f}" for f in families],
            "llm_status",
        ]
    )
    for o in outcomes:
        if o.status != "ok":
            writer.writerow(
                [
                    o.file.source,
                    o.file.folder,
                    "",
                    "",
                    "failed",
                    o.reason,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    *["" for _ in families],
                    "",
                ]
            )
            continue

        def num(v: int | None) -> str:
            return "" if v is None else str(v)

        writer.writerow(
            [
                o.file.source,
                o.file.folder,
                o.source_format,
                o.language,
                "ok",
                "",
                o.title,
                o.findings,
                o.severities["error"],
                o.severities["warning"],
                o.severities["info"],
                num(o.overall),
                *[num(o.scores.get(f)) for f in families],
                o.llm_status,
            ]
        )
    return buf.getvalue()


# -- SARIF -----------------------------------------------------------------------------------------
def build_sarif_doc(
    pairs: list[tuple[Any, Any]], failed: list[Outcome], library: LibraryReport | None, cwd: Path
) -> dict[str, Any]:
    """The report engineer's SARIF log, plus failed files as notifications and library results."""
    from service.report.sarif import artifact_uri, build_sarif

    doc = build_sarif(pairs, cwd=cwd)
    run = doc["runs"][0]
    invocation = run["invocations"][0]
    notes = list(invocation.get("toolExecutionNotifications", []))
    for o in failed:
        notes.append(
            {
                "level": "error",
                "descriptor": {"id": "planreview.unreadable"},
                "message": {"text": o.reason or f"{o.file.source}: could not be reviewed"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact_uri(o.file.source, cwd=cwd)}
                        }
                    }
                ],
            }
        )
    if notes:
        invocation["toolExecutionNotifications"] = notes
    if library is not None and library.findings:
        from service.report.sarif import MAX_BYTES, MAX_RESULTS

        plan_results = len(run["results"])
        _add_library_results(run, library, cwd, room=MAX_RESULTS - plan_results)
        if len(dumps_sarif(doc).encode("utf-8")) > MAX_BYTES:
            del run["results"][plan_results:]  # GitHub's 10 MB limit: the plans' findings first
    return doc


def _add_library_results(run: dict[str, Any], library: LibraryReport, cwd: Path, room: int) -> None:
    from service.report.sarif import artifact_uri

    rules = run["tool"]["driver"]["rules"]
    index = {r["id"]: i for i, r in enumerate(rules)}
    artifacts = {a["location"]["uri"]: i for i, a in enumerate(run.get("artifacts", []))}
    levels = {"error": "error", "warning": "warning", "info": "note"}

    def location(plan: str, line: int | None) -> dict[str, Any]:
        uri = artifact_uri(plan, cwd=cwd)
        art: dict[str, Any] = {"uri": uri}
        if uri in artifacts:
            art["index"] = artifacts[uri]
        phys: dict[str, Any] = {"artifactLocation": art}
        phys["region"] = {"startLine": max(1, line or 1)}
        return {"physicalLocation": phys}

    for f in library.findings[: max(0, room)]:
        if f.code not in index:
            severity, title_en, title_zh = LIBRARY_CODES[f.code]
            index[f.code] = len(rules)
            rules.append(
                {
                    "id": f.code,
                    "name": "".join(w.capitalize() for w in f.code.replace("-", ".").split(".")),
                    "shortDescription": {"text": title_en},
                    "fullDescription": {"text": f"{title_en} / {title_zh}"},
                    "defaultConfiguration": {"level": levels[severity]},
                    "properties": {
                        "tags": ["planreview", "library"],
                        "family": "library",
                        "scope": "library",
                    },
                }
            )
        first, *rest = f.locations
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": levels[f.severity],
            "message": {"text": f.message},
            "locations": [location(first.plan, first.line)],
            "partialFingerprints": {"planreviewFindingId/v1": f.id},
            "properties": {"family": "library", "plans": len({loc.plan for loc in f.locations})},
        }
        if rest:
            result["relatedLocations"] = [
                {"id": i + 1, **location(loc.plan, loc.line)} for i, loc in enumerate(rest[:100])
            ]
        run["results"].append(result)


def dumps_sarif(doc: dict[str, Any]) -> str:
    """Compact JSON: a library's SARIF runs to megabytes, and indenting it costs seconds."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_text(path: Path, text: str) -> None:
    write_if_changed(path, text)


def write_json(path: Path, data: Any) -> None:
    write_if_changed(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_run_json(out: Path, data: dict[str, Any]) -> None:
    atomic_write(out / "run.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
