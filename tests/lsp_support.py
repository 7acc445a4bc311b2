"""Helpers for the language-server tests: a recording client, waiting, applying edits.

Edits are applied here with an independent UTF-16 implementation (not the
server's), so a wrong column in the server shows up as a wrong text.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent


def server_env(**extra: str) -> dict[str, str]:
    """The server's environment: isolated data dir, no LLM endpoint, tests importable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "PLANREVIEW_OPENAI_API_KEY",
            "PLANREVIEW_OPENAI_BASE_URL",
        )
    }
    env["PLANREVIEW_DATA_DIR"] = tempfile.mkdtemp(prefix="planreview-lsp-")
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(REPO), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env.update(extra)
    return env


def _record(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)  # type: ignore[attr-defined]


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics (with its version)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    register_lsp_features(client, features)
    return client


def config(**env: str) -> ClientServerConfig:
    return ClientServerConfig(
        server_command=[sys.executable, "-m", "service.lsp"],
        server_env=server_env(**env),
        client_factory=make_client,
    )


async def wait_for(predicate: Any, timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def diagnostics(
    client: LanguageClient, uri: str, version: int | None = None, timeout: float = 10.0
) -> list[types.Diagnostic]:
    """The latest diagnostics published for ``uri`` (for ``version`` when given)."""

    def found() -> types.PublishDiagnosticsParams | None:
        for p in reversed(client.published):  # type: ignore[attr-defined]
            if p.uri == uri and (version is None or p.version == version):
                return p  # type: ignore[no-any-return]
        return None

    params = await wait_for(found, timeout, f"diagnostics for {uri} v{version}")
    return list(params.diagnostics)


async def open_doc(
    client: LanguageClient, uri: str, text: str, version: int = 1, language_id: str = "markdown"
) -> list[types.Diagnostic]:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language_id, version=version, text=text
            )
        )
    )
    return await diagnostics(client, uri, version)


def change_doc(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """A full-text change (the server syncs incrementally, and a full change is one of those)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


# -- applying edits, independently of the server ---------------------------------------------


def utf16_offset(text: str, pos: types.Position) -> int:
    """Code-point offset of an LSP (UTF-16) position in ``text`` with '\\n' line ends."""
    lines = text.split("\n")
    assert pos.line < len(lines) or (pos.line == len(lines) and pos.character == 0), pos
    offset = sum(len(line) + 1 for line in lines[: pos.line])
    if pos.line == len(lines):
        return len(text)
    units = 0
    for i, ch in enumerate(lines[pos.line]):
        if units >= pos.character:
            assert units == pos.character, f"position {pos} splits a surrogate pair"
            return offset + i
        units += 2 if ord(ch) > 0xFFFF else 1
    assert units == pos.character, f"position {pos} past the end of line {pos.line}"
    return offset + len(lines[pos.line])


def utf16_range_text(text: str, rng: types.Range) -> str:
    return text[utf16_offset(text, rng.start) : utf16_offset(text, rng.end)]


def edits_for(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    out: list[types.TextEdit] = []
    if edit.changes:
        out.extend(edit.changes.get(uri, []))
    for dc in edit.document_changes or []:
        assert isinstance(dc, types.TextDocumentEdit)
        if dc.text_document.uri == uri:
            out.extend(e for e in dc.edits if isinstance(e, types.TextEdit))
    return out


def apply_edit(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    spans = [
        (utf16_offset(text, e.range.start), utf16_offset(text, e.range.end), e.new_text)
        for e in edits_for(edit, uri)
    ]
    assert spans, "the action carries no edit for this document"
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def rng(line: int, start: int, end_line: int | None = None, end: int | None = None) -> types.Range:
    return types.Range(
        start=pos(line, start),
        end=pos(line if end_line is None else end_line, start if end is None else end),
    )


class RawServer:
    """The server spoken to in raw JSON-RPC frames, for messages no typed client would send."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.received: list[dict[str, Any]] = []
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, **env: str) -> RawServer:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service.lsp",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=server_env(**env),
            cwd=str(REPO),
        )
        return cls(proc)

    def send_bytes(self, body: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8"))

    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = await out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n"):
                    break
            self.received.append(json.loads(await out.readexactly(length)))

    async def response(self, msg_id: int, timeout: float = 10.0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next(
                (m for m in self.received if m.get("id") == msg_id and "method" not in m), None
            )

        return await wait_for(found, timeout, f"response {msg_id}")  # type: ignore[no-any-return]

    async def request(self, msg_id: int, method: str, params: Any) -> dict[str, Any]:
        self.send({"id": msg_id, "method": method, "params": params})
        return await self.response(msg_id)

    async def close(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self._reader.cancel()
