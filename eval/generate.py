"""Write defect-injected variants of well-made plans (recipes in eval/injections.toml).

    .venv/bin/python eval/generate.py [--seed N] [--dry-run]

Output: eval/plans/gen-*.md and eval/datasets/generated.jsonl (deterministic for a seed).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.evaluation.inject import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
