#!/usr/bin/env python3
"""Load test of the offline review on loopback: p50/p95/p99 latency, throughput, errors.

Starts the real server itself (``python -m service.api`` on a free 127.0.0.1
port, a temporary data dir, the rate limit off), then N concurrent clients
post a plan to ``POST /v1/reviews`` (``llm=off``) until the request budget or
the time budget runs out. Bounded in both count and time; never leaves
loopback.

By default every request carries a unique comment line, so each one is a real
review (no answer comes from the server's content-hash cache); ``--same``
posts identical bytes, which the cache answers after the first.

    .venv/bin/python scripts/loadtest.py                  # 20 clients, 600 requests
    .venv/bin/python scripts/loadtest.py --same --requests 1000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from service.api.launch import start_server  # noqa: E402

DEFAULT_PLAN = REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md"  # ~680 words, 2-3 pages


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def run(
    base_url: str, plan: bytes, name: str, clients: int, requests: int, seconds: float, same: bool
) -> tuple[list[float], Counter[str], float]:
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    counter = iter(range(requests))
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:

        async def post(i: int) -> None:
            body = plan if same else plan + f"\n<!-- load test request {i} -->\n".encode()
            t0 = time.perf_counter()
            try:
                r = await client.post(
                    "/v1/reviews", files={"file": (name, body)}, data={"llm": "off"}
                )
                ok = r.status_code == 200 and r.json().get("findings") is not None
                outcomes[str(r.status_code) if not ok or r.status_code != 200 else "200"] += 1
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1

        for i in range(min(clients, 10)):  # warm-up, not counted
            await post(-1 - i)
        latencies.clear()
        outcomes.clear()

        async def worker() -> None:
            for i in counter:
                if time.monotonic() > deadline:
                    return
                await post(i)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    return latencies, outcomes, elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=600, help="Total requests (a bound).")
    ap.add_argument("--seconds", type=float, default=60, help="Time budget (a bound).")
    ap.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    ap.add_argument("--same", action="store_true", help="Identical bodies (cache hits).")
    ap.add_argument(
        "--processes",
        type=int,
        default=None,
        help="Review processes in the server (default: its own default).",
    )
    ap.add_argument("--target-p95", type=float, default=300.0, help="ms; exit 1 above it.")
    args = ap.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.requests <= 100_000:
        ap.error("--clients must be 1..200 and --requests 1..100000")
    if not 0 < args.seconds <= 600:
        ap.error("--seconds must be in (0, 600]")

    plan = args.plan.read_bytes()
    env = {"PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0"}
    if args.processes is not None:
        env["PLANREVIEW_API_REVIEW_PROCESSES"] = str(args.processes)
    with tempfile.TemporaryDirectory(prefix="planreview-load-") as tmp:
        server = start_server(Path(tmp), env=env)
        assert server.base_url.startswith("http://127.0.0.1:"), "loopback only"
        try:
            latencies, outcomes, elapsed = asyncio.run(
                run(
                    server.base_url,
                    plan,
                    args.plan.name,
                    args.clients,
                    args.requests,
                    args.seconds,
                    args.same,
                )
            )
        finally:
            server.stop()
    total = sum(outcomes.values())
    errors = total - outcomes.get("200", 0)
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    print(
        f"plan: {args.plan.name} ({len(plan):,} bytes), {args.clients} clients, "
        f"{'identical bodies (cache)' if args.same else 'unique bodies (no cache)'}"
    )
    print(f"requests: {total} in {elapsed:.2f} s -> {total / elapsed:.1f} req/s")
    if latencies:
        print(
            f"latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  "
            f"mean {statistics.fmean(latencies):.1f}  max {max(latencies):.1f}"
        )
    print(f"errors: {errors}" + (f" {dict(outcomes)}" if errors else ""))
    ok = errors == 0 and latencies and p95 < args.target_p95
    print(f"target p95 < {args.target_p95:.0f} ms with no errors: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
