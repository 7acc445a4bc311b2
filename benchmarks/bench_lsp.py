"""Language server latency: edit -> diagnostics for a ~5,000-word plan, over real stdio.

    .venv/bin/python benchmarks/bench_lsp.py [--words 5000] [--edits 10] [--debounce-ms 200]

Starts `python -m service.lsp`, opens an English and a Chinese plan built from the
eval plans (real wording, ~--words words; Chinese counts characters), then

- single edits made after a quiet period: didChange sent -> publishDiagnostics for
  that version (the server checks an edit after a quiet period at once);
- a typing burst (keystrokes 60 ms apart): last keystroke -> diagnostics for the
  final version (the burst is coalesced: debounce + one review).

Target (issue 7): diagnostics within 500 ms of an edit for a 5,000-word plan.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.text import count_words  # noqa: E402


def plan_text(lang: str, words: int) -> str:
    """Eval plans of one language joined, cut at a line once ``words`` is reached."""
    parts = [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "eval" / "plans").glob(f"{lang}-*.md"))
    ]
    lines: list[str] = []
    for part in parts * 4:
        for line in part.split("\n"):
            lines.append(line)
            if len(lines) % 20 == 0 and count_words("\n".join(lines)) >= words:
                return "\n".join(lines) + "\n"
        lines.append("")
    return "\n".join(lines) + "\n"


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("bench", "1")
        self.published: dict[tuple[str, int | None], float] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diags(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault((params.uri, params.version), time.perf_counter())

        @self.client.feature(types.WORKSPACE_CONFIGURATION)
        def _config(params: types.ConfigurationParams) -> list[Any]:
            return [self.settings for _ in params.items]

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def _log(params: types.LogMessageParams) -> None:
            pass

        self.settings: dict[str, Any] = {}

    async def wait(self, uri: str, version: int, timeout: float = 30.0) -> float:
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.published:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no diagnostics for {uri} v{version}")
            await asyncio.sleep(0.002)
        return self.published[(uri, version)]

    def change(
        self, uri: str, version: int, line: int, char: int, text: str, remove: int = 0
    ) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=char),
                            end=types.Position(line=line, character=char + remove),
                        ),
                        text=text,
                    )
                ],
            )
        )


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {values[-1] * 1000:.0f} ms (n={len(values)})"
    )


async def run(words: int, edits: int, debounce_ms: int, verbose: bool = False) -> None:
    bench = Bench()
    bench.settings = {"debounceMs": debounce_ms}
    t0 = time.perf_counter()
    await bench.client.start_io(sys.executable, "-m", "service.lsp", cwd=str(ROOT))
    await bench.client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(configuration=True)
            )
        )
    )
    bench.client.initialized(types.InitializedParams())
    print(f"server start + initialize: {(time.perf_counter() - t0) * 1000:.0f} ms")
    for lang in ("en", "zh"):
        text = plan_text(lang, words)
        uri = (ROOT / f"bench-{lang}.md").as_uri()
        n_lines = text.count("\n")
        print(f"\n[{lang}] {count_words(text)} words, {n_lines} lines, {len(text.encode())} bytes")
        t0 = time.perf_counter()
        bench.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=text
                )
            )
        )
        print(f"  open -> diagnostics: {(await bench.wait(uri, 1) - t0) * 1000:.0f} ms")
        version = 1
        latencies: list[float] = []
        lines = text.split("\n")
        targets = [i for i, line in enumerate(lines) if len(line) > 10][
            :: max(1, n_lines // (edits * 3))
        ]
        for k in range(edits):
            await asyncio.sleep(debounce_ms / 1000 + 0.1)  # a quiet period before each edit
            line = targets[k % len(targets)]
            version += 1
            sent = time.perf_counter()
            if k % 2 == 0:
                bench.change(uri, version, line, 2, "x")
            else:
                bench.change(uri, version, line, 2, "", remove=1)
            latencies.append(await bench.wait(uri, version) - sent)
        print(f"  single edit -> diagnostics: {ms(latencies)}")
        if verbose:
            print("   ", " ".join(f"{v * 1000:.0f}" for v in latencies))
        await asyncio.sleep(debounce_ms / 1000 + 0.1)
        burst: list[float] = []
        for _ in range(3):
            for i in range(10):
                version += 1
                bench.change(uri, version, targets[0], 2 + i, "y")
                await asyncio.sleep(0.06)
            version += 1
            sent = time.perf_counter()
            bench.change(uri, version, targets[0], 2, "", remove=10)
            burst.append(await bench.wait(uri, version) - sent)
            await asyncio.sleep(debounce_ms / 1000 + 0.1)
        print(
            f"  typing burst, last keystroke -> diagnostics: {ms(burst)} (debounce {debounce_ms} ms)"
        )
    await bench.client.shutdown_async(None)
    bench.client.exit(None)
    await bench.client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--debounce-ms", type=int, default=200)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every latency")
    args = parser.parse_args()
    asyncio.run(run(args.words, args.edits, args.debounce_ms, args.verbose))


if __name__ == "__main__":
    main()
