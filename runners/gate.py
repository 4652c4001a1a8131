"""The release gate: threshold rules on a candidate, and drop rules against a baseline.

``--require "humaneval+.plus.pass@1>=0.80"``: the candidate's value must satisfy the comparison.
``--max-drop "codearena.win_rate=2.0"``: the candidate may fall at most 2.0 below the baseline
(percentage points for rates, the metric's own units for scores; ``2%`` means relative to the
baseline). A drop beyond the allowance blocks the release only when the paired test over the
tasks both runs share says it is real at the chosen level; without per-task records to test,
such a drop blocks too, so a real drop never passes silently.

CodeArena has two scores, listed and gated under their own names: ``codearena.score_paper``
((2W+T)/2N, the paper's) and ``codearena.score_arena`` (Arena-Hard's, ``>>`` weighted 3).
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Sequence
from enum import StrEnum

from pydantic import Field

from runners.report.loaders import LoadedSource
from runners.report.paired import PairedComparisonResult, collect_task_values, compare_paired
from runners.report.schema import MetricKind, MetricValue
from runners.stats import McNemarMethod
from sandbox.errors import BadInputError
from sandbox.models import FrozenModel

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
_REQUIRE = re.compile(r"^\s*([^<>=!\s]+)\s*(>=|<=|==|>|<)\s*([0-9.eE+-]+)\s*(%?)\s*$")
_MAX_DROP = re.compile(r"^\s*([^<>=!\s]+)\s*=\s*([0-9.eE+]+)\s*(pp|%)?\s*$")


class GateInputError(BadInputError):
    """A gate rule cannot be read or names a metric the results do not have."""


class DropUnit(StrEnum):
    """How a max-drop allowance is measured."""

    POINTS = "pp"
    """Percentage points of a rate (0.80 -> 0.78 is a drop of 2.0)."""
    RELATIVE = "%"
    """Percent of the baseline value."""
    ABSOLUTE = "abs"
    """The metric's own units (scores, grades)."""


class RuleSpec(FrozenModel):
    """One parsed rule."""

    text: str
    metric: str
    op: str | None = Field(None, description="comparison of a require rule")
    threshold: float
    unit: DropUnit | None = Field(None, description="unit of a max-drop allowance")


class RuleResult(FrozenModel):
    """The verdict on one rule, with its one-line reason."""

    rule: str
    passed: bool
    explanation: str
    candidate: float | None = None
    baseline: float | None = None
    paired: PairedComparisonResult | None = None


class GateResult(FrozenModel):
    """All rules; the release may go only if every rule passed."""

    passed: bool
    level: float
    rules: list[RuleResult]


def parse_require(text: str) -> RuleSpec:
    """``metric OP number[%]`` with OP one of >=, <=, >, <, ==."""
    match = _REQUIRE.match(text)
    if not match:
        raise GateInputError(
            f"cannot read --require {text!r}",
            'write it as METRIC>=VALUE, e.g. "humaneval+.plus.pass@1>=0.80"',
        )
    metric, op, number, percent = match.groups()
    value = _parse_number(number, text) / (100.0 if percent else 1.0)
    return RuleSpec(text=text, metric=metric, op=op, threshold=value)


def parse_max_drop(text: str) -> RuleSpec:
    """``metric=number[pp|%]``; the unit defaults to points for rates, own units for scores."""
    match = _MAX_DROP.match(text)
    if not match:
        raise GateInputError(
            f"cannot read --max-drop {text!r}",
            'write it as METRIC=ALLOWED[pp|%], e.g. "codearena.win_rate=2.0"',
        )
    metric, number, unit = match.groups()
    value = _parse_number(number, text)
    if value < 0:
        raise GateInputError(f"--max-drop {text!r}: negative allowance", "use a number >= 0")
    return RuleSpec(
        text=text, metric=metric, threshold=value, unit=DropUnit(unit) if unit else None
    )


def _parse_number(number: str, text: str) -> float:
    try:
        return float(number)
    except ValueError as exc:
        raise GateInputError(f"rule {text!r}: {number!r} is not a number", "use e.g. 0.80") from exc


def merged_metrics(sources: Sequence[LoadedSource], role: str) -> dict[str, MetricValue]:
    """All metrics of one model's result directories (one model per side of the gate)."""
    models = sorted({s.summary.model for s in sources})
    if len(models) > 1:
        raise GateInputError(
            f"--{role} holds results of several models: {', '.join(models)}",
            f"pass only the result directories of one model to --{role}",
        )
    metrics: dict[str, MetricValue] = {}
    for source in sources:
        metrics.update(source.summary.metrics)
    return metrics


def _lookup(metrics: dict[str, MetricValue], name: str, role: str) -> MetricValue:
    if name in metrics:
        return metrics[name]
    close = difflib.get_close_matches(name, list(metrics), n=5, cutoff=0.5)
    shown = close or sorted(metrics)[:8]
    known = ", ".join(shown) or "none"
    raise GateInputError(
        f"metric {name!r} is not in the {role} results",
        f"use one of: {known} (all names: `sandbox report --format json DIR`)",
    )


def check_require(rule: RuleSpec, candidate: dict[str, MetricValue]) -> RuleResult:
    """A threshold on the candidate's value."""
    metric = _lookup(candidate, rule.metric, "candidate")
    op = rule.op or ">="
    ok = _OPS[op](metric.value, rule.threshold)
    shown, wanted = _show(metric.value, metric.kind), _show(rule.threshold, metric.kind)
    verb = "meets" if ok else "fails"
    return RuleResult(
        rule=rule.text,
        passed=ok,
        explanation=f"{shown} {verb} {op} {wanted}",
        candidate=metric.value,
    )


def _show(value: float, kind: MetricKind) -> str:
    return f"{100 * value:.1f}%" if kind is MetricKind.RATE else f"{value:.3g}"


def _drop_amount(baseline: float, candidate: float, unit: DropUnit) -> float:
    if unit is DropUnit.POINTS:
        return 100.0 * (baseline - candidate)
    if unit is DropUnit.RELATIVE:
        return 100.0 * (baseline - candidate) / baseline if baseline else 0.0
    return baseline - candidate


def check_max_drop(
    rule: RuleSpec,
    candidate_sources: Sequence[LoadedSource],
    baseline_sources: Sequence[LoadedSource],
    *,
    level: float,
    method: McNemarMethod,
    seed: int,
    resamples: int,
) -> RuleResult:
    """A bounded drop from baseline to candidate; beyond the bound, a paired test decides."""
    new = _lookup(merged_metrics(candidate_sources, "candidate"), rule.metric, "candidate")
    old = _lookup(merged_metrics(baseline_sources, "baseline"), rule.metric, "baseline")
    unit = rule.unit or (DropUnit.POINTS if new.kind is MetricKind.RATE else DropUnit.ABSOLUTE)
    paired = _paired(
        rule.metric, candidate_sources, baseline_sources, level, method, seed, resamples
    )
    drop = _drop_amount(old.value, new.value, unit)
    unit_text = "" if unit is DropUnit.ABSOLUTE else f" {unit.value}"
    head = (
        f"{_show(old.value, old.kind)} -> {_show(new.value, new.kind)}: drop {drop:.2f}{unit_text}"
    )
    base = {"rule": rule.text, "candidate": new.value, "baseline": old.value, "paired": paired}
    if drop <= rule.threshold:
        return RuleResult(passed=True, explanation=f"{head} <= {rule.threshold:g} allowed", **base)
    if paired is None:
        return RuleResult(
            passed=False,
            explanation=f"{head} > {rule.threshold:g} allowed, and no per-task records on both "
            "sides to test it (an untested drop blocks)",
            **base,
        )
    test = f"{paired.test.value} over {paired.shared} shared tasks, p={paired.p_value:.3g}"
    if paired.p_value < level and paired.difference < 0:
        return RuleResult(
            passed=False,
            explanation=f"{head} > {rule.threshold:g} allowed and real ({test} < {level:g})",
            **base,
        )
    return RuleResult(
        passed=True,
        explanation=f"{head} > {rule.threshold:g} allowed but not significant "
        f"({test} >= {level:g}): treated as noise",
        **base,
    )


def _paired(
    metric: str,
    candidate_sources: Sequence[LoadedSource],
    baseline_sources: Sequence[LoadedSource],
    level: float,
    method: McNemarMethod,
    seed: int,
    resamples: int,
) -> PairedComparisonResult | None:
    new = next((v for s in candidate_sources if (v := collect_task_values(s, metric))), None)
    old = next((v for s in baseline_sources if (v := collect_task_values(s, metric))), None)
    if new is None or old is None:
        return None
    return compare_paired(
        old, new, mcnemar=method, confidence=1.0 - level, seed=seed, resamples=resamples
    )


def evaluate_gate(
    candidate: Sequence[LoadedSource],
    baseline: Sequence[LoadedSource],
    requires: Sequence[str],
    max_drops: Sequence[str],
    *,
    level: float = 0.05,
    method: McNemarMethod = McNemarMethod.MID_P,
    seed: int = 0,
    resamples: int = 10_000,
) -> GateResult:
    """Every rule checked; rules are parsed first so that a typo fails before any work."""
    if not 0.0 < level < 1.0:
        raise GateInputError(f"--level {level} is not in (0, 1)", "use e.g. 0.05")
    if not requires and not max_drops:
        raise GateInputError("no rules given", "add --require and/or --max-drop")
    if max_drops and not baseline:
        raise GateInputError("--max-drop needs a baseline", "pass --baseline DIR")
    require_specs = [parse_require(r) for r in requires]
    drop_specs = [parse_max_drop(r) for r in max_drops]
    metrics = merged_metrics(candidate, "candidate")
    results = [check_require(spec, metrics) for spec in require_specs]
    for spec in drop_specs:
        results.append(
            check_max_drop(
                spec,
                candidate,
                baseline,
                level=level,
                method=method,
                seed=seed,
                resamples=resamples,
            )
        )
    return GateResult(passed=all(r.passed for r in results), level=level, rules=results)
