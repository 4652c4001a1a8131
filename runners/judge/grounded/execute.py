"""Execute the code of judged answers through an executor and type what happened.

Every block of every distinct answer becomes one request (identical requests run once); the
results become :class:`BlockExecutionResult`s and each answer an :class:`AnswerExecutionResult`.
Executions already stored in a results directory are reused (a resumed judge run shows the
judge the same thing); an engine failure (``sandbox_error``) is never reused: it runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from runners.extract import find_blocks
from sandbox.executor import Executor
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult, Status

from .models import (
    FAILURES,
    AnswerExecutionResult,
    AnswerOutcome,
    AnswerToRun,
    BlockExecutionResult,
    BlockOutcome,
    ExecSettingsSpec,
    ProgramKind,
)
from .programs import plan_block

Advance = Callable[[], None]


def excerpt(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters: the head and the tail (where errors are)."""
    text = text.strip("\n")
    if len(text) <= limit:
        return text
    head = limit // 3
    tail = limit - head - len("\n[...]\n")
    return f"{text[:head]}\n[...]\n{text[-tail:]}"


def classify_result(
    planned: BlockExecutionResult, result: ExecutionResult, settings: ExecSettingsSpec
) -> BlockExecutionResult:
    """The block's outcome from the engine's verdict (a sandbox failure stays one)."""
    limit = settings.excerpt_chars
    status = result.status
    update: dict[str, Any] = {"engine_status": status, "exit_code": result.exit_code}
    if status is Status.SANDBOX_ERROR:
        update.update(outcome=BlockOutcome.SANDBOX_ERROR, detail=(result.error or "")[:200])
    elif status is Status.COMPILE_ERROR:
        update.update(
            outcome=BlockOutcome.COMPILE_ERROR,
            exit_code=result.compile_exit_code,
            excerpt=excerpt(result.compile_output, limit),
        )
    elif status is Status.TIMEOUT:
        phase = "compile" if result.wall_time_s is None and result.compile_time_s else "run"
        update.update(
            outcome=BlockOutcome.TIMEOUT,
            detail=f"killed at the {phase} time limit",
            excerpt=excerpt(result.stdout or result.stderr, limit),
        )
    elif status is Status.OK:
        fragment = planned.program is ProgramKind.FRAGMENT
        update.update(
            outcome=BlockOutcome.COMPILED if fragment else BlockOutcome.RAN,
            excerpt="" if fragment else excerpt(result.stdout, limit),
        )
    else:  # non-zero exit, out of memory, output limit: the program failed at run time
        output = "\n".join(part for part in (result.stdout[-limit:], result.stderr) if part)
        detail = {Status.OOM: "out of memory", Status.OUTPUT_LIMIT: "output limit exceeded"}
        update.update(
            outcome=BlockOutcome.RUNTIME_ERROR,
            detail=detail.get(status, ""),
            excerpt=excerpt(output, limit),
        )
    return planned.model_copy(update=update)


def answer_outcome(blocks: Sequence[BlockExecutionResult]) -> AnswerOutcome:
    """The answer's outcome: no code, an engine failure, its first failing block's outcome,
    else ran / compiled, else not run."""
    if not blocks:
        return AnswerOutcome.NO_CODE
    outcomes = [b.outcome for b in blocks]
    if BlockOutcome.SANDBOX_ERROR in outcomes:
        return AnswerOutcome.SANDBOX_ERROR
    for outcome in outcomes:
        if outcome in FAILURES:
            return AnswerOutcome(outcome.value)
    for clean in (BlockOutcome.RAN, BlockOutcome.COMPILED):
        if clean in outcomes:
            return AnswerOutcome(clean.value)
    return AnswerOutcome.NOT_RUN


class _Readiness:
    """Whether a language's image is ready, asked of the executor once per language."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.known: dict[str, bool] = {}

    def __call__(self, spec: LanguageSpec) -> bool:
        if spec.id not in self.known:
            self.known[spec.id] = spec.available and self.executor.probe(spec).ready
        return self.known[spec.id]


def execute_answers(
    answers: Iterable[AnswerToRun],
    executor: Executor,
    settings: ExecSettingsSpec,
    advance: Advance | None = None,
) -> dict[str, AnswerExecutionResult]:
    """Every block of every distinct answer executed; results by ``AnswerToRun.key()``."""
    distinct = {answer.key(): answer for answer in answers}
    ready = _Readiness(executor)
    planned: dict[str, list[tuple[BlockExecutionResult, ExecutionRequest | None]]] = {}
    for key, answer in distinct.items():
        blocks = find_blocks(answer.text)
        planned[key] = [
            plan_block(i, block, answer.languages, settings, ready)
            for i, block in enumerate(blocks)
        ]
    requests = {
        request.content_key(): request
        for blocks in planned.values()
        for _, request in blocks
        if request is not None
    }
    results: dict[str, ExecutionResult] = {}
    for request, result in executor.run_many(requests.values()):
        results[request.content_key()] = result
        if advance is not None:
            advance()
    return {key: _answer_result(key, blocks, results, settings) for key, blocks in planned.items()}


def count_requests(answers: Iterable[AnswerToRun]) -> int:
    """An upper bound of the requests ``execute_answers`` makes (for a progress bar)."""
    distinct = {answer.key(): answer for answer in answers}
    return sum(len(find_blocks(a.text)) for a in distinct.values())


def _answer_result(
    key: str,
    blocks: Sequence[tuple[BlockExecutionResult, ExecutionRequest | None]],
    results: Mapping[str, ExecutionResult],
    settings: ExecSettingsSpec,
) -> AnswerExecutionResult:
    done = [
        planned
        if request is None
        else classify_result(planned, results[request.content_key()], settings)
        for planned, request in blocks
    ]
    return AnswerExecutionResult(answer_sha256=key, outcome=answer_outcome(done), blocks=done)


def stored_executions(
    records: Iterable[Mapping[str, Any]], fields: Sequence[str]
) -> dict[str, AnswerExecutionResult]:
    """Executions stored in judgment records under ``fields``, by answer key; those the engine
    failed on are left out (they run again)."""
    found: dict[str, AnswerExecutionResult] = {}
    for record in records:
        for field in fields:
            raw = record.get(field)
            if not isinstance(raw, Mapping):
                continue
            try:
                execution = AnswerExecutionResult.model_validate(raw)
            except ValidationError:
                continue  # an older layout: executed again
            if execution.outcome is not AnswerOutcome.SANDBOX_ERROR:
                found[execution.answer_sha256] = execution
    return found
