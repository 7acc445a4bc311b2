"""How long the LLM tier takes to give up on an endpoint that is down or hangs.

Three cases, each a `planreview review --llm on` as a real process (so the
figures include what a user waits for, imports and the offline review too)
and, separately, the tier alone in this process (warm imports):

- refused: nothing listens on the port (a local server that is not running);
- hang: the server accepts the request and never answers, with
  PLANREVIEW_LLM_DEADLINE=3 (one deadline for the whole review);
- offline: `--llm off`, the floor every case includes.

Usage: .venv/bin/python benchmarks/bench_llm_failfast.py [--repeat 3]

Targets: refused fails within about a second of the offline floor (one quick
retry, no backoff ladder); hang stops at the deadline, not at retries × timeout.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "examples" / "sample-plan.md"


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


class _Hanger:
    """Accepts connections, reads, never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        for c in self.conns:
            c.close()
        self.sock.close()


def _cli(env_extra: dict[str, str], llm: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tmp,
            "PLANREVIEW_DATA_DIR": str(Path(tmp) / "data"),
            "PLANREVIEW_LLM_RETRIEVAL": "lexical",
            **env_extra,
        }
        cmd = [sys.executable, "-m", "service", "review", str(SAMPLE), "--llm", llm]
        cmd += ["--format", "json", "--fail-on", "never"]
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True, timeout=300)
        return time.perf_counter() - t0


def _tier(base_url: str, **kw: float) -> float:
    from service.ingest.markdown import parse_markdown
    from service.llm.guidance import StaticGuidance
    from service.llm.tier import run_llm_tier
    from service.review import ReviewOptions, review_plan
    from service.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), OPENAI_BASE_URL=base_url, **kw)
        plan = parse_markdown(SAMPLE.read_text(encoding="utf-8"), source=str(SAMPLE))
        offline = review_plan(plan, ReviewOptions(llm="off"), settings=settings)
        t0 = time.perf_counter()
        review = run_llm_tier(
            plan, offline, ReviewOptions(llm="on"), settings, "en", guidance=StaticGuidance()
        )
        elapsed = time.perf_counter() - t0
        assert review.engine.llm_status.startswith("failed"), review.engine.llm_status
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import langchain_openai  # noqa: F401  # warm, for the in-process figures

    hanger = _Hanger()
    try:
        rows = {
            "offline (CLI, --llm off)": [_cli({}, "off") for _ in range(args.repeat)],
            "refused (CLI)": [
                _cli({"OPENAI_BASE_URL": _dead_url()}, "on") for _ in range(args.repeat)
            ],
            "hang, deadline 3s (CLI)": [
                _cli({"OPENAI_BASE_URL": hanger.url, "PLANREVIEW_LLM_DEADLINE": "3"}, "on")
                for _ in range(args.repeat)
            ],
            "refused (tier alone)": [_tier(_dead_url()) for _ in range(args.repeat)],
            "hang, deadline 3s (tier alone)": [
                _tier(hanger.url, llm_deadline=3.0) for _ in range(args.repeat)
            ],
        }
    finally:
        hanger.close()
    print(f"load average {os.getloadavg()[0]:.2f}; median of {args.repeat} runs, seconds")
    for name, times in rows.items():
        print(f"  {name:<32} {statistics.median(times):6.2f}   (min {min(times):.2f})")


if __name__ == "__main__":
    main()
