"""The deep critique in the editor: $/progress, cancellation by edits, LLM findings as diagnostics.

Two real servers over stdio: one with a scripted slow "model" (tests/lsp_fakes.py,
loaded through PLANREVIEW_LSP_CRITIQUE_RUNNER) for exact timing and ranges, one
running the real pipeline against the scripted OpenAI-compatible server
(tests/llm_server.py on 127.0.0.1). Nothing touches the network.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from llm_server import ScriptedLLMServer
from lsp_support import (
    REPO,
    change_doc,
    config,
    diagnostics,
    open_doc,
    rng,
    utf16_range_text,
    wait_for,
)
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path("/tmp/planreview-lsp-critique")
FAKE_LOG = Path(tempfile.mkdtemp(prefix="planreview-fake-llm-")) / "runs.log"
QUOTES = ["培训全体客服人员", "2026年6月30日前完成"]

ZH_TEXT = """# 2026年客服中心运营计划

计划周期：2026年1月1日至2026年12月31日。负责人：客服部王敏。

## 一、目标

- 🎯 提升客户满意度
- 2026年12月31日前将自助解决率从12%提升到30%

## 二、任务

- 上线智能客服机器人（负责人：李雷），2026年6月30日前完成
- 🧑‍🏫 培训全体客服人员，2026年3月31日前完成
"""
QUICK = ZH_TEXT + "\n<!-- fake-llm-delay: 0.2 -->\n"
EN_TEXT = (REPO / "examples" / "sample-plan.md").read_text(encoding="utf-8")
CAPS = client_capabilities("visual-studio-code")


def uri(name: str) -> str:
    return (ROOT / name).as_uri()


@pytest_lsp.fixture(
    scope="module",
    config=config(
        PLANREVIEW_LSP_CRITIQUE_RUNNER="lsp_fakes:slow_runner",
        PLANREVIEW_FAKE_LLM_DELAY="5",
        PLANREVIEW_FAKE_LLM_QUOTES=json.dumps(QUOTES),
        PLANREVIEW_FAKE_LLM_LOG=str(FAKE_LOG),
    ),
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=CAPS, root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


async def run_critique(client: LanguageClient, doc: str) -> dict[str, object]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="planreview.critique", arguments=[doc])
    )
    assert isinstance(result, dict)
    return result


def llm_diags(diags: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diags if d.code == "llm.gap"]


async def test_critique_reports_progress_and_publishes_llm_findings(client: LanguageClient) -> None:
    doc = uri("quick.md")
    await open_doc(client, doc, QUICK)
    before = set(client.progress_reports)
    result = await run_critique(client, doc)
    assert result["status"] == "ok" and result["findings"] == 2 and result["version"] == 1
    diags = llm_diags(
        await wait_for(
            lambda: llm_diags(client.diagnostics.get(doc, [])) and client.diagnostics[doc],
            what="LLM diagnostics",
        )
    )
    ranges = {utf16_range_text(QUICK, d.range): d.range for d in diags}
    # After "- 🧑‍🏫 " (an emoji ZWJ sequence of five UTF-16 units) and after Chinese text.
    assert ranges["培训全体客服人员"] == rng(12, 8, 12, 16)
    assert ranges["2026年6月30日前完成"] == rng(11, 20, 11, 33)
    assert all(d.source == "planreview" and d.data["origin"] == "llm" for d in diags)  # type: ignore[index]
    # The rule diagnostics are still there.
    assert any(d.code == "smart.measurable" for d in client.diagnostics[doc])
    (token,) = set(client.progress_reports) - before
    kinds = [type(v).__name__ for v in client.progress_reports[token]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "WorkDoneProgressReport" in kinds
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc),
            position=types.Position(line=12, character=10),
        )
    )
    assert hover is not None and "LLM" in hover.contents.value  # type: ignore[union-attr]


async def test_edit_cancels_a_slow_critique(client: LanguageClient) -> None:
    doc = uri("slow.md")
    await open_doc(client, doc, ZH_TEXT)
    before = set(client.progress_reports)
    task = asyncio.ensure_future(run_critique(client, doc))
    await wait_for(lambda: set(client.progress_reports) - before, what="progress begin")
    started = time.monotonic()
    change_doc(client, doc, 2, ZH_TEXT.replace("提升客户满意度", "将客户满意度从80%提升到90%"))
    result = await asyncio.wait_for(task, 3)
    assert result["status"] == "cancelled" and "changed" in str(result["message"])
    assert time.monotonic() - started < 2  # well before the 5 s the "model" would take
    (token,) = set(client.progress_reports) - before
    end = client.progress_reports[token][-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and "cancelled" in (end.message or "").lower()
    await wait_for(
        lambda: FAKE_LOG.exists() and "cancelled" in FAKE_LOG.read_text(), what="runner cancelled"
    )
    assert not llm_diags(await diagnostics(client, doc, 2))


async def test_cancel_button_stops_the_critique(client: LanguageClient) -> None:
    doc = uri("cancel-button.md")
    await open_doc(client, doc, ZH_TEXT)
    before = set(client.progress_reports)
    task = asyncio.ensure_future(run_critique(client, doc))
    (token,) = await wait_for(lambda: set(client.progress_reports) - before, what="progress begin")
    begin = client.progress_reports[token][0]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.cancellable
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(task, 3)
    assert result["status"] == "cancelled" and "editor" in str(result["message"])


async def test_llm_findings_follow_edits_and_vanish_with_their_quote(
    client: LanguageClient,
) -> None:
    doc = uri("follow.md")
    await open_doc(client, doc, QUICK)
    assert (await run_critique(client, doc))["status"] == "ok"
    moved = "前言：本计划由客服部编制。\n\n" + QUICK
    change_doc(client, doc, 2, moved)
    diags = llm_diags(await diagnostics(client, doc, 2))
    assert {utf16_range_text(moved, d.range) for d in diags} == set(QUOTES)
    assert min(d.range.start.line for d in diags) == 13
    gone = moved.replace("培训全体客服人员", "培训客服")
    change_doc(client, doc, 3, gone)
    diags = llm_diags(await diagnostics(client, doc, 3))
    assert [utf16_range_text(gone, d.range) for d in diags] == ["2026年6月30日前完成"]


async def test_critique_on_save_when_enabled(client: LanguageClient) -> None:
    doc = uri("save.md")
    await open_doc(client, doc, QUICK)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc))
    )
    await asyncio.sleep(0.6)
    assert not llm_diags(client.diagnostics.get(doc, []))  # llm is off by default
    client.set_configuration({"llm": "on"}, section="planreview")
    try:
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        await asyncio.sleep(0.2)
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc))
        )
        await wait_for(
            lambda: llm_diags(client.diagnostics.get(doc, [])), what="LLM diagnostics after save"
        )
    finally:
        client.set_configuration({}, section="planreview")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


# -- the real pipeline against the scripted OpenAI-compatible server ------------------------------

GAP = {
    "code": "llm.gap",
    "block_id": "b9",
    "quote": "Build a strong support culture",
    "message": "No task serves this goal.",
    "suggestion": "Add a culture initiative with an owner.",
    "rewrite": "",
    "citations": [],
    "confidence": 0.8,
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scripted() -> AsyncIterator[tuple[LanguageClient, ScriptedLLMServer]]:
    with ScriptedLLMServer() as llm:
        lsp = await config(
            OPENAI_BASE_URL=llm.base_url,
            OPENAI_API_KEY="sk-test",
            PLANREVIEW_LLM_TIMEOUT="20",
            PLANREVIEW_LLM_MAX_RETRIES="0",
            PLANREVIEW_LLM_RETRIEVAL="lexical",
            PLANREVIEW_LLM_MODEL="scripted-model",
        ).start()
        await lsp.initialize_session(
            types.InitializeParams(capabilities=CAPS, root_uri=ROOT.as_uri())
        )
        yield lsp, llm  # type: ignore[misc]
        await lsp.shutdown_session()
        await lsp.stop()


async def test_real_pipeline_critique_merges_model_findings(
    scripted: tuple[LanguageClient, ScriptedLLMServer],
) -> None:
    lsp, llm = scripted
    llm.enqueue_json({"findings": [GAP], "risks": [], "summary": "Ownership is thin."})
    doc = uri("real.md")
    await open_doc(lsp, doc, EN_TEXT)
    result = await asyncio.wait_for(run_critique(lsp, doc), 30)
    assert result["status"] == "ok" and result["llm_status"] == "ok", result
    gap = llm_diags(lsp.diagnostics[doc])
    assert gap and gap[0].range == rng(15, 2, 15, 32)
    assert len(llm.requests) == 1


async def test_real_pipeline_hanging_model_is_cancelled_by_an_edit(
    scripted: tuple[LanguageClient, ScriptedLLMServer],
) -> None:
    lsp, llm = scripted
    llm.enqueue_hang(15)
    doc = uri("real-slow.md")
    text = EN_TEXT + "\n## Notes\n\nA plan the model has not seen (no cache hit).\n"
    await open_doc(lsp, doc, text)
    calls = len(llm.requests)
    task = asyncio.ensure_future(run_critique(lsp, doc))
    await wait_for(lambda: len(llm.requests) > calls, timeout=20, what="the model to be called")
    change_doc(
        lsp,
        doc,
        2,
        text.replace("Improve customer satisfaction", "Raise CSAT to 85% by 2026-12-31"),
    )
    result = await asyncio.wait_for(task, 3)
    assert result["status"] == "cancelled"
    assert not llm_diags(await diagnostics(lsp, doc, 2))
