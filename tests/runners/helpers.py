"""Helpers of the runners' tests: run a suite through the real driver, count executions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from runners.records import SummaryRecord
from runners.suites.base import SuiteRunSpec
from runners.suites.driver import run_suite
from sandbox.availability import LanguageStatusResult
from sandbox.executor import Executor
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult


def run_program_suite(
    suite: str,
    *,
    data_dir: Path | None = None,
    timeout_s: float | None = None,
    executor: Executor | None = None,
    **fields: Any,
) -> SummaryRecord:
    """``sandbox run`` for McEval/MultiPL-E, in process (the driver and the real engine)."""
    options = {"timeout_s": timeout_s} if timeout_s is not None else {}
    spec = SuiteRunSpec(suite=suite, data=data_dir, options=options, **fields)
    return run_suite(spec, executor=executor)


class CountingExecutor:
    """Delegates to a real executor and counts the executions asked of it."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.ran = 0

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        self.ran += 1
        return self.inner.run(request)

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        for pair in self.inner.run_many(requests):
            self.ran += 1
            yield pair

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        return self.inner.probe(spec)

    def image_id(self, image: str) -> str:
        return self.inner.image_id(image)

    def close(self) -> None:
        """The inner executor belongs to the caller."""
