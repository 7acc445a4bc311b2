"""Print each plan's false positives and misses from an eval run, with the plan's line text.

    .venv/bin/python eval/tools/misreadings.py [eval/out/results.json] [--plan ID] [--code CODE]

For reading where the engine goes wrong on a split you may tune on (never on a wave
whose first-contact score is not yet recorded).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="?", default=str(EVAL / "out" / "results.json"))
    ap.add_argument("--plan", action="append")
    ap.add_argument("--code", action="append")
    args = ap.parse_args()
    run = json.loads(Path(args.results).read_text(encoding="utf-8"))
    for p in run["plans"]:
        if args.plan and p["id"] not in args.plan:
            continue
        lines = (EVAL / p["plan_file"]).read_text(encoding="utf-8").split("\n")
        m = p["match"]
        out = []
        for i in m["unmatched_pred"]:
            f = p["predictions"][i]
            if args.code and f["code"] not in args.code:
                continue
            ln = f["start_line"] if f["scope"] == "block" else None
            text = lines[ln - 1][:100] if ln else ""
            out.append(f"  FP {f['code']:<26} {ln or '-':>4} {text}")
        for i in m["unmatched_gold"]:
            g = p["gold"][i]
            if args.code and g["code"] not in args.code:
                continue
            ln = g["line"]
            text = lines[ln - 1][:100] if ln else ""
            note = f"  [{g['note']}]" if g.get("note") else ""
            out.append(f"  FN {g['code']:<26} {ln or '-':>4} {text}{note}")
        if out:
            print(p["id"])
            print("\n".join(out))


if __name__ == "__main__":
    main()
