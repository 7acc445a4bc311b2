"""Would a small learned filter over the rules' findings generalise better than the rules?

    .venv/bin/python eval/tools/filter_experiment.py [eval/out/results.json]

Run `planreview eval --split real --no-baseline` first. For every predicted finding the script
builds surface features (the code, the scope, the line's shape: list item, checkbox, table row,
heading, length, digits, a trailing colon, a field label, a link, "we"; how often the code fires
in the plan) and trains a logistic regression (numpy, L2) to tell true from false findings.
It is scored leave-one-wave-out: trained on every other labelling wave, applied to the held-out
wave, as a filter that drops findings below a threshold. The printed micro P/R/F1 per threshold
is what the filter would have scored at first contact with each wave; threshold 0.0 is the
rules alone. eval/README.md records the result and the decision (no learned filter shipped).
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

EVAL = Path(__file__).resolve().parents[1]


def _features(plan: dict, lines: list[str], finding: dict, counts: Counter, blocks: int) -> dict:
    x: dict[str, float] = {"c=" + finding["code"]: 1.0, "zh": float(plan["language"] == "zh")}
    if finding["scope"] != "block":
        x["doc"] = 1.0
        x["loglines"] = math.log1p(len(lines)) / 5
        return x
    raw = lines[finding["start_line"] - 1] if finding["start_line"] <= len(lines) else ""
    s = raw.strip()
    x.update(
        blk=1.0,
        logsame=math.log1p(counts[finding["code"]]),
        lognblk=math.log1p(blocks),
        list=float(bool(re.match(r"^\s*([-*+]|\d+[.)])\s", raw))),
        heading=float(s.startswith("#")),
        check=float(bool(re.match(r"^\s*[-*]\s\[[ xX]\]", raw))),
        table=float(s.startswith("|")),
        loglen=math.log1p(len(s)) / 5,
        digit=float(bool(re.search(r"\d", s))),
        colon_end=float(bool(re.search(r"[:：]\s*$", s))),
        field=float(bool(re.match(r"^\s*(?:[-*]\s*)?(?:\*\*)?[^:：]{1,12}(?:\*\*)?[:：]", s))),
        link=float(bool(re.search(r"\]\(|https?://", s))),
        we=float(bool(re.search(r"\bwe\b|我们|我們", s, re.I))),
    )
    return x


def _train(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000) -> np.ndarray:
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        w -= (x.T @ (p - y) + l2 * w) / len(y)
    return w


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="?", default=str(EVAL / "out" / "results.json"))
    args = ap.parse_args()
    run = json.loads(Path(args.results).read_text(encoding="utf-8"))
    wave = {}
    for path in (EVAL / "datasets").glob("real-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            wave[row["id"]] = row.get("wave", path.stem)
    rows, gold = [], Counter()
    for plan in run["plans"]:
        if plan["id"] not in wave:
            continue
        gold[plan["id"]] = len(plan["gold"])
        lines = (EVAL / plan["plan_file"]).read_text(encoding="utf-8").split("\n")
        hits = {m["pred"] for m in plan["match"]["matches"]}
        counts = Counter(f["code"] for f in plan["predictions"])
        blocks = sum(1 for f in plan["predictions"] if f["scope"] == "block")
        for i, f in enumerate(plan["predictions"]):
            feats = _features(plan, lines, f, counts, blocks)
            rows.append((plan["id"], wave[plan["id"]], i in hits, feats))
    names = sorted({k for r in rows for k in r[3]})
    index = {k: i for i, k in enumerate(names)}
    x = np.zeros((len(rows), len(names) + 1))
    x[:, -1] = 1.0
    for n, r in enumerate(rows):
        for k, v in r[3].items():
            x[n, index[k]] = v
    y = np.array([1.0 if r[2] else 0.0 for r in rows])
    waves = np.array([r[1] for r in rows])
    plans = [r[0] for r in rows]

    def score(keep: np.ndarray, sel: np.ndarray) -> tuple[float, float, float]:
        tp = float((keep & (y == 1) & sel).sum())
        fp = float((keep & (y == 0) & sel).sum())
        total = sum(gold[p] for p in {plans[i] for i in range(len(rows)) if sel[i]})
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / total if total else 0.0
        return prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0

    everything = np.ones(len(rows), bool)
    for threshold in (0.0, 0.3, 0.4, 0.5):
        keep = np.zeros(len(rows), bool)
        for w in sorted(set(waves)):
            weights = _train(x[waves != w], y[waves != w])
            keep[waves == w] = 1 / (1 + np.exp(-x[waves == w] @ weights)) >= threshold
        p, r, f = score(keep, everything)
        print(f"threshold {threshold:.1f}: leave-one-wave-out P {p:.3f} R {r:.3f} F1 {f:.3f}")


if __name__ == "__main__":
    main()
