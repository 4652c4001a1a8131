"""A node lost mid-run loses and duplicates nothing and costs the model nothing; Ctrl-C leaves
no container on any node, and a re-run resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runners.evalplus_suite import run_evalplus
from sandbox.availability import LanguageStatusResult
from sandbox.engine import DockerEngine
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult
from sandbox.ray_cluster import ClusterNode
from sandbox.ray_executor import RayExecutor
from tests.sandbox.conftest import HUMANEVAL_TASKS
from tests.sandbox.ray_support import (
    ENGINE2,
    HUMANEVAL_PLUS,
    REPO,
    LocalCluster,
    read_verdicts,
    record_keys,
    remove_leftovers_on_engine2,
    start_engine2,
    stop_engine2,
)

pytestmark = [pytest.mark.docker, pytest.mark.ray]


class ActAfter:
    """Delegates to an executor; once ``after`` results are out, calls ``action`` in a thread
    (the run goes on meanwhile, as it would when a machine fails)."""

    def __init__(self, inner: RayExecutor, after: int, action: Callable[[], None]) -> None:
        self.inner, self.after, self.action = inner, after, action
        self.thread: threading.Thread | None = None

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        return self.inner.run(request)

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        for done, pair in enumerate(self.inner.run_many(requests), start=1):
            if done == self.after:
                self.thread = threading.Thread(target=self.action)
                self.thread.start()
            yield pair

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        return self.inner.probe(spec)

    def image_id(self, image: str) -> str:
        return self.inner.image_id(image)

    def close(self) -> None:
        """The inner executor belongs to the test."""


def node_on_engine2(executor: RayExecutor) -> ClusterNode:
    return next(n for n in executor.cluster.nodes if n.facts.docker_host == ENGINE2)


def score_with_a_fault(
    samples: Path, output: Path, action: Callable[[RayExecutor, ClusterNode], None]
) -> tuple[list[str], int]:
    """Score the model's answers on the cluster, hitting node 2 after 3 results; the notes and
    how many requests node 2 held when it was hit."""
    held: list[int] = []
    with RayExecutor() as executor:
        victim = node_on_engine2(executor)

        def hit() -> None:
            held.append(victim.in_flight)
            action(executor, victim)

        faulty = ActAfter(executor, after=3, action=hit)
        run_evalplus(
            suite="humaneval+",
            samples=samples,
            output=output,
            dataset_path=HUMANEVAL_PLUS,
            limit=HUMANEVAL_TASKS,
            executor=faulty,
        )
        if faulty.thread is not None:
            faulty.thread.join()
        notes = list(executor.notes)
    return notes, held[0]


def assert_nothing_lost_or_doubled(output: Path, local: Path) -> None:
    keys = record_keys(output)
    assert len(keys) == len(set(keys)) == HUMANEVAL_TASKS  # each sample recorded exactly once
    ours = read_verdicts(output)
    assert all(verdict[0] != "sandbox_error" for verdict in ours.values())
    assert ours == read_verdicts(local)  # nobody's verdict changed: the model lost nothing


def test_a_node_killed_mid_run_loses_nothing(
    ray_cluster: LocalCluster, humaneval_samples: Path, local_humaneval: Path, tmp_path: Path
) -> None:
    def kill(executor: RayExecutor, victim: ClusterNode) -> None:
        os.kill(victim.facts.pid, signal.SIGKILL)  # the node's actor dies like a crashed host

    notes, held = score_with_a_fault(humaneval_samples, tmp_path / "out", kill)
    assert held > 0, "node 2 held no request when it died: the test proved nothing"
    assert any("left the run" in note for note in notes), notes
    assert_nothing_lost_or_doubled(tmp_path / "out", local_humaneval)
    remove_leftovers_on_engine2()  # what the dead actor had started (a new actor does this)
    assert ray_cluster.engine2().list_managed() == []


def test_a_node_whose_engine_stops_mid_run_loses_nothing(
    ray_cluster: LocalCluster, humaneval_samples: Path, local_humaneval: Path, tmp_path: Path
) -> None:
    def stop(executor: RayExecutor, victim: ClusterNode) -> None:
        stop_engine2()

    try:
        notes, held = score_with_a_fault(humaneval_samples, tmp_path / "out", stop)
    finally:
        start_engine2()
    assert held > 0, "node 2 held no request when its engine stopped: the test proved nothing"
    assert any("Docker engine does not answer" in note for note in notes), notes
    assert_nothing_lost_or_doubled(tmp_path / "out", local_humaneval)
    remove_leftovers_on_engine2()
    assert ray_cluster.engine2().list_managed() == []


def run_command(cluster: LocalCluster, samples: Path, output: Path) -> list[str]:
    return [
        sys.executable, "-c", "from runners.cli.main import run_app; run_app()", "run",
        "--suite", "humaneval+", "--samples", str(samples), "--limit", str(HUMANEVAL_TASKS),
        "--data-dir", str(HUMANEVAL_PLUS), "--output", str(output), "--no-progress",
        "--executor", "ray", "--ray-address", cluster.address,
    ]  # fmt: skip


def containers_of(owners: set[str]) -> list[str]:
    found = []
    for engine in (DockerEngine(), DockerEngine(base_url=ENGINE2)):
        found += [c["Id"] for c in engine.list_managed() if c["Labels"]["sandbox.owner"] in owners]
    return found


def owners_now(cluster: LocalCluster, exclude: set[int]) -> set[str]:
    """Owners of the containers the nodes' actors hold now (other than ``exclude``'s)."""
    pids = cluster.worker_pids() - exclude
    owners = set()
    for engine in (DockerEngine(), DockerEngine(base_url=ENGINE2)):
        for info in engine.list_managed():
            owner = info["Labels"]["sandbox.owner"]
            if owner.partition(":")[2].isdigit() and int(owner.partition(":")[2]) in pids:
                owners.add(owner)
    return owners


def _as_from_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # background jobs start with SIGINT ignored


def test_ctrl_c_leaves_no_container_on_any_node_and_a_rerun_resumes(
    ray_cluster: LocalCluster, ray_executor: Any, humaneval_samples: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = run_command(ray_cluster, humaneval_samples, output)
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_as_from_a_terminal,
    )  # fmt: skip
    others = {node.facts.pid for node in ray_executor.cluster.nodes}  # the session's actors
    owners: set[str] = set()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        written = len(record_keys(output)) if (output / "results.jsonl").exists() else 0
        owners |= owners_now(ray_cluster, others)
        if written >= 3 and len({owner.split(":")[1] for owner in owners}) >= 2:
            break
        time.sleep(0.3)
    assert process.poll() is None, f"the run ended before Ctrl-C: {process.communicate()[1]}"
    assert len(owners) >= 2, "no container seen on both nodes: the test would prove nothing"
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=180)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running 180 s after Ctrl-C: {process.communicate()[1][-3000:]}")
    interrupted = len(record_keys(output))
    assert 0 < interrupted < HUMANEVAL_TASKS
    deadline = time.monotonic() + 30
    while containers_of(owners) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert containers_of(owners) == []

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    keys = record_keys(output)
    assert len(keys) == len(set(keys)) == HUMANEVAL_TASKS  # resumed: nothing scored twice
