"""What changed between two eval runs: findings gained and lost, per plan, as TP/FP.

    .venv/bin/python eval/tools/diff_results.py BEFORE/results.json AFTER/results.json [--code CODE]
        [--hide-wave wave13]   # keep a blind wave out of sight while fixing others

Read it after a change made for one category of misreading: it shows every other place the change
reached (a true positive lost is the price of the fix; the wave it is in says whether the change
was tried on plans it was not made for).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1]


def _findings(plan: dict) -> set[tuple[str, object, str]]:
    unmatched = set(plan["match"]["unmatched_pred"])
    out = set()
    for i, f in enumerate(plan["predictions"]):
        line = f["start_line"] if f["scope"] == "block" else None
        out.add((f["code"], line, "FP" if i in unmatched else "TP"))
    return out


def _plans_of_waves(prefixes: list[str]) -> set[str]:
    """Ids of the dataset rows whose wave starts with one of the prefixes."""
    if not prefixes:
        return set()
    ids = set()
    for path in (EVAL / "datasets").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if str(row.get("wave", "")).startswith(tuple(prefixes)):
                    ids.add(row["id"])
    return ids


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--code", action="append")
    ap.add_argument(
        "--hide-wave",
        action="append",
        default=[],
        metavar="PREFIX",
        help="leave out plans of the waves starting with PREFIX (kept blind), totals included",
    )
    args = ap.parse_args()
    hidden = _plans_of_waves(args.hide_wave)
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in (args.before, args.after)]
    before = {p["id"]: p for p in runs[0]["plans"]}
    totals = {"+TP": 0, "-TP": 0, "+FP": 0, "-FP": 0}
    for plan in runs[1]["plans"]:
        old = before.get(plan["id"])
        if old is None or plan["id"] in hidden:
            continue
        a, b = _findings(old), _findings(plan)
        lines = (EVAL / plan["plan_file"]).read_text(encoding="utf-8").split("\n")
        rows = []
        for sign, items in (("-", a - b), ("+", b - a)):
            for code, line, kind in sorted(items, key=lambda t: (t[1] or 0, t[0])):
                if args.code and code not in args.code:
                    continue
                totals[sign + kind] += 1
                text = lines[line - 1][:90] if isinstance(line, int) else ""
                rows.append(f"  {sign}{kind} {code:<26} {line or '-':>4} {text}")
        if rows:
            wave = plan.get("wave") or ""
            print(f"{plan['id']} {wave}".rstrip())
            print("\n".join(rows))
    print(" ".join(f"{k} {v}" for k, v in totals.items()))


if __name__ == "__main__":
    main()
