"""Code actions: apply a rewrite, insert a template section, suppress a code (line or file)."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from service.config import ReviewConfig
from service.fixes import Fix, has_slots, snippet, works
from service.lsp.analysis import Analysis
from service.lsp.diagnostics import finding_range
from service.lsp.edits import (
    SECTION_AFTER,
    TEMPLATE_FOR_CODE,
    TEMPLATES,
    TextChange,
    insert_body_change,
    insert_section_change,
    rewrite_change,
    section_heading,
    suppress_file_change,
    suppress_line_change,
)
from service.lsp.positions import LineIndex
from service.models import Finding

QUICKFIX = types.CodeActionKind.QuickFix
REWRITE = types.CodeActionKind.RefactorRewrite

_TITLES = {
    "en": {
        "rewrite": "Rewrite as: {text}",
        "section": "Insert section: {heading}",
        "line": "Ignore {code} here (planreview comment)",
        "file": "Ignore {code} in this file (planreview comment)",
    },
    "zh": {
        "rewrite": "改写为：{text}",
        "section": "插入章节：{heading}",
        "line": "在此处忽略 {code}（planreview 注释）",
        "file": "在本文件中忽略 {code}（planreview 注释）",
    },
}


@dataclass
class EditTarget:
    """How edits are addressed: the document, its version, and how to write them."""

    uri: str
    version: int | None
    index: LineIndex
    eol: str = "\n"
    document_changes: bool = True
    snippets: bool = False  # the client takes SnippetTextEdit (LSP 3.18 snippetEditSupport)


def text_edit(change: TextChange, target: EditTarget) -> types.TextEdit:
    return types.TextEdit(
        range=types.Range(
            start=target.index.offset_position(change.start),
            end=target.index.offset_position(change.end),
        ),
        new_text=change.new_text.replace("\n", target.eol)
        if target.eol != "\n"
        else change.new_text,
    )


def snippet_edit(change: TextChange, target: EditTarget) -> types.SnippetTextEdit:
    """The change with its ``[blanks]`` as tab stops, for clients that take snippets."""
    plain = text_edit(change, target)
    return types.SnippetTextEdit(
        range=plain.range, snippet=types.StringValue(value=snippet(plain.new_text))
    )


def workspace_edit(change: TextChange, target: EditTarget) -> types.WorkspaceEdit:
    edit = text_edit(change, target)
    if target.document_changes:
        edits: list[types.TextEdit | types.AnnotatedTextEdit | types.SnippetTextEdit] = [edit]
        if target.snippets and has_slots(change.new_text):
            edits = [snippet_edit(change, target)]
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=target.uri, version=target.version
                    ),
                    edits=edits,
                )
            ]
        )
    return types.WorkspaceEdit(changes={target.uri: [edit]})


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _same_lines(a: types.Range, b: types.Range) -> bool:
    """Ranges share a line (a cursor anywhere on a finding's line asks for its fixes)."""
    return a.start.line <= b.end.line and b.start.line <= a.end.line


def _wanted(kind: str, only: list[str] | None) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def _lacks(key: str, analysis: Analysis) -> bool:
    """The plan has no such section yet (a RACI table counts once it has rows)."""
    return not (key == "raci" and analysis.facts is not None and analysis.facts.raci_rows)


def code_actions(
    analysis: Analysis,
    extra: list[Finding],
    target: EditTarget,
    rng: types.Range,
    context_ids: set[str],
    only: list[str] | None = None,
    config: ReviewConfig | None = None,
) -> list[types.CodeAction]:
    """Actions for the findings under ``rng`` or named by the request's diagnostics. A section
    template is offered on the document finding it answers (not on every diagnostic), and a
    rewrite or template only when, applied, its finding is gone (service/fixes.py)."""
    plan, facts = analysis.plan, analysis.facts
    if plan is None or facts is None:
        return []
    config = config or ReviewConfig()

    def fixes(finding: Finding, change: TextChange) -> bool:
        fix = Fix(finding, change, True, "", "")
        return works(fix, plan, config, analysis.lang)

    lang = "zh" if analysis.lang == "zh" else "en"
    titles = _TITLES[lang]
    findings = [*analysis.findings, *extra]
    chosen = [
        f
        for f in findings
        if f.id in context_ids or _same_lines(finding_range(f, target.index), rng)
    ]
    actions: list[types.CodeAction] = []
    seen: set[str] = set()

    def add(
        title: str,
        kind: str,
        change: TextChange | None,
        finding: Finding | None,
        preferred: bool = False,
    ) -> None:
        if change is None or title in seen or not _wanted(kind, only):
            return
        seen.add(title)
        diags = None
        if finding is not None:
            diags = [
                types.Diagnostic(
                    range=finding_range(finding, target.index),
                    message=finding.message,
                    code=finding.code,
                    source="planreview",
                )
            ]
        actions.append(
            types.CodeAction(
                title=title,
                kind=kind,
                diagnostics=diags,
                is_preferred=preferred or None,
                edit=workspace_edit(change, target),
            )
        )

    for f in chosen:
        if f.scope == "block":
            change = rewrite_change(plan.text, f)
            if change is not None and fixes(f, change):
                add(
                    titles["rewrite"].format(text=_short(change.new_text)),
                    QUICKFIX,
                    change,
                    f,
                    True,
                )
        key = TEMPLATE_FOR_CODE.get(f.code)
        if key is not None and f.scope == "document" and _lacks(key, analysis):
            template = TEMPLATES[key]
            change = insert_section_change(plan, facts, template, lang)
            if fixes(f, change):
                add(template.title(lang), QUICKFIX, change, f, True)
        elif f.scope == "document" and f.rewrite and (heading := section_heading(f.rewrite)):
            change = insert_body_change(plan, facts, f.rewrite, SECTION_AFTER.get(f.code, ()))
            if fixes(f, change):
                add(titles["section"].format(heading=heading), QUICKFIX, change, f, True)
        if f.scope == "block":
            add(titles["line"].format(code=f.code), QUICKFIX, suppress_line_change(plan, f), f)
        add(
            titles["file"].format(code=f.code), QUICKFIX, suppress_file_change(plan.text, f.code), f
        )
    return actions
