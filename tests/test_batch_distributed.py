"""``planreview batch --distributed`` (issue 13, item 3): the same outputs as a local run.

A private redis-server and two real ``planreview worker`` processes review a
generated 40-plan library (with its unreadable files); every output except
run.json must be byte-identical to a local ``planreview batch`` of the same
library, a second distributed run must take everything from the cache, and a
distributed run killed with -9 and resumed must end with the same bytes too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from services import Redis, Worker, start_worker

from service.batch.samples import generate_library

N_PLANS = 40


def command(out: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "service",
        "batch",
        "lib",
        "--out",
        out,
        "--llm",
        "off",
        "--progress",
        "plain",
        *extra,
    ]


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and ".cache" not in p.relative_to(out).parts and p.name != "run.json"
    }


@pytest.fixture(scope="module")
def setup(
    tmp_path_factory: pytest.TempPathFactory, redis: Redis
) -> Iterator[tuple[Path, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("distributed")
    generate_library(tmp / "lib", N_PLANS, seed=11)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(
        {
            "PLANREVIEW_DATA_DIR": str(tmp / "data"),
            "PLANREVIEW_BROKER_URL": redis.url(3),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
    )
    workers: list[Worker] = []
    try:
        workers = [start_worker(tmp, name, env) for name in ("b1", "b2")]
        yield tmp, env
    finally:
        for w in workers:
            w.stop()


def run(tmp: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args), cwd=tmp, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_distributed_batch_writes_what_a_local_batch_writes(
    setup: tuple[Path, dict[str, str]],
) -> None:
    tmp, env = setup
    local = run(tmp, {k: v for k, v in env.items() if k != "PLANREVIEW_BROKER_URL"}, "local")
    assert local.returncode == 1, local.stderr  # error findings: exit 1 by default
    dist = run(tmp, env, "dist", "--distributed")
    assert dist.returncode == 1, dist.stderr
    assert outputs(tmp / "dist") == outputs(tmp / "local")
    assert len(outputs(tmp / "dist")) > N_PLANS  # per-plan files and the aggregates
    first = json.loads((tmp / "dist" / "run.json").read_text("utf-8"))
    assert first["complete"] and first["reviewed"] == first["plans"] and first["cached"] == 0
    # the same progress as a local run
    done_line = f"{first['plans']}/{first['plans']} plans (100%), {first['failed']} failed"
    assert done_line in dist.stderr and done_line in local.stderr
    # both workers took a share
    worker_logs = [(tmp / f"worker-{n}.log").read_text("utf-8") for n in ("b1", "b2")]
    assert all("planreview.batch_plan" in log for log in worker_logs), worker_logs

    again = run(tmp, env, "dist", "--distributed", "--resume")
    assert again.returncode == 1, again.stderr
    second = json.loads((tmp / "dist" / "run.json").read_text("utf-8"))
    assert second["reviewed"] == 0 and second["cached"] == first["plans"]
    assert outputs(tmp / "dist") == outputs(tmp / "local")


@pytest.mark.slow
def test_a_killed_distributed_batch_resumes_to_the_same_outputs(
    setup: tuple[Path, dict[str, str]],
) -> None:
    tmp, env = setup
    if not (tmp / "local").is_dir():
        local = run(tmp, {k: v for k, v in env.items() if k != "PLANREVIEW_BROKER_URL"}, "local")
        assert local.returncode == 1, local.stderr
    proc = subprocess.Popen(
        command("killed", "--distributed"),
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(list((tmp / "killed" / ".cache").glob("*/*.json"))) < 5:
        assert proc.poll() is None, "the batch finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    resumed = run(tmp, env, "killed", "--distributed", "--resume")
    assert resumed.returncode == 1, resumed.stderr
    result = json.loads((tmp / "killed" / "run.json").read_text("utf-8"))
    assert result["complete"] and result["cached"] >= 5 and result["reviewed"] > 0
    assert outputs(tmp / "killed") == outputs(tmp / "local")


def test_distributed_without_a_broker_or_workers_is_a_clear_error(
    tmp_path: Path, redis: Redis
) -> None:
    generate_library(tmp_path / "lib", 3, seed=2, bad=False)
    env = {k: v for k, v in os.environ.items() if k != "PLANREVIEW_BROKER_URL"}
    env["PLANREVIEW_DATA_DIR"] = str(tmp_path / "data")

    def batch(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command("out", "--distributed"),
            cwd=tmp_path,
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    no_broker = batch({})
    assert no_broker.returncode == 2, no_broker.stderr
    assert "PLANREVIEW_BROKER_URL" in no_broker.stderr and "Traceback" not in no_broker.stderr
    no_worker = batch({"PLANREVIEW_BROKER_URL": redis.url(9)})  # nobody listens on db 9
    assert no_worker.returncode == 2, no_worker.stderr
    assert "no planreview worker is running" in no_worker.stderr
    assert "Traceback" not in no_worker.stderr


@pytest.mark.slow
def test_a_worker_with_other_guidance_fails_its_plans_instead_of_mixing_versions(
    tmp_path: Path, redis: Redis
) -> None:
    generate_library(tmp_path / "lib", 4, seed=3, bad=False)
    org = tmp_path / "org-guidance"
    org.mkdir()
    (org / "acme.md").write_text(
        "---\ntitle: Acme\nlanguage: en\nframeworks: [risk]\n---\n\n"
        "## Acme risk owners\n<!-- id: acme-owner-en; frameworks: risk; codes: risk.no-owner -->\n"
        "Every risk at Acme names one owner.\n",
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(
        {
            "PLANREVIEW_DATA_DIR": str(tmp_path / "data"),
            "PLANREVIEW_BROKER_URL": redis.url(4),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
    )
    worker = start_worker(
        tmp_path, "other", {**env, "PLANREVIEW_EXTRA_KNOWLEDGE_DIRS": json.dumps([str(org)])}
    )
    try:
        done = run(tmp_path, env, "out", "--distributed", "--fail-on-unreadable")
    finally:
        worker.stop()
    assert done.returncode == 1, done.stderr
    run_json = json.loads((tmp_path / "out" / "run.json").read_text("utf-8"))
    assert run_json["failed"] == run_json["plans"] == 4
    assert "run the same planreview and guidance on the workers" in done.stderr
    assert not list((tmp_path / "out" / ".cache").glob("*/*.json"))  # nothing mixed was cached
