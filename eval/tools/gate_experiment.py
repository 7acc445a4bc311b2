"""Would a gate trained on first-contact findings make today's engine more precise?

    .venv/bin/python eval/tools/first_contact.py          # once: eval/first-contact/findings.jsonl
    planreview eval --split dev --no-baseline --out /tmp/dev      # today's engine, per split
    .venv/bin/python eval/tools/gate_experiment.py /tmp/dev/results.json [/tmp/real/results.json ...]

Two gates are trained on the findings each wave's first-contact engine made on it: a per-code gate
(drop a code whose first-contact precision is below the threshold) and a logistic regression over
the surface features of eval/tools/filter_experiment.py (with and without the code as a feature).
Each is scored two ways on the first-contact set itself: leave-one-wave-out, and forward (trained
on the waves before a wave, applied to it, which is how a shipped gate meets a new wave). Then each
gate, trained on every first-contact wave, is applied to today's engine on the given runs: a gate
that drops today's true findings on the hand-written plans or the read waves fails before it is
worth spending a blind wave on. Blind waves (11 and up) are skipped in those runs and never printed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from filter_experiment import _features, _train

EVAL = Path(__file__).resolve().parents[1]
BLIND_FROM = 11
THRESHOLDS = (0.2, 0.3, 0.4)


def _wave_number(wave: str) -> int:
    return int(wave[4:].split("-")[0])


def _plan_rows() -> dict[str, dict]:
    rows = {}
    for path in (EVAL / "datasets").glob("real-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["id"]] = row
    return rows


def _feature_dicts(plan: dict, preds: list[dict]) -> list[dict]:
    lines = (EVAL / plan["plan_file"]).read_text(encoding="utf-8").split("\n")
    counts = Counter(f["code"] for f in preds)
    blocks = sum(f["scope"] == "block" for f in preds)
    out = []
    for f in preds:
        x = _features(plan, lines, f, counts, blocks)
        x["sev=" + f["severity"]] = 1.0
        out.append(x)
    return out


class Design:
    """Feature dicts -> a matrix with a fixed column order (and an optional mask)."""

    def __init__(self, dicts: list[dict], with_code: bool) -> None:
        self.names = sorted({k for d in dicts for k in d if with_code or not k.startswith("c=")})
        self.index = {k: i for i, k in enumerate(self.names)}

    def matrix(self, dicts: list[dict]) -> np.ndarray:
        x = np.zeros((len(dicts), len(self.names) + 1))
        x[:, -1] = 1.0
        for n, d in enumerate(dicts):
            for k, v in d.items():
                if k in self.index:
                    x[n, self.index[k]] = v
        return x


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="*", help="results.json of today's engine to apply the gates to")
    args = ap.parse_args()
    rows = _plan_rows()
    found = [
        json.loads(line)
        for line in (EVAL / "first-contact" / "findings.jsonl").read_text().splitlines()
    ]
    missed = json.loads((EVAL / "first-contact" / "missed.json").read_text())
    by_plan: dict[str, list[dict]] = defaultdict(list)
    for f in found:
        by_plan[f["plan"]].append(f)
    found = [f for fs in by_plan.values() for f in fs]
    dicts = [x for pid, fs in by_plan.items() for x in _feature_dicts(rows[pid], fs)]
    y = np.array([float(f["tp"]) for f in found])
    waves = np.array([_wave_number(f["wave"]) for f in found])
    codes = np.array([f["code"] for f in found])
    fn_wave: dict[int, int] = defaultdict(int)
    for w, n in missed.items():
        fn_wave[_wave_number(w)] += n

    def score(keep: np.ndarray, test: list[int]) -> float:
        sel = np.isin(waves, test)
        tp = int((keep & sel & (y == 1)).sum())
        fp = int((keep & sel & (y == 0)).sum())
        fn = sum(fn_wave[w] for w in test) + int((~keep & sel & (y == 1)).sum())
        return _f1(tp, fp, fn)

    def code_gate(train: np.ndarray, t: float) -> dict[str, bool]:
        keep = {}
        for c in set(codes):
            m = train & (codes == c)
            keep[c] = (y[m].sum() + 1) / (m.sum() + 2) >= t
        return keep

    designs = {"lr": Design(dicts, True), "lr-no-code": Design(dicts, False)}
    mats = {k: d.matrix(dicts) for k, d in designs.items()}
    every = np.ones(len(found), bool)
    print("first-contact set:", len(found), "findings,", int(y.sum()), "true")
    for scheme in ("leave-one-wave-out", "forward"):
        test = sorted(set(waves)) if scheme != "forward" else [w for w in set(waves) if w >= 3]
        cells = [f"rules {score(every, test):.3f}"]
        for t in THRESHOLDS:
            keep = {k: np.ones(len(found), bool) for k in ("per-code", *designs)}
            for w in test:
                train = waves < w if scheme == "forward" else waves != w
                held = waves == w
                gate = code_gate(train, t)
                keep["per-code"][held] = [gate[c] for c in codes[held]]
                for k, x in mats.items():
                    p = 1 / (1 + np.exp(-x @ _train(x[train], y[train])))
                    keep[k][held] = (p >= t)[held]
            cells += [f"{k}@{t} {score(v, test):.3f}" for k, v in keep.items()]
        print(f"{scheme}: " + " | ".join(cells))

    if not args.runs:
        return
    weights = {k: _train(x, y) for k, x in mats.items()}
    gates = {t: code_gate(every, t) for t in THRESHOLDS}
    for path in args.runs:
        run = json.loads(Path(path).read_text(encoding="utf-8"))
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for plan in run["plans"]:
            row = rows.get(plan["id"])
            if row and _wave_number(row["wave"]) >= BLIND_FROM:
                continue  # blind: never scored here
            preds = plan["predictions"]
            hits = {m["pred"] for m in plan["match"]["matches"]}
            px = _feature_dicts(plan, preds)
            keeps = {"rules": np.ones(len(preds), bool)}
            for t in THRESHOLDS:
                keeps[f"per-code@{t}"] = np.array([gates[t].get(f["code"], True) for f in preds])
                for k, d in designs.items():
                    p = 1 / (1 + np.exp(-d.matrix(px) @ weights[k])) if preds else np.zeros(0)
                    keeps[f"{k}@{t}"] = p >= t
            for k, kept in keeps.items():
                c = counts[k]
                c[0] += sum(bool(kept[i]) and i in hits for i in range(len(preds)))
                c[1] += sum(bool(kept[i]) and i not in hits for i in range(len(preds)))
                c[2] += len(plan["gold"])
        print(f"{path} (today's engine, blind waves skipped):")
        for k, (tp, fp, gold) in counts.items():
            print(f"  {k:18s} TP {tp:5d} FP {fp:5d}  F1 {_f1(tp, fp, gold - tp):.3f}")


if __name__ == "__main__":
    main()
