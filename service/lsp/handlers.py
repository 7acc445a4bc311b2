"""LSP handlers: each one short, guarded, and delegating to the server or a plain function.

A handler never lets an exception out: it is logged, reported to the client
with window/logMessage, and the request gets an empty answer.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types

from service.lsp import hover as hover_mod
from service.lsp.actions import QUICKFIX, REWRITE, EditTarget, code_actions
from service.lsp.framing import FramedReader
from service.lsp.server import CRITIQUE_COMMAND, PlanReviewServer

log = logging.getLogger("planreview.lsp")

F = TypeVar("F", bound=Callable[..., Any])


def guarded(fallback: Any = None) -> Callable[[F], F]:
    """Catch, log and report any exception from a handler; return ``fallback`` instead."""

    def decorate(fn: F) -> F:
        def report(ls: PlanReviewServer, exc: Exception) -> None:
            log.exception("%s failed", fn.__name__)
            ls.log(
                f"planreview: {fn.__name__} failed: {type(exc).__name__}: {exc}",
                types.MessageType.Error,
            )

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(ls: PlanReviewServer, *args: Any) -> Any:
                try:
                    return await fn(ls, *args)
                except Exception as exc:
                    report(ls, exc)
                    return fallback

            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(ls: PlanReviewServer, *args: Any) -> Any:
            try:
                return fn(ls, *args)
            except Exception as exc:
                report(ls, exc)
                return fallback

        return run  # type: ignore[return-value]

    return decorate


@guarded()
def initialize(ls: PlanReviewServer, params: types.InitializeParams) -> None:
    if params.initialization_options is not None:
        ls.apply_settings(params.initialization_options)


@guarded()
async def initialized(ls: PlanReviewServer, params: types.InitializedParams) -> None:
    ls.warm()
    await ls.pull_settings()
    ls.settings_changed()


@guarded()
async def did_change_configuration(
    ls: PlanReviewServer, params: types.DidChangeConfigurationParams
) -> None:
    pushed = params.settings
    if isinstance(pushed, dict) and isinstance(pushed.get("planreview"), dict):
        ls.apply_settings(pushed["planreview"])
    else:
        await ls.pull_settings()
    ls.settings_changed()


@guarded()
def did_open(ls: PlanReviewServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.open(params.text_document.uri, params.text_document.language_id)


@guarded()
def did_change(ls: PlanReviewServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.changed(params.text_document.uri)


@guarded()
async def did_save(ls: PlanReviewServer, params: types.DidSaveTextDocumentParams) -> None:
    if (
        ls.settings.llm == "on"
        and ls.settings.critique_on_save
        and params.text_document.uri in ls.docs
    ):
        await ls.critique(params.text_document.uri)


@guarded()
def did_close(ls: PlanReviewServer, params: types.DidCloseTextDocumentParams) -> None:
    if params.text_document.uri in ls.docs:
        ls.forget(params.text_document.uri)


@guarded()
async def on_hover(ls: PlanReviewServer, params: types.HoverParams) -> types.Hover | None:
    state = await ls.current(params.text_document.uri)
    if (
        state is None
        or state.analysis is None
        or state.index is None
        or state.analysis.plan is None
    ):
        return None
    findings = [*state.analysis.findings, *state.llm]
    return hover_mod.hover(findings, state.index, params.position, state.analysis.lang, ls.guidance)


@guarded(fallback=[])
async def on_code_action(
    ls: PlanReviewServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    state = await ls.current(uri)
    if state is None or state.analysis is None or state.index is None:
        return []
    ids = {
        str(d.data.get("id"))
        for d in params.context.diagnostics
        if d.source == "planreview" and isinstance(d.data, dict) and d.data.get("id")
    }
    target = EditTarget(
        uri=uri,
        version=state.analysis.version,
        index=state.index,
        eol="\r\n" if "\r\n" in state.analysis.buffer[:10_000] else "\n",
        document_changes=ls._client_supports("workspace.workspace_edit.document_changes"),
        snippets=ls._client_supports("workspace.workspace_edit.snippet_edit_support"),
    )
    only = [str(k) for k in params.context.only] if params.context.only else None
    config = ls.config_for(uri)
    return code_actions(state.analysis, state.llm, target, params.range, ids, only, config)


@guarded(fallback={"status": "failed", "message": "internal error; see the server log"})
async def critique_command(ls: PlanReviewServer, *args: Any) -> dict[str, object]:
    uri = _uri_argument(args) if args else ls.last_uri
    if uri is None:
        return {
            "status": "skipped",
            "message": "planreview.critique takes the document URI "
            '(a string, {"uri": ...} or {"textDocument": {"uri": ...}})',
        }
    outcome = await ls.critique(uri)
    return outcome.as_result()


def _uri_argument(args: tuple[Any, ...]) -> str | None:
    """A URI from the command's arguments: "uri", {"uri": ...} or {"textDocument": {"uri": ...}}."""
    for arg in args:
        if isinstance(arg, str) and arg:
            return arg
        if isinstance(arg, dict):
            if isinstance(arg.get("uri"), str):
                return str(arg["uri"])
            doc = arg.get("textDocument")
            if isinstance(doc, dict) and isinstance(doc.get("uri"), str):
                return str(doc["uri"])
    return None


@guarded()
def shutdown(ls: PlanReviewServer, params: Any) -> None:
    ls.shutdown_requested = True
    ls.stop()


def on_exit(ls: PlanReviewServer, params: Any) -> None:
    """Leave at once: a critique thread still waiting on a model must not hold the process."""
    ls.stop()
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0 if ls.shutdown_requested else 1)


def create_server() -> PlanReviewServer:
    """A server with every feature registered."""
    server = PlanReviewServer()
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(types.TEXT_DOCUMENT_HOVER)(on_hover)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[QUICKFIX, REWRITE]),
    )(on_code_action)
    server.command(CRITIQUE_COMMAND)(critique_command)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.EXIT)(on_exit)
    return server


def serve(*, tcp: bool = False, host: str = "127.0.0.1", port: int = 2087) -> None:
    """Run the server on stdio (default) or TCP. Logs go to stderr, never stdout."""
    level = os.environ.get("PLANREVIEW_LSP_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING),
        format="planreview-lsp %(levelname)s %(name)s: %(message)s",
    )
    server = create_server()
    if tcp:
        server.start_tcp(host, port)
        return
    reader = FramedReader()
    server.start_io(stdin=reader)  # type: ignore[arg-type]  # pygls needs readline() and read()
    if reader.error is not None:
        # Broken framing: end now (threads still waiting on work must not keep us alive);
        # the editor sees the exit and starts a fresh server.
        sys.stderr.flush()
        os._exit(1)
