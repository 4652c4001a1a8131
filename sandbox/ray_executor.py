"""``RayExecutor``: the ``Executor`` interface over a Ray cluster, one node actor per machine.

Scheduling, transport and failure detection are Ray's; this module only routes. Each request
goes to a live node that holds the request's image (the one image id the run uses for that
tag), the least loaded first, at most ``2 x workers`` per node and ``max_in_flight`` in all:
requests are drawn lazily from the caller's iterable, so the driver's memory stays bounded on
any number of them.

Faults: when a node is lost (its actor or node died, or its Docker engine stopped answering),
every request it held runs again on another node and its late answers are dropped, so no
request is lost or answered twice. A ``sandbox_error`` is never taken from a node whose engine
is down; from a healthy node it is tried once more on another node before it stands (it is
the engine's failure either way, never the program's verdict). Ctrl-C (or SIGTERM) cancels
what is queued and every node removes its containers (``close``).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import ray

from sandbox.availability import LanguageStatusResult
from sandbox.errors import ClusterUnavailableError, ImageMismatchError
from sandbox.executor import _install_sigterm_handler, _restore_sigterm_handler
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult, Status
from sandbox.ray_cluster import CONTROL_TIMEOUT_S, RAY_ERRORS, ClusterNode, RayCluster
from sandbox.ray_images import ClusterImageResult, prepare_images

MAX_IN_FLIGHT = 1024
"""Requests out on the cluster at once (each node also takes at most 2 x its workers)."""
WAIT_S = 1.0
"""How long the driver waits for a result before checking for Ctrl-C again."""

Outcome = tuple[ExecutionRequest, ExecutionResult]


@dataclass
class _Flight:
    """A request on its way: where it runs now and the nodes whose engine failed it."""

    request: ExecutionRequest
    node: ClusterNode | None = None
    failed_on: set[str] = field(default_factory=set)


class RayExecutor:
    """Runs requests on every node of a Ray cluster; connects on first use."""

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.address = address
        self.workers = workers
        """Parallel executions per node (None: each node sizes itself from its cores and memory)."""
        self.max_in_flight = max_in_flight
        self._cluster: RayCluster | None = None
        self._previous_sigterm: object = None
        self._closed_notes: list[str] = []

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def cluster(self) -> RayCluster:
        """The connected cluster (joined on first use)."""
        if self._cluster is None:
            self._previous_sigterm = _install_sigterm_handler()
            self._cluster = RayCluster.connect(self.address, self.workers)
        return self._cluster

    @property
    def notes(self) -> list[str]:
        """Nodes left out or lost, in order."""
        return self._cluster.notes if self._cluster is not None else self._closed_notes

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        """Whether ``spec``'s image can run on the cluster; refuses two ids for one tag."""
        return self.cluster.probe(spec)

    def image_id(self, image: str) -> str:
        """The one id ``image`` has on the cluster's nodes (ImageMissingError if on none)."""
        return self.cluster.holders(image).image_id

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        """Run one request on some node and return its result."""
        for _, result in self.run_many([request]):
            return result
        raise ClusterUnavailableError("the cluster returned no result", "see the notes above")

    def run_many(self, requests: Iterable[ExecutionRequest]) -> Iterator[Outcome]:
        """Yield each (request, result) as it completes, exactly once per request."""
        dispatch = _Dispatch(self.cluster, self.max_in_flight)
        try:
            yield from dispatch.drain(iter(requests))
        finally:
            dispatch.cancel()

    def prepare_images(
        self, specs: list[LanguageSpec], force: bool = False
    ) -> list[ClusterImageResult]:
        """Give every node the same current image of each language (see ray_images.py)."""
        return prepare_images(self.cluster, specs, force)

    def counts(self) -> dict[str, dict[str, int]]:
        """Executions each live node ran in this session, by image."""
        asked = [(node.name, node.actor.counts.remote()) for node in self.cluster.live()]
        return {name: ray.get(ref, timeout=CONTROL_TIMEOUT_S) for name, ref in asked}

    def close(self) -> None:
        """Every node removes the containers it started; Ray disconnects if we connected it."""
        if self._cluster is not None:
            cluster, self._cluster = self._cluster, None
            cluster.close()
            self._closed_notes = cluster.notes
            _restore_sigterm_handler(self._previous_sigterm)


class _Dispatch:
    """One ``run_many``: requests in flight, on which node, and what to send again."""

    def __init__(self, cluster: RayCluster, max_in_flight: int) -> None:
        self.cluster = cluster
        self.max_in_flight = max_in_flight
        self.pending: dict[Any, _Flight] = {}
        self.queue: deque[_Flight] = deque()
        """Requests drawn from the source (or given back by a lost node) not yet placed."""

    def drain(self, source: Iterator[ExecutionRequest]) -> Iterator[Outcome]:
        exhausted = False
        while True:
            exhausted = self._fill(source, exhausted)
            if not self.pending:
                if exhausted and not self.queue:
                    return
                raise ClusterUnavailableError(  # a queued request fits no live node
                    "no node of the Ray cluster is left to run the remaining requests",
                    "see the lost nodes in the notes; results so far are saved: re-run",
                )
            ready, _ = ray.wait(list(self.pending), num_returns=1, timeout=WAIT_S)
            if ready:
                ready, _ = ray.wait(list(self.pending), num_returns=len(self.pending), timeout=0)
            for ref in ready:
                if ref in self.pending:  # not already dropped with a lost node
                    outcome = self._settle(ref)
                    if outcome is not None:
                        yield outcome

    def cancel(self) -> None:
        """Drop what is still queued or running (the node's close removes its containers)."""
        for ref in self.pending:
            _cancel(ref)
        self.pending.clear()
        self.queue.clear()

    def _fill(self, source: Iterator[ExecutionRequest], exhausted: bool) -> bool:
        while len(self.pending) < self.max_in_flight:
            if not self.queue:
                if exhausted:
                    break
                request = next(source, None)
                if request is None:
                    exhausted = True
                    break
                self.queue.append(_Flight(request))
            flight = self.queue[0]
            node = self._choose(flight)
            if node is None:
                break  # its nodes are full: wait for a result
            self.queue.popleft()
            flight.node = node
            node.in_flight += 1
            self.pending[node.actor.run.remote(flight.request)] = flight
        return exhausted

    def _choose(self, flight: _Flight) -> ClusterNode | None:
        holders = self.cluster.holders(flight.request.image).nodes
        if not holders:
            raise ClusterUnavailableError(
                f"no live node of the Ray cluster holds {flight.request.image}",
                "see the lost nodes in the notes; results so far are saved: re-run",
            )
        fresh = [n for n in holders if n.facts.node_id not in flight.failed_on] or holders
        free = [n for n in fresh if n.in_flight < n.capacity]
        return min(free, key=lambda n: n.in_flight / n.capacity) if free else None

    def _settle(self, ref: Any) -> Outcome | None:
        flight = self.pending.pop(ref)
        node = flight.node
        assert node is not None  # a pending flight always has its node
        node.in_flight -= 1
        try:
            result: ExecutionResult = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # the actor lives; the call failed
            result = ExecutionResult(
                status=Status.SANDBOX_ERROR, error=str(exc)[-500:], tag=flight.request.tag
            )
        except RAY_ERRORS as exc:  # the actor or its node died
            self._lose(node, flight, str(exc).splitlines()[0][:200])
            return None
        if result.status is Status.SANDBOX_ERROR:
            return self._after_engine_failure(node, flight, result)
        if result.status is Status.CRASHED_SANDBOX and not _answers(node):
            # the canary that blamed the sample ran on an engine now gone: not a verdict
            self._lose(node, flight, "its Docker engine does not answer")
            return None
        self._check_image(flight.request, result)
        return flight.request, result

    def _after_engine_failure(
        self, node: ClusterNode, flight: _Flight, result: ExecutionResult
    ) -> Outcome | None:
        """Never keep a dead engine's answer; give a live one's a second chance elsewhere."""
        if not _answers(node):
            self._lose(node, flight, "its Docker engine does not answer")
            return None
        flight.failed_on.add(node.facts.node_id)
        others = self.cluster.holders(flight.request.image).nodes
        if any(n.facts.node_id not in flight.failed_on for n in others):
            self.queue.appendleft(flight)
            return None
        return flight.request, result

    def _lose(self, node: ClusterNode, flight: _Flight, reason: str) -> None:
        """``node`` leaves the run; everything it held goes back to the front of the queue."""
        self.cluster.lose(node, reason)
        given_back = [flight]
        for ref, other in list(self.pending.items()):
            if other.node is node:
                del self.pending[ref]
                _cancel(ref)
                given_back.append(other)
        node.in_flight = 0
        for lost in reversed(given_back):
            lost.node = None
            self.queue.appendleft(lost)

    def _check_image(self, request: ExecutionRequest, result: ExecutionResult) -> None:
        pinned = self.cluster.holders(request.image).image_id
        if result.image_id is not None and result.image_id != pinned:
            raise ImageMismatchError(
                f"{request.image} ran as {result.image_id[7:19]} on a node, not as the run's "
                f"{pinned[7:19]} (was it rebuilt during the run?)",
                "run `sandbox images build --executor ray`, then re-run (results so far are saved)",
            )


def _answers(node: ClusterNode) -> bool:
    try:
        return bool(ray.get(node.actor.healthy.remote(), timeout=CONTROL_TIMEOUT_S))
    except RAY_ERRORS:
        return False


def _cancel(ref: Any) -> None:
    with contextlib.suppress(*RAY_ERRORS):  # already finished, or its actor is gone
        ray.cancel(ref)
