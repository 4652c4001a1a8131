"""Requests to a model endpoint run concurrently, each result stored as it lands (the judge and
generation share this; the client bounds how many requests are in flight)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from pydantic import BaseModel

from runners.results import ResultsStore


class ProgressHook(Protocol):
    """What a run reports while it asks (``sandbox.progress.ProgressTask`` is one)."""

    def start(self, total: int | None, done: int = 0) -> None: ...

    def advance(self, count: int = 1) -> None: ...


Job = Callable[[], Awaitable[BaseModel | Mapping[str, Any]]]


async def run_jobs(jobs: Sequence[Job], store: ResultsStore, progress: ProgressHook | None) -> None:
    """Run the jobs concurrently, appending each record to ``store`` as it finishes.

    A fatal error (an endpoint that refuses everything) cancels the rest and propagates; what
    was stored stays on disk and a re-run resumes from it.
    """
    tasks = [asyncio.ensure_future(job()) for job in jobs]
    try:
        for finished in asyncio.as_completed(tasks):
            store.append(await finished)
            if progress is not None:
                progress.advance()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
