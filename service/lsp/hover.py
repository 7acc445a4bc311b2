"""Hover text for a finding: message, suggestion, rewrite and the cited guidance."""

from __future__ import annotations

from lsprotocol import types

from service.lsp.diagnostics import finding_range
from service.lsp.guidance import GuidanceLookup
from service.lsp.positions import LineIndex, contains
from service.models import SEVERITY_RANK, Finding
from service.rules import catalogue

_LABELS = {
    "en": {
        "suggestion": "Suggestion",
        "rewrite": "Rewrite",
        "guidance": "Guidance",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "llm": "LLM critique",
        ":": ":",  # inside the bold: "**Suggestion:** text" (CommonMark: no space before **)
    },
    "zh": {
        "suggestion": "建议",
        "rewrite": "改写",
        "guidance": "依据",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "llm": "LLM 评审",
        ":": "：",
    },
}


def findings_at(findings: list[Finding], index: LineIndex, pos: types.Position) -> list[Finding]:
    hits = [f for f in findings if contains(finding_range(f, index), pos)]
    return sorted(hits, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.code))


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\*_`[]<>#|~"})


def _escape(text: str) -> str:
    """Plan text as literal Markdown: no emphasis, code, links, HTML or headings from it."""
    return text.translate(_MARKDOWN_SPECIAL)


def _labelled(labels: dict[str, str], key: str, text: str) -> str:
    """ "**Suggestion:** text" and "**建议**：text". CommonMark closes ``**`` only when it
    is not preceded by a space, and after punctuation only when a space or punctuation
    follows: so the English colon goes inside (a space follows it), the full-width one
    outside (a Chinese character follows it)."""
    if labels[":"] == "：":
        return f"**{labels[key]}**：{text}"
    return f"**{labels[key]}{labels[':']}** {text}"


def render_finding(f: Finding, lang: str, guidance: GuidanceLookup) -> str:
    labels = _LABELS["zh" if lang == "zh" else "en"]
    spec = catalogue.BY_CODE.get(f.code)
    title = spec.title(lang) if spec else f.code
    origin = f" · {labels['llm']}" if f.origin == "llm" else ""
    parts = [
        f"**{_escape(title)}** · `{f.code}` · {labels.get(f.severity, f.severity)}{origin}",
        _escape(f.message),
    ]
    if f.suggestion:
        parts.append(_labelled(labels, "suggestion", _escape(f.suggestion)))
    if f.rewrite and f.scope == "block" and "\n" not in f.rewrite.strip():
        parts.append(_labelled(labels, "rewrite", _escape(f.rewrite.strip())))
    for c in f.citations[:2]:
        hit = guidance.get(c.chunk_id)
        if hit is None:
            continue
        chunk_title, paragraph, uri, line = hit
        link = f" ([{c.chunk_id}]({uri}#L{line}))" if uri is not None else ""
        head = _labelled(labels, "guidance", f"**{_escape(chunk_title)}**")
        parts.append(f"{head}{link}\n\n{paragraph}")
    return "\n\n".join(parts)


def hover(
    findings: list[Finding],
    index: LineIndex,
    pos: types.Position,
    lang: str,
    guidance: GuidanceLookup,
) -> types.Hover | None:
    hits = findings_at(findings, index, pos)
    if not hits:
        return None
    body = "\n\n---\n\n".join(render_finding(f, lang, guidance) for f in hits[:5])
    rng = finding_range(hits[0], index)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=body), range=rng
    )
