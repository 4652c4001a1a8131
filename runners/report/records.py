"""Per-sample views of a suite's records: CI test cases and the failing case of a sample.

Records are the contract's ``SampleRecord``s (runners/records.py): the verdict, the reason,
the execution and the suite's own details are read from typed fields, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from runners.records import EvalplusDetails, ProgramDetails, SampleRecord, Verdict
from runners.report.loaders import LoadedSource
from runners.report.schema import SampleOutcome, SampleStatus

_OUTPUT_CAP = 2000


def iter_sample_outcomes(source: LoadedSource) -> Iterator[SampleOutcome]:
    """Each suite record as a CI test case; judge records are not test cases."""
    for record in source.sample_records():
        yield make_sample_outcome(source, record)


def make_sample_outcome(source: LoadedSource, record: SampleRecord) -> SampleOutcome:
    """One record as a passed / failed / error test case with a short reason and the output."""
    if record.status is Verdict.ERROR:
        status = SampleStatus.ERROR
    else:
        status = SampleStatus.PASSED if record.passed else SampleStatus.FAILED
    execution = record.execution_status
    if record.passed:
        verdict = "pass"
    elif execution is not None and execution.value != "ok":
        verdict = execution.value
    else:
        verdict = "wrong_answer" if record.status is Verdict.FAILED else record.status.value
    return SampleOutcome(
        model=source.summary.model,
        source=source.summary.name,
        task_id=record.task_id,
        sample=record.sample_index,
        language=record.language,
        status=status,
        verdict=verdict,
        message="" if record.passed else _failure_message(record, verdict),
        output="" if record.passed else _failure_output(record),
        time_s=record.times.run_s,
    )


def _failure_message(record: SampleRecord, verdict: str) -> str:
    split = ""
    if isinstance(record.details, EvalplusDetails):
        plus = record.details.plus_status
        split = f"base: {record.details.base_status}" + (f", plus: {plus}" if plus else "")
    text = f"{split or 'fail'} ({verdict})"
    error = record.result.error if record.result is not None else None
    return (f"{text}: {error}" if error else f"{text}: {record.detail}")[:300]


def _failure_output(record: SampleRecord) -> str:
    lines = [f"{label}: {value}" for label, value in failing_case(record).items()]
    if record.result is not None:
        for label in ("compile_output", "stderr", "stdout"):
            text = str(getattr(record.result, label) or "").strip()
            if text:
                lines.append(f"--- {label} ---\n{text[-_OUTPUT_CAP:]}")
    return "\n".join(lines)


def failing_case(record: SampleRecord) -> dict[str, str]:
    """The failing input with expected and actual output, when the suite recorded them
    (evalplus: the first failing test; an output-matching task: the reference program's
    output against the sample's, on the same stdin)."""
    details = record.details
    if isinstance(details, ProgramDetails):
        return _output_mismatch(record, details)
    found: dict[str, str] = {}
    for label, value in (
        ("input", details.failing_input),
        ("expected", details.expected),
        ("actual", details.actual),
    ):
        if value is not None:
            found[label] = _short(value)
    if "input" not in found:
        tests = details.plus_fail_tests or details.base_fail_tests
        if tests:
            found["input"] = _short(tests[0])
    return found


def _output_mismatch(record: SampleRecord, details: ProgramDetails) -> dict[str, str]:
    reference, result = details.reference_result, record.result
    if reference is None or result is None or record.passed:
        return {}
    stdin = (record.request or {}).get("stdin")
    found = {"input": _short(stdin)} if stdin else {}
    return {**found, "expected": _short(reference.stdout), "actual": _short(result.stdout)}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 500 else text[:500] + "..."
