"""Interrupted batches: kill -9 or Ctrl-C mid-run, resume, and end with a clean run's bytes.

Each run is a real `planreview batch` process with two workers. The killed
run is stopped once some plans are in the cache and many are not; the
resumed run must review only what is missing, and every output except
run.json must be byte-identical to an uninterrupted run of the same library.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.batch.samples import generate_library

N_PLANS = 160


def _command(out: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "service",
        "batch",
        "lib",
        "--out",
        out,
        "--jobs",
        "2",
        "--llm",
        "off",
        "--progress",
        "plain",
        *extra,
    ]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PLANREVIEW_DATA_DIR"] = str(tmp / "data")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and ".cache" not in p.relative_to(out).parts and p.name != "run.json"
    }


def _cached(out: Path) -> int:
    return len(list((out / ".cache").glob("*/*.json")))


def _all_gone(pgid: int, within: float = 10.0) -> bool:
    """Every process of the group has exited (waiting up to ``within`` seconds)."""
    deadline = time.monotonic() + within
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library and the outputs of an uninterrupted run over it."""
    tmp = tmp_path_factory.mktemp("resume")
    generate_library(tmp / "lib", N_PLANS, seed=23)
    done = subprocess.run(
        _command("clean"), cwd=tmp, env=_env(tmp), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1, done.stderr  # error findings: exit 1 by the default --fail-on
    return tmp


def _interrupt(
    tmp: Path, out: str, sig: signal.Signals, whole_group: bool
) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        _command(out),
        cwd=tmp,
        env=_env(tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while _cached(tmp / out) < 20:
        assert proc.poll() is None, "the batch finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    if whole_group:
        os.killpg(proc.pid, sig)  # what a terminal's Ctrl-C does: every process in the group
    else:
        os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    return proc


def test_kill_9_then_resume_gives_the_clean_outputs(clean: Path) -> None:
    proc = _interrupt(clean, "killed", signal.SIGKILL, whole_group=False)
    assert proc.returncode == -signal.SIGKILL
    # The orphaned workers notice their parent is gone and exit.
    if not _all_gone(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("worker processes outlived their killed parent")
    partial = _cached(clean / "killed")
    assert 20 <= partial < N_PLANS
    killed_run = json.loads((clean / "killed" / "run.json").read_text(encoding="utf-8"))
    assert killed_run["complete"] is False and killed_run["finished"] is None
    resumed = subprocess.run(
        _command("killed", "--resume"),
        cwd=clean,
        env=_env(clean),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 1, resumed.stderr
    run = json.loads((clean / "killed" / "run.json").read_text(encoding="utf-8"))
    assert run["complete"]
    assert run["cached"] >= partial and run["reviewed"] == run["plans"] - run["cached"]
    assert run["reviewed"] < run["plans"]
    assert _outputs(clean / "killed") == _outputs(clean / "clean")


def test_ctrl_c_then_resume_gives_the_clean_outputs(clean: Path) -> None:
    proc = _interrupt(clean, "stopped", signal.SIGINT, whole_group=True)
    assert proc.returncode == 130
    assert proc.stderr is not None and "--resume" in proc.stderr.read()
    run = json.loads((clean / "stopped" / "run.json").read_text(encoding="utf-8"))
    assert run["complete"] is False and run["pending"] > 0
    assert _all_gone(proc.pid)
    resumed = subprocess.run(
        _command("stopped", "--resume"),
        cwd=clean,
        env=_env(clean),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 1, resumed.stderr
    assert "already done" in resumed.stderr
    assert _outputs(clean / "stopped") == _outputs(clean / "clean")


_HANGS_ON_EXIT = """
import atexit, os, signal, sys, threading, time
from service.cli.batch import _interrupt_with_deadline
told = threading.Event()
signal.signal(signal.SIGINT, _interrupt_with_deadline("interrupted; use --resume", told, 1.0))
atexit.register(lambda: threading.Event().wait())  # a pool shutdown that never returns
print("ready", flush=True)
try:
    time.sleep(60)
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_an_interrupted_batch_ends_even_when_stopping_its_pool_hangs() -> None:
    """Ctrl-C must end the process: an exit hook that blocks forever (the executor joining a
    manager thread stuck on a terminated worker's queue lock) is cut short by the deadline,
    with exit status 130 and the --resume hint on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HANGS_ON_EXIT],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the interrupted process hung in its exit hook")
    assert proc.returncode == 130
    assert "--resume" in err
