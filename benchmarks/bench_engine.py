"""Cost of one sandboxed execution: sandbox's warm-pool executor at 1, 2 and 4 workers beside
`docker run --rm` and beside the Docker engine's own floor (a bare container's create, start,
wait and remove), and gVisor (runsc) vs runc.

Usage: python benchmarks/bench_engine.py [--runs N] [--runtime runc|runsc] [--profile]
Prints seconds per execution, executions per second and the machine's CPU milliseconds per
execution (every process: daemon, containerd, shims, runc, containers, Python; /proc/stat) for
each, in one run on this host; and the rate this machine's cores would allow at the bare
container's CPU cost alone.
``--profile`` also samples every CPU with ``perf`` while the executor runs (2 workers) and
prints the CPU milliseconds per execution by process name (the daemon, containerd, the shim,
runc, the launcher's commands, Python); other jobs on the machine are in those figures too.
With ``--runtime runsc`` it times the executor under runc and under runsc side by side (same
program, same limits, same run). The load average before and after is printed with the
figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docker
from machine_cpu import busy_seconds

from sandbox.executor import LocalExecutor
from sandbox.languages import resolve_language
from sandbox.models import LimitsSpec, Runtime, Status

PROGRAM = 'print("hello")'
WORKERS = (1, 2, 4)


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


def time_bare_containers(image: str, runs: int, threads: int) -> tuple[float, float]:
    """(executions per second, machine CPU ms per container) of the engine alone: create,
    start, wait for and remove a bare container running `true` (no limits, no payload),
    ``threads`` at a time. No executor of one container per run can beat either."""
    api = docker.APIClient(version="auto", timeout=120)

    def lifecycle(_: int) -> None:
        created = api.create_container(
            image,
            command=["true"],
            network_disabled=True,
            labels={"sandbox.benchmark": "bare"},
            host_config=api.create_host_config(network_mode="none"),
        )
        api.start(created["Id"])
        api.wait(created["Id"])
        api.remove_container(created["Id"], force=True)

    lifecycle(0)
    started, cpu = time.monotonic(), busy_seconds()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lifecycle, range(runs)))
    return runs / (time.monotonic() - started), (busy_seconds() - cpu) * 1000 / runs


def time_executor(runs: int, workers: int, runtime: Runtime = "runc") -> tuple[float, float, float]:
    """(seconds per execution, wall seconds, machine CPU ms per execution) for sandbox's
    executor with all limits on."""
    spec = resolve_language("python")
    limits = LimitsSpec(runtime=runtime)
    requests = [spec.make_request(PROGRAM, limits=limits, tag=str(i)) for i in range(runs)]
    with LocalExecutor(workers=workers) as executor:
        executor.run(requests[0])  # warm the pool, as a real run does after its first sample
        time.sleep(1.0)
        started, cpu = time.monotonic(), busy_seconds()
        results = [result for _, result in executor.run_many(requests)]
        wall = time.monotonic() - started
        cpu_ms = (busy_seconds() - cpu) * 1000 / runs
    failures = [r for r in results if r.status is not Status.OK]
    if failures:
        raise SystemExit(f"{len(failures)} executions failed: {failures[0]}")
    return wall / runs, wall, cpu_ms


def compare_runtimes(runs: int, workers: int) -> dict[str, Any]:
    """runc and runsc side by side: seconds per execution, serial and parallel, and ratios."""
    figures: dict[str, Any] = {}
    for label, count in (("serial", 1), (f"parallel_{workers}w", workers)):
        runc, _, _ = time_executor(runs, workers=count, runtime="runc")
        runsc, _, _ = time_executor(runs, workers=count, runtime="runsc")
        figures[f"runc_{label}_s_per_exec"] = round(runc, 3)
        figures[f"runsc_{label}_s_per_exec"] = round(runsc, 3)
        figures[f"runsc_cost_{label}_x"] = round(runsc / runc, 2)
        figures[f"runsc_extra_{label}_s_per_exec"] = round(runsc - runc, 3)
    return figures


def compare_with_docker(runs: int) -> dict[str, Any]:
    """The executor at 1, 2 and 4 workers, `docker run --rm`, and the engine's floor."""
    image = resolve_language("python").image
    figures: dict[str, Any] = {
        "docker_run_s_per_exec": round(time_docker_run(image, max(5, runs // 4)), 3)
    }
    for threads in (1, 2, 4):
        rate, cpu_ms = time_bare_containers(image, runs, threads)
        figures[f"bare_container_{threads}t_per_s"] = round(rate, 1)
        figures[f"bare_container_{threads}t_cpu_ms"] = round(cpu_ms)
    for workers in WORKERS:
        per_exec, wall, cpu_ms = time_executor(runs, workers=workers)
        figures[f"sandbox_{workers}w_s_per_exec"] = round(per_exec, 3)
        figures[f"sandbox_{workers}w_per_s"] = round(runs / wall, 1)
        figures[f"sandbox_{workers}w_cpu_ms"] = round(cpu_ms)
    cores = os.cpu_count() or 1
    figures["max_per_s_at_bare_cpu"] = round(cores * 1000 / figures["bare_container_2t_cpu_ms"], 1)
    return figures


def profile(runs: int, workers: int) -> dict[str, Any]:
    """CPU milliseconds per execution by process name, from ``perf record -a`` (all CPUs)."""
    perf = shutil.which("perf")
    if perf is None:
        return {"profile": "perf is not installed (apt-get install linux-perf)"}
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        data = Path(tmp) / "perf.data"
        recorder = subprocess.Popen(
            [perf, "record", "-a", "-F", "499", "-o", str(data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)
        started = time.monotonic()
        time_executor(runs, workers=workers)
        elapsed = time.monotonic() - started
        recorder.send_signal(2)
        recorder.wait()
        report = subprocess.run(
            [perf, "report", "-i", str(data), "--sort", "comm", "--stdio"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    return {"profile_wall_s": round(elapsed, 1), **_per_exec(report, runs, elapsed)}


def _per_exec(report: str, runs: int, elapsed: float) -> dict[str, Any]:
    """perf's share per command name as CPU ms per execution (2 CPUs x the recorded time)."""
    cpus = os.cpu_count() or 1
    shares = {
        name: float(percent)
        for percent, name in re.findall(r"^\s+([\d.]+)%\s+(\S.*?)\s*$", report, re.MULTILINE)
    }
    total_ms = cpus * (elapsed + 1.0) * 1000  # the recording also covers the second before
    top = sorted(shares.items(), key=lambda kv: -kv[1])[:16]
    per_exec = {name: round(share / 100 * total_ms / runs, 1) for name, share in top}
    return {"cpu_ms_per_exec": per_exec}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--runtime", choices=["runc", "runsc"], default="runc")
    parser.add_argument("--profile", action="store_true", help="CPU by process name (perf)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    figures: dict[str, Any]
    if args.runtime == "runsc":
        figures = compare_runtimes(args.runs, 2)
    else:
        figures = compare_with_docker(args.runs)
    if args.profile:
        figures.update(profile(args.runs, 2))
    figures.update(
        runs=args.runs,
        cores=os.cpu_count(),
        load_average_1m_before=round(load_before, 2),
        load_average_1m_after=round(os.getloadavg()[0], 2),
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
