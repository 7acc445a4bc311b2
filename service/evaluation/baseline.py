"""The regression gate: compare a run with a committed baseline, and bless new baselines.

A baseline (``eval/baselines/<mode>-<split>.json``) holds the run's meta, metrics and the
tolerance it was blessed with. ``compare`` lists every regression beyond the tolerance:

- overall F1, or the F1 of any language or family, drops by more than ``f1`` (0.02);
- the F1 of any code that had gold support drops by more than ``code_f1`` (0.05): disabling
  one rule always trips this;
- an error-severity finding appears on a negative control that the baseline did not have;
- false positives per negative control rise by more than ``fp_per_control`` (0.25);
- span accuracy drops by more than ``span`` (0.05); quote fidelity by more than ``quote`` (0.0);
- the run was made under other conditions: another rules version, configuration or set of
  disabled codes (the numbers would not be comparable);
- an absolute floor is broken (``Floors``: overall and per-language F1, errors on negative
  controls), whatever the baseline says.

Blessing compares first: a run that regresses is blessed only with a stated reason
(``--allow-regression``), which the baseline keeps; a tree with uncommitted changes to the
engine or the eval data is never blessed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from service.errors import ConfigError
from service.evaluation.runner import EvalRun

BASELINE_DIR = Path(__file__).resolve().parents[2] / "eval" / "baselines"


class Tolerance(BaseModel):
    f1: float = Field(
        default=0.02, description="Largest allowed drop of overall/language/family F1."
    )
    code_f1: float = Field(default=0.05, description="Largest allowed drop of a code's F1.")
    fp_per_control: float = Field(
        default=0.25, description="Largest allowed rise of FPs per negative control."
    )
    span: float = Field(default=0.05, description="Largest allowed drop of span accuracy.")
    quote: float = Field(default=0.0, description="Largest allowed drop of quote fidelity.")


class Floors(BaseModel):
    """Absolute bars a run must clear whatever its baseline says (stored in the baseline)."""

    min_f1: float | None = Field(default=None, description="Lowest allowed overall F1.")
    min_language_f1: float | None = Field(
        default=None, description="Lowest allowed F1 within any language."
    )
    max_control_errors: int | None = Field(
        default=0, description="Most error-severity findings allowed on negative controls."
    )


class Regression(BaseModel):
    metric: str
    baseline: Any = None
    current: Any = None
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.metric}: {self.baseline} -> {self.current}" + (
            f" ({self.detail})" if self.detail else ""
        )


class Comparison(BaseModel):
    baseline_file: str
    regressions: list[Regression] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    tolerance: Tolerance = Field(default_factory=Tolerance)

    @property
    def ok(self) -> bool:
        return not self.regressions


def baseline_path(mode: str, split: str, language: str | None = None) -> Path:
    name = f"{mode}-{split}" + (f"-{language}" if language else "")
    return BASELINE_DIR / f"{name}.json"


def summary(
    run: EvalRun,
    tolerance: Tolerance | None = None,
    floors: Floors | None = None,
    allowed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a baseline file holds: meta, metrics (no per-plan predictions), the tolerance and
    floors, and the reason a regression was accepted when one was."""
    data: dict[str, Any] = {
        "meta": run.meta.model_dump(),
        "metrics": run.metrics.model_dump(),
        "tolerance": (tolerance or Tolerance()).model_dump(),
        "floors": (floors or Floors()).model_dump(),
    }
    if allowed:
        data["allowed_regression"] = allowed
    return data


class BlessRefused(ConfigError):
    """The run may not become the baseline (a regression without a reason, a dirty tree)."""


def bless(
    run: EvalRun,
    path: Path,
    tolerance: Tolerance | None = None,
    *,
    previous: Comparison | None = None,
    allow_regression: str | None = None,
    floors: Floors | None = None,
) -> Path:
    """Write ``run`` as the baseline at ``path``. ``previous`` is the run compared with the
    baseline it replaces: its regressions need ``allow_regression`` (a reason, kept in the
    file). Runs from a tree with uncommitted engine or eval changes are refused."""
    if run.meta.git_dirty:
        raise BlessRefused(
            f"{path}: not blessed: the tree has uncommitted changes to service/, eval/, "
            "knowledge/ or prompts/",
            hint="commit them first, so the baseline names the commit it measures",
        )
    allowed = None
    if previous is not None and previous.regressions:
        if not (allow_regression and allow_regression.strip()):
            raise BlessRefused(
                f"{path}: not blessed: {len(previous.regressions)} regression(s) against it",
                hint='say why they are acceptable with --allow-regression "<reason>"',
            )
        allowed = {
            "reason": allow_regression.strip(),
            "regressions": [str(r) for r in previous.regressions],
            "git_sha": run.meta.git_sha,
        }
    if floors is None and path.is_file():
        try:
            floors = Floors.model_validate(load_baseline(path).get("floors") or {})
        except ConfigError:
            floors = None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            summary(run, tolerance, floors, allowed), ensure_ascii=False, indent=2, sort_keys=True
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: baseline not found",
            hint="create it with `planreview eval --bless` once the numbers are right",
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: baseline is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or "metrics" not in data:
        raise ConfigError(f"{path}: not a baseline file (no 'metrics')")
    return data


def _f1(counts: dict[str, Any] | None) -> float | None:
    if not counts:
        return None
    value = counts.get("f1")
    return None if value is None else float(value)


def _drop(
    name: str, base: float | None, cur: float | None, tol: float, out: Comparison, detail: str = ""
) -> None:
    if base is None:
        return
    current = 0.0 if cur is None else cur
    if base - current > tol + 1e-9:
        out.regressions.append(
            Regression(
                metric=name,
                baseline=round(base, 4),
                current=round(current, 4),
                detail=detail or f"dropped by {base - current:.3f} (tolerance {tol})",
            )
        )
    elif current - base > tol + 1e-9:
        out.improvements.append(f"{name}: {base:.3f} -> {current:.3f}")


def _floors(run: EvalRun, floors: Floors, out: Comparison) -> None:
    m = run.metrics
    checks: list[tuple[str, float | None, float | None]] = [
        ("overall F1", floors.min_f1, m.overall.f1)
    ]
    checks += [
        (f"language {lang} F1", floors.min_language_f1, counts.f1)
        for lang, counts in sorted(m.by_language.items())
    ]
    for name, floor, value in checks:
        if floor is not None and (value or 0.0) < floor - 1e-9:
            out.regressions.append(
                Regression(
                    metric=f"floor: {name}", baseline=floor, current=value, detail="below the floor"
                )
            )
    errors = len(m.negative_controls.errors)
    if floors.max_control_errors is not None and errors > floors.max_control_errors:
        out.regressions.append(
            Regression(
                metric="floor: errors on negative controls",
                baseline=floors.max_control_errors,
                current=errors,
                detail="well-made plans must draw no error",
            )
        )


def compare(
    run: EvalRun,
    baseline: dict[str, Any],
    *,
    baseline_file: str = "",
    tolerance: Tolerance | None = None,
) -> Comparison:
    tol = tolerance or Tolerance.model_validate(baseline.get("tolerance") or {})
    out = Comparison(baseline_file=baseline_file, tolerance=tol)
    bm: dict[str, Any] = baseline["metrics"]
    cm = run.metrics.model_dump()
    bmeta = baseline.get("meta", {})
    for key in ("mode", "split"):
        if bmeta.get(key) not in (None, getattr(run.meta, key)):
            out.notes.append(
                f"baseline {key} is {bmeta.get(key)!r}, this run is {getattr(run.meta, key)!r}"
            )
    for key, label in (
        ("rules_version", "rules version"),
        ("config_hash", "configuration"),
        ("disabled_codes", "disabled codes"),
    ):
        want, got = bmeta.get(key), getattr(run.meta, key)
        if want is not None and want != got:
            out.regressions.append(
                Regression(
                    metric=f"run conditions: {label}",
                    baseline=want,
                    current=got,
                    detail="not comparable with the baseline; re-bless after checking the numbers",
                )
            )
    _floors(run, Floors.model_validate(baseline.get("floors") or {}), out)
    if bmeta.get("dataset_hash") and bmeta.get("dataset_hash") != run.meta.dataset_hash:
        out.notes.append(
            "the dataset changed since the baseline was blessed (figures may move for that reason)"
        )

    _drop("overall F1", _f1(bm.get("overall")), _f1(cm["overall"]), tol.f1, out)
    for group, tol_value in (("by_language", tol.f1), ("by_family", tol.f1)):
        for key, counts in sorted((bm.get(group) or {}).items()):
            _drop(
                f"{group.removeprefix('by_')} {key} F1",
                _f1(counts),
                _f1(cm[group].get(key)),
                tol_value,
                out,
            )
    for code, counts in sorted((bm.get("by_code") or {}).items()):
        if (counts.get("tp", 0) + counts.get("fn", 0)) == 0:
            continue
        cur = cm["by_code"].get(code)
        _drop(
            f"code {code} F1",
            _f1(counts),
            _f1(cur),
            tol.code_f1,
            out,
            detail=""
            if cur and cur.get("tp")
            else "no longer found at all (rule disabled or broken?)",
        )

    base_errors = {
        (e["plan"], e["code"], e.get("line"))
        for e in bm.get("negative_controls", {}).get("errors", [])
    }
    for e in cm["negative_controls"]["errors"]:
        found = (e["plan"], e["code"], e.get("line"))
        if found not in base_errors:
            out.regressions.append(
                Regression(
                    metric="new error on a negative control",
                    current=f"{found[0]}:{found[2]} {found[1]}",
                    detail="well-made plans must draw no error",
                )
            )
    b_fp = (bm.get("negative_controls") or {}).get("fp_per_plan")
    c_fp = cm["negative_controls"]["fp_per_plan"]
    if b_fp is not None and c_fp is not None and c_fp - b_fp > tol.fp_per_control + 1e-9:
        out.regressions.append(
            Regression(
                metric="false positives per negative control",
                baseline=b_fp,
                current=c_fp,
                detail=f"rose by more than {tol.fp_per_control}",
            )
        )
    _drop(
        "span accuracy",
        (bm.get("span_accuracy") or {}).get("value"),
        cm["span_accuracy"]["value"],
        tol.span,
        out,
    )
    _drop(
        "quote fidelity",
        (bm.get("quote_fidelity") or {}).get("value"),
        cm["quote_fidelity"]["value"],
        tol.quote,
        out,
    )
    return out
