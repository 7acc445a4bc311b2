"""What the rules package costs a `planreview review`: at import and per review.

    .venv/bin/python benchmarks/bench_rules_cost.py [--runs 7] [--words 5000]

Each repetition is a fresh interpreter that first imports what the review
needs besides the rules (pydantic models, settings, ingestion), then times:

- importing service.rules (engine, facts, messages, rewrites), and within it
  the regular expressions compiled (per module, first compiles only);
- the first ``build_facts`` + ``run_rules`` on a ~5,000-word English and
  Chinese plan (what a CLI run pays, lazy compiles and caches included),
  then a second, warm one.

Minimums over the repetitions are printed (a shared machine adds only noise).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_review import make_plan  # noqa: E402  (the plans bench_review.py times)

_CHILD = r"""
import json, re, sys, time
T = time.perf_counter
import service.config, service.ingest, service.ingest.markdown, service.models, service.settings
from service.ingest import load_plan

per_module = {}
original = re._compile


def counting(pattern, flags):
    if isinstance(pattern, re.Pattern) or (type(pattern), pattern, flags) in re._cache:
        return original(pattern, flags)
    t = T()
    out = original(pattern, flags)
    name = sys._getframe(1).f_globals.get("__name__", "?")
    if name == "re":
        name = sys._getframe(2).f_globals.get("__name__", "?")
    ms, n = per_module.get(name, (0.0, 0))
    per_module[name] = (ms + (T() - t) * 1000, n + 1)
    return out


re._compile = counting
t0 = T()
import service.rules.engine, service.rules.extract.facts, service.rules.messages, service.rules.rewrites
import_ms = (T() - t0) * 1000
at_import = dict(per_module)
per_module.clear()
from service.config import ReviewConfig
from service.rules.engine import run_rules
from service.rules.extract.facts import build_facts

out = {"import_ms": import_ms, "regex_at_import": at_import}
for lang, path in json.loads(sys.argv[1]).items():
    plan = load_plan(path)
    runs = []
    for _ in range(2):
        per_module.clear()
        t1 = T()
        facts = build_facts(plan)
        t2 = T()
        findings = run_rules(plan, ReviewConfig(), lang=plan.language, facts=facts)
        t3 = T()
        lazy = sum(ms for ms, _ in per_module.values())
        runs.append([(t2 - t1) * 1000, (t3 - t2) * 1000, lazy])
    out[lang] = {"runs": runs, "findings": len(findings)}
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plans = {}
        for lang in ("en", "zh"):
            plans[lang] = str(Path(tmp) / f"plan-{lang}.md")
            Path(plans[lang]).write_text(make_plan(lang, args.words), encoding="utf-8")
        results = []
        for _ in range(args.runs):
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, json.dumps(plans)],
                capture_output=True,
                text=True,
                check=True,
                cwd=HERE.parent,
            )
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))

    def low(values: list[float]) -> float:
        return min(values)

    regex: dict[str, tuple[float, int]] = {}
    for name in results[0]["regex_at_import"]:
        regex[name] = (
            low([r["regex_at_import"].get(name, [0, 0])[0] for r in results]),
            results[0]["regex_at_import"][name][1],
        )
    total = sum(ms for ms, _ in regex.values())
    print(
        f"import service.rules: {low([r['import_ms'] for r in results]):.0f} ms (min of {args.runs})"
    )
    print(f"  regexes compiled during that import: {total:.0f} ms, by module:")
    for name, (ms, n) in sorted(regex.items(), key=lambda kv: -kv[1][0]):
        if ms >= 0.5:
            print(f"    {name:<42} {ms:5.1f} ms  {n:4d} patterns")
    for lang in ("en", "zh"):
        first = [r[lang]["runs"][0] for r in results]
        warm = [r[lang]["runs"][1] for r in results]
        print(
            f"[{lang}] {results[0][lang]['findings']} findings; first review: build_facts "
            f"{low([f[0] for f in first]):.0f} ms + run_rules {low([f[1] for f in first]):.0f} ms "
            f"(of which lazy regex compiles {low([f[2] for f in first]):.0f} ms); warm: "
            f"{low([w[0] for w in warm]):.0f} + {low([w[1] for w in warm]):.0f} ms"
        )


if __name__ == "__main__":
    main()
