"""Compile latency of the slow toolchains: the compile phase of McEval's canonical programs in
the sandbox, side by side with the same compile command run by hand in the same image.

    python benchmarks/bench_compile.py          # kotlin scala go java haskell swift
    python benchmarks/bench_compile.py --lang kotlin --lang go --limit 8

For each language, the first ``--limit`` McEval tasks run through ``sandbox run`` (one worker,
so that compilations do not compete); then each program's compile command runs by hand, with
the same environment, in a fresh container of the same image with the same CPU and memory
limits (``docker run --cpus 1 -m ...``, as root, no other limit, no compiler cache carried
over), timed inside the container. Printed per language: median compile seconds both ways,
their ratio, and the median sandboxed execution (compile + run + container hand-over). The load
average is printed beside the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import statistics
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import docker

from runners.results import hydrate_request
from runners.suites.base import SuiteRunSpec
from runners.suites.driver import run_suite
from sandbox.languages import resolve_language

LANGUAGES = ["kotlin", "scala", "go", "java", "haskell", "swift"]
HAND_LABEL = {"sandbox.benchmark": "compile-by-hand"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", action="append", help="language id (repeatable)")
    parser.add_argument("--limit", type=int, default=10, help="McEval tasks per language")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args()


def sandboxed(lang: str, limit: int, root: Path) -> list[dict[str, Any]]:
    """McEval's first ``limit`` canonical programs of ``lang`` through the sandbox; records."""
    output = root / lang
    spec = SuiteRunSpec(
        suite="mceval", languages=(lang,), limit=limit, output=output, workers=1, options={}
    )
    run_suite(spec)
    records = [json.loads(line) for line in (output / "results.jsonl").read_text().splitlines()]
    for record in records:
        record["request"] = hydrate_request(record["request"], output)
    return records


def _tar(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def by_hand(api: docker.APIClient, records: list[dict[str, Any]]) -> list[float]:
    """Seconds of each record's compile command, run by hand in a fresh container of its
    image (same CPU and memory limits)."""
    return [compile_by_hand(api, record["request"]) for record in records]


def compile_by_hand(api: docker.APIClient, request: dict[str, Any]) -> float:
    limits = request["limits"]
    container = api.create_container(
        request["image"],
        command=["sleep", "3600"],
        labels=HAND_LABEL,
        network_disabled=True,
        host_config=api.create_host_config(
            network_mode="none",
            nano_cpus=int(limits["cpus"] * 1e9),
            mem_limit=limits["memory_mb"] << 20,
        ),
    )
    try:
        api.start(container["Id"])
        api.exec_start(api.exec_create(container["Id"], ["mkdir", "-p", "/tmp/hand"]))
        api.put_archive(container["Id"], "/tmp/hand", _tar(request["files"]))
        env = "".join(f"export {k}={shlex.quote(v)}; " for k, v in request["env"].items())
        script = (
            f"cd /tmp/hand && export HOME=/tmp; {env}"
            f"s=$(date +%s%N); ( {request['compile']} ) >/dev/null 2>&1; "
            "e=$(date +%s%N); echo $((e - s))"
        )
        output = api.exec_start(api.exec_create(container["Id"], ["sh", "-c", script]))
        return int(output.decode().strip().splitlines()[-1]) / 1e9
    finally:
        api.remove_container(container["Id"], force=True)


def measure(lang: str, limit: int, root: Path, api: docker.APIClient) -> dict[str, Any]:
    records = [r for r in sandboxed(lang, limit, root) if r["request"].get("compile")]
    if not records:
        return {"language": lang, "programs": 0}
    compile_s = [r["result"]["compile_time_s"] for r in records]
    total_s = [r["result"]["total_time_s"] for r in records]
    hand_s = by_hand(api, records)
    ours, theirs = statistics.median(compile_s), statistics.median(hand_s)
    return {
        "language": lang,
        "programs": len(records),
        "passed": sum(r["passed"] for r in records),
        "compile_sandbox_s": round(ours, 2),
        "compile_by_hand_s": round(theirs, 2),
        "ratio": round(ours / theirs, 2),
        "execution_sandbox_s": round(statistics.median(total_s), 2),
    }


def main() -> None:
    args = parse_args()
    languages = args.lang or LANGUAGES
    api = docker.APIClient(version="auto", timeout=600)
    rows = []
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-compile-") as tmp:
        for lang in languages:
            resolve_language(lang)  # an unknown id fails before anything runs
            row = measure(lang, args.limit, Path(tmp), api)
            rows.append(row)
            print(json.dumps(row), flush=True)
    figures = {
        "rows": rows,
        "limit": args.limit,
        "seconds": round(time.monotonic() - started, 1),
        "load_average_1m": f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
        "cores": os.cpu_count(),
    }
    print(f"{'language':10} {'n':>3} {'sandbox':>8} {'by hand':>8} {'ratio':>6} {'exec':>6}")
    for row in rows:
        if row["programs"]:
            print(
                f"{row['language']:10} {row['programs']:>3} {row['compile_sandbox_s']:>7.2f}s "
                f"{row['compile_by_hand_s']:>7.2f}s {row['ratio']:>5.2f}x "
                f"{row['execution_sandbox_s']:>5.2f}s"
            )
    print(f"load average (1 min): {figures['load_average_1m']}; {figures['cores']} cores")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
