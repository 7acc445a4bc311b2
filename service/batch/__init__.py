"""Batch review of plan libraries (`planreview batch`).

discovery.py   PATH... -> the plan files (globs, .planreviewignore, --include/--exclude)
worker.py      one plan -> cache entry (review + digest), in a worker process
runner.py      cache lookup, process pool (rule tier), thread pool (LLM tier), outputs
cache.py       content-hash cache under <out>/.cache, atomic writes
digest.py      per-plan facts for the library checks (goals, metrics, owners, sections)
library.py     library-level checks: duplicate goals, conflicting targets, owners, gaps
outputs.py     reviews/, findings.jsonl, results.sarif, summary.csv, library.json, run.json
dashboard.py   index.html (Jinja2 + inline SVG charts from charts.py)
samples.py     generated plan libraries for tests, demos and the benchmark
"""

from __future__ import annotations

from service.batch.runner import BatchOptions, BatchResult, run_batch

__all__ = ["BatchOptions", "BatchResult", "run_batch"]
