"""One Ray node's side of the cluster: an actor that owns the node's Docker engine.

``NodeWorker`` is the body of the one long-lived actor the driver starts on each node (see
``ray_executor.py``). It wraps a :class:`~sandbox.executor.LocalExecutor` over the node's own
engine (``DOCKER_HOST`` of the node's ``ray start``, else /var/run/docker.sock): the same warm
pool, limits, retry and clean-up as a single machine, sized from the node's cores and memory by
``default_workers``. It also answers for the node's images (ids and labels), saves an image as
a stream of chunks for another node and loads one from another node, and builds an image from
the node's own copy of a language folder. This module runs on every node; the driver never
touches a remote engine except through it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker.errors
import ray
import requests.exceptions

from sandbox.engine import owner_label
from sandbox.errors import SandboxError
from sandbox.executor import LocalExecutor
from sandbox.images import LABEL_BASE, LABEL_HASH, LABEL_TOOLCHAIN, BuildResult, build_image
from sandbox.languages import resolve_language
from sandbox.models import ExecutionRequest, ExecutionResult, FrozenModel, Status

CLOSE_WAIT_S = 30.0
"""How long close() waits for runs cut short to return before its last sweep."""
CHUNK_BYTES = 32 << 20
"""An image travels between nodes in pieces of this size (Ray's object store holds a few)."""
CONTROL = "control"
SAVE = "save"
LOAD = "load"
"""Separate groups: a node loading an image from another never waits for its own saves."""


class NodeFactsResult(FrozenModel):
    """Who a node is and what it can take."""

    node_id: str
    hostname: str
    pid: int
    workers: int
    docker_host: str


class ImageFactsResult(FrozenModel):
    """One image on one node: its id and the labels that say what it was built from."""

    image: str
    image_id: str | None = None
    content_hash: str | None = None
    base_label: str | None = None
    base_id: str | None = None
    """The id of the language's base image on this node (None: not there)."""
    toolchain: str | None = None


class NodeWorker:
    """The actor body: one per node, created by the driver with node affinity."""

    def __init__(self, workers: int | None = None) -> None:
        self._io = ThreadPoolExecutor(2, thread_name_prefix="node-io")
        # Made in a helper thread so that it installs no SIGTERM handler: Ray owns this
        # process's signals (it stops idle workers with SIGTERM).
        self.executor = self._io.submit(LocalExecutor, workers=workers).result()
        self.slots = threading.BoundedSemaphore(self.executor.workers)
        self.ran_by_image: dict[str, int] = {}
        self._lock = threading.Lock()
        self._running = 0
        self._closing = False

    @ray.method(concurrency_group=CONTROL)
    def describe(self) -> NodeFactsResult:
        """This node's id, host, actor pid and per-node concurrency."""
        return NodeFactsResult(
            node_id=ray.get_runtime_context().get_node_id(),
            hostname=socket.gethostname(),
            pid=os.getpid(),
            workers=self.executor.workers,
            docker_host=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"),
        )

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        """Run one request in this node's engine (at most ``workers`` at a time)."""
        with self._lock:
            if self._closing:
                return _refused(request, "the node is closing")
            self._running += 1
        try:
            return self._run(request)
        finally:
            with self._lock:
                self._running -= 1

    def _run(self, request: ExecutionRequest) -> ExecutionResult:
        try:
            self.executor.engine.image_id(request.image)
        except SandboxError as exc:  # removed since the driver looked: another node runs it
            return _refused(request, str(exc))
        self.executor.pool.prewarm(request.image, request.limits, min(self.executor.workers, 4))
        with self.slots:
            if self._closing:
                return _refused(request, "the node is closing")
            result = self.executor.run(request)
        with self._lock:
            self.ran_by_image[request.image] = self.ran_by_image.get(request.image, 0) + 1
        return result

    @ray.method(concurrency_group=CONTROL)
    def healthy(self) -> bool:
        """Whether this node's Docker engine answers."""
        try:
            return bool(self.executor.engine.api.ping())
        except (docker.errors.DockerException, requests.exceptions.RequestException, OSError):
            return False

    @ray.method(concurrency_group=CONTROL)
    def counts(self) -> dict[str, int]:
        """Executions run here, by image (for tests and benchmarks)."""
        return dict(self.ran_by_image)

    @ray.method(concurrency_group=CONTROL)
    def image_facts(self, images: list[tuple[str, str | None]]) -> list[ImageFactsResult]:
        """Facts about each (image, base image) pair on this node, read fresh from the engine."""
        return [self._facts(image, base) for image, base in images]

    def _facts(self, image: str, base: str | None) -> ImageFactsResult:
        api = self.executor.engine.api
        base_id = _inspect_id(api, base) if base else None
        try:
            info = api.inspect_image(image)
        except docker.errors.ImageNotFound:
            return ImageFactsResult(image=image, base_id=base_id)
        labels = (info.get("Config") or {}).get("Labels") or {}
        return ImageFactsResult(
            image=image,
            image_id=str(info["Id"]),
            content_hash=labels.get(LABEL_HASH),
            base_label=labels.get(LABEL_BASE),
            base_id=base_id,
            toolchain=labels.get(LABEL_TOOLCHAIN),
        )

    @ray.method(concurrency_group=SAVE, _generator_backpressure_num_objects=2)
    def save_image(self, image: str) -> Iterator[bytes]:
        """``docker save`` of ``image``, in pieces of ``CHUNK_BYTES``."""
        piece = bytearray()
        for chunk in self.executor.engine.api.get_image(image, chunk_size=1 << 20):
            piece.extend(chunk)
            if len(piece) >= CHUNK_BYTES:
                yield bytes(piece)
                piece.clear()
        if piece:
            yield bytes(piece)

    @ray.method(concurrency_group=LOAD)
    def receive_image(self, source: Any, image: str) -> str:
        """``docker load`` of ``image`` streamed from the actor ``source``; returns its id here.

        The image keeps its id (docker save/load preserves it), so every node runs the same
        image. The engine reads the stream as it comes: the whole image is never in memory.
        """
        pieces = source.save_image.remote(image)
        engine = self.executor.engine
        for line in engine.api.load_image(_pulled(pieces), quiet=True):
            if "error" in line:
                raise SandboxError(f"docker load of {image} failed: {line['error']}")
        engine.forget_image_id(image)
        return str(engine.api.inspect_image(image)["Id"])

    @ray.method(concurrency_group=LOAD)
    def build(self, language: str, force: bool = False) -> BuildResult:
        """Build a language image from this node's own copy of its folder."""
        engine = self.executor.engine
        spec = resolve_language(language)
        result = build_image(engine, spec, force=force)
        engine.forget_image_id(spec.image)
        return result

    @ray.method(concurrency_group=CONTROL)
    def close(self) -> None:
        """Remove every container this actor started, also those of runs still going (the
        driver stopped: Ctrl-C), and take no more runs."""
        with self._lock:
            self._closing = True
        self.executor.close()
        # A run cut short by close() may retry in a container started after the pool closed:
        # remove by owner label until no run is left (or the wait ends).
        deadline = time.monotonic() + CLOSE_WAIT_S
        while True:
            self._remove_mine()
            with self._lock:
                idle = self._running == 0
            if idle or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self._remove_mine()

    def _remove_mine(self) -> None:
        engine = self.executor.engine
        try:
            for info in engine.list_managed(owner=owner_label()):
                engine.remove(str(info["Id"]))
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            return  # the engine is gone; its containers with it (or `sandbox clean` later)


def _refused(request: ExecutionRequest, why: str) -> ExecutionResult:
    return ExecutionResult(status=Status.SANDBOX_ERROR, error=why, tag=request.tag)


def _pulled(pieces: Any) -> Iterator[bytes]:
    for ref in pieces:
        yield ray.get(ref)


def _inspect_id(api: Any, image: str) -> str | None:
    try:
        return str(api.inspect_image(image)["Id"])
    except docker.errors.ImageNotFound:
        return None
