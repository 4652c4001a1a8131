"""Per-task values of one metric, and the paired test of a candidate against a baseline.

One sample per task on both sides and a pass/fail metric: McNemar's test on the shared tasks.
Otherwise (several samples per task, grades, scores): per-task values (the unbiased pass@k
estimate, or the mean of the task's judgments) compared with the paired bootstrap.
"""

from __future__ import annotations

import re
from enum import StrEnum

from runners.judge.protocol import get_protocol, protocol_names
from runners.passk import TaskValues
from runners.report.judge_units import codal_values, codearena_values
from runners.report.loaders import LoadedSource
from runners.report.schema import SourceKind
from runners.stats import McNemarMethod, run_mcnemar, run_paired_bootstrap, run_sign_flip_test
from runners.suites import find_suite
from sandbox.models import FrozenModel

_PASS_AT = re.compile(r"^pass@(\d+)$")
SMALL_SAMPLE = 10
"""Below this many shared tasks the bootstrap p-value is too optimistic; an exact sign-flip
test gives it instead (the interval stays the bootstrap's)."""


class PairedTest(StrEnum):
    """Which paired test compared the two runs."""

    MCNEMAR_EXACT = "mcnemar-exact"
    MCNEMAR_MID_P = "mcnemar-mid-p"
    BOOTSTRAP = "paired-bootstrap"
    SIGN_FLIP = "exact-sign-flip"


class PairedComparisonResult(FrozenModel):
    """Candidate minus baseline over the tasks both runs share."""

    test: PairedTest
    shared: int
    baseline_mean: float
    candidate_mean: float
    difference: float
    p_value: float
    low: float | None = None
    high: float | None = None


def collect_task_values(source: LoadedSource, metric: str) -> TaskValues | None:
    """Per-task values of ``metric`` from the source's records, computed by the suite or the
    judge protocol that wrote them; None if they cannot be derived."""
    if source.records_path is None or metric not in source.summary.metrics:
        return None
    if source.summary.kind is SourceKind.JUDGE:
        return _judge_values(source, metric)
    suite = find_suite(source.summary.name)
    if suite is None:
        return None
    return suite.task_values(source.record, metric, source.sample_records())


def _judge_values(source: LoadedSource, metric: str) -> TaskValues | None:
    parts = metric.removeprefix(source.summary.name + ".").split(".")
    records = source.iter_records()
    found = None
    if _scored_as(source.summary.name) == "codearena":
        found = codearena_values(records, source.summary.model, parts)
    elif source.summary.name == "codal":
        found = codal_values(records, parts)
    if found is None or not found[0]:
        return None
    return TaskValues(metric=metric, binary=found[1], k=None, per_task=found[0])


def _scored_as(name: str) -> str:
    """A grounded protocol's games are scored as its base protocol's."""
    if name not in protocol_names():
        return name
    grounds = get_protocol(name).grounds
    return grounds[0] if grounds else name


def compare_paired(
    baseline: TaskValues,
    candidate: TaskValues,
    *,
    mcnemar: McNemarMethod = McNemarMethod.MID_P,
    confidence: float = 0.95,
    resamples: int = 10_000,
    seed: int = 0,
) -> PairedComparisonResult | None:
    """The paired test over shared tasks; None when the runs share no task."""
    shared = sorted(set(baseline.per_task) & set(candidate.per_task))
    if not shared:
        return None
    single = all(len(baseline.per_task[t]) == len(candidate.per_task[t]) == 1 for t in shared)
    if baseline.binary and candidate.binary and single:
        old = [baseline.per_task[t][0] >= 0.5 for t in shared]
        new = [candidate.per_task[t][0] >= 0.5 for t in shared]
        test = run_mcnemar(old, new, mcnemar)
        n = len(shared)
        return PairedComparisonResult(
            test=PairedTest.MCNEMAR_EXACT
            if mcnemar is McNemarMethod.EXACT
            else PairedTest.MCNEMAR_MID_P,
            shared=n,
            baseline_mean=sum(old) / n,
            candidate_mean=sum(new) / n,
            difference=(test.only_candidate - test.only_baseline) / n,
            p_value=test.p_value,
        )
    old_scores, new_scores = baseline.task_scores(), candidate.task_scores()
    old_list = [old_scores[t] for t in shared]
    new_list = [new_scores[t] for t in shared]
    boot = run_paired_bootstrap(
        old_list, new_list, resamples=resamples, confidence=confidence, seed=seed
    )
    small = len(shared) < SMALL_SAMPLE
    return PairedComparisonResult(
        test=PairedTest.SIGN_FLIP if small else PairedTest.BOOTSTRAP,
        shared=len(shared),
        baseline_mean=sum(old_list) / len(shared),
        candidate_mean=sum(new_list) / len(shared),
        difference=boot.mean_difference,
        p_value=run_sign_flip_test(old_list, new_list) if small else boot.p_value,
        low=boot.low,
        high=boot.high,
    )
