"""Turn execution results (or a document comparison) into one record per sample.

A verdict is ``passed`` only for a clean run whose check holds; a timeout is never a pass and
a sandbox failure is ``error`` (infrastructure, retried by a re-run), never a pass or a fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from runners.multilang.compare import compare_documents, compare_outputs
from runners.multilang.models import CheckKind
from runners.records import ProgramDetails, SampleRecord, TimesResult, Verdict
from sandbox.models import ExecutionResult, Status

if TYPE_CHECKING:
    from runners.multilang.plan import SampleJob

EXCERPT_CHARS = 2000


def verdict_of(result: ExecutionResult) -> Verdict:
    """The verdict an execution alone supports."""
    if result.status is Status.OK:
        return Verdict.PASSED
    if result.status is Status.TIMEOUT:
        return Verdict.TIMEOUT
    if result.status is Status.SANDBOX_ERROR:
        return Verdict.ERROR
    return Verdict.FAILED


def judge_output_match(result: ExecutionResult, reference: ExecutionResult) -> tuple[Verdict, str]:
    """AWK: the program must run cleanly and print exactly what the canonical program prints."""
    verdict = verdict_of(result)
    if verdict is not Verdict.PASSED:
        return verdict, describe(result)
    if reference.status is Status.SANDBOX_ERROR:
        return Verdict.ERROR, "the reference program hit a sandbox error"
    if reference.status is not Status.OK:
        return (
            Verdict.FAILED,
            f"the reference program did not run cleanly ({reference.status})",
        )
    same, detail = compare_outputs(result.stdout, reference.stdout)
    return (Verdict.PASSED if same else Verdict.FAILED), detail


def judge_execution(result: ExecutionResult, marker: str | None) -> tuple[Verdict, str]:
    """A clean exit passes; with a pass marker, only if the tests got to print it."""
    verdict = verdict_of(result)
    if verdict is Verdict.PASSED and marker and marker not in result.stdout:
        return Verdict.FAILED, "exited 0 before the tests finished (no pass marker)"
    return verdict, describe(result)


def describe(result: ExecutionResult) -> str:
    """The status and, for a failure, the last line the program or compiler printed."""
    if result.status is Status.OK:
        return "ok"
    if result.status is Status.SANDBOX_ERROR:
        return f"sandbox_error: {result.error or ''}"[:200]
    text = result.compile_output if result.status is Status.COMPILE_ERROR else result.stderr
    lines = [line for line in (text or result.stdout).splitlines() if line.strip()]
    return f"{result.status}: {lines[-1].strip()[:160]}" if lines else str(result.status)


def judge_job(job: SampleJob, results: Mapping[str, ExecutionResult]) -> SampleRecord:
    """The results.jsonl record of one sample, given the results of its executions."""
    task = job.task
    result = results[job.request.content_key()] if job.request is not None else None
    reference = results[job.reference.content_key()] if job.reference is not None else None
    if task.check in (CheckKind.HTML, CheckKind.JSON, CheckKind.MARKDOWN):
        same, detail = compare_documents(task.check, job.sample.code, task.reference or "")
        verdict = Verdict.PASSED if same else Verdict.FAILED
    elif result is not None and reference is not None:
        verdict, detail = judge_output_match(result, reference)
    elif result is not None:
        verdict, detail = judge_execution(result, job.pass_marker)
    else:
        raise ValueError(f"job {job.key} has nothing to judge")
    return _record(job, verdict, detail, result, reference)


def _record(
    job: SampleJob,
    verdict: Verdict,
    detail: str,
    result: ExecutionResult | None,
    reference: ExecutionResult | None,
) -> SampleRecord:
    passed = verdict is Verdict.PASSED
    details = ProgramDetails(
        check=job.task.check.value,
        full_program=job.sample.full_program,
        code=job.sample.code,
        pass_marker=job.pass_marker,
        known_issue=job.known_issue,
        expected_failure=bool(job.known_issue) and not passed,
        toolchain=job.toolchain,
        reference_result=reference,
        raw_answer=job.sample.raw_answer,
        extraction=job.sample.extraction,
        **_excerpts(result),
    )
    return SampleRecord(
        key=job.key,
        suite=job.task.suite.value,
        task_id=job.task.task_id,
        sample_index=job.sample.index,
        source=job.sample.source,
        language=job.task.language,
        model=job.model,
        status=verdict,
        passed=passed,
        detail=detail,
        execution_status=result.status if result is not None else None,
        times=TimesResult(
            compile_s=result.compile_time_s if result else None,
            run_s=result.wall_time_s if result else None,
            total_s=result.total_time_s if result else None,
        ),
        image_id=result.image_id if result is not None else None,
        request=job.request.model_dump(mode="json") if job.request is not None else None,
        result=result,
        details=details,
    )


def _excerpts(result: ExecutionResult | None) -> dict[str, Any]:
    if result is None:
        return {}
    return {
        "exit_code": result.exit_code,
        "compile_output": _excerpt(result.compile_output),
        "stdout": _excerpt(result.stdout),
        "stderr": _excerpt(result.stderr),
        "peak_memory_mb": result.peak_memory_mb,
    }


def _excerpt(text: str) -> str:
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS] + f"\n... [{len(text) - EXCERPT_CHARS} more characters]"


def rejudge(record: SampleRecord, result: ExecutionResult) -> tuple[Verdict, str]:
    """The verdict a new run of the record's request gets (``sandbox debug``)."""
    details = record.details
    if not isinstance(details, ProgramDetails):
        raise ValueError(f"{record.key}: not a program suite's record")
    if details.reference_result is not None:
        return judge_output_match(result, details.reference_result)
    return judge_execution(result, details.pass_marker)
