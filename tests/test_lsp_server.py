"""The language server end to end: a real `python -m service.lsp` process over stdio (pytest-lsp)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import (
    REPO,
    RawServer,
    apply_edit,
    change_doc,
    config,
    diagnostics,
    open_doc,
    pos,
    rng,
    utf16_range_text,
    wait_for,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient, client_capabilities

from service.ingest.markdown import parse_markdown
from service.rules.engine import run_rules

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path("/tmp/planreview-lsp-tests")
EN_TEXT = (REPO / "examples" / "sample-plan.md").read_text(encoding="utf-8")

ZH_TEXT = """# 2026年客服中心运营计划

计划周期：2026年1月1日至2026年12月31日。负责人：客服部王敏。

## 一、目标

- 🎯 提升客户满意度
- 2026年12月31日前将自助解决率从12%提升到30%

## 二、任务

- 上线智能客服机器人（负责人：李雷），2026年6月30日前完成
- 🧑‍🏫 培训全体客服人员，2026年3月31日前完成
"""

ZHT_TEXT = """# 2026年門市營運計劃

## 一、目標

- 提升顧客滿意度
- 2026年12月31日前將會員回購率從20%提升到35%

## 二、任務

- 導入會員系統，負責人：陳志明，2026年6月30日前完成
- 培訓全體門市人員
"""


def uri(name: str) -> str:
    return (ROOT / name).as_uri()


@pytest_lsp.fixture(config=config(), scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri()
        )
    )
    yield
    await lsp_client.shutdown_session()


def by_code(diags: list[types.Diagnostic], code: str) -> list[types.Diagnostic]:
    return [d for d in diags if d.code == code]


async def actions_at(
    client: LanguageClient, doc: str, line: int, diags: list[types.Diagnostic] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc),
            range=rng(line, 0),
            context=types.CodeActionContext(diagnostics=diags or []),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def action(actions: list[types.CodeAction], startswith: str) -> types.CodeAction:
    found = [a for a in actions if a.title.startswith(startswith)]
    assert found, f"no action starting {startswith!r} in {[a.title for a in actions]}"
    return found[0]


def rule_codes_at(text: str, line1: int) -> set[str]:
    plan = parse_markdown(text, source="x.md")
    return {
        f.code
        for f in run_rules(plan)
        if f.span and f.scope == "block" and f.span.start_line == line1
    }


async def test_english_plan_gets_rule_diagnostics(client: LanguageClient) -> None:
    doc = uri("en-plan.md")
    diags = await open_doc(client, doc, EN_TEXT)
    measurable = by_code(diags, "smart.measurable")
    assert measurable and measurable[0].range == rng(12, 2, 12, 31)
    assert utf16_range_text(EN_TEXT, measurable[0].range) == "Improve customer satisfaction"
    d = measurable[0]
    assert d.source == "planreview"
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.code_description is not None and d.code_description.href.startswith("file://")
    guidance_file = Path(d.code_description.href.removeprefix("file://").split("#")[0])
    assert guidance_file.is_file() and guidance_file.suffix == ".md"
    assert isinstance(d.data, dict) and d.data["id"] and "[metric]" in d.data["rewrite"]
    severities = {x.code: x.severity for x in diags}
    assert severities["bsc.missing-perspective"] == types.DiagnosticSeverity.Information
    assert severities["pdca.no-act"] == types.DiagnosticSeverity.Warning
    # A document-scope finding sits on its anchor line (the title for the missing risk register).
    assert by_code(diags, "risk.no-register")[0].range.start.line == 0


async def test_chinese_plan_ranges_are_utf16(client: LanguageClient) -> None:
    doc = uri("zh-plan.md")
    diags = await open_doc(client, doc, ZH_TEXT)
    goal = by_code(diags, "smart.measurable")[0]
    # "🎯 提升客户满意度": 9 code points, 10 UTF-16 units (the emoji is a surrogate pair).
    assert goal.range == rng(6, 2, 6, 12)
    owner = by_code(diags, "raci.no-owner")[0]
    # "🧑‍🏫" is three code points and five UTF-16 units; the span runs to the end of the line.
    assert owner.range == rng(12, 2, 12, 30)
    assert utf16_range_text(ZH_TEXT, owner.range) == "🧑‍🏫 培训全体客服人员，2026年3月31日前完成"
    assert "负责人" in owner.message or "责任" in owner.message or "没有" in owner.message


async def test_traditional_chinese_plan(client: LanguageClient) -> None:
    diags = await open_doc(client, uri("zht-plan.md"), ZHT_TEXT)
    goal = by_code(diags, "smart.measurable")
    assert goal and utf16_range_text(ZHT_TEXT, goal[0].range) == "提升顧客滿意度"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in goal[0].message)


async def test_hover_shows_message_suggestion_and_guidance(client: LanguageClient) -> None:
    doc = uri("zh-hover.md")
    await open_doc(client, doc, ZH_TEXT)
    # Character 5 is inside "提升", after the surrogate pair of the emoji.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=doc), position=pos(6, 5))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    body = hover.contents.value
    assert "smart.measurable" in body and "建议" in body and "依据" in body
    assert hover.range == rng(6, 2, 6, 12)
    # The Markdown renders: labels bold, no literal asterisks (issue 14: "**Suggestion: **")
    import markdown_it

    html = markdown_it.MarkdownIt("commonmark").render(body)
    assert "<strong>建议</strong>：" in html and "<strong>依据</strong>：" in html
    assert "**" not in html
    nothing = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=doc), position=pos(2, 0))
    )
    assert nothing is None


async def test_rewrite_action_replaces_exactly_the_span(client: LanguageClient) -> None:
    doc = uri("zh-rewrite.md")
    diags = await open_doc(client, doc, ZH_TEXT)
    owner = by_code(diags, "raci.no-owner")[0]
    rewrite = action(await actions_at(client, doc, 12, [owner]), "改写为")
    assert rewrite.kind == types.CodeActionKind.QuickFix and rewrite.edit is not None
    new_text = apply_edit(ZH_TEXT, rewrite.edit, doc)
    assert (
        new_text.split("\n")[12]
        == "- 🧑‍🏫 培训全体客服人员，2026年3月31日前完成（负责人：[姓名/岗位]）"
    )
    assert "raci.no-owner" not in rule_codes_at(new_text, 13)
    # The rest of the document is untouched.
    assert new_text.split("\n")[:12] == ZH_TEXT.split("\n")[:12]


async def test_rewrite_action_english_removes_finding(client: LanguageClient) -> None:
    doc = uri("en-rewrite.md")
    await open_doc(client, doc, EN_TEXT)
    line = EN_TEXT.split("\n").index("- Train every agent on the new tone-of-voice guide")
    rewrite = action(await actions_at(client, doc, line), "Rewrite as")
    new_text = apply_edit(EN_TEXT, rewrite.edit, doc)  # type: ignore[arg-type]
    assert (
        new_text.split("\n")[line]
        == "- Train every agent on the new tone-of-voice guide (Owner: [name or role])"
    )
    assert "raci.no-owner" not in rule_codes_at(new_text, line + 1)


async def test_insert_risk_register_is_recognised(client: LanguageClient) -> None:
    for name, text, title in (
        ("en-risk.md", EN_TEXT, "Insert a risk register"),
        ("zh-risk.md", ZH_TEXT, "插入风险清单"),
    ):
        doc = uri(name)
        diags = await open_doc(client, doc, text)
        risk = by_code(diags, "risk.no-register")[0]
        insert = action(await actions_at(client, doc, risk.range.start.line, [risk]), title)
        new_text = apply_edit(text, insert.edit, doc)  # type: ignore[arg-type]
        plan = parse_markdown(new_text, source=name)
        codes = {f.code for f in run_rules(plan)}
        assert "risk.no-register" not in codes
        # Valid Markdown: the old blocks are all still there and the register parses as a table.
        old = [b.text for b in parse_markdown(text, source=name).blocks]
        new = [b.text for b in plan.blocks]
        assert all(t in new for t in old)
        assert sum(1 for b in plan.blocks if b.kind == "table_row") > sum(
            1 for b in parse_markdown(text, source=name).blocks if b.kind == "table_row"
        )
        assert "\n\n\n" not in new_text


async def test_suppress_line_in_list_and_table(client: LanguageClient) -> None:
    doc = uri("en-suppress.md")
    diags = await open_doc(client, doc, EN_TEXT)
    text, version = EN_TEXT, 1
    for prefix, code in (
        ("- Build a strong support culture", "smart.measurable"),
        ("| Introduce a shared answer library", "raci.no-owner"),
    ):
        line = next(i for i, t in enumerate(text.split("\n")) if t.startswith(prefix))
        target = next(d for d in by_code(diags, code) if d.range.start.line == line)
        suppress = action(await actions_at(client, doc, line, [target]), f"Ignore {code} here")
        text = apply_edit(text, suppress.edit, doc)  # type: ignore[arg-type]
        version += 1
        change_doc(client, doc, version, text)
        diags = await diagnostics(client, doc, version)
        assert not [
            d for d in by_code(diags, code) if prefix[2:] in utf16_range_text(text, d.range)
        ]
    row = next(
        i
        for i, t in enumerate(text.split("\n"))
        if t.startswith("| Introduce a shared answer library")
    )
    # Other findings on those lines survive, and the Markdown keeps one list and one table.
    assert by_code(diags, "smart.specific")
    tokens_before = parse_markdown(EN_TEXT, source="a").blocks
    tokens_after = parse_markdown(text, source="b").blocks
    assert [b.text for b in tokens_before] == [b.text for b in tokens_after]
    assert "<!-- planreview: ignore raci.no-owner -->" in text.split("\n")[row]


async def test_suppress_file(client: LanguageClient) -> None:
    doc = uri("zh-suppress-file.md")
    diags = await open_doc(client, doc, ZH_TEXT)
    target = by_code(diags, "comm.no-stakeholders")[0]
    suppress = action(
        await actions_at(client, doc, target.range.start.line, [target]),
        "在本文件中忽略 comm.no-stakeholders",
    )
    text = apply_edit(ZH_TEXT, suppress.edit, doc)  # type: ignore[arg-type]
    assert text.startswith("<!-- planreview: ignore-file comm.no-stakeholders -->\n# 2026年")
    change_doc(client, doc, 2, text)
    after = await diagnostics(client, doc, 2)
    assert not by_code(after, "comm.no-stakeholders") and by_code(after, "smart.measurable")


async def test_edit_recomputes_on_the_buffer(client: LanguageClient) -> None:
    doc = uri("en-edit.md")
    await open_doc(client, doc, EN_TEXT)
    edited = EN_TEXT.replace(
        "- Improve customer satisfaction\n", "- Raise CSAT from 78% to 85% by 2026-12-31\n"
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=rng(12, 2, 12, 31), text="Raise CSAT from 78% to 85% by 2026-12-31"
                )
            ],
        )
    )
    diags = await diagnostics(client, doc, 2)
    assert not [d for d in diags if d.range.start.line == 12 and str(d.code).startswith("smart.")]
    assert by_code(diags, "smart.measurable")  # the other vague goal is still reported
    assert edited.split("\n")[12] == "- Raise CSAT from 78% to 85% by 2026-12-31"


async def test_settings_ignore_and_file_globs(client: LanguageClient) -> None:
    doc = uri("en-settings.md")
    await open_doc(client, doc, EN_TEXT)
    client.set_configuration(
        {"ignore": ["smart", "not-a-code"], "debounceMs": "soon"}, section="planreview"
    )
    try:
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        await wait_for(
            lambda: any(
                p.uri == doc
                and p.diagnostics
                and not any(str(d.code).startswith("smart.") for d in p.diagnostics)
                for p in client.published
            ),
            what="diagnostics without smart.*",
        )
        assert any("not-a-code" in m.message for m in client.log_messages)
        # Not a plan: a Python file is left alone; a .txt plan is reviewed.
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri("script.py"), language_id="python", version=1, text="# Improve things\n"
                )
            )
        )
        txt = await open_doc(client, uri("plan.txt"), EN_TEXT, language_id="plaintext")
        assert by_code(txt, "raci.no-owner")
        assert not any(p.uri == uri("script.py") for p in client.published)
    finally:
        client.set_configuration({}, section="planreview")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for(
        lambda: any(
            p.uri == doc and any(str(d.code).startswith("smart.") for d in p.diagnostics)
            for p in client.published[-10:]
        ),
        what="smart.* back",
    )


async def test_huge_document_gets_one_diagnostic(client: LanguageClient) -> None:
    doc = uri("huge.md")
    text = EN_TEXT * 1500  # about 2 MB
    diags = await open_doc(client, doc, text)
    assert len(diags) == 1 and diags[0].code == "document-too-large"
    assert "too large" in diags[0].message
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=doc), position=pos(12, 5))
    )
    assert hover is None


async def test_malformed_requests_are_survived(client: LanguageClient) -> None:
    doc = uri("en-robust.md")
    await open_doc(client, doc, EN_TEXT)
    # A notification for a document never opened, requests about it, odd positions and arguments.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=uri("never-opened.md"), version=3
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x")],
        )
    )
    assert (
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri("never-opened.md")),
                position=pos(0, 0),
            )
        )
        is None
    )
    assert await actions_at(client, uri("never-opened.md"), 0) == []
    assert (
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=doc), position=pos(10_000, 10_000)
            )
        )
        is None
    )
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="planreview.critique", arguments=[{"uri": 17}, None])
    )
    assert isinstance(result, dict) and result["status"] == "skipped"
    with pytest.raises(JsonRpcException):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="no.such.command")
        )
    # Still answering, with the right answer.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=doc), position=pos(12, 5))
    )
    assert hover is not None and "smart.measurable" in json.dumps(
        client.protocol._converter.unstructure(hover)
    )


async def test_garbage_on_the_wire_is_survived() -> None:
    server = await RawServer.start()
    try:
        init = await server.request(
            1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}}
        )
        assert "capabilities" in init["result"]
        server.send({"method": "initialized", "params": {}})
        server.send_bytes(b"{not json at all")
        server.send({"method": "textDocument/didOpen", "params": {"textDocument": "nope"}})
        server.send({"method": "textDocument/didChange", "params": {"contentChanges": 5}})
        bad = await server.request(2, "textDocument/hover", {"garbage": True})
        assert bad["error"]["code"] == -32602 and "textDocument/hover" in bad["error"]["message"]
        bad = await server.request(
            3, "textDocument/codeAction", {"textDocument": {"uri": 42}, "range": "x"}
        )
        assert bad["error"]["code"] == -32602
        unknown = await server.request(4, "planreview/unknown", {})
        assert unknown["error"]["code"] == -32601
        doc = uri("raw.md")
        server.send(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": doc,
                        "languageId": "markdown",
                        "version": 1,
                        "text": EN_TEXT,
                    }
                },
            }
        )
        hover = await server.request(
            5,
            "textDocument/hover",
            {"textDocument": {"uri": doc}, "position": {"line": 12, "character": 5}},
        )
        assert "smart.measurable" in hover["result"]["contents"]["value"]
        assert any(m.get("method") == "window/logMessage" for m in server.received)
        assert server.proc.returncode is None
    finally:
        await server.close()


async def test_critique_without_an_endpoint_says_so_without_calling_anyone(
    client: LanguageClient,
) -> None:
    doc = uri("en-no-llm.md")
    await open_doc(client, doc, EN_TEXT)
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="planreview.critique", arguments=[{"textDocument": {"uri": doc}}]
            )
        ),
        5,
    )
    assert result["status"] == "failed" and "OPENAI_BASE_URL" in result["message"]
    assert any("OPENAI_BASE_URL" in m.message for m in client.messages)


async def test_reviews_the_buffer_not_the_file_and_honours_planreview_toml(
    client: LanguageClient, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plans" / "q3.md"
    plan_file.parent.mkdir()
    plan_file.write_text(EN_TEXT, encoding="utf-8")  # on disk: the English plan
    diags = await open_doc(client, plan_file.as_uri(), ZH_TEXT)  # in the editor: the Chinese one
    assert utf16_range_text(ZH_TEXT, by_code(diags, "raci.no-owner")[0].range).startswith(
        "🧑‍🏫 培训"
    )
    (tmp_path / "planreview.toml").write_text('ignore = ["smart"]\n', encoding="utf-8")
    change_doc(client, plan_file.as_uri(), 2, ZH_TEXT + "\n")
    after = await diagnostics(client, plan_file.as_uri(), 2)
    assert by_code(after, "raci.no-owner") and not [
        d for d in after if str(d.code).startswith("smart.")
    ]


async def test_only_plans_get_diagnostics_readme_and_notes_do_not(
    client: LanguageClient, tmp_path: Path
) -> None:
    """Issue 14: a README in a workspace gets no diagnostics while plan.md does; a file's own
    marker and planreview.toml's include/exclude decide over names and the gate."""
    readme_text = (REPO / "README.md").read_text(encoding="utf-8")
    api_text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    workspace = tmp_path / "ws"
    (workspace / "docs").mkdir(parents=True)

    plan = await open_doc(client, (workspace / "plan.md").as_uri(), EN_TEXT)
    assert by_code(plan, "smart.measurable")
    readme = await open_doc(client, (workspace / "README.md").as_uri(), readme_text)
    assert readme == []
    # no plan-like name, and it does not read like a plan (the README's own findings are real)
    notes = await open_doc(client, (workspace / "docs" / "api.md").as_uri(), api_text)
    assert notes == []
    # the same plan under a neutral name still reads like one
    neutral = await open_doc(client, (workspace / "q3.md").as_uri(), EN_TEXT)
    assert by_code(neutral, "smart.measurable")

    # a marker turns a document on or off, whatever its name
    marked = "<!-- planreview: on -->\n" + api_text
    change_doc(client, (workspace / "docs" / "api.md").as_uri(), 2, marked)
    assert await diagnostics(client, (workspace / "docs" / "api.md").as_uri(), 2)
    off = "---\ntitle: Q3\nplanreview: false\n---\n" + EN_TEXT
    change_doc(client, (workspace / "plan.md").as_uri(), 2, off)
    assert await diagnostics(client, (workspace / "plan.md").as_uri(), 2) == []

    # planreview.toml: exclude wins over a plan-like name; include narrows to its globs
    (workspace / "planreview.toml").write_text('exclude = ["drafts/"]\n', encoding="utf-8")
    (workspace / "drafts").mkdir()
    draft = await open_doc(client, (workspace / "drafts" / "plan.md").as_uri(), EN_TEXT)
    assert draft == []
    (workspace / "planreview.toml").write_text('include = ["docs/*.md"]\n', encoding="utf-8")
    change_doc(client, (workspace / "q3.md").as_uri(), 2, EN_TEXT + "\n")
    assert await diagnostics(client, (workspace / "q3.md").as_uri(), 2) == []
    change_doc(client, (workspace / "docs" / "api.md").as_uri(), 3, api_text)
    assert await diagnostics(client, (workspace / "docs" / "api.md").as_uri(), 3)


async def test_english_hover_markdown_renders_bold_labels(client: LanguageClient) -> None:
    import markdown_it

    doc = uri("en-hover.md")
    diags = await open_doc(client, doc, EN_TEXT)
    target = next(d for d in diags if d.code == "smart.measurable")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc), position=target.range.start
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    html = markdown_it.MarkdownIt("commonmark").render(hover.contents.value)
    assert "<strong>Suggestion:</strong> " in html and "<strong>Guidance:</strong> " in html
    assert "**" not in html


async def test_unknown_code_in_a_suppression_comment_is_a_warning(client: LanguageClient) -> None:
    text = EN_TEXT.replace(
        "## Goals", "## Goals\n\n<!-- planreview: ignore smart.measureable -->", 1
    )
    line = text.split("\n").index("<!-- planreview: ignore smart.measureable -->")
    diags = await open_doc(client, uri("en-typo-plan.md"), text)
    (typo,) = [d for d in diags if d.code == "unknown-suppression-code"]
    assert typo.range.start.line == line and typo.severity == types.DiagnosticSeverity.Warning
    assert "did you mean smart.measurable" in typo.message
    assert by_code(diags, "smart.measurable")  # the typo suppressed nothing
