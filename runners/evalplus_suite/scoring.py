"""Records (one per sample, in results.jsonl) and the summary computed from them."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from runners.evalplus_suite.checks import (
    EXCERPT,
    CheckOutcome,
    CheckSettingsSpec,
    SampleStatus,
    failing_inputs,
)
from runners.evalplus_suite.datasets import DatasetInfo, Problems, SuiteSpec
from runners.evalplus_suite.samples import program_text
from runners.passk import summarize_pass_at_k
from runners.records import (
    DatasetRef,
    EvalplusDetails,
    MetricValue,
    SampleRecord,
    SummaryRecord,
    TimesResult,
    Verdict,
    make_metric,
)
from runners.samples import SampleSpec
from sandbox.models import ExecutionRequest, ExecutionResult

PASS_AT = (1, 10, 100)
HUMANEVAL_32_NOTE = (
    "HumanEval/32 is scored with upstream evalplus's fix of the find_zero oracle; evalplus "
    "0.3.1 fails every solution of that task, its own canonical one included"
)


def build_record(
    *,
    key: str,
    sample: SampleSpec,
    problem: dict[str, Any],
    suite: SuiteSpec,
    dataset: DatasetInfo,
    model: str,
    settings: CheckSettingsSpec,
    outcome: CheckOutcome,
    request: ExecutionRequest,
    result: ExecutionResult,
) -> SampleRecord:
    """One results.jsonl record: verdicts, failing inputs, the first failure, the execution."""
    fails = {
        split: failing_inputs(
            suite,
            sample.task_id,
            getattr(outcome, f"{split}_status"),
            getattr(outcome, f"{split}_details"),
            problem[f"{split}_input"],
            settings.test_details,
        )
        for split in ("base", "plus")
    }
    failure = outcome.first_failure or {}
    verdict = sample_verdict(outcome)
    details = EvalplusDetails(
        dataset={k: str(v) for k, v in dataset.model_dump(exclude={"path", "source"}).items()},
        solution=program_text(sample, problem),
        base_status=outcome.base_status.value,
        plus_status=outcome.plus_status.value if outcome.plus_status else None,
        base_fail_tests=fails["base"],
        plus_fail_tests=fails["plus"],
        tests=_test_counts(outcome, problem, settings),
        first_failure=outcome.first_failure,
        failing_input=_failing_input(failure, problem, suite, sample.task_id),
        expected=failure.get("expected"),
        actual=failure.get("actual", failure.get("exception")),
        stdout=failure.get("stdout", ""),
        stderr=(failure.get("stderr", "") + result.stderr)[:EXCERPT],
        base_s=outcome.base_time_s,
        plus_s=outcome.plus_time_s,
        time_scale=outcome.time_scale,
        note=outcome.note,
        settings=settings.model_dump(),
        raw_answer=sample.raw_answer,
        extraction=sample.extraction,
    )
    return SampleRecord(
        key=key,
        suite=suite.name,
        task_id=sample.task_id,
        sample_index=sample.index,
        source=sample.source,
        language="python",
        model=model,
        status=verdict,
        passed=verdict is Verdict.PASSED,
        detail=outcome.note or _statuses_line(outcome),
        execution_status=result.status,
        times=TimesResult(run_s=result.wall_time_s, total_s=result.total_time_s),
        image_id=result.image_id,
        request=request.model_dump(mode="json"),
        result=result,
        details=details,
    )


def sample_verdict(outcome: CheckOutcome) -> Verdict:
    """The sample's verdict: passed only if every split passed; a sandbox error in any split
    means not judged; otherwise the first split's failure (fail or timeout)."""
    statuses = [outcome.base_status] + ([outcome.plus_status] if outcome.plus_status else [])
    if SampleStatus.ERROR in statuses:
        return Verdict.ERROR
    failing = [s for s in statuses if s is not SampleStatus.PASS]
    if not failing:
        return Verdict.PASSED
    return Verdict.TIMEOUT if failing[0] is SampleStatus.TIMEOUT else Verdict.FAILED


def _statuses_line(outcome: CheckOutcome) -> str:
    plus = f", plus: {outcome.plus_status.value}" if outcome.plus_status else ""
    return f"base: {outcome.base_status.value}{plus}"


def _passed(outcome: CheckOutcome) -> bool:
    base = outcome.base_status is SampleStatus.PASS
    return base and outcome.plus_status in {None, SampleStatus.PASS}


def _test_counts(
    outcome: CheckOutcome, problem: dict[str, Any], settings: CheckSettingsSpec
) -> dict[str, dict[str, int]]:
    counts = {}
    for split in settings.splits():
        details: list[bool] = getattr(outcome, f"{split}_details")
        counts[split] = {
            "total": len(problem[f"{split}_input"]),
            "run": len(details),
            "passed": sum(details),
        }
    return counts


def _failing_input(
    failure: dict[str, Any], problem: dict[str, Any], suite: SuiteSpec, task_id: str
) -> str | None:
    split, index = failure.get("split"), failure.get("index")
    if split is None or index is None or index >= len(problem[f"{split}_input"]):
        return None
    inputs = [problem[f"{split}_input"][index]]
    if suite.dataset == "mbpp":
        from evalplus.data.mbpp import mbpp_serialize_inputs

        inputs = mbpp_serialize_inputs(task_id, inputs)
    return json.dumps(inputs[0], default=repr)[:EXCERPT]


def summarize(
    records: Sequence[SampleRecord],
    *,
    suite: SuiteSpec,
    dataset: DatasetInfo,
    model: str,
    problems: Problems,
    expected_samples: int,
) -> SummaryRecord:
    """Metrics as ``evalplus.evaluate`` prints them (pass@k over tasks), counts, completeness."""
    base: dict[str, list[bool]] = defaultdict(list)
    plus: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        base[record.task_id].append(_details(record).base_status == SampleStatus.PASS)
        plus[record.task_id].append(record.passed)
    pass_at_k: dict[str, dict[str, float]] = {
        "base": summarize_pass_at_k({t: (len(v), sum(v)) for t, v in base.items()}, PASS_AT)
    }
    statuses: dict[str, dict[str, int]] = {
        "base": dict(Counter(_details(r).base_status for r in records))
    }
    if not suite.base_only:
        pass_at_k["plus"] = summarize_pass_at_k(
            {t: (len(v), sum(v)) for t, v in plus.items()}, PASS_AT
        )
        statuses["plus"] = dict(Counter(str(_details(r).plus_status) for r in records))
    errors = sum(not r.final for r in records)
    deviations = (
        [HUMANEVAL_32_NOTE] if suite.dataset == "humaneval" and "HumanEval/32" in problems else []
    )
    complete = errors == 0 and len(records) == expected_samples and len(base) == len(problems)
    return SummaryRecord(
        kind="suite",
        name=suite.name,
        model=model,
        complete=complete,
        metrics=_gate_metrics(suite.name, pass_at_k, len(base)),
        counts={"tasks": len(base), "samples": len(records), "errors": errors},
        dataset=DatasetRef(
            name=dataset.name,
            path=dataset.path,
            hash=dataset.hash,
            source=dataset.source,
            version=dataset.version,
        ),
        details={"pass_at_k": pass_at_k, "statuses": statuses, "deviations": deviations},
    )


def _details(record: SampleRecord) -> EvalplusDetails:
    if not isinstance(record.details, EvalplusDetails):
        raise ValueError(f"{record.key}: not an evalplus record")
    return record.details


def _gate_metrics(
    name: str, pass_at_k: dict[str, dict[str, float]], tasks: int
) -> dict[str, MetricValue]:
    """``<suite>.<base|plus>.pass@k``, the names gate rules use."""
    return {
        f"{name}.{split}.{k}": make_metric(f"{name}.{split}.{k}", value, tasks)
        for split, values in pass_at_k.items()
        for k, value in values.items()
    }
