"""Bad framing on stdin ends the language server with a log line, never a silent hang (item 11).

The real server process over real pipes; stdin stays open, as an editor keeps it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from lsp_support import REPO, server_env

INIT = json.dumps(
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
).encode()


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def start() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "service.lsp", "--stdio"],
        cwd=REPO,
        env=server_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_message(proc: subprocess.Popen[bytes], timeout: float = 30) -> dict:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    length = 0
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("the server closed stdout")
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        elif line == b"\r\n" and length:
            return json.loads(proc.stdout.read(length))
    raise AssertionError("no message in time")


BAD = {
    "non-numeric length": b"Content-Length: abc\r\n\r\n" + INIT,
    "huge length": b"Content-Length: " + b"9" * 30 + b"\r\n\r\n" + INIT,
    "no length header": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + INIT,
    "no headers at all": INIT,
    "short length": b"Content-Length: 10\r\n\r\n" + INIT,
}


@pytest.mark.parametrize(
    ("case", "after_traffic"),
    [(case, True) for case in sorted(BAD)] + [("non-numeric length", False)],
)
def test_bad_framing_exits_with_a_reason(case: str, after_traffic: bool) -> None:
    proc = start()
    assert proc.stdin is not None and proc.stderr is not None
    try:
        if after_traffic:
            proc.stdin.write(frame(INIT))
            proc.stdin.flush()
            assert read_message(proc)["id"] == 1
        proc.stdin.write(BAD[case])
        proc.stdin.flush()  # and keep stdin open, as an editor does
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdin.close()
    stderr = proc.stderr.read().decode("utf-8", "replace")
    assert code == 1, stderr
    assert "bad LSP framing on stdin, exiting" in stderr, stderr


def test_end_of_input_still_exits_cleanly() -> None:
    proc = start()
    assert proc.stdin is not None
    proc.stdin.write(frame(INIT))
    proc.stdin.close()
    assert proc.wait(timeout=20) == 0
