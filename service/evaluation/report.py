"""Render an eval run: a Rich terminal table, results.json and an HTML report.

The HTML report (Jinja2, ``templates/report.html.j2``) shows per-family P/R/F1 as inline SVG
bars, the misses (gold findings not found, errors first) and the false positives, each with
plan id, line, code and the plan's text on that line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from rich.console import Console
from rich.table import Table

from service.evaluation.baseline import Comparison
from service.evaluation.metrics import NOT_EVALUATED, Counts, Metric
from service.evaluation.runner import EvalRun
from service.rules.catalogue import BY_CODE, FAMILIES

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def fmt_metric(m: Metric) -> str:
    return NOT_EVALUATED if m.value is None else f"{m.value:.3f}"


def _row(name: str, c: Counts) -> list[str]:
    return [name, str(c.tp), str(c.fp), str(c.fn), fmt(c.precision), fmt(c.recall), fmt(c.f1)]


def render_terminal(
    run: EvalRun, console: Console, comparison: Comparison | None = None, show_codes: bool = False
) -> None:
    m = run.metrics
    meta = run.meta
    console.print(
        f"[bold]planreview eval[/bold] mode={meta.mode} split={meta.split} plans={meta.plans} "
        f"rules={meta.rules_version or '?'} git={meta.git_sha[:10] or '?'}"
        f"{' (dirty)' if meta.git_dirty else ''} in {meta.duration_s:.1f} s"
    )
    table = Table(title="Findings matched to gold (micro P/R/F1)")
    for col in ("scope", "TP", "FP", "FN", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "scope" else "right")
    table.add_row(*_row("overall", m.overall), style="bold")
    for lang, c in m.by_language.items():
        table.add_row(*_row(f"language {lang}", c))
    if len(m.by_split) > 1:
        for split, c in m.by_split.items():
            table.add_row(*_row(f"split {split}", c))
    for source, c in m.by_source.items():
        table.add_row(*_row(f"source {source}", c))
    for fam, c in m.by_family.items():
        table.add_row(*_row(f"family {fam}", c))
    if show_codes:
        for code, c in m.by_code.items():
            table.add_row(*_row(f"  {code}", c), style="dim")
    console.print(table)
    other = Table(title="Other figures")
    other.add_column("metric")
    other.add_column("value", justify="right")
    other.add_column("note")
    nc = m.negative_controls
    other.add_row("span accuracy", fmt_metric(m.span_accuracy), m.span_accuracy.note)
    other.add_row(
        "FPs per negative control",
        fmt(nc.fp_per_plan),
        f"{nc.false_positives} FPs on {nc.plans} plans",
    )
    other.add_row(
        "errors on negative controls",
        str(len(nc.errors)),
        ", ".join(f"{e['plan']}:{e['line']} {e['code']}" for e in nc.errors[:4]),
    )
    other.add_row("quote fidelity", fmt_metric(m.quote_fidelity), m.quote_fidelity.note)
    other.add_row("citation validity", fmt_metric(m.citation_validity), m.citation_validity.note)
    lat = m.latency_ms
    other.add_row(
        "latency p50 / p95 (ms)", f"{fmt1(lat.get('p50'))} / {fmt1(lat.get('p95'))}", "per plan"
    )
    other.add_row(
        "tokens per plan",
        f"{m.usage.get('tokens_per_plan', 0):.0f}",
        f"{m.usage.get('llm_calls', 0):.0f} LLM calls",
    )
    for name, value in retrieval_rows(m.retrieval):
        other.add_row(name, value, "")
    if m.retrieval is None:
        other.add_row("retrieval recall@k / MRR", NOT_EVALUATED, m.retrieval_status)
    for name, metric in m.llm_judge.items():
        other.add_row(name.replace("_", " "), fmt_metric(metric), metric.note)
    console.print(other)
    if comparison is not None:
        render_comparison(comparison, console)


def fmt1(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def retrieval_rows(retrieval: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not retrieval:
        return []
    groups = retrieval.get("groups", {})
    rows = []
    for group in ("all", "en", "zh", "plans"):
        g = groups.get(group)
        if g:
            rows.append(
                (
                    f"retrieval {group} ({retrieval.get('mode')})",
                    f"R@1 {g['recall@1']:.2f} R@3 {g['recall@3']:.2f} R@5 {g['recall@5']:.2f} MRR {g['mrr']:.2f}",
                )
            )
    return rows


def render_comparison(comparison: Comparison, console: Console) -> None:
    for note in comparison.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if comparison.ok:
        console.print(f"[green]no regression[/green] against {comparison.baseline_file}")
        for imp in comparison.improvements[:10]:
            console.print(f"  improved: {imp}")
        return
    console.print(
        f"[red bold]{len(comparison.regressions)} regression(s)[/red bold] against "
        f"{comparison.baseline_file}:"
    )
    for reg in comparison.regressions:
        console.print(f"  [red]✗[/red] {reg}")


def write_json(run: EvalRun, path: Path, comparison: Comparison | None = None) -> Path:
    data = run.model_dump()
    if comparison is not None:
        data["comparison"] = comparison.model_dump()
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _line_text(
    eval_dir: Path, plan_file: str, line: int | None, cache: dict[str, list[str]]
) -> str:
    if line is None:
        return ""
    if plan_file not in cache:
        try:
            cache[plan_file] = (eval_dir / plan_file).read_text(encoding="utf-8").split("\n")
        except OSError:
            cache[plan_file] = []
    lines = cache[plan_file]
    return lines[line - 1].strip()[:160] if 0 < line <= len(lines) else ""


def misses_and_fps(
    run: EvalRun, eval_dir: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Gold findings not found (errors first) and false positives, with their plan lines."""
    cache: dict[str, list[str]] = {}
    misses: list[dict[str, Any]] = []
    fps: list[dict[str, Any]] = []
    for o in run.plans:
        for gi in o.match.unmatched_gold:
            g = o.gold[gi]
            spec = BY_CODE.get(g.code)
            misses.append(
                {
                    "plan": o.id,
                    "line": g.line,
                    "code": g.code,
                    "severity": spec.severity if spec else "info",
                    "text": _line_text(eval_dir, o.plan_file, g.line, cache),
                    "negative_control": o.negative_control,
                }
            )
        for pi in o.match.unmatched_pred:
            p = o.predictions[pi]
            fps.append(
                {
                    "plan": o.id,
                    "line": p.start_line,
                    "code": p.code,
                    "severity": p.severity,
                    "text": _line_text(eval_dir, o.plan_file, p.start_line, cache)
                    if p.scope == "block"
                    else "",
                    "message": p.message,
                    "negative_control": o.negative_control,
                }
            )

    def key(r: dict[str, Any]) -> tuple[int, bool, str, int]:
        return (
            SEVERITY_ORDER.get(r["severity"], 3),
            not r["negative_control"],
            r["plan"],
            r["line"] or 0,
        )

    return sorted(misses, key=key), sorted(fps, key=key)


def family_bars(run: EvalRun) -> str:
    """Inline SVG: one group of P/R/F1 bars per family."""
    fams = list(run.metrics.by_family.items())
    bar_h, gap, label_w, width = 9, 10, 120, 300
    group_h = 3 * bar_h + gap
    height = max(group_h * len(fams) + 30, 60)
    colours = (("precision", "#4e79a7"), ("recall", "#f28e2b"), ("f1", "#59a14f"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + width + 60}" height="{height}" '
        f'role="img" aria-label="P/R/F1 per family" font-family="sans-serif" font-size="11">'
    ]
    for i, (fam, c) in enumerate(fams):
        y0 = 20 + i * group_h
        parts.append(f'<text x="0" y="{y0 + 2 * bar_h}">{FAMILIES.get(fam, (fam,))[0]}</text>')
        for j, (attr, colour) in enumerate(colours):
            v = getattr(c, attr)
            w = 0 if v is None else v * width
            y = y0 + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 1}" fill="{colour}">'
                f"<title>{fam} {attr}: {fmt(v)}</title></rect>"
            )
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 1}">{fmt(v)}</text>')
    for j, (attr, colour) in enumerate(colours):
        parts.append(
            f'<rect x="{label_w + j * 90}" y="2" width="10" height="10" fill="{colour}"/>'
            f'<text x="{label_w + j * 90 + 14}" y="11">{attr}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(
    run: EvalRun, eval_dir: Path, comparison: Comparison | None = None, max_rows: int = 60
) -> str:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters["fmt"] = fmt
    env.filters["fmt_metric"] = fmt_metric
    misses, fps = misses_and_fps(run, eval_dir)
    template = env.get_template("report.html.j2")
    return template.render(
        run=run,
        meta=run.meta,
        m=run.metrics,
        comparison=comparison,
        bars=family_bars(run),
        misses=misses[:max_rows],
        fps=fps[:max_rows],
        n_misses=len(misses),
        n_fps=len(fps),
        retrieval=retrieval_rows(run.metrics.retrieval),
        families=FAMILIES,
        not_evaluated=NOT_EVALUATED,
    )


def write_html(
    run: EvalRun, path: Path, eval_dir: Path, comparison: Comparison | None = None
) -> Path:
    path.write_text(render_html(run, eval_dir, comparison), encoding="utf-8")
    return path
