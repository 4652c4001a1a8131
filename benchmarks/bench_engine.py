"""Cost of one sandboxed execution: `docker run --rm` vs sandbox's warm-pool executor.

Usage: python benchmarks/bench_engine.py [--runs N]
Prints seconds per execution for each method and the ratios, in one run on this host.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time

from sandbox.executor import LocalExecutor, default_workers
from sandbox.languages import resolve_language
from sandbox.models import Status

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


def time_executor(runs: int, workers: int) -> tuple[float, float]:
    """(seconds per execution, wall seconds) for sandbox's executor with all limits on."""
    spec = resolve_language("python")
    requests = [spec.make_request(PROGRAM, tag=str(i)) for i in range(runs)]
    with LocalExecutor(workers=workers) as executor:
        executor.run(requests[0])  # warm the pool, as a real run does after its first sample
        started = time.monotonic()
        results = [result for _, result in executor.run_many(requests)]
        wall = time.monotonic() - started
    failures = [r for r in results if r.status is not Status.OK]
    if failures:
        raise SystemExit(f"{len(failures)} executions failed: {failures[0]}")
    return wall / runs, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    image = resolve_language("python").image
    docker_run = time_docker_run(image, max(5, args.runs // 4))
    serial, _ = time_executor(args.runs, workers=1)
    workers = default_workers()
    parallel, wall = time_executor(args.runs, workers=workers)
    figures = {
        "docker_run_s_per_exec": round(docker_run, 3),
        "sandbox_serial_s_per_exec": round(serial, 3),
        f"sandbox_parallel_{workers}w_s_per_exec": round(parallel, 3),
        "speedup_serial_vs_docker_run": round(docker_run / serial, 2),
        "speedup_parallel_vs_docker_run": round(docker_run / parallel, 2),
        "executions_per_s_parallel": round(args.runs / wall, 2),
        "runs": args.runs,
        "load_average_1m": round(statistics.mean([__import__("os").getloadavg()[0]]), 2),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
