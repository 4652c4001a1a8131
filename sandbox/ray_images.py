"""The same language images on every node of a Ray cluster (``sandbox images build --executor
ray``).

For each language, the content hash of its folder decides, as ``sandbox images build`` does on
one machine. Nodes whose image is current keep it; if several current ids exist, the one most
nodes hold wins. If no node has a current image, one node builds it from its own copy of the
language folder (the driver checks that the node's folder hashes the same). Every other node
then *receives* that image from a node that has it (``docker save`` streamed through Ray's
object store into ``docker load``), which keeps the image id: every node runs the very same
image, and a run never mixes two ids for one language. Building on each node instead would
give each its own id.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import ray
from pydantic import Field

from sandbox.errors import FetchError
from sandbox.fetch import fetch_files
from sandbox.languages import LanguageSpec
from sandbox.models import FrozenModel
from sandbox.ray_cluster import RAY_ERRORS, ClusterNode, RayCluster, is_current
from sandbox.ray_node import ImageFactsResult

TRANSFER_TIMEOUT_S = 3600.0
BUILD_TIMEOUT_S = 7200.0


class ClusterImageResult(FrozenModel):
    """One language's image across the cluster after ``prepare_image``."""

    language: str
    outcome: str  # up-to-date | built | shipped | unavailable | failed
    image_id: str | None = None
    nodes: dict[str, str] = Field(default_factory=dict)
    """What happened on each node: up-to-date, built, received from NODE, failed: ..."""
    seconds: float = 0.0
    toolchain: str | None = None
    detail: str | None = None


def prepare_images(
    cluster: RayCluster, specs: list[LanguageSpec], force: bool = False
) -> list[ClusterImageResult]:
    """Make every live node hold the same current image of each language in ``specs``."""
    results = [prepare_image(cluster, spec, force) for spec in specs]
    cluster.forget_images()
    return results


def prepare_image(cluster: RayCluster, spec: LanguageSpec, force: bool) -> ClusterImageResult:
    """One language: keep, build once, or receive; see the module docstring."""
    started = time.monotonic()
    note = _fetch_note(spec)
    wanted = spec.content_hash()
    answers = cluster.facts(spec.image, spec.base_image)
    current = [(n, f) for n, f in answers if f.image_id and is_current(f, wanted)]
    steps: dict[str, str] = {}
    if force or not current:
        built = _build_once(cluster, spec, answers, force, wanted, steps)
        if isinstance(built, ClusterImageResult):
            return built
        source, canonical = built
    else:
        source, canonical = _most_held(current)
    _ship_to_others(cluster, spec, source, canonical, answers, steps)
    outcome = "failed" if any(s.startswith("failed") for s in steps.values()) else _summary(steps)
    return ClusterImageResult(
        language=spec.id,
        outcome=outcome,
        image_id=canonical.image_id,
        nodes=steps,
        seconds=round(time.monotonic() - started, 1),
        toolchain=canonical.toolchain,
        detail=note,
    )


def _fetch_note(spec: LanguageSpec) -> str | None:
    """Fetch what the language downloads, so that the driver's hash is the building node's."""
    try:
        fetch_files(spec)
    except FetchError as exc:
        return f"{exc}; a build uses the Dockerfile's fallback"
    return None


def _most_held(
    current: list[tuple[ClusterNode, ImageFactsResult]],
) -> tuple[ClusterNode, ImageFactsResult]:
    """The current image most nodes hold, and a node holding it; on a tie, this machine's
    node (so that preparing the cluster never replaces the driver's own image)."""
    counts = Counter(f.image_id for _, f in current)
    here = ray.get_runtime_context().get_node_id()
    return max(current, key=lambda pair: (counts[pair[1].image_id], pair[0].facts.node_id == here))


def _build_once(
    cluster: RayCluster,
    spec: LanguageSpec,
    answers: list[tuple[ClusterNode, ImageFactsResult]],
    force: bool,
    wanted: str,
    steps: dict[str, str],
) -> tuple[ClusterNode, ImageFactsResult] | ClusterImageResult:
    """Build on one node that has the base image (after giving it the base if none has)."""
    with_base = [(n, f) for n, f in answers if f.base_id]
    if not with_base:
        outcome = "failed" if spec.available else "unavailable"
        return ClusterImageResult(
            language=spec.id,
            outcome=outcome,
            detail=f"base image {spec.base_image} is on no node: run `sandbox images "
            "bootstrap` on one node, then this command again",
        )
    by_base = [(n, f.model_copy(update={"image_id": f.base_id})) for n, f in with_base]
    builder, _ = _most_held(by_base)  # a node with the base image most nodes have
    try:
        result = ray.get(builder.actor.build.remote(spec.id, force), timeout=BUILD_TIMEOUT_S)
    except RAY_ERRORS as exc:
        return _failed(spec, {builder.name: f"failed: {exc}"[:300]})
    if result.outcome not in {"built", "up-to-date"}:
        return _failed(spec, {builder.name: f"{result.outcome}: {result.detail}"})
    facts = cluster.facts(spec.image, spec.base_image)
    mine = next((f for n, f in facts if n is builder), None)
    if mine is None or mine.content_hash != wanted:
        got = mine.content_hash if mine is not None else "nothing"
        return _failed(
            spec,
            {
                builder.name: f"failed: built {got}, but this machine's languages/{spec.id} "
                f"hashes to {wanted}: install the same version of the package on every node"
            },
        )
    steps[builder.name] = result.outcome
    return builder, mine


def _ship_to_others(
    cluster: RayCluster,
    spec: LanguageSpec,
    source: ClusterNode,
    canonical: ImageFactsResult,
    answers: list[tuple[ClusterNode, ImageFactsResult]],
    steps: dict[str, str],
) -> None:
    """Every node lacking the canonical image, or the base image it was built on, receives
    it from ``source`` (the base too, so that the image is current there)."""
    targets = []
    for node, facts in answers:
        if node is source:
            steps.setdefault(node.name, "up-to-date")
        elif _missing(canonical, facts):
            targets.append((node, facts))
        else:
            steps[node.name] = "up-to-date"
    if not targets:
        return
    with ThreadPoolExecutor(len(targets), thread_name_prefix="ship") as threads:
        done = threads.map(lambda t: _ship(spec, source, canonical, *t), targets)
        for (node, _), step in zip(targets, done, strict=True):
            steps[node.name] = step
            if step.startswith("failed"):
                cluster.notes.append(f"{spec.id} on {node.name}: {step}")


def _missing(canonical: ImageFactsResult, facts: ImageFactsResult) -> list[str]:
    """What a node lacks of the canonical image: "base", "image", both or nothing."""
    lacks = []
    if canonical.base_label and facts.base_id != canonical.base_label:
        lacks.append("base")
    if facts.image_id != canonical.image_id:
        lacks.append("image")
    return lacks


def _ship(
    spec: LanguageSpec,
    source: ClusterNode,
    canonical: ImageFactsResult,
    target: ClusterNode,
    facts: ImageFactsResult,
) -> str:
    lacks = _missing(canonical, facts)
    try:
        if "base" in lacks:
            _receive(target, source, spec.base_image)
        got = _receive(target, source, spec.image) if "image" in lacks else facts.image_id
    except RAY_ERRORS as exc:
        return f"failed: {str(exc).splitlines()[-1][:300]}"
    if got != canonical.image_id:
        return f"failed: loaded {str(got)[7:19]}, expected {str(canonical.image_id)[7:19]}"
    what = {"base": "its base image", "image": "the image"}
    return f"received {' and '.join(what[part] for part in lacks)} from {source.name}"


def _receive(target: ClusterNode, source: ClusterNode, image: str) -> str:
    ref = target.actor.receive_image.remote(source.actor, image)
    return str(ray.get(ref, timeout=TRANSFER_TIMEOUT_S))


def _failed(spec: LanguageSpec, steps: dict[str, str]) -> ClusterImageResult:
    return ClusterImageResult(
        language=spec.id, outcome="failed", nodes=steps, detail="; ".join(steps.values())
    )


def _summary(steps: dict[str, str]) -> str:
    if "built" in steps.values():
        return "built"
    if any(step.startswith("received") for step in steps.values()):
        return "shipped"
    return "up-to-date"
