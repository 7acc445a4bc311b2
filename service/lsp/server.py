"""The planreview language server (pygls 2): state, scheduling and the LSP plumbing.

Handlers (in ``handlers.py``) stay short and call the methods here, which call
plain functions: ``analysis.analyse`` (rule tier), ``diagnostics``, ``hover``,
``actions`` and ``critique``. Reviews run in worker threads so the event loop
keeps answering while a plan is checked: two threads for the rule tier (one run
per document at a time; a run whose document moved on is skipped and redone),
two for the LLM critique.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from service import __version__
from service.config import ReviewConfig
from service.lsp.analysis import Analysis, ProjectConfigs, analyse, effective_config, warm_up
from service.lsp.critique import (
    STAGES,
    CritiqueOutcome,
    load_runner,
    outcome_from_review,
    reanchor,
    unavailable,
)
from service.lsp.debounce import Debouncer
from service.lsp.diagnostics import to_diagnostics, too_large, unknown_suppression_diagnostics
from service.lsp.guidance import GuidanceLookup
from service.lsp.positions import LineIndex
from service.lsp.settings import (
    PLAN_LANGUAGE_IDS,
    SECTION,
    LspSettings,
    matches_globs,
    parse_settings,
)
from service.models import Finding
from service.review import ReviewOptions

log = logging.getLogger("planreview.lsp")

CRITIQUE_COMMAND = "planreview.critique"
CLIENT_TIMEOUT = 5.0
"""Seconds to wait for the client to answer one of our requests (configuration, progress)."""


class PlanReviewProtocol(LanguageServerProtocol):
    """Answers a request whose params do not parse with InvalidParams instead of silence."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            msg_id = data.get("id") if isinstance(data, dict) else None
            if isinstance(msg_id, int | str) and not isinstance(msg_id, bool) and "method" in data:
                cause = exc.__cause__ or exc
                error = JsonRpcInvalidParams(
                    f"invalid params for {data.get('method')!s:.80}: {str(cause).splitlines()[0][:200]}"
                )
                self._send_response(msg_id, error=error.to_response_error())
            raise


@dataclass
class CritiqueJob:
    """One running critique: the text it reviews (edit count, version) and how to stop it."""

    edits: int
    version: int | None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str = ""

    def cancel(self, reason: str) -> None:
        if not self.cancelled.is_set():
            self.reason = reason
            self.cancel_event.set()
            self.cancelled.set()


@dataclass
class DocState:
    """What the server knows about one open plan."""

    uri: str
    generation: int = 0  # bumped on open, on every change and when settings change
    edits: int = 0  # bumped on every change of the text only
    analysis: Analysis | None = None
    analysed_generation: int = -1
    index: LineIndex | None = None
    rule_diagnostics: list[types.Diagnostic] = field(default_factory=list)
    llm: list[Finding] = field(default_factory=list)
    critique: CritiqueJob | None = None
    inflight: asyncio.Future[None] | None = None  # the running review of this document
    rerun: bool = False  # changed while that review ran: review again when it ends


class PlanReviewServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "planreview",
            __version__,
            protocol_cls=PlanReviewProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            max_workers=4,
        )
        self.settings = LspSettings()
        self.docs: dict[str, DocState] = {}
        self.debouncer = Debouncer()
        self.rules_pool = ThreadPoolExecutor(2, thread_name_prefix="planreview-rules")
        self.llm_pool = ThreadPoolExecutor(2, thread_name_prefix="planreview-llm")
        self.guidance = GuidanceLookup()
        self.configs = ProjectConfigs()
        self.runner = load_runner()
        self.last_uri: str | None = None
        self.shutdown_requested = False
        self._told: set[str] = set()

    # -- messages to the user ---------------------------------------------------------------
    def log(self, message: str, level: types.MessageType = types.MessageType.Info) -> None:
        log.log(
            {
                types.MessageType.Error: logging.ERROR,
                types.MessageType.Warning: logging.WARNING,
            }.get(level, logging.INFO),
            "%s",
            message,
        )
        try:
            self.window_log_message(types.LogMessageParams(type=level, message=message))
        except Exception:  # the transport is gone; stderr has it
            log.debug("could not send window/logMessage", exc_info=True)

    def tell_once(self, message: str, level: types.MessageType = types.MessageType.Warning) -> None:
        """A window message shown once per session (bad settings, a broken config file)."""
        if message in self._told:
            return
        self._told.add(message)
        self.log(message, level)
        try:
            self.window_show_message(types.ShowMessageParams(type=level, message=message))
        except Exception:
            log.debug("could not send window/showMessage", exc_info=True)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors outside our handlers (unparseable messages, pygls internals): log, never pop up."""
        self.log(f"planreview: {type(error).__name__}: {error}", types.MessageType.Error)

    # -- capabilities ----------------------------------------------------------------------
    def _client_supports(self, dotted: str) -> bool:
        node: Any = self.client_capabilities
        for part in dotted.split("."):
            node = getattr(node, part, None)
            if node is None:
                return False
        return bool(node)

    @property
    def encoding(self) -> str:
        try:
            enc = self.workspace.position_encoding
        except RuntimeError:
            return "utf-16"
        value = getattr(enc, "value", enc)
        return str(value) if value in ("utf-8", "utf-16", "utf-32") else "utf-16"

    # -- settings --------------------------------------------------------------------------
    def apply_settings(self, raw: Any) -> None:
        settings, notes = parse_settings(raw)
        self.settings = settings
        for note in notes:
            self.tell_once(note)

    async def pull_settings(self) -> None:
        if not self._client_supports("workspace.configuration"):
            return
        try:
            result = await asyncio.wait_for(
                self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                ),
                CLIENT_TIMEOUT,
            )
        except Exception as exc:
            self.log(
                f"planreview: could not read settings ({exc}); keeping the current ones",
                types.MessageType.Warning,
            )
            return
        if result:
            self.apply_settings(result[0])

    def settings_changed(self) -> None:
        """Re-check which open documents are plans, and review them again."""
        try:
            open_docs = dict(self.workspace.text_documents)
        except RuntimeError:
            return
        for key, doc in open_docs.items():
            uri = next((u for u in self.docs if unquote(u) == key), doc.uri)
            if self.wants(uri, doc.language_id):
                self.docs.setdefault(uri, DocState(uri))
                self.touch(uri)
                self.debouncer.trigger(uri, 0, functools.partial(self.refresh, uri))
            elif uri in self.docs:
                self.forget(uri)

    # -- documents -------------------------------------------------------------------------
    def document(self, uri: str) -> TextDocument | None:
        try:
            return self.workspace.text_documents.get(unquote(uri))
        except RuntimeError:
            return None

    def path_of(self, uri: str) -> Path | None:
        if not uri.startswith("file:"):
            return None
        fs = to_fs_path(uri)
        return Path(fs) if fs else None

    def wants(self, uri: str, language_id: str | None) -> bool:
        """Is this document a plan we review? File URIs by glob, others (and files with no
        extension, which no glob names) by language id."""
        path = self.path_of(uri)
        if path is None or not path.suffix:
            return (language_id or "").lower() in PLAN_LANGUAGE_IDS
        try:
            root = self.workspace.root_path
        except RuntimeError:
            root = None
        return matches_globs(str(path), self.settings.files, root)

    def open(self, uri: str, language_id: str | None) -> None:
        if not self.wants(uri, language_id):
            return
        self.docs[uri] = DocState(uri)
        self.last_uri = uri
        self.touch(uri)
        self.debouncer.trigger(uri, 0, lambda: self.refresh(uri))

    def changed(self, uri: str) -> None:
        state = self.docs.get(uri)
        if state is None:
            return
        self.last_uri = uri
        self.touch(uri)
        state.edits += 1
        if state.critique is not None:
            state.critique.cancel("the document changed")
        self.debouncer.trigger(uri, self.settings.debounce_ms / 1000, lambda: self.refresh(uri))

    def touch(self, uri: str) -> None:
        state = self.docs.get(uri)
        if state is not None:
            state.generation += 1

    def forget(self, uri: str) -> None:
        state = self.docs.pop(uri, None)
        self.debouncer.cancel(uri)
        if state is not None and state.critique is not None:
            state.critique.cancel("the document was closed")
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def config_for(self, uri: str) -> ReviewConfig:
        base, error = self.configs.for_path(self.path_of(uri))
        if error:
            self.tell_once(f"planreview: {error}; using the default rules")
        try:
            return effective_config(base, self.settings)
        except ValueError as exc:
            self.tell_once(
                f"planreview: select/ignore settings rejected ({exc}); using the project config"
            )
            return base

    # -- the rule tier ---------------------------------------------------------------------
    def _analyse_job(
        self,
        state: DocState,
        generation: int,
        buffer: str,
        version: int | None,
        config: ReviewConfig,
        settings: LspSettings,
        encoding: str,
    ) -> tuple[Analysis, LineIndex, list[types.Diagnostic]] | None:
        """Worker thread: skip runs the document has moved past, else review and convert."""
        if state.generation != generation:
            return None
        source = str(self.path_of(state.uri) or state.uri)
        analysis = analyse(
            state.uri, version, buffer, source=source, settings=settings, config=config
        )
        index = LineIndex(buffer, encoding)
        if analysis.too_large is not None:
            return analysis, index, [too_large(analysis.too_large, settings.max_document_bytes)]
        related = self._client_supports("text_document.publish_diagnostics.related_information")
        diags = to_diagnostics(
            analysis.findings, index, self.guidance, related=related, lang=analysis.lang
        )
        if analysis.plan is not None and analysis.not_a_plan is None:
            diags += unknown_suppression_diagnostics(analysis.plan, index, analysis.lang)
        return analysis, index, diags

    async def refresh(self, uri: str) -> None:
        """Review the buffer as it is now and publish. One run per document at a time: a
        request that comes while one runs makes it run again afterwards (and waits for that)."""
        state = self.docs.get(uri)
        if state is None:
            return
        if state.inflight is not None and not state.inflight.done():
            state.rerun = True
            await asyncio.shield(state.inflight)
            return
        inflight: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.inflight = inflight
        try:
            while True:
                state.rerun = False
                await self._refresh_once(uri, state)
                if not state.rerun or self.docs.get(uri) is not state:
                    break
        finally:
            inflight.set_result(None)

    async def _refresh_once(self, uri: str, state: DocState) -> None:
        doc = self.document(uri)
        if doc is None:
            return
        generation, buffer, version = state.generation, doc.source, doc.version
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                self.rules_pool,
                self._analyse_job,
                state,
                generation,
                buffer,
                version,
                self.config_for(uri),
                self.settings,
                self.encoding,
            )
        except Exception as exc:
            log.exception("review failed for %s", uri)
            self.log(
                f"planreview: could not review {uri}: {type(exc).__name__}: {exc}",
                types.MessageType.Error,
            )
            return
        if result is None or self.docs.get(uri) is not state or state.generation != generation:
            return  # the change that outdated it has its own run scheduled
        state.analysis, state.index, state.rule_diagnostics = result
        state.analysed_generation = generation
        if state.llm:
            state.llm = reanchor(state.llm, state.analysis.text)
        self.publish(state)

    def publish(self, state: DocState) -> None:
        if state.analysis is None or state.index is None:
            return
        diagnostics = list(state.rule_diagnostics)
        if state.llm and state.analysis.too_large is None:
            related = self._client_supports("text_document.publish_diagnostics.related_information")
            diagnostics += to_diagnostics(
                state.llm, state.index, self.guidance, related=related, lang=state.analysis.lang
            )
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=state.uri, version=state.analysis.version, diagnostics=diagnostics
            )
        )

    async def current(self, uri: str) -> DocState | None:
        """The document's state with an analysis of its current text (computed now if needed)."""
        state = self.docs.get(uri)
        if state is None or self.document(uri) is None:
            return None
        for _ in range(3):
            if state.analysed_generation == state.generation:
                break
            await self.refresh(uri)
        return state if state.analysis is not None else None

    # -- the LLM critique ------------------------------------------------------------------
    async def critique(self, uri: str | None) -> CritiqueOutcome:
        """Run the deep critique with $/progress; cancelled by edits, dropped if stale."""
        state = await self.current(uri) if uri else None
        if uri is None or state is None or state.analysis is None or state.analysis.plan is None:
            return CritiqueOutcome(
                "skipped",
                f"not an open plan document: {uri}" if uri else "no open plan document to critique",
            )
        reason = unavailable(self.runner)
        if reason is not None:
            self.tell_once(f"planreview: the LLM critique cannot run: {reason}")
            return CritiqueOutcome(
                "failed", f"LLM critique unavailable: {reason}", state.analysis.version
            )
        if state.critique is not None:
            state.critique.cancel("a newer critique started")
        analysis, plan = state.analysis, state.analysis.plan
        job = CritiqueJob(edits=state.edits, version=analysis.version)
        state.critique = job
        token = await self._progress_begin(job)
        loop = asyncio.get_running_loop()

        def report(stage: str) -> None:
            loop.call_soon_threadsafe(self._progress_report, token, stage)

        options = ReviewOptions(llm="on", lang=self.settings.lang, config=self.config_for(uri))
        future = loop.run_in_executor(
            self.llm_pool, self.runner, plan, options, job.cancel_event, report
        )
        future.add_done_callback(_quiet)
        waiter: asyncio.Future[Any] = asyncio.ensure_future(job.cancelled.wait())
        try:
            await asyncio.wait([future, waiter], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # $/cancelRequest for the command
            job.cancel("the request was cancelled")
            self._progress_end(token, "Cancelled")
            raise
        finally:
            waiter.cancel()
            if state.critique is job:
                state.critique = None
        outcome = self._outcome(state, job, future)
        self._progress_end(token, outcome.message)
        return outcome

    def _outcome(
        self, state: DocState, job: CritiqueJob, future: asyncio.Future[Any]
    ) -> CritiqueOutcome:
        if job.cancelled.is_set():
            return CritiqueOutcome("cancelled", f"Critique cancelled: {job.reason}", job.version)
        try:
            review = future.result()
        except Exception as exc:
            log.exception("critique failed")
            self.tell_once(f"planreview: LLM critique failed: {type(exc).__name__}: {exc}")
            return CritiqueOutcome("failed", f"LLM critique failed: {exc}", job.version)
        outcome = outcome_from_review(review, job.version)
        if self.docs.get(state.uri) is not state or state.edits != job.edits:
            return CritiqueOutcome(
                "stale",
                "Critique dropped: the document changed meanwhile",
                job.version,
                [],
                outcome.llm_status,
            )
        if outcome.status == "failed":
            self.tell_once(f"planreview: {outcome.message}")
            return outcome
        state.llm = outcome.findings
        self.publish(state)
        return outcome

    async def _progress_begin(self, job: CritiqueJob) -> str | None:
        if not self._client_supports("window.work_done_progress"):
            return None
        token = f"planreview-critique-{uuid.uuid4().hex[:12]}"
        try:
            await asyncio.wait_for(self.work_done_progress.create_async(token), CLIENT_TIMEOUT)
        except Exception as exc:
            log.info("no progress token: %s", exc)
            return None
        self.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="planreview: deep critique",
                message="Starting",
                percentage=0,
                cancellable=True,
            ),
        )
        cancel_future: Future[Any] | None = self.work_done_progress.tokens.get(token)
        if cancel_future is not None:
            loop = asyncio.get_running_loop()
            cancel_future.add_done_callback(
                lambda f: (
                    loop.call_soon_threadsafe(job.cancel, "cancelled in the editor")
                    if f.cancelled()
                    else None
                )
            )
        return token

    def _progress_report(self, token: str | None, stage: str) -> None:
        if token is None or stage not in STAGES:
            return
        message, percentage = STAGES[stage]
        self.work_done_progress.report(
            token, types.WorkDoneProgressReport(message=message, percentage=percentage)
        )

    def _progress_end(self, token: str | None, message: str) -> None:
        if token is None:
            return
        self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
        self.work_done_progress.tokens.pop(token, None)

    # -- lifecycle -------------------------------------------------------------------------
    def warm(self) -> None:
        def job() -> None:
            try:
                warm_up()
                self.guidance.get("")
            except Exception:
                log.warning("warm-up failed", exc_info=True)

        self.rules_pool.submit(job)

    def stop(self) -> None:
        for state in self.docs.values():
            if state.critique is not None:
                state.critique.cancel("the server is shutting down")
        self.rules_pool.shutdown(wait=False, cancel_futures=True)
        self.llm_pool.shutdown(wait=False, cancel_futures=True)


def _quiet(future: asyncio.Future[Any]) -> None:
    """Retrieve a worker's exception so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()
