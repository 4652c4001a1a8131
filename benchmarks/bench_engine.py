"""Cost of one sandboxed execution: `docker run --rm` vs sandbox's warm-pool executor, and
gVisor (runsc) vs runc.

Usage: python benchmarks/bench_engine.py [--runs N] [--runtime runc|runsc]
Prints seconds per execution for each method and the ratios, in one run on this host. With
``--runtime runsc`` it times the executor under runc and under runsc side by side (same
program, same limits, same run) and prints what runsc costs per execution. The load average
before and after is printed with the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from typing import Any

from sandbox.executor import LocalExecutor, default_workers
from sandbox.languages import resolve_language
from sandbox.models import LimitsSpec, Runtime, Status

PROGRAM = 'print("hello")'


def time_docker_run(image: str, runs: int) -> float:
    """Seconds per `docker run --rm` of the same trivial program (no limits, serial)."""
    started = time.monotonic()
    for _ in range(runs):
        subprocess.run(
            ["docker", "run", "--rm", "--network", "none", image, "python3", "-c", PROGRAM],
            check=True,
            capture_output=True,
        )
    return (time.monotonic() - started) / runs


def time_executor(runs: int, workers: int, runtime: Runtime = "runc") -> tuple[float, float]:
    """(seconds per execution, wall seconds) for sandbox's executor with all limits on."""
    spec = resolve_language("python")
    limits = LimitsSpec(runtime=runtime)
    requests = [spec.make_request(PROGRAM, limits=limits, tag=str(i)) for i in range(runs)]
    with LocalExecutor(workers=workers) as executor:
        executor.run(requests[0])  # warm the pool, as a real run does after its first sample
        started = time.monotonic()
        results = [result for _, result in executor.run_many(requests)]
        wall = time.monotonic() - started
    failures = [r for r in results if r.status is not Status.OK]
    if failures:
        raise SystemExit(f"{len(failures)} executions failed: {failures[0]}")
    return wall / runs, wall


def compare_runtimes(runs: int, workers: int) -> dict[str, Any]:
    """runc and runsc side by side: seconds per execution, serial and parallel, and ratios."""
    figures: dict[str, Any] = {}
    for label, count in (("serial", 1), (f"parallel_{workers}w", workers)):
        runc, _ = time_executor(runs, workers=count, runtime="runc")
        runsc, _ = time_executor(runs, workers=count, runtime="runsc")
        figures[f"runc_{label}_s_per_exec"] = round(runc, 3)
        figures[f"runsc_{label}_s_per_exec"] = round(runsc, 3)
        figures[f"runsc_cost_{label}_x"] = round(runsc / runc, 2)
        figures[f"runsc_extra_{label}_s_per_exec"] = round(runsc - runc, 3)
    return figures


def compare_with_docker_run(runs: int, workers: int) -> dict[str, Any]:
    """`docker run --rm` (serial) against the executor, serial and parallel."""
    docker_run = time_docker_run(resolve_language("python").image, max(5, runs // 4))
    serial, _ = time_executor(runs, workers=1)
    parallel, wall = time_executor(runs, workers=workers)
    return {
        "docker_run_s_per_exec": round(docker_run, 3),
        "sandbox_serial_s_per_exec": round(serial, 3),
        f"sandbox_parallel_{workers}w_s_per_exec": round(parallel, 3),
        "speedup_serial_vs_docker_run": round(docker_run / serial, 2),
        "speedup_parallel_vs_docker_run": round(docker_run / parallel, 2),
        "executions_per_s_parallel": round(runs / wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--runtime", choices=["runc", "runsc"], default="runc")
    args = parser.parse_args()
    workers = default_workers()
    load_before = os.getloadavg()[0]
    if args.runtime == "runsc":
        figures = compare_runtimes(args.runs, workers)
    else:
        figures = compare_with_docker_run(args.runs, workers)
    figures.update(
        runs=args.runs,
        cores=os.cpu_count(),
        load_average_1m_before=round(load_before, 2),
        load_average_1m_after=round(os.getloadavg()[0], 2),
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
