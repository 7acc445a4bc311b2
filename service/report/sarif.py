"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One run for all plans: ``tool.driver`` carries a rule for every code used
(metadata from the rule catalogue), each plan is an artifact, each finding a
result with its region in the plan's normalised text (columns are Unicode
code points: ``columnKind: unicodeCodePoints``) and its stable id as a
partial fingerprint. Output is kept within GitHub's upload limits (25,000
results per run, 10 MB): when a review exceeds them the least severe results
are dropped and a tool notification says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote as urlquote

from service import __version__
from service.models import SEVERITY_RANK, Finding, Plan, Review
from service.report.grouping import finding_sort_key
from service.rules.catalogue import BY_CODE

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "planreview"
# Where a reader of a code-scanning alert can learn about the tool. Change it
# when the project has a public home.
INFORMATION_URI = "https://pypi.org/project/planreview/"
FINGERPRINT_KEY = "planreviewFindingId/v1"

MAX_RESULTS = 25_000
MAX_BYTES = 10 * 1024 * 1024

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _level(severity: str) -> str:
    return LEVELS.get(severity, "note")


def artifact_uri(source: str, *, cwd: Path | None = None) -> str:
    """A relative URI with forward slashes for a plan's source ('-' -> 'stdin.md').

    Paths inside the working directory become relative to it; other absolute
    paths become ``file://`` URIs. Characters outside the URI set are
    percent-encoded (UTF-8), so Chinese file names survive.
    """
    if source in ("", "-"):
        return "stdin.md"
    raw = source.replace("\\", "/")
    is_windows_abs = re.match(r"^[A-Za-z]:/", raw) is not None
    if raw.startswith("/") or is_windows_abs:
        base = (cwd or Path.cwd()).resolve()
        try:
            rel = Path(source).resolve().relative_to(base)
            return urlquote(rel.as_posix(), safe="/")
        except ValueError:
            path = raw if raw.startswith("/") else "/" + raw
            return "file://" + urlquote(path, safe="/:")
    parts = [p for p in PurePosixPath(raw).parts if p != "."]
    rel_path = "/".join(parts) or "stdin.md"
    return urlquote(rel_path, safe="/")


def _rule_name(code: str) -> str:
    """'smart.time-bound' -> 'SmartTimeBound' (SARIF names are identifiers, not prose)."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", code) if w)


def _rule(code: str, finding: Finding, lang: str) -> dict[str, Any]:
    spec = BY_CODE.get(code)
    family = spec.family if spec else (finding.family or code.split(".", 1)[0])
    severity = spec.severity if spec else finding.severity
    if spec is not None:
        short = spec.title(lang)
        full = spec.summary(lang)
        help_text = f"{spec.summary_en}\n\n{spec.summary_zh}"
    else:
        short = code
        full = f"planreview finding '{code}' ({family})."
        help_text = full
    return {
        "id": code,
        "name": _rule_name(code),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _level(severity)},
        "properties": {
            "tags": ["planreview", family],
            "family": family,
            "scope": spec.scope if spec else finding.scope,
            "precision": "medium" if spec is None or spec.llm_only else "high",
        },
    }


def _region(finding: Finding, plan: Plan) -> dict[str, int]:
    lines = plan.lines
    n_lines = max(len(lines), 1)
    if finding.span is None:
        return {"startLine": 1, "startColumn": 1}
    start = min(max(finding.span.start_line, 1), n_lines)
    end = min(max(finding.span.end_line, start), n_lines)

    def width(line: int) -> int:  # columns run to one past the last character
        return len(lines[line - 1]) + 1 if line <= len(lines) else 1

    start_col = min(max(finding.span.start_col, 1), width(start))
    end_col = min(max(finding.span.end_col, 1), width(end))
    if end == start and end_col < start_col:
        end_col = start_col
    return {"startLine": start, "startColumn": start_col, "endLine": end, "endColumn": end_col}


def _fingerprint(finding: Finding, plan: Plan) -> str:
    if finding.id:
        return finding.id
    basis = f"{finding.code}\n{' '.join(finding.quote.split())}\n{plan.sha256}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def _message(finding: Finding) -> str:
    parts = [finding.message.strip()]
    if finding.suggestion.strip():
        parts.append(finding.suggestion.strip())
    return "\n\n".join(p for p in parts if p) or finding.code


def _result(
    finding: Finding, plan: Plan, uri: str, artifact_index: int, rule_index: int
) -> dict[str, Any]:
    region: dict[str, Any] = _region(finding, plan)
    if finding.quote.strip():
        region["snippet"] = {"text": finding.quote}
    properties: dict[str, Any] = {
        "family": finding.family,
        "scope": finding.scope,
        "origin": finding.origin,
        "confidence": finding.confidence,
    }
    if finding.rewrite:
        properties["rewrite"] = finding.rewrite
    if finding.citations:
        properties["citations"] = [c.model_dump(mode="json") for c in finding.citations]
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _level(finding.severity),
        "message": {"text": _message(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "index": artifact_index},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding, plan)},
        "properties": properties,
    }


def _artifact(review: Review, plan: Plan, uri: str) -> dict[str, Any]:
    return {
        "location": {"uri": uri},
        "mimeType": "text/markdown",
        "encoding": "utf-8",
        "sourceLanguage": "markdown",
        "hashes": {"sha-256": plan.sha256},
        "properties": {
            "sourceFormat": plan.source_format,
            "language": review.plan.language,
            "title": review.plan.title,
            "tier": review.engine.tier,
            "llmStatus": review.engine.llm_status,
            "scores": review.scores,
            "linesReferTo": (
                "the file"
                if plan.source_format in ("markdown", "text")
                else "the normalised Markdown text (planreview review --format markdown --show-source)"
            ),
        },
    }


def build_sarif(
    reviews: list[tuple[Review, Plan]],
    *,
    max_results: int = MAX_RESULTS,
    max_bytes: int = MAX_BYTES,
    cwd: Path | None = None,
) -> dict[str, Any]:
    """The SARIF log as a dict (see module doc); limits are parameters for tests."""
    langs = {review.plan.language for review, _ in reviews}
    lang = "zh" if langs == {"zh"} else "en"

    artifacts: list[dict[str, Any]] = []
    uris: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    entries: list[tuple[int, int, dict[str, Any]]] = []  # (severity rank, order, result)
    for review, plan in reviews:
        uri = artifact_uri(review.plan.source or plan.source, cwd=cwd)
        if uri not in uris:  # the same file reviewed twice is one artifact
            uris[uri] = len(artifacts)
            artifacts.append(_artifact(review, plan, uri))
        for f in sorted(review.findings, key=finding_sort_key):
            if f.code not in rule_index:
                rule_index[f.code] = len(rules)
                rules.append(_rule(f.code, f, lang))
            result = _result(f, plan, uri, uris[uri], rule_index[f.code])
            entries.append((SEVERITY_RANK.get(f.severity, 0), len(entries), result))

    notifications: list[dict[str, Any]] = []
    kept = _keep(entries, max_results)
    if len(kept) < len(entries):
        notifications.append(_truncation_note(len(entries), len(kept), "results"))

    def log(results: list[dict[str, Any]], notes: list[dict[str, Any]]) -> dict[str, Any]:
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": INFORMATION_URI,
                    "language": "zh-Hans" if lang == "zh" else "en-US",
                    "rules": rules,
                }
            },
            "invocations": [
                {"executionSuccessful": True, "toolExecutionNotifications": notes}
                if notes
                else {"executionSuccessful": True}
            ],
            "artifacts": artifacts,
            "columnKind": "unicodeCodePoints",
            "results": results,
        }
        return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}

    doc = log(kept, notifications)
    size = len(_dumps(doc).encode("utf-8"))
    if size > max_bytes and kept:
        # Shrink proportionally (with a margin) until it fits; the most severe stay.
        count = len(kept)
        while size > max_bytes and count > 0:
            count = max(0, min(count - 1, int(count * max_bytes / size * 0.95)))
            trimmed = _keep(entries, count)
            notes = [_truncation_note(len(entries), len(trimmed), "bytes")]
            doc = log(trimmed, notes)
            size = len(_dumps(doc).encode("utf-8"))
    return doc


def _keep(entries: list[tuple[int, int, dict[str, Any]]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` results, the most severe first chosen, kept in plan order."""
    if len(entries) <= limit:
        return [e[2] for e in entries]
    chosen = sorted(entries, key=lambda e: (-e[0], e[1]))[:limit]
    return [e[2] for e in sorted(chosen, key=lambda e: e[1])]


def _truncation_note(total: int, kept: int, why: str) -> dict[str, Any]:
    limit = (
        f"GitHub's limit of {MAX_RESULTS} results per run"
        if why == "results"
        else f"the {MAX_BYTES // (1024 * 1024)} MB upload limit"
    )
    return {
        "level": "warning",
        "descriptor": {"id": "planreview.truncated"},
        "message": {
            "text": f"planreview reported {total} findings; only the {kept} most severe are "
            f"included to stay within {limit}. Use --format json for all of them."
        },
    }


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


def render_sarif(reviews: list[tuple[Review, Plan]]) -> str:
    return _dumps(build_sarif(reviews)) + "\n"


__all__ = ["artifact_uri", "build_sarif", "render_sarif"]
