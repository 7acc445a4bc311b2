"""Wall time of `planreview kb search` as a user runs it: a new process each time.

Prints the first search's wall time (it builds the index when the data dir has none, and
says so on stderr), then warm searches: each a fresh `planreview kb search QUERY` process
with the index already built, for different queries in English, 简体 and 繁體 (p50, max),
against the target of 1.5 s wall (issue 14).

Usage: .venv/bin/python benchmarks/bench_kb_search.py [--data-dir DIR] [--repeat N]

Without --data-dir it uses the user's data dir (the index a user has); a fresh directory
makes the first search a real first build (about 2 minutes on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERIES = [
    "risk register owner",
    "how to make a goal measurable",
    "weekly review cadence and escalation",
    "如何设定可衡量的目标",
    "风险应对措施和负责人",
    "里程碑與緩衝時間",
]
TARGET_S = 1.5


def _search(query: str, env: dict[str, str]) -> tuple[float, int]:
    script = Path(sys.executable).parent / "planreview"
    start = time.perf_counter()
    proc = subprocess.run(
        [str(script), "kb", "search", query, "-k", "5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"kb search failed: {proc.stderr.strip()}")
    return wall, proc.stdout.count("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=2, help="rounds over the queries")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.data_dir is not None:
        env["PLANREVIEW_DATA_DIR"] = str(args.data_dir)
    first, _ = _search("warm up 预热", env)
    print(f"first search (builds the index if there is none): {first:.2f} s")
    walls: list[float] = []
    for _ in range(args.repeat):
        for q in QUERIES:
            wall, lines = _search(q, env)
            walls.append(wall)
            print(f"  {wall:5.2f} s  {q}  ({lines} lines)")
    p50 = statistics.median(walls)
    print(
        f"warm kb search, new process each: p50 {p50:.2f} s, max {max(walls):.2f} s "
        f"over {len(walls)} searches (target < {TARGET_S} s): "
        + ("OK" if max(walls) < TARGET_S else "OVER")
    )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
