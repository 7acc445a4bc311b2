"""How far two labellers agree: the real-plan gold against an independent second labelling.

    .venv/bin/python eval/tools/agreement.py [eval/agreement]

Each file of the folder is one plan labelled a second time, blind to the gold (its `id`, its
`gold` entries, the labeller's `doubts`). Entries are matched as the eval matches findings: a
block entry by code and line, a document entry by code (one per missing perspective for bsc).
Prints per plan and per code how many entries both labellers gave and how many only one did,
and the agreement F1 (2 x both / (2 x both + first only + second only)): the ceiling a reviewer
can reach against one labeller's gold when the rules leave such room.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _gold() -> dict[str, list[dict[str, object]]]:
    gold: dict[str, list[dict[str, object]]] = {}
    for path in sorted((ROOT / "datasets").glob("real-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                gold[row["id"]] = row["gold"]
    return gold


def _keys(entries: list[dict[str, object]]) -> collections.Counter[tuple[object, object]]:
    return collections.Counter((e["code"], e["line"]) for e in entries)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(ROOT / "agreement"))
    args = ap.parse_args()
    gold = _gold()
    both = first = second = 0
    per_code: dict[object, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    for path in sorted(Path(args.folder).glob("*.json")):
        row = json.loads(path.read_text(encoding="utf-8"))
        a, b = _keys(gold[row["id"]]), _keys(row["gold"])
        m, oa, ob = sum((a & b).values()), sum((a - b).values()), sum((b - a).values())
        for keys, i in ((a & b, 0), (a - b, 1), (b - a, 2)):
            for (code, _), n in keys.items():
                per_code[code][i] += n
        both, first, second = both + m, first + oa, second + ob
        f1 = 2 * m / (2 * m + oa + ob) if m + oa + ob else 1.0
        print(f"{row['id']:52} both {m:3}  first only {oa:3}  second only {ob:3}  F1 {f1:.3f}")
    total = 2 * both + first + second
    print(
        f"all: both {both}, first only {first}, second only {second}: "
        f"agreement F1 {2 * both / total if total else 1.0:.3f}"
    )
    for code, (m, oa, ob) in sorted(per_code.items(), key=lambda kv: -(kv[1][1] + kv[1][2])):
        print(f"  {code!s:28} both {m:3}  first only {oa:3}  second only {ob:3}")


if __name__ == "__main__":
    main()
