"""The driver's view of a Ray cluster: one node actor per live node, and which image runs where.

``RayCluster.connect`` joins a running cluster (``ray start`` on each machine, or ``ray up``;
see docs/scale-out.md) and starts one :class:`~sandbox.ray_node.NodeWorker` actor per live
node, pinned to it. A node whose actor cannot start (no Docker engine, no package) is left out
with a note. ``holders`` answers, per image tag, the one image id a run uses and the nodes that
hold exactly that id; two different ids under one tag stop the run (ImageMismatchError).
"""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import ray
import ray.exceptions
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from sandbox.availability import LanguageState, LanguageStatusResult, unavailable
from sandbox.errors import ClusterUnavailableError, ImageMismatchError, ImageMissingError
from sandbox.languages import LanguageSpec
from sandbox.ray_node import CONTROL, LOAD, SAVE, ImageFactsResult, NodeFactsResult, NodeWorker

NODE_START_TIMEOUT_S = 300.0
"""A node actor starts a Python worker and connects to its engine; a loaded node is slow."""
CONTROL_TIMEOUT_S = 60.0
REACH_TIMEOUT_S = 5.0
CLOSE_TIMEOUT_S = 120.0
RAY_ERRORS = (ray.exceptions.RayError,)
"""Anything Ray raises for a call: the actor or its node died, a timeout, a failed call."""
NODE_GONE = (
    ray.exceptions.RayActorError,
    ray.exceptions.NodeDiedError,
    ray.exceptions.GetTimeoutError,
    ray.exceptions.ObjectLostError,
)
"""The node's actor died or stopped answering: the node leaves the run."""


@dataclass
class ClusterNode:
    """One node taking part in a run: its actor and how much work it holds now."""

    facts: NodeFactsResult
    actor: Any
    capacity: int
    in_flight: int = 0
    alive: bool = True

    @property
    def name(self) -> str:
        return f"{self.facts.hostname}/{self.facts.node_id[:8]}"


@dataclass
class PinnedImage:
    """The image id a run uses for one tag, and the nodes holding that id."""

    image_id: str
    nodes: list[ClusterNode] = field(default_factory=list)


class RayCluster:
    """Node actors on every live node of a connected Ray cluster."""

    def __init__(self, nodes: list[ClusterNode], notes: list[str], owns_ray: bool) -> None:
        self.nodes = nodes
        self.notes = notes
        self._owns_ray = owns_ray
        self._pinned: dict[str, PinnedImage] = {}
        self._closed = False

    @classmethod
    def connect(cls, address: str | None = None, workers: int | None = None) -> RayCluster:
        """Join the cluster at ``address`` (default ``$RAY_ADDRESS``, else ``auto``) and start
        one node actor per live node."""
        owns_ray = _init_ray(address)
        try:
            nodes, notes = _start_node_actors(workers)
        except BaseException:
            if owns_ray:
                ray.shutdown()
            raise
        return cls(nodes, notes, owns_ray)

    def live(self) -> list[ClusterNode]:
        return [node for node in self.nodes if node.alive]

    def lose(self, node: ClusterNode, reason: str) -> None:
        """Take ``node`` out of this run (its work is re-run elsewhere by the caller)."""
        if node.alive:
            node.alive = False
            self.notes.append(f"node {node.name} left the run: {reason}")
        for pinned in self._pinned.values():
            pinned.nodes = [n for n in pinned.nodes if n is not node]

    # -- images ------------------------------------------------------------------------
    def facts(
        self, image: str, base: str | None = None
    ) -> list[tuple[ClusterNode, ImageFactsResult]]:
        """Each live node's facts about ``image`` (nodes that fail to answer leave the run)."""
        asked = [(node, node.actor.image_facts.remote([(image, base)])) for node in self.live()]
        answers = []
        for node, ref in asked:
            try:
                answers.append((node, ray.get(ref, timeout=CONTROL_TIMEOUT_S)[0]))
            except NODE_GONE as exc:
                self.lose(node, _first_line(exc))
        return answers

    def holders(self, image: str) -> PinnedImage:
        """The id this run uses for ``image`` and the live nodes that hold it."""
        if image not in self._pinned:
            held = [(node, f.image_id) for node, f in self.facts(image) if f.image_id]
            if not held:
                lang = image.removeprefix("sandbox-lang-").split(":")[0]
                raise ImageMissingError(
                    f"image {image} is on no node of the Ray cluster",
                    f"run `sandbox images build --executor ray --lang {lang}`",
                )
            image_id = _one_id(image, held)
            self._pinned[image] = PinnedImage(image_id, [node for node, _ in held])
        return self._pinned[image]

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        """Whether ``spec``'s image can run on the cluster (and which id it has there)."""
        answers = self.facts(spec.image, spec.base_image)
        held = [(node, f) for node, f in answers if f.image_id]
        if not held:
            if not spec.available:
                return unavailable(spec)
            return LanguageStatusResult(
                language=spec.id,
                state=LanguageState.NOT_BUILT,
                detail="image on no node of the Ray cluster: run "
                f"`sandbox images build --executor ray --lang {spec.id}`",
                image=spec.image,
            )
        image_id = _one_id(spec.image, [(node, str(f.image_id)) for node, f in held])
        self._pinned[spec.image] = PinnedImage(image_id, [node for node, _ in held])
        wanted = spec.content_hash()
        up_to_date = all(is_current(f, wanted) for _, f in held)
        notes = [] if up_to_date else ["stale image: rebuild it"]
        if len(held) < len(answers):
            notes.append(f"on {len(held)} of {len(answers)} nodes")
        return LanguageStatusResult(
            language=spec.id,
            state=LanguageState.READY,
            detail="; ".join(notes),
            image=spec.image,
            image_id=image_id,
            toolchain=held[0][1].toolchain,
            up_to_date=up_to_date,
        )

    def forget_images(self) -> None:
        """Ask the nodes again on next use (after images were shipped or built)."""
        self._pinned.clear()

    # -- the end -----------------------------------------------------------------------
    def close(self) -> None:
        """Every node removes the containers it started; the actors end."""
        if self._closed:
            return
        self._closed = True
        closing = [(node, node.actor.close.remote()) for node in self.live()]
        for node, ref in closing:
            try:
                ray.get(ref, timeout=CLOSE_TIMEOUT_S)
            except RAY_ERRORS as exc:
                self.notes.append(f"node {node.name} did not close cleanly: {_first_line(exc)}")
        for node in self.nodes:
            ray.kill(node.actor)
        if self._owns_ray:
            ray.shutdown()


def is_current(facts: ImageFactsResult, wanted_hash: str) -> bool:
    """Built from the language folder as it is now, on the base image the node has."""
    return facts.content_hash == wanted_hash and facts.base_label in {None, facts.base_id}


def _one_id(image: str, held: list[tuple[ClusterNode, str]]) -> str:
    ids = Counter(image_id for _, image_id in held)
    if len(ids) > 1:
        where = "; ".join(
            f"{image_id[7:19]} on {', '.join(n.name for n, i in held if i == image_id)}"
            for image_id in ids
        )
        lang = image.removeprefix("sandbox-lang-").split(":")[0]
        raise ImageMismatchError(
            f"{image} differs between nodes ({where}); a run would mix two images",
            f"run `sandbox images build --executor ray --lang {lang}` (it gives every node "
            "the same image)",
        )
    return next(iter(ids))


def _init_ray(address: str | None) -> bool:
    """Connect this process to the cluster; True when it did (and so must shut Ray down)."""
    if ray.is_initialized():
        return False
    target = address or os.environ.get("RAY_ADDRESS") or "auto"
    _check_reachable(target)
    try:
        ray.init(
            address=target,
            namespace="sandbox",
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterUnavailableError(
            f"cannot reach a Ray cluster at {target!r} ({_first_line(exc)})",
            "start one with `ray start --head` (docs/scale-out.md) or pass --ray-address HOST:PORT",
        ) from exc
    return True


def _check_reachable(target: str) -> None:
    """Fail in seconds, not minutes: ``ray.init`` keeps retrying an address nobody answers."""
    if target.startswith("ray://"):
        return  # Ray Client: its own connection checks
    from ray._private.services import canonicalize_bootstrap_address

    fix = "start one with `ray start --head` (docs/scale-out.md) or pass --ray-address HOST:PORT"
    try:
        resolved = canonicalize_bootstrap_address(target)
    except (ConnectionError, ValueError) as exc:
        raise ClusterUnavailableError(f"no Ray cluster at {target!r} ({exc})", fix) from exc
    if resolved is None:
        raise ClusterUnavailableError(f"no Ray cluster at {target!r}", fix)
    host, _, port = resolved.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=REACH_TIMEOUT_S).close()
    except (OSError, ValueError) as exc:
        raise ClusterUnavailableError(f"no Ray cluster answers at {resolved} ({exc})", fix) from exc


def _start_node_actors(workers: int | None) -> tuple[list[ClusterNode], list[str]]:
    every: list[dict[str, Any]] = ray.nodes()  # type: ignore[no-untyped-call]
    alive = [info for info in every if info.get("Alive")]
    remote: Any = ray.remote  # its typed overloads omit the concurrency options
    started = []
    for info in alive:
        cpus = int(info.get("Resources", {}).get("CPU", 1))
        actor_class = remote(
            num_cpus=0,
            max_restarts=0,
            max_concurrency=2 * max(cpus, workers or 0) + 4,
            concurrency_groups={CONTROL: 2, SAVE: 2, LOAD: 2},
        )(NodeWorker)
        strategy = NodeAffinitySchedulingStrategy(info["NodeID"], soft=False)
        actor = actor_class.options(scheduling_strategy=strategy).remote(workers)
        started.append((info, actor, actor.describe.remote()))
    nodes, notes = [], []
    for info, actor, ref in started:
        try:
            facts = ray.get(ref, timeout=NODE_START_TIMEOUT_S)
        except RAY_ERRORS as exc:
            notes.append(f"node {info['NodeManagerAddress']} left out: {_first_line(exc)}")
            ray.kill(actor)
            continue
        nodes.append(ClusterNode(facts=facts, actor=actor, capacity=2 * facts.workers))
    if not nodes:
        raise ClusterUnavailableError(
            "no node of the Ray cluster can run programs (" + "; ".join(notes) + ")",
            "each node needs a running Docker engine (scripts/setup-engine.sh), this package "
            "and its images (docs/scale-out.md)",
        )
    return nodes, notes


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    useful = [line for line in lines if "Error" in line] or lines or [type(exc).__name__]
    return useful[-1].strip()[:300]
