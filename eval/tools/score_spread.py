"""How far apart the overall scores of weak and strong plans land, on a split's plans.

    .venv/bin/python eval/tools/score_spread.py [--split real]

Prints each plan's overall score with its labelled quality, then min / median / max per
quality. A reviewer whose scores bunch together (weak and strong plans both in 72-95) tells
its users nothing; this is the check.
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict

from service.evaluation.dataset import default_eval_dir, load_dataset
from service.review import ReviewOptions, review_text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="real")
    ap.add_argument("--quiet", action="store_true", help="only the per-quality summary")
    args = ap.parse_args()
    eval_dir = default_eval_dir()
    by_quality: dict[str, list[int]] = defaultdict(list)
    for item in load_dataset(eval_dir, split=args.split):
        text = item.path(eval_dir).read_text(encoding="utf-8")
        review = review_text(text, item.plan_file, ReviewOptions(llm="off"))
        overall = review.scores.get("overall")
        quality = item.quality or "?"
        if overall is not None:
            by_quality[quality].append(int(overall))
        if not args.quiet:
            print(f"{overall!s:>4}  {quality:<6}  {item.id}")
    print()
    print(f"{'quality':<8} {'plans':>5} {'min':>5} {'median':>7} {'max':>5}")
    for quality in ("good", "mixed", "weak", "?"):
        values = by_quality.get(quality)
        if values:
            print(
                f"{quality:<8} {len(values):>5} {min(values):>5} "
                f"{statistics.median(values):>7.0f} {max(values):>5}"
            )


if __name__ == "__main__":
    main()
