"""Check the eval dataset: schema, plan files, codes, lines, scopes, anchors, split leakage.

.venv/bin/python eval/validate.py          # exit 1 and list every problem, else a summary
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.evaluation.dataset import validate_dataset  # noqa: E402


def main() -> int:
    items, problems = validate_dataset(ROOT / "eval")
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    counts = Counter((i.language, i.split) for i in items)
    gold = sum(len(i.gold) for i in items)
    neg = sum(i.negative_control for i in items)
    print(
        f"{len(items)} plans ({dict(sorted(counts.items()))}), {neg} negative controls, "
        f"{gold} gold findings, {len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
