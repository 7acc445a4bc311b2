"""Offline review speed: start-up, parse, rules and whole-command wall clock.

    .venv/bin/python benchmarks/bench_review.py [--words 5000] [--runs 5]

Prints figures for an English and a Chinese plan of about --words words (Chinese:
characters), so later changes can be compared. Target: `planreview review` of a
5,000-word plan under 1 s wall clock, start-up included, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EN_SECTION = """
## Workstream {n}: Regional rollout {n}

Background: in 2025 the region handled 12,000 orders a month and on-time delivery was 91%.

### Goals

- Raise on-time delivery in region {n} from 91% to 96% by 2026-12-31
- Improve customer satisfaction
- Cut cost per order by 8%

### Tasks

| Task | Owner | Due |
|---|---|---|
| Re-route trunk lines for region {n} | Ops lead {n} | 2026-06-30 |
| Renegotiate carrier contract {n} | | 2026-08-31 |

- Train dispatchers on the new planning tool (Training team)
- Publish a weekly exception report

### Risks

- Carrier capacity shortfall in peak season — mitigation: pre-book 10% extra capacity (High impact)
- Tool adoption is slow
"""

ZH_SECTION = """
## 第{n}部分：区域{n}推进计划

背景：2025年该区域月均订单1.2万单，准时交付率91%。

### 目标

- 区域{n}准时交付率由91%提升至96%，2026年12月31日前完成
- 提升客户满意度
- 单均成本下降8%

### 重点工作

| 任务 | 负责人 | 完成时间 |
|---|---|---|
| 干线路由优化（区域{n}） | 运营经理{n} | 2026年6月30日 |
| 承运商合同重谈{n} | | 2026年8月31日 |

- 调度员新系统培训（培训组）
- 每周发布异常报告

### 风险

- 旺季运力不足——应对：提前预订10%备用运力（影响：高）
- 新系统推广慢
"""


def make_plan(lang: str, words: int) -> str:
    from service.text import count_words

    head = (
        "# 2026年度区域交付计划\n\n计划周期：2026年1月1日—12月31日\n"
        if lang == "zh"
        else "# 2026 Regional Delivery Plan\n\nPeriod: 2026-01-01 to 2026-12-31\n"
    )
    section = ZH_SECTION if lang == "zh" else EN_SECTION
    parts = [head]
    n = 1
    while count_words("".join(parts)) < words:
        parts.append(section.format(n=n))
        n += 1
    return "".join(parts)


def wall_clock(path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "service",
                "review",
                str(path),
                "--format",
                "json",
                "--fail-on",
                "never",
                "-o",
                str(path.with_suffix(".json")),
            ],
            check=True,
        )
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import service.cli"], check=True)
    startup = time.perf_counter() - t0
    print(f"start-up (python + import service.cli): {startup * 1000:.0f} ms")

    from service.ingest.markdown import parse_markdown
    from service.review import ReviewOptions, review_plan

    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("en", "zh"):
            text = make_plan(lang, args.words)
            path = Path(tmp) / f"plan-{lang}.md"
            path.write_text(text, encoding="utf-8")
            parse_times, rule_times, ground_times = [], [], []
            findings = 0
            for _ in range(args.runs):
                t1 = time.perf_counter()
                plan = parse_markdown(text, source=str(path))
                parse_times.append(time.perf_counter() - t1)
                review = review_plan(plan, ReviewOptions(llm="off"))
                rule_times.append(review.timings_ms["rules"] / 1000)
                ground_times.append(review.timings_ms["retrieve"] / 1000)
                findings = len(review.findings)
            walls = wall_clock(path, args.runs)
            print(
                f"[{lang}] {plan.words} words, {len(plan.lines)} lines, {len(plan.blocks)} blocks, {findings} findings"
            )
            print(f"  parse     median {statistics.median(parse_times) * 1000:7.1f} ms")
            print(f"  rules     median {statistics.median(rule_times) * 1000:7.1f} ms")
            print(f"  grounding median {statistics.median(ground_times) * 1000:7.1f} ms")
            print(
                f"  `planreview review` wall clock: median {statistics.median(walls):.2f} s, "
                f"max {max(walls):.2f} s over {args.runs} runs"
            )


if __name__ == "__main__":
    main()
