"""Quick fixes in a real language-server session (issue 14): a section template is offered
once, on the finding it fixes; a rewrite that still fails its rule is not offered; blanks are
snippet tab stops for a client that takes snippet edits."""

from __future__ import annotations

import attrs
import pytest
import pytest_lsp
from lsp_support import REPO, apply_edit, config, open_doc, rng
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from service.ingest.markdown import parse_markdown
from service.rules.engine import run_rules

pytestmark = pytest.mark.asyncio(loop_scope="module")

EN_TEXT = (REPO / "examples" / "sample-plan.md").read_text(encoding="utf-8")
ROOT = REPO / "examples"  # never written: the documents live in the editor only


def _caps(snippets: bool) -> types.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    assert caps.workspace is not None and caps.workspace.workspace_edit is not None
    edit = attrs.evolve(caps.workspace.workspace_edit, snippet_edit_support=snippets)
    return attrs.evolve(caps, workspace=attrs.evolve(caps.workspace, workspace_edit=edit))


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=_caps(snippets=True), root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


async def _actions(
    client: LanguageClient, doc: str, diag: types.Diagnostic
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc),
            range=rng(diag.range.start.line, 0),
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def _edits(action: types.CodeAction) -> list[types.TextEdit | types.SnippetTextEdit]:
    assert action.edit is not None and action.edit.document_changes
    (change,) = action.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    return list(change.edits)  # type: ignore[arg-type]


async def test_risk_register_is_offered_once_on_its_own_finding(client: LanguageClient) -> None:
    doc = (ROOT / "fixes-plan.md").as_uri()
    diags = await open_doc(client, doc, EN_TEXT)
    assert len(diags) > 10
    offered_on: list[str] = []
    for d in diags:
        titles = [a.title for a in await _actions(client, doc, d)]
        if "Insert a risk register" in titles:
            offered_on.append(str(d.code))
        assert titles.count("Insert a risk register") <= 1
    # on the line the document findings share (the title), never on the block findings below
    risk = next(d for d in diags if d.code == "risk.no-register")
    assert "risk.no-register" in offered_on
    assert all(
        next(d for d in diags if str(d.code) == code).range.start.line == risk.range.start.line
        for code in offered_on
    )


async def test_blanks_are_snippet_tab_stops(client: LanguageClient) -> None:
    doc = (ROOT / "snippet-plan.md").as_uri()
    diags = await open_doc(client, doc, EN_TEXT)
    risk = next(d for d in diags if d.code == "risk.no-register")
    insert = next(a for a in await _actions(client, doc, risk) if a.title.startswith("Insert a"))
    (edit,) = _edits(insert)
    assert isinstance(edit, types.SnippetTextEdit)
    value = edit.snippet.value
    assert "${1:[H/M/L]}" in value and "${2:[H/M/L]}" in value and value.endswith("$0")
    # the same text once the tab stops are filled with their defaults
    import re

    plain = re.sub(r"\$\{\d+:((?:[^}\\]|\\.)*)\}", lambda m: m.group(1), value).removesuffix("$0")
    plain = plain.replace("\\$", "$").replace("\\}", "}").replace("\\\\", "\\")
    lines = EN_TEXT.split("\n")
    offset = sum(len(line) + 1 for line in lines[: edit.range.start.line])
    offset += edit.range.start.character
    fixed = EN_TEXT[:offset] + plain + EN_TEXT[offset:]
    assert "risk.no-register" not in {f.code for f in run_rules(parse_markdown(fixed, source="x"))}


async def test_a_rewrite_that_still_fails_its_rule_is_not_offered(client: LanguageClient) -> None:
    doc = (ROOT / "rewrite-plan.md").as_uri()
    diags = await open_doc(client, doc, EN_TEXT)
    measurable = next(d for d in diags if d.code == "smart.measurable")
    titles = [a.title for a in await _actions(client, doc, measurable)]
    # the rule's rewrite keeps "[metric]"-style blanks, which still fail smart.measurable
    assert not any(t.startswith("Rewrite as") for t in titles if "target" in t)
    owner_line = EN_TEXT.split("\n").index("- Train every agent on the new tone-of-voice guide")
    owner = next(d for d in diags if d.code == "raci.no-owner" and d.range.start.line == owner_line)
    rewrite = next(a for a in await _actions(client, doc, owner) if a.title.startswith("Rewrite"))
    (edit,) = _edits(rewrite)
    assert isinstance(edit, types.SnippetTextEdit)  # "(Owner: ${1:[name or role]})"
    assert "${1:[name or role]}" in edit.snippet.value


async def test_without_snippet_support_edits_are_plain(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    from service.lsp.actions import EditTarget, workspace_edit
    from service.lsp.edits import TextChange
    from service.lsp.positions import LineIndex

    target = EditTarget("file:///x.md", 1, LineIndex("a\n"), snippets=False)
    edit = workspace_edit(TextChange(2, 2, "| [owner] |\n"), target)
    (change,) = edit.document_changes  # type: ignore[misc]
    (plain,) = change.edits  # type: ignore[union-attr]
    assert isinstance(plain, types.TextEdit) and plain.new_text == "| [owner] |\n"
    assert apply_edit("a\n", edit, "file:///x.md") == "a\n| [owner] |\n"
