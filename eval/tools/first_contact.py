"""Rebuild the first-contact findings: each wave reviewed by the engine that first met it.

    .venv/bin/python eval/tools/first_contact.py            # writes eval/first-contact/findings.jsonl

For every wave in ENGINES, the script checks the engine commit out in a temporary git worktree,
reviews the wave's plans (today's plan files) with that engine, offline, and scores the findings
against today's gold with today's matcher. One row per finding (plan, wave, language, negative
control, code, severity, scope, lines, true or false) goes to eval/first-contact/findings.jsonl and
the false negatives per wave to eval/first-contact/missed.json. This is the only honest training
set for anything that learns which findings to trust: the findings an engine makes on plans it has
never seen, not the residue left after it was tuned on them (eval/README.md, the eighth pass).

Waves still blind (wave 20 at the twelfth pass) are left out on purpose: their line-level results
here would end their blindness. Add a wave once it has been read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "eval"
OUT = EVAL / "first-contact"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The engine at first contact, from the first-contact table of eval/README.md. Waves 0-2 were first
# scored with uncommitted trees; the nearest commit stands in for them (its scores are within 0.06).
ENGINES: dict[str, list[str]] = {
    "66f36a5": ["wave0"],
    "6f84e89": ["wave1-zhs-b"],
    "9762f07": ["wave1-en"],
    "72841e1": ["wave1-zht", "wave1-zhs-a"],
    "8ec8564": ["wave2-zht", "wave2-en", "wave2-zhs"],
    "8c63e82": ["wave3-en", "wave3-zh"],
    "37716a8": ["wave4-en", "wave4-zh"],
    "f94439c": ["wave5-en", "wave5-zh"],
    "1f856ae": ["wave6-en", "wave6-zh"],
    "d464d13": ["wave7-en"],
    "3b1ce5f": ["wave7-zh"],
    "82114e5": ["wave8-en", "wave8-zhs", "wave8-zht"],
    "ccfe531": ["wave9-en", "wave9-zhs", "wave9-zht"],
    "b8e3bdf": ["wave10-en", "wave10-zh"],
    "bcb9aa3": ["wave11-en", "wave11-zhs", "wave11-zht"],
    "071fa3d": ["wave12-en", "wave12-zhs", "wave12-zht"],
    "038e841": ["wave13-en", "wave13-zhs", "wave13-zht"],
    "632c648": ["wave14-en", "wave14-zhs", "wave14-zht"],
    "8997c01": ["wave15-en", "wave15-zhs", "wave15-zht"],
    "052cb6a": [
        "wave16-en",
        "wave16-zhs",
        "wave16-zht",
        "wave17-en",
        "wave17-zhs",
        "wave17-zht",
        "wave18-en",
        "wave18-zhs",
        "wave18-zht",
    ],
    "0b96543": ["wave19-en", "wave19-zhs", "wave19-zht"],
}

# Runs inside the old engine's worktree: only APIs every listed commit has.
_RUNNER = """
import json, sys
from pathlib import Path
from service import review as pipeline
from service.config import ReviewConfig
from service.review import ReviewOptions

out, opts = {}, ReviewOptions(llm="off", config=ReviewConfig())
for plan_id, path in json.loads(sys.argv[2]).items():
    _, res = pipeline.review_file(Path(path), opts)
    out[plan_id] = [
        dict(code=f.code, severity=f.severity, scope=f.scope,
             start_line=f.span.start_line if f.span else None,
             end_line=f.span.end_line if f.span else None)
        for f in res.findings
    ]
Path(sys.argv[1]).write_text(json.dumps(out))
"""


def _rows() -> dict[str, dict]:
    rows = {}
    for path in sorted((EVAL / "datasets").glob("real-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["id"]] = row
    return rows


def _predict(rev: str, plans: dict[str, str], tmp: Path) -> dict[str, list[dict]]:
    tree = tmp / f"engine-{rev}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), rev], check=True
    )
    try:
        runner, out = tmp / "runner.py", tmp / f"{rev}.json"
        runner.write_text(_RUNNER, encoding="utf-8")
        env = {"PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
        subprocess.run(
            [sys.executable, str(runner), str(out), json.dumps(plans)],
            cwd=tree,
            env=env,
            check=True,
        )
        return json.loads(out.read_text())
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])


def main() -> int:
    from service.evaluation.dataset import GoldFinding
    from service.evaluation.matching import Prediction, match_findings

    rows = _rows()
    findings: list[dict] = []
    missed: dict[str, int] = defaultdict(int)
    with tempfile.TemporaryDirectory() as tmp:
        for rev, waves in ENGINES.items():
            plans = {
                pid: str(EVAL / r["plan_file"]) for pid, r in rows.items() if r["wave"] in waves
            }
            print(f"{rev}: {len(plans)} plans of {', '.join(waves)}", file=sys.stderr)
            for pid, preds in _predict(rev, plans, Path(tmp)).items():
                row = rows[pid]
                gold = [GoldFinding(**g) for g in row["gold"]]
                match = match_findings([Prediction(**p) for p in preds], gold)
                hits = {m.pred for m in match.matches}
                missed[row["wave"]] += len(match.unmatched_gold)
                for i, p in enumerate(preds):
                    findings.append(
                        dict(
                            plan=pid,
                            wave=row["wave"],
                            engine=rev,
                            language=row["language"],
                            control=row["negative_control"],
                            **p,
                            tp=i in hits,
                        )
                    )
    OUT.mkdir(exist_ok=True)
    with (OUT / "findings.jsonl").open("w", encoding="utf-8") as fh:
        for f in findings:
            fh.write(json.dumps(f, ensure_ascii=False) + "\n")
    (OUT / "missed.json").write_text(json.dumps(dict(missed), indent=1) + "\n", encoding="utf-8")
    tp = sum(f["tp"] for f in findings)
    fn = sum(missed.values())
    print(f"{len(findings)} findings, {tp} true, {len(findings) - tp} false, {fn} missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
