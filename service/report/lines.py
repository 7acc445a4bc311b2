"""One line per finding, for editors, grep and CI logs.

- ``concise``: ``path:line:col: code message`` (ruff's ``--output-format concise``,
  Vim's and Emacs' default errorformat). A document finding with no anchor is
  reported at 1:1.
- ``github``: GitHub Actions workflow commands,
  ``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=code::message``
  (``warning`` and ``notice`` for the other severities), which the runner turns
  into annotations on the pull request.

Plan text reaches both (file names, quotes in messages). Concise lines drop
control characters, so nothing a plan says can move a terminal's cursor or start
a new line; GitHub's own escaping (``%`` ``\\r`` ``\\n`` everywhere, ``:`` and
``,`` too in properties) keeps a message from ending the command early or
smuggling in another one (``::add-mask::`` on its own line).
"""

from __future__ import annotations

import re
from pathlib import Path

from service.models import Finding, Plan, Review
from service.report.grouping import finding_sort_key

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_CONCISE_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def one_line(text: str) -> str:
    """Text on one line: control characters (newlines, ESC, ...) become single spaces."""
    return _CONTROL.sub(" ", text).strip()


def display_path(source: str, *, cwd: Path | None = None) -> str:
    """The plan's path as a user typed it, relative to the working directory when inside it."""
    if source in ("", "-"):
        return "-"
    path = Path(source)
    if path.is_absolute():
        try:
            return path.resolve().relative_to((cwd or Path.cwd()).resolve()).as_posix()
        except (ValueError, OSError):
            return source
    return source


def _position(f: Finding) -> tuple[int, int, int, int]:
    if f.span is None:
        return 1, 1, 1, 1
    return f.span.start_line, f.span.start_col, f.span.end_line, f.span.end_col


def _findings(reviews: list[tuple[Review, Plan]]) -> list[tuple[str, Finding]]:
    out: list[tuple[str, Finding]] = []
    for review, plan in reviews:
        path = display_path(review.plan.source or plan.source)
        out.extend((path, f) for f in sorted(review.findings, key=finding_sort_key))
    return out


def render_concise(reviews: list[tuple[Review, Plan]], *, color: bool = False) -> str:
    from service.report.text import Line, lines_to_text

    lines: list[Line] = []
    for path, f in _findings(reviews):
        line_no, col, _, _ = _position(f)
        t = Line()
        t.append(one_line(path), style="bold")
        t.append(f":{line_no}:{col}: ", style="dim")
        t.append(f.code, style=_CONCISE_STYLE.get(f.severity, ""))
        t.append(" " + one_line(f.message))
        lines.append(t)
    if not lines:
        return ""
    return lines_to_text(lines, color=color)


def escape_data(text: str) -> str:
    """A workflow command's message (actions/toolkit ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (actions/toolkit ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(path: str, f: Finding) -> str:
    start_line, start_col, end_line, end_col = _position(f)
    props = [f"file={escape_property(path)}", f"line={start_line}"]
    if f.span is not None:
        props.append(f"endLine={end_line}")
        if start_line == end_line:  # GitHub ignores columns on multi-line annotations
            props += [f"col={start_col}", f"endColumn={max(end_col, start_col)}"]
    props.append(f"title={escape_property(f.code)}")
    message = f.message.strip()
    if f.suggestion.strip():
        message += "\n" + f.suggestion.strip()
    level = _GITHUB_LEVEL.get(f.severity, "notice")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def render_github(reviews: list[tuple[Review, Plan]]) -> str:
    out = [github_command(path, f) for path, f in _findings(reviews)]
    return "\n".join(out) + ("\n" if out else "")


def statistics(reviews: list[tuple[Review, Plan]], lang: str = "en") -> list[dict[str, object]]:
    """Findings per code over all plans, most frequent first (``--statistics``)."""
    from collections import Counter

    from service.rules.catalogue import BY_CODE

    counts: Counter[str] = Counter(f.code for review, _ in reviews for f in review.findings)
    severity = {f.code: f.severity for review, _ in reviews for f in review.findings}
    rows: list[dict[str, object]] = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        spec = BY_CODE.get(code)
        rows.append(
            {
                "code": code,
                "count": n,
                "severity": severity[code],
                "summary": spec.summary(lang) if spec else "",
            }
        )
    return rows


def render_statistics(rows: list[dict[str, object]], *, color: bool = False) -> str:
    from service.report.text import SEVERITY_STYLE, Line, lines_to_text

    if not rows:
        return ""
    count_w = max(len(str(r["count"])) for r in rows)
    code_w = max(len(str(r["code"])) for r in rows)
    sev_w = max(len(str(r["severity"])) for r in rows)
    lines: list[Line] = []
    for r in rows:
        sev = str(r["severity"])
        t = Line(str(r["count"]).rjust(count_w) + "  ")
        t.append(str(r["code"]).ljust(code_w), style="bold")
        t.append("  ")
        t.append(sev.ljust(sev_w), style=SEVERITY_STYLE.get(sev, ""))
        t.append("  " + str(r["summary"]))
        lines.append(t)
    return lines_to_text(lines, color=color)


__all__ = [
    "display_path",
    "escape_data",
    "escape_property",
    "github_command",
    "one_line",
    "render_concise",
    "render_github",
    "render_statistics",
    "statistics",
]
