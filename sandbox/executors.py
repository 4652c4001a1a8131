"""The one way commands get an executor: ``make_executor(kind, address, workers)``.

``local`` is :class:`~sandbox.executor.LocalExecutor` (this machine's Docker engine); ``ray``
is :class:`~sandbox.ray_executor.RayExecutor` (every node of a Ray cluster; needs the ``ray``
extra). Either is made on first use, so a command that ends up executing nothing needs no
engine and no cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from types import TracebackType

from sandbox.availability import LanguageStatusResult
from sandbox.errors import BadInputError, ClusterUnavailableError
from sandbox.executor import Executor, LocalExecutor
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult


class ExecutorKind(StrEnum):
    """Where programs run."""

    LOCAL = "local"
    RAY = "ray"


def make_executor(
    kind: ExecutorKind | str = ExecutorKind.LOCAL,
    address: str | None = None,
    workers: int | None = None,
) -> DeferredExecutor:
    """An executor of ``kind``, made on first use; close it (or use ``with``) when done.

    ``workers`` is the parallelism of this machine (local) or of each node (ray; None: each
    node sizes itself from its cores and memory). ``address`` is the Ray cluster's
    (``HOST:PORT``; default ``$RAY_ADDRESS``, else the cluster this machine belongs to).
    """
    try:
        chosen = ExecutorKind(kind)
    except ValueError as exc:
        raise BadInputError(
            f"unknown executor {kind!r}", f"use one of: {', '.join(k.value for k in ExecutorKind)}"
        ) from exc
    if chosen is ExecutorKind.LOCAL:
        if address is not None:
            raise BadInputError("--ray-address needs --executor ray", "add --executor ray")
        return DeferredExecutor(lambda: LocalExecutor(workers=workers))
    return DeferredExecutor(lambda: _ray_executor(address, workers))


def _ray_executor(address: str | None, workers: int | None) -> Executor:
    try:
        from sandbox.ray_executor import RayExecutor
    except ImportError as exc:
        raise ClusterUnavailableError(
            f"--executor ray needs Ray ({exc})", "pip install 'sandbox[ray]' on every machine"
        ) from exc
    return RayExecutor(address=address, workers=workers)


class DeferredExecutor:
    """An ``Executor`` made by ``factory`` on first use and closed with this object."""

    def __init__(self, factory: Callable[[], Executor]) -> None:
        self._factory = factory
        self._made: Executor | None = None
        self._notes: list[str] = []

    @property
    def inner(self) -> Executor:
        """The executor itself (made now if it was not yet)."""
        if self._made is None:
            self._made = self._factory()
        return self._made

    @property
    def notes(self) -> list[str]:
        """What the executor noted while running (a Ray cluster's lost nodes); none locally."""
        notes: list[str] = getattr(self._made, "notes", self._notes)
        return list(notes)

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        return self.inner.run(request)

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        return self.inner.run_many(requests)

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        return self.inner.probe(spec)

    def image_id(self, image: str) -> str:
        return self.inner.image_id(image)

    def close(self) -> None:
        if self._made is not None:
            made, self._made = self._made, None
            made.close()
            self._notes = list(getattr(made, "notes", []))

    def __enter__(self) -> DeferredExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
