"""The one place ``sandbox eval`` makes an executor, by name (``[run] executor`` or
``--executor``), so that another executor (e.g. Ray, behind the same
``sandbox.executor.Executor`` protocol) plugs in here and nowhere else.

The executor is made on first use: a re-run whose every sample is already scored plans, finds
nothing to run, and never starts one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from types import TracebackType

from sandbox.availability import LanguageStatusResult
from sandbox.errors import BadInputError
from sandbox.executor import Executor, LocalExecutor
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult

ExecutorFactory = Callable[[int | None], Executor]


def _local(workers: int | None) -> Executor:
    return LocalExecutor(workers=workers)


def _ray(workers: int | None) -> Executor:
    """Every node of the Ray cluster at ``$RAY_ADDRESS``, else this machine's (scale-out.md)."""
    from sandbox.executors import ExecutorKind, make_executor

    return make_executor(ExecutorKind.RAY, None, workers)


EXECUTORS: dict[str, ExecutorFactory] = {"local": _local, "ray": _ray}
"""Executor choices by name: a factory of the worker count."""


def check_executor(choice: str) -> str:
    """``choice`` if an executor of that name exists; BadInputError naming the choices."""
    name = choice.strip().lower()
    if name not in EXECUTORS:
        raise BadInputError(
            f"unknown executor {choice!r}", f"use one of: {', '.join(sorted(EXECUTORS))}"
        )
    return name


def open_executor(choice: str, workers: int | None) -> Executor:
    """A new executor of kind ``choice`` with ``workers`` parallel runs (None: its default)."""
    return EXECUTORS[check_executor(choice)](workers)


class LazyExecutor:
    """An executor made on first use and closed with this object (implements ``Executor``)."""

    def __init__(self, choice: str, workers: int | None) -> None:
        self.choice = check_executor(choice)
        self.workers = workers
        self._made: Executor | None = None

    def _get(self) -> Executor:
        if self._made is None:
            self._made = open_executor(self.choice, self.workers)
        return self._made

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        return self._get().run(request)

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        return self._get().run_many(requests)

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        return self._get().probe(spec)

    def image_id(self, image: str) -> str:
        return self._get().image_id(image)

    def close(self) -> None:
        if self._made is not None:
            self._made.close()
            self._made = None

    def __enter__(self) -> LazyExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
