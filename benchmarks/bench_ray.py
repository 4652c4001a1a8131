"""Executions per second: LocalExecutor vs RayExecutor on a 1-node and a 2-node Ray cluster on
this machine, on the same requests, in one run; and executions per node-second by language.

    python benchmarks/bench_ray.py                       # all workloads, 1 round
    python benchmarks/bench_ray.py --repeat 3            # alternate runs, report medians
    python benchmarks/bench_ray.py --json out.json       # also write the figures

Workloads: ``trivial`` (N Python one-liners: the Ray path's overhead at its most visible),
``humaneval+`` (a real model's 164 HumanEval+ answers, each one evalplus check in the Python
image) and, for the per-language table, McEval's canonical solutions (first ``--per-language``
tasks of each language in ``--languages``; LocalExecutor only). The cluster is the tests' own
(scripts/ray-local-cluster.sh): node 1 on the main Docker engine, node 2 on a second engine
(scripts/second-engine.sh) standing in for a second machine. Both nodes share this machine's
cores, so 2 nodes cannot be faster here than 1: the 2-node figure checks that spreading work
costs nothing; the speed-up needs real machines (docs/scale-out.md).
"""

from __future__ import annotations

import argparse
import fcntl
import functools
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runners.suites import get_suite
from runners.suites.base import SuiteRunSpec
from sandbox.executor import Executor, LocalExecutor
from sandbox.languages import resolve_language
from sandbox.models import ExecutionRequest, Status
from sandbox.progress import ProgressReporter
from sandbox.ray_executor import RayExecutor

REPO = Path(__file__).resolve().parent.parent
CLUSTER = REPO / "scripts" / "ray-local-cluster.sh"
LOCK = Path("/tmp/sandbox-ray-tests.lock")
MODEL = (
    REPO
    / "datasets"
    / "model-outputs"
    / "humaneval-mistralai--Mistral-7B-Instruct-v0.2_vllm_temp_0.0-sanitized_eval_results.json.gz"
)
DATA = REPO / "datasets" / "humanevalplus" / "HumanEvalPlus.jsonl.gz"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trivial", type=int, default=200, help="one-liners to run")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--languages", default="python,javascript,java,c,cpp,go,rust,shell")
    parser.add_argument("--per-language", type=int, default=10)
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def trivial_requests(count: int) -> list[ExecutionRequest]:
    spec = resolve_language("python")
    return [spec.make_request(f"print({i})", tag=str(i)) for i in range(count)]


def planned_requests(executor: Executor, spec: SuiteRunSpec) -> list[ExecutionRequest]:
    """The distinct requests a suite run would send (as the driver sends them)."""
    plan = get_suite(spec.suite).plan(spec, executor, set(), ProgressReporter(enabled=False))
    unique = {r.content_key(): r for job in plan.jobs for r in job.requests()}
    return list(unique.values())


def humaneval_requests(executor: Executor, root: Path) -> list[ExecutionRequest]:
    import gzip

    published = json.loads(gzip.decompress(MODEL.read_bytes()))["eval"]
    samples = root / "mistral.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"task_id": t, "solution": rs[0]["solution"]}) + "\n"
            for t, rs in published.items()
        )
    )
    spec = SuiteRunSpec(suite="humaneval+", samples=samples, data=DATA)
    return planned_requests(executor, spec)


def timed(executor: Executor, requests: list[ExecutionRequest]) -> float:
    """Wall seconds to run every request; any engine failure stops the benchmark."""
    started = time.monotonic()
    failed = [r for _, r in executor.run_many(requests) if r.status is Status.SANDBOX_ERROR]
    wall = time.monotonic() - started
    if failed:
        raise SystemExit(f"{len(failed)} sandbox errors, e.g. {failed[0].error}")
    return wall


def alternate(
    rounds: int, runs: dict[str, Callable[[], float]], into: dict[str, list[float]]
) -> None:
    for _ in range(rounds):
        for name, run in runs.items():
            into.setdefault(name, []).append(run())


def by_language(executor: Executor, languages: list[str], tasks: int) -> dict[str, float]:
    """Executions per second of one node (this machine, default workers), per language."""
    rates = {}
    for language in languages:
        spec = SuiteRunSpec(suite="mceval", languages=(language,), limit=tasks)
        requests = planned_requests(executor, spec)
        executor.run(requests[0])  # a warm pool, as a run has after its first sample
        rates[language] = len(requests) / timed(executor, requests)
    return rates


def cluster(command: str, state: Path, *extra: str) -> str:
    done = subprocess.run(
        ["bash", str(CLUSTER), command, str(state), *extra], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{CLUSTER.name} {command} failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def measure(args: argparse.Namespace, state: Path) -> dict[str, Any]:
    walls: dict[str, list[float]] = {}
    with LocalExecutor() as local:
        workloads = {"trivial": trivial_requests(args.trivial)}
        workloads["humaneval+"] = humaneval_requests(local, state)
        address = cluster("start", state, "1").splitlines()[-1]
        for nodes in (1, 2):
            if nodes == 2:
                cluster("add", state)
            with RayExecutor(address=address) as ray_executor:
                ray_executor.prepare_images([resolve_language("python")])
                for name, requests in workloads.items():
                    ray_executor.run(requests[0])
                    local.run(requests[0])
                    runs: dict[str, Callable[[], float]] = {
                        f"{name}/local/{nodes}": functools.partial(timed, local, requests),
                        f"{name}/ray/{nodes}": functools.partial(timed, ray_executor, requests),
                    }
                    alternate(args.repeat, runs, walls)
        languages = by_language(local, args.languages.split(","), args.per_language)
        workers = local.workers
    counts = {name: len(requests) for name, requests in workloads.items()}
    return {"walls": walls, "counts": counts, "by_language": languages, "workers": workers}


def report(figures: dict[str, Any]) -> dict[str, Any]:
    """Medians; each Ray figure is set against the local runs it alternated with."""
    out: dict[str, Any] = {"workers_per_node": figures["workers"]}
    walls = figures["walls"]
    for name, count in figures["counts"].items():
        local1, ray1 = (statistics.median(walls[f"{name}/{k}/1"]) for k in ("local", "ray"))
        local2, ray2 = (statistics.median(walls[f"{name}/{k}/2"]) for k in ("local", "ray"))
        out[name] = {
            "executions": count,
            "local_per_s": round(count / local1, 2),
            "ray_1_node_per_s": round(count / ray1, 2),
            "ray_2_nodes_per_s": round(count / ray2, 2),
            "ray_1_node_time_over_local": round(ray1 / local1, 3),
            "ray_2_nodes_time_over_local": round(ray2 / local2, 3),
            "overhead_ms_per_execution": round((ray1 - local1) / count * 1000, 1),
        }
        print(
            f"{name:11} {count:4} executions: local {count / local1:6.2f}/s, "
            f"ray 1 node {count / ray1:6.2f}/s (time x{ray1 / local1:.3f}, "
            f"{(ray1 - local1) / count * 1000:+.1f} ms per execution), "
            f"ray 2 nodes {count / ray2:6.2f}/s (time x{ray2 / local2:.3f})"
        )
    out["executions_per_node_second"] = {k: round(v, 2) for k, v in figures["by_language"].items()}
    for language, rate in figures["by_language"].items():
        print(f"  {language:12} {rate:6.2f} executions per node-second (McEval canonical)")
    out["load_average_end"] = os.getloadavg()
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return out


def main() -> None:
    args = parse_args()
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    state = Path(tempfile.mkdtemp(prefix="sbxbench-", dir="/tmp"))
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the Ray tests use the same ports and engine 2
        try:
            figures = measure(args, state)
        finally:
            cluster("stop", state)
            shutil.rmtree(state, ignore_errors=True)
    out = report(figures)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
