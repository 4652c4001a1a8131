"""A real two-node Ray cluster on this machine for the Ray tests.

Node 1 (the head) runs programs on the main Docker engine; node 2 on a second engine with its
own socket, data root and exec root (scripts/second-engine.sh), the stand-in for a second
machine. Both are started by scripts/ray-local-cluster.sh, each with its own temporary
directory and ports, and stopped by process group at the end of the session. The second
engine starts empty: the images the tests use reach it the way a new node gets them, from a
node that has them (RayExecutor.prepare_images: docker save on node 1, docker load on node 2).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import ray

from sandbox.engine import DockerEngine
from sandbox.executor import remove_stale_containers
from sandbox.languages import resolve_language
from sandbox.ray_executor import RayExecutor

REPO = Path(__file__).resolve().parents[2]
CLUSTER_SCRIPT = REPO / "scripts" / "ray-local-cluster.sh"
ENGINE_SCRIPT = REPO / "scripts" / "second-engine.sh"
ENGINE2 = "unix:///run/sandbox-engine2/docker.sock"
LOCK = Path("/tmp/sandbox-ray-tests.lock")
LOCK_WAIT_S = 1800
LANGUAGES = ("python", "lua", "shell", "awk", "c")
"""The images the Ray tests run: HumanEval+ (python) and McEval canonical in a few languages
(an interpreted one, shell, AWK with its reference program, a compiled one)."""


@dataclass
class LocalCluster:
    """The running test cluster."""

    address: str
    state: Path

    def engine2(self) -> DockerEngine:
        return DockerEngine(base_url=ENGINE2)

    def worker_pids(self) -> set[int]:
        """Every process under the nodes' raylets (the node actors among them)."""
        pids: set[int] = set()
        for pgid_file in self.state.glob("*.pgid"):
            group = int(pgid_file.read_text())
            for process in psutil.process_iter(["name"]):
                try:
                    if process.info["name"] == "raylet" and os.getpgid(process.pid) == group:
                        pids |= {child.pid for child in process.children(recursive=True)}
                except (psutil.Error, ProcessLookupError):
                    continue
        return pids


def engine2_answers() -> bool:
    done = subprocess.run(["bash", str(ENGINE_SCRIPT), "status"], capture_output=True)
    return done.returncode == 0


def stop_engine2() -> None:
    subprocess.run(["bash", str(ENGINE_SCRIPT), "stop"], check=True, capture_output=True)


def start_engine2() -> None:
    subprocess.run(["bash", str(ENGINE_SCRIPT), "start"], check=True, capture_output=True)


def remove_leftovers_on_engine2(wait_s: float = 60.0) -> None:
    """Remove containers of node actors that died on engine 2, as a new node actor would
    (waiting for the actors to be gone: Ray ends them asynchronously)."""
    engine = DockerEngine(base_url=ENGINE2)
    deadline = time.monotonic() + wait_s
    while True:
        remove_stale_containers(engine)
        if not engine.list_managed() or time.monotonic() > deadline:
            return
        time.sleep(0.5)


def running_cluster() -> Iterator[LocalCluster]:
    """Start the cluster (and engine 2 if needed), give node 2 the test images, connect this
    process; undo all of it afterwards. One test session at a time on a machine: the lock."""
    with _machine_lock():
        yield from _running_cluster()


@contextlib.contextmanager
def _machine_lock() -> Iterator[None]:
    """Test sessions of several people on one machine take turns with engine 2 (tests change
    its images and stop it)."""
    with LOCK.open("w") as handle:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() > deadline:
                    message = f"another test session held {LOCK} for {LOCK_WAIT_S} s"
                    raise RuntimeError(message) from exc
                time.sleep(2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _running_cluster() -> Iterator[LocalCluster]:
    engine2_was_up = engine2_answers()
    state = Path(tempfile.mkdtemp(prefix="sbxray-", dir="/tmp"))  # Ray's socket paths are short
    done = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "start", str(state), "2"], capture_output=True, text=True
    )
    if done.returncode != 0:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(state)], capture_output=True)
        raise RuntimeError(f"the test cluster did not start:\n{done.stderr[-3000:]}")
    cluster = LocalCluster(address=done.stdout.strip().splitlines()[-1], state=state)
    try:
        ray.init(address=cluster.address, log_to_driver=False, logging_level=logging.WARNING)
        with RayExecutor() as executor:
            prepared = executor.prepare_images([resolve_language(lang) for lang in LANGUAGES])
        failed = [r for r in prepared if r.outcome not in {"up-to-date", "shipped"}]
        if failed:
            raise RuntimeError(f"images did not reach node 2: {failed}")
        yield cluster
    finally:
        ray.shutdown()
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(state)], capture_output=True)
        if not engine2_was_up:
            stop_engine2()
        shutil.rmtree(state, ignore_errors=True)


MODEL_OUTPUTS = (
    REPO
    / "datasets"
    / "model-outputs"
    / "humaneval-mistralai--Mistral-7B-Instruct-v0.2_vllm_temp_0.0-sanitized_eval_results.json.gz"
)
HUMANEVAL_PLUS = REPO / "datasets" / "humanevalplus" / "HumanEvalPlus.jsonl.gz"


def write_model_samples(path: Path, tasks: int) -> Path:
    """Mistral-7B-Instruct-v0.2's greedy HumanEval+ answers for the first ``tasks`` tasks."""
    published = json.loads(gzip.decompress(MODEL_OUTPUTS.read_bytes()))["eval"]
    ordered = sorted(published, key=lambda task: int(task.split("/")[1]))[:tasks]
    lines = [
        json.dumps({"task_id": task, "solution": published[task][0]["solution"]})
        for task in ordered
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def read_verdicts(output: Path) -> dict[str, tuple[Any, ...]]:
    """Each sample's verdict as recorded: status, passed and the suite's own verdict fields."""
    verdicts = {}
    for line in (output / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        details = record.get("details") or {}
        verdicts[record["key"]] = (
            record["status"],
            record["passed"],
            record.get("execution_status"),
            *(json.dumps(details.get(name), sort_keys=True) for name in VERDICT_FIELDS),
        )
    return verdicts


VERDICT_FIELDS = ("base_status", "plus_status", "base_fail_tests", "plus_fail_tests", "failure")


def record_keys(output: Path) -> list[str]:
    """The key of every line of results.jsonl, in order (duplicates included)."""
    lines = (output / "results.jsonl").read_text().splitlines()
    return [json.loads(line)["key"] for line in lines]
