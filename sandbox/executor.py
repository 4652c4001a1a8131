"""Executors run execution requests and hand results back; suites never touch containers.

``Executor`` is the seam for a distributed engine later (e.g. Ray): anything that turns an
iterable of requests into (request, result) pairs can replace ``LocalExecutor``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from types import FrameType, TracebackType
from typing import Protocol

import docker.errors
import psutil
import requests.exceptions

from sandbox.availability import LanguageStatusResult, probe_with_engine
from sandbox.engine import LABEL_KEEP_UNTIL, DockerEngine, owner_label
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult, Status
from sandbox.pool import ContainerPool

RETRIES = 1
"""A sandbox_error (the engine's fault, not the program's) is retried once in a new container."""
CANARY_MARKER = "sandbox-canary-ok"
CANARY_RUN = f"echo {CANARY_MARKER}"
"""The canary: a trivial program (the shell's echo) in the same image, with the same limits."""


class Executor(Protocol):
    """Runs requests; results are data, engine failures are ``sandbox_error`` results.

    It also answers for the images it runs: whether a language can run (``probe``) and which
    image id a tag names (``image_id``), so that callers never reach around it to an engine.
    """

    def run(self, request: ExecutionRequest) -> ExecutionResult: ...

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]: ...

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult: ...

    def image_id(self, image: str) -> str: ...

    def close(self) -> None: ...


EXECUTIONS_PER_CORE = 1
"""One execution in flight per core. Two per core were tried (a short execution spends about
half its wall time in the daemon's hand-over): no faster here (benchmarks/bench_engine.py), and a
CPU-heavy sample then gets half a core, which can push a test past its time limit (HumanEval+'s
HumanEval/15 did: a wrong verdict). Each program also gets at most its CPU quota (``cpus``)."""


def default_workers(memory_mb: int = 512) -> int:
    """Parallel executions this host sustains: one per core, bounded by available memory."""
    cores = psutil.cpu_count(logical=True) or 1
    by_memory = int(psutil.virtual_memory().available / (memory_mb * 2**20 * 1.5))
    return max(1, min(EXECUTIONS_PER_CORE * cores, by_memory))


class LocalExecutor:
    """A thread pool over one Docker engine, with containers started ahead of need."""

    def __init__(self, workers: int | None = None, engine: DockerEngine | None = None) -> None:
        self.workers = workers or default_workers()
        self.engine = engine or DockerEngine(max_pool_size=self.workers * 2 + 8)
        ahead = max(2, min(self.workers, 4))  # containers ready per key, and started at once
        self.pool = ContainerPool(
            self.engine, per_key=ahead, starters=ahead, max_idle=2 * self.workers + 4
        )
        self._closed = False
        self._previous_sigterm = _install_sigterm_handler()
        remove_stale_containers(self.engine)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        """Whether ``spec``'s image is built (and current) on this engine."""
        return probe_with_engine(self.engine)(spec)

    def image_id(self, image: str) -> str:
        """The id of the local image ``image``; ImageMissingError if it is not built."""
        return self.engine.image_id(image)

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        """Run one request in a fresh container and return its result.

        A sandbox error is retried once. If the retry fails too, a canary (a trivial program in
        the same image, with the same limits) runs on the same engine: if it passes, the sample
        broke the engine and the result is ``crashed_sandbox``, a failure of the sample; if
        the canary fails too, the engine is at fault and it stays ``sandbox_error``.
        """
        self.engine.image_id(request.image)  # ImageMissingError before anything runs
        self.engine.check_runtime(request.limits.runtime)
        result = self._run_once(request)
        for _ in range(RETRIES):
            if result.status is not Status.SANDBOX_ERROR:
                return result
            result = self._run_once(request)
        if result.status is not Status.SANDBOX_ERROR:
            return result
        return self._blame(request, result)

    def _blame(self, request: ExecutionRequest, failure: ExecutionResult) -> ExecutionResult:
        canary = self._run_once(
            ExecutionRequest(
                image=request.image, run=CANARY_RUN, limits=request.limits, tag="canary"
            )
        )
        if canary.status is Status.OK and canary.stdout == CANARY_MARKER + "\n":
            note = (
                f"the sample made the sandbox fail {RETRIES + 1} times ({failure.error}) "
                "while a canary passed in the same image with the same limits"
            )
            return failure.model_copy(update={"status": Status.CRASHED_SANDBOX, "error": note})
        note = f"{failure.error}; the canary failed too ({canary.status.value}: {canary.error})"
        return failure.model_copy(update={"error": note})

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        """Run requests in parallel; yield each (request, result) as it completes.

        At most ``2 x workers`` requests are in flight, so a huge iterable is consumed lazily.
        """
        pending: dict[Future[ExecutionResult], ExecutionRequest] = {}
        source = iter(requests)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="exec") as threads:
            try:
                yield from self._drive(threads, source, pending)
            finally:
                for future in pending:
                    future.cancel()

    def _drive(
        self,
        threads: ThreadPoolExecutor,
        source: Iterator[ExecutionRequest],
        pending: dict[Future[ExecutionResult], ExecutionRequest],
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < self.workers * 2:
                request = next(source, None)
                if request is None:
                    exhausted = True
                    break
                self.engine.image_id(request.image)
                self.pool.prewarm(request.image, request.limits, min(self.workers, 4))
                pending[threads.submit(self.run, request)] = request
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future.result()

    def close(self) -> None:
        """Remove every container this executor started (also on Ctrl-C)."""
        if self._closed:
            return
        self._closed = True
        self.pool.close()
        _restore_sigterm_handler(self._previous_sigterm)

    def _run_once(self, request: ExecutionRequest) -> ExecutionResult:
        try:
            warm = self.pool.acquire(request.image, request.limits)
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            return ExecutionResult(
                status=Status.SANDBOX_ERROR,
                error=f"could not start a container: {exc}",
                tag=request.tag,
            )
        try:
            return self.engine.execute(warm, request)
        finally:
            self.pool.release(warm)


def remove_stale_containers(engine: DockerEngine) -> int:
    """Remove containers left by dead sandbox processes on this host (crash, kill -9)."""
    removed = 0
    host = owner_label().split(":")[0]
    for info in engine.list_managed():
        labels = info.get("Labels") or {}
        keep_until = str(labels.get(LABEL_KEEP_UNTIL, ""))
        if keep_until.isdigit() and int(keep_until) > time.time():
            continue  # kept on purpose (sandbox debug --keep) and not expired
        owner = str(labels.get("sandbox.owner", ""))
        owner_host, _, pid = owner.partition(":")
        if owner_host == host and pid.isdigit() and not psutil.pid_exists(int(pid)):
            engine.remove(str(info["Id"]))
            removed += 1
    return removed


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _install_sigterm_handler() -> object:
    """Turn SIGTERM into KeyboardInterrupt so that cleanup runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or os.name != "posix":
        return None
    return signal.signal(signal.SIGTERM, _raise_interrupt)


def _restore_sigterm_handler(previous: object) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]
