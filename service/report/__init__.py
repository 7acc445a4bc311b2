"""Report renderers: one function, five formats.

``render(reviews, fmt)`` turns reviews (each with the plan it is about) into
the text the CLI prints, the API returns and the batch runner writes:

- ``text``: a linter-style listing grouped by plan and section (Rich colour on request);
- ``json``: the review JSON of the contract (a list for several plans);
- ``markdown``: a review report, or with ``show_source`` the plan's normalised text;
- ``html``: a standalone page (inline CSS/SVG, no JavaScript);
- ``sarif``: SARIF 2.1.0 for GitHub code scanning;
- ``concise``: ``path:line:col: code message``, one line a finding (editors, grep);
- ``github``: GitHub Actions workflow commands (annotations on a pull request).
"""

from __future__ import annotations

from typing import Literal, get_args

from service.errors import ConfigError
from service.models import Plan, Review

ReportFormat = Literal["text", "json", "markdown", "html", "sarif", "concise", "github"]
FORMATS: tuple[str, ...] = get_args(ReportFormat)

# File name suffix for each format (batch runner, ``-o`` defaults).
EXTENSIONS: dict[str, str] = {
    "text": ".txt",
    "json": ".json",
    "markdown": ".md",
    "html": ".html",
    "sarif": ".sarif",
    "concise": ".txt",
    "github": ".txt",
}
# Media type for each format (API responses).
MEDIA_TYPES: dict[str, str] = {
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "sarif": "application/sarif+json",
    "concise": "text/plain; charset=utf-8",
    "github": "text/plain; charset=utf-8",
}


def render(
    reviews: list[tuple[Review, Plan]],
    fmt: str,
    *,
    color: bool = False,
    show_source: bool = False,
    quiet: bool = False,
) -> str:
    """Render reviews (each with its plan) in one of FORMATS.

    ``color`` applies to ``text`` and ``concise``; ``quiet`` to ``text`` (findings
    only); ``show_source`` to ``markdown`` only (it prints the plan's normalised
    Markdown, the text finding lines refer to).
    """
    fmt = fmt.strip().lower()
    reviews = _pairs(reviews)
    if fmt == "text":
        from service.report.text import render_text

        return render_text(reviews, color=color, quiet=quiet)
    if fmt == "json":
        from service.report.json_report import render_json

        return render_json(reviews)
    if fmt in ("markdown", "md"):
        from service.report.markdown import render_markdown

        return render_markdown(reviews, show_source=show_source)
    if fmt == "html":
        from service.report.html import render_html

        return render_html(reviews)
    if fmt == "sarif":
        from service.report.sarif import render_sarif

        return render_sarif(reviews)
    if fmt == "concise":
        from service.report.lines import render_concise

        return render_concise(reviews, color=color)
    if fmt == "github":
        from service.report.lines import render_github

        return render_github(reviews)
    raise ConfigError(f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")


def _pairs(reviews: list[tuple[Review, Plan]]) -> list[tuple[Review, Plan]]:
    """(Review, Plan) pairs; (Plan, Review) pairs, as review_text_with_plan returns, are
    turned round rather than failing deep inside a renderer."""
    out: list[tuple[Review, Plan]] = []
    for first, second in reviews:
        if isinstance(first, Plan) and isinstance(second, Review):
            out.append((second, first))
        else:
            out.append((first, second))
    return out


__all__ = ["EXTENSIONS", "FORMATS", "MEDIA_TYPES", "ReportFormat", "render"]
