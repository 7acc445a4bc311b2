"""Batch throughput: `planreview batch` over a generated library of two-page plans, offline.

Generates N plans (default 300; English, Simplified and Traditional Chinese,
about two pages each) in a temporary folder, runs

    planreview batch lib --out out --jobs 2 --llm off

as a real process (as a user would), and prints plans per second, total
time, CPU time and peak memory (the largest single process, and the whole
process tree sampled every 50 ms). A second run over the same folder shows
what the cache saves.

Usage: .venv/bin/python benchmarks/bench_batch.py [--n 300] [--jobs 2] [--pages 2] [--keep DIR]

The target is at least 20 plans/s on a 2-core machine. On a shared machine
the wall-clock figure drops when other processes take the CPU; the
"CPU-bound rate" line (plans / (CPU seconds / jobs)) says what the same work
would take on idle cores, and the load average printed alongside says how
busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, resident = int(fields[1]), int(fields[21])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = resident * page
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run_batch(cwd: Path, out: str, jobs: int) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-m",
        "service",
        "batch",
        "lib",
        "--out",
        out,
        "--jobs",
        str(jobs),
        "--llm",
        "off",
        "--progress",
        "none",
        "--fail-on",
        "never",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONPATH"] = str(ROOT)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            if os.path.isdir("/proc"):
                peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"planreview batch failed ({proc.returncode}):\n{stderr}")
    run = json.loads((cwd / out / "run.json").read_text(encoding="utf-8"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall": wall,
        "run": run["duration_s"],
        "plans": run["plans"],
        "reviewed": run["reviewed"],
        "cached": run["cached"],
        "cpu": cpu,
        "tree_peak_mb": peak / 1e6,
        "largest_mb": after.ru_maxrss / 1024,
        "load": max(load0, os.getloadavg()[0]),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="plans to generate")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pages", type=float, default=2.0, help="length of each plan in pages")
    parser.add_argument(
        "--keep", type=Path, default=None, help="generate and keep the library here"
    )
    args = parser.parse_args()

    from service.batch.samples import generate_library

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    if (work / "lib").exists():
        shutil.rmtree(work / "lib")
    if (work / "out").exists():
        shutil.rmtree(work / "out")
    manifest = generate_library(work / "lib", args.n, seed=1, bad=False, pages=args.pages)
    words = [
        len((work / "lib" / rel).read_text(encoding="utf-8").split())
        for rel in manifest.plans
        if manifest.languages[rel] == "en"
    ]
    chars = [
        len((work / "lib" / rel).read_text(encoding="utf-8"))
        for rel in manifest.plans
        if manifest.languages[rel] != "en"
    ]
    print(
        f"library: {args.n} plans in {work / 'lib'} "
        f"(English ~{sum(words) // max(1, len(words))} words, "
        f"Chinese ~{sum(chars) // max(1, len(chars))} characters each)"
    )
    print(f"machine: {os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.2f}")

    first = run_batch(work, "out", args.jobs)
    rate = first["reviewed"] / first["wall"]
    cpu_rate = first["reviewed"] / (first["cpu"] / args.jobs) if first["cpu"] else 0.0
    print(
        f"cold run (--jobs {args.jobs}): {first['reviewed']:.0f} plans in {first['wall']:.2f} s "
        f"end to end (process start to exit; {first['run']:.2f} s inside the run)"
    )
    print(f"  throughput: {rate:.1f} plans/s wall clock   [target: >= 20]")
    print(
        f"  CPU time: {first['cpu']:.2f} s -> CPU-bound rate {cpu_rate:.1f} plans/s on "
        f"{args.jobs} idle cores"
    )
    print(
        f"  peak memory: {first['tree_peak_mb']:.0f} MB for all processes, "
        f"{first['largest_mb']:.0f} MB for the largest one"
    )
    print(f"  load average during the run: up to {first['load']:.2f}")
    second = run_batch(work, "out", args.jobs)
    print(
        f"warm run (cache): {second['cached']:.0f} plans from the cache, "
        f"{second['reviewed']:.0f} reviewed, {second['wall']:.2f} s end to end"
    )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
