"""Print how the reading layer reads one plan: each block's line, section, and role.

    .venv/bin/python eval/tools/readings.py eval/plans/<id>.md [--all]

Roles: G goal (with its reading confidence), O objective, K key result, T task, R risk.
Without --all only blocks with a section or a role are shown. For studying misreadings on
plans you may tune on (never on a wave whose first-contact score is not yet recorded).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.ingest import load_plan
from service.rules.extract.facts import build_facts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("plan")
    ap.add_argument("--all", action="store_true")
    args = ap.parse_args()
    plan = load_plan(Path(args.plan))
    facts = build_facts(plan)
    role: dict[str, str] = {}
    for g in facts.goals:
        role[g.block.id] = f"G{g.confidence:.1f}"
    for o in facts.objectives:
        role[o.block.id] = "O"
        for k in o.krs:
            role[k.block.id] = "K"
    for t in facts.tasks:
        role[t.block.id] = "T"
    for r in facts.risks:
        role[r.block.id] = "R"
    out = sys.stdout
    for b in plan.blocks:
        sec = facts.section.get(b.id, "")
        r = role.get(b.id, "")
        if not (args.all or sec or r):
            continue
        text = b.text.replace("\n", " ")[:90]
        out.write(
            f"{b.start_line:>4} {sec[:10]:<10} {r:<4} {b.kind.value[:4]} {'  ' * b.level}{text}\n"
        )


if __name__ == "__main__":
    main()
