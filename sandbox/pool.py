"""Containers started ahead of need, each used exactly once.

Starting a container costs far more than running a small program in it, so the pool keeps a
few started containers per (image, limits) ready and refills in the background as they are
taken. No state is ever shared between two executions: a container serves one and is removed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor

import docker.errors
import requests.exceptions

from sandbox.engine import IDLE_LIMIT_S, DockerEngine, PoolKey, WarmContainer
from sandbox.models import LimitsSpec

MAX_AGE_S = IDLE_LIMIT_S * 0.8
"""Warm containers older than this are discarded: their idle limit is near."""


def _ignore_outcome(future: Future[None]) -> None:
    """Starter failures surface in acquire(); a cancelled start at close() is expected."""
    if not future.cancelled():
        future.exception()


class ContainerPool:
    """Hands out started, never-used containers; removes every container it made on close."""

    def __init__(
        self, engine: DockerEngine, per_key: int = 2, starters: int = 2, max_idle: int = 8
    ) -> None:
        self.engine = engine
        self.per_key = per_key
        self.max_idle = max_idle
        self._ready: dict[PoolKey, deque[WarmContainer]] = defaultdict(deque)
        self._pending: dict[PoolKey, int] = defaultdict(int)
        self._limits: dict[PoolKey, LimitsSpec] = {}
        self._owned: set[str] = set()
        self.created: list[str] = []
        """Every container id this pool started (for audits and tests)."""
        self._lock = threading.Lock()
        self._closed = False
        self._starter = ThreadPoolExecutor(max_workers=starters, thread_name_prefix="warm")
        self._remover = ThreadPoolExecutor(max_workers=1, thread_name_prefix="remove")

    def acquire(self, image: str, limits: LimitsSpec) -> WarmContainer:
        """A fresh started container for this image and limits (started now if none is ready)."""
        key: PoolKey = (image, limits.container_key())
        with self._lock:
            self._limits[key] = limits
            warm = self._pop_fresh(key)
        self._refill(key)
        return warm if warm is not None else self._start(image, limits)

    def prewarm(self, image: str, limits: LimitsSpec, count: int) -> None:
        """Start up to ``count`` containers for this key in the background."""
        key: PoolKey = (image, limits.container_key())
        with self._lock:
            self._limits[key] = limits
            self.per_key = max(self.per_key, count)
        self._refill(key)

    def release(self, warm: WarmContainer) -> None:
        """The container has served its one execution: remove it in the background."""
        self._remover.submit(self._remove, warm)

    def idle_count(self) -> int:
        """Started containers waiting for a payload, over all keys."""
        with self._lock:
            return sum(len(queue) for queue in self._ready.values())

    def close(self) -> None:
        """Stop starting containers and remove every container this pool created."""
        with self._lock:
            self._closed = True
        self._starter.shutdown(wait=True, cancel_futures=True)
        self._remover.shutdown(wait=True)
        with self._lock:
            leftovers = list(self._owned)
            self._ready.clear()
        for container_id in leftovers:
            self._remove_id(container_id)

    # -- internals -----------------------------------------------------------------------
    def _pop_fresh(self, key: PoolKey) -> WarmContainer | None:
        queue = self._ready[key]
        while queue:
            warm = queue.popleft()
            if time.monotonic() - warm.created < MAX_AGE_S:
                return warm
            self._remover.submit(self._remove, warm)
        return None

    def _refill(self, key: PoolKey) -> None:
        with self._lock:
            if self._closed:
                return
            missing = self.per_key - len(self._ready[key]) - self._pending[key]
            self._pending[key] += max(0, missing)
        for _ in range(max(0, missing)):
            future: Future[None] = self._starter.submit(self._start_into_pool, key)
            future.add_done_callback(_ignore_outcome)

    def _start_into_pool(self, key: PoolKey) -> None:
        try:
            warm = self._start(key[0], self._limits[key])
        except (docker.errors.DockerException, requests.exceptions.RequestException, OSError):
            return  # acquire() starts one synchronously and reports the error there
        finally:
            with self._lock:
                self._pending[key] -= 1
        with self._lock:
            if not self._closed:
                self._ready[key].append(warm)
                surplus = self._evict_surplus(keep=key)
            else:
                surplus = [warm]
        for container in surplus:
            self._remove(container)

    def _evict_surplus(self, keep: PoolKey) -> list[WarmContainer]:
        """Oldest idle containers of other keys beyond ``max_idle`` (a run moved on)."""
        evicted: list[WarmContainer] = []
        idle = sum(len(queue) for queue in self._ready.values())
        others = sorted(
            (queue[0].created, other)
            for other, queue in self._ready.items()
            if other != keep and queue
        )
        for _, other in others:
            while idle > self.max_idle and self._ready[other]:
                evicted.append(self._ready[other].popleft())
                idle -= 1
        return evicted

    def _start(self, image: str, limits: LimitsSpec) -> WarmContainer:
        warm = self.engine.start_warm(image, limits)
        with self._lock:
            self._owned.add(warm.id)
            self.created.append(warm.id)
        return warm

    def _remove(self, warm: WarmContainer) -> None:
        with contextlib.suppress(OSError):
            warm.sock.close()
        self._remove_id(warm.id)

    def _remove_id(self, container_id: str) -> None:
        try:
            self.engine.remove(container_id)
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            return  # left for `sandbox clean`; listed by label
        with self._lock:
            self._owned.discard(container_id)
