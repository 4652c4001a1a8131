"""``sandbox eval`` picks its executor by name (``[run] executor`` or ``--executor``) through
the one factory, ``sandbox.executors.make_executor``: made on first use, so a re-run whose
every sample is already scored never starts an engine or joins a cluster (``ray`` takes the
cluster at ``$RAY_ADDRESS``, else the one this machine belongs to)."""

from __future__ import annotations

from sandbox.errors import BadInputError
from sandbox.executors import DeferredExecutor, ExecutorKind, make_executor


def check_executor(choice: str) -> str:
    """``choice`` if an executor of that name exists; BadInputError naming the choices."""
    name = choice.strip().lower()
    if name not in {kind.value for kind in ExecutorKind}:
        raise BadInputError(
            f"unknown executor {choice!r}",
            f"use one of: {', '.join(kind.value for kind in ExecutorKind)}",
        )
    return name


def open_executor(choice: str, workers: int | None) -> DeferredExecutor:
    """An executor of kind ``choice`` with ``workers`` parallel runs (None: its default)."""
    return make_executor(check_executor(choice), None, workers)
