"""Distributed throughput: plans per second for 1, 2 and 4 `planreview worker`s.

Starts a private redis-server and Postgres (tests/services.py) and, for each
worker count, that many real `planreview worker --concurrency 1` processes,
waits until they are ready, then measures two paths:

- batch: `planreview batch lib --out OUT --distributed --llm off --fresh` over a
  generated library (default 200 two-page plans, English and Chinese) as a real
  process; its discovery, cache writes and outputs are timed too. A local
  `--jobs 2` run of the same library is printed for comparison, and every
  distributed run's outputs are checked to be identical to it (apart from run.json);
- api: a `planreview serve` on Postgres with the broker; the same plans are POSTed
  as async reviews (`?mode=async`, llm off) and timed from the first POST until
  the database holds every review as succeeded.

Worker start-up is not timed.

Usage: .venv/bin/python benchmarks/bench_distributed.py [--n 200] [--workers 1,2,4] [--mode both]

On a 2-core machine the curve flattens past 2 workers: every worker process
and the batch process share those cores. The load average is printed so a
busy machine can be told from a slow program.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from services import postgres_server, redis_server, start_worker  # noqa: E402

from service.batch.samples import generate_library  # noqa: E402


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and ".cache" not in p.relative_to(out).parts and p.name != "run.json"
    }


def timed_batch(tmp: Path, env: dict[str, str], out: str, *extra: str) -> float:
    cmd = [
        sys.executable,
        "-m",
        "service",
        "batch",
        "lib",
        "--out",
        out,
        "--llm",
        "off",
        "--fresh",
        "--progress",
        "none",
        "--fail-on",
        "never",
        *extra,
    ]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"batch failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def timed_api(tmp: Path, env: dict[str, str], plans: list[Path], label: str) -> float:
    import httpx

    from service.api.launch import start_server
    from service.store import reviews as store
    from service.store.db import Database

    server = start_server(
        tmp / f"api-{label}",
        env={
            **env,
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
            "PLANREVIEW_API_QUEUE_LIMIT": str(len(plans) + 10),
        },
    )
    db = Database(env["PLANREVIEW_DATABASE_URL"])
    try:
        bodies = [(p.name, p.read_bytes()) for p in plans]
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            t0 = time.perf_counter()
            for name, data in bodies:
                r = client.post(
                    "/v1/reviews?mode=async", files={"file": (name, data)}, data={"llm": "off"}
                )
                if r.status_code != 202:
                    raise SystemExit(f"POST failed: {r.status_code} {r.text[:300]}")
            while store.status_counts(db).get(store.SUCCEEDED, 0) < len(bodies):
                failed = store.status_counts(db).get(store.FAILED, 0)
                if failed:
                    raise SystemExit(f"{failed} review(s) failed")
                time.sleep(0.05)
            return time.perf_counter() - t0
    finally:
        server.stop()
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="plans in the library")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to time")
    parser.add_argument("--pages", type=float, default=2.0, help="length of each plan")
    parser.add_argument("--mode", choices=["batch", "api", "both"], default="both")
    args = parser.parse_args()
    counts = [int(c) for c in args.workers.split(",") if c.strip()]

    with tempfile.TemporaryDirectory(prefix="planreview-bench-dist-") as tmp_name:
        tmp = Path(tmp_name)
        manifest = generate_library(tmp / "lib", args.n, seed=5, bad=False, pages=args.pages)
        plans = len(manifest.plans) if hasattr(manifest, "plans") else args.n
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        base_env["PLANREVIEW_DATA_DIR"] = str(tmp / "data")
        base_env["PYTHONPATH"] = str(REPO)
        print(f"library: {plans} plans, about {args.pages:g} pages each; cpus: {os.cpu_count()}")
        reference: dict[str, bytes] = {}
        if args.mode in ("batch", "both"):
            local_s = timed_batch(tmp, base_env, "local", "--jobs", "2")
            reference = outputs(tmp / "local")
            print(f"batch, local --jobs 2       : {plans / local_s:7.1f} plans/s ({local_s:.1f} s)")
        files = sorted(p for p in (tmp / "lib").rglob("*") if p.is_file())
        with redis_server() as redis, postgres_server() as pg:
            for i, count in enumerate(counts):
                env = {**base_env, "PLANREVIEW_BROKER_URL": redis.url(i)}
                env["PLANREVIEW_DATABASE_URL"] = pg.create_database("bench")
                workers = [start_worker(tmp, f"bench{i}-{w}", env) for w in range(count)]
                try:
                    if args.mode in ("batch", "both"):
                        load = os.getloadavg()[0]
                        elapsed = timed_batch(tmp, env, f"dist{count}", "--distributed")
                        same = outputs(tmp / f"dist{count}") == reference
                        print(
                            f"batch --distributed, {count} worker{'s' if count > 1 else ' '}: "
                            f"{plans / elapsed:7.1f} plans/s ({elapsed:.1f} s; "
                            f"{plans / elapsed / count:.1f} per worker; load {load:.1f}; "
                            f"outputs {'identical to local' if same else 'DIFFERENT from local'})"
                        )
                    if args.mode in ("api", "both"):
                        load = os.getloadavg()[0]
                        elapsed = timed_api(tmp, env, files, str(count))
                        print(
                            f"API async jobs, {count} worker{'s' if count > 1 else ' '}: "
                            f"{len(files) / elapsed:7.1f} plans/s ({elapsed:.1f} s; "
                            f"{len(files) / elapsed / count:.1f} per worker; load {load:.1f})"
                        )
                finally:
                    for w in workers:
                        w.stop()


if __name__ == "__main__":
    main()
