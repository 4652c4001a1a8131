"""Wall time of ``evalplus.evaluate`` (unisolated, on the host) vs ``run_evalplus`` (every
sample in its own container) on the same samples, in one run, and whether their verdicts agree
with each other and with the verdicts evalplus published for those samples.

    python benchmarks/bench_evalplus.py                       # HumanEval+ canonical solutions
    python benchmarks/bench_evalplus.py --samples datasets/model-outputs/FILE.json.gz
    python benchmarks/bench_evalplus.py --samples S.jsonl     # your samples (or a directory)
    python benchmarks/bench_evalplus.py --samples ... --n 10  # 10 samples per task (mutants)
    python benchmarks/bench_evalplus.py --details             # both with --test-details
    python benchmarks/bench_evalplus.py --repeat 3            # alternate runs, report medians
    python benchmarks/bench_evalplus.py --cold                # ground truth computed first

``--samples`` takes evalplus's own result files (``{"eval": {task: [{solution, base_status,
plus_status, ...}]}}``, e.g. the published ones in ``datasets/model-outputs/``): their solutions
are scored and their verdicts become a third column to agree with. ``--n N`` scores N samples
per task: each task's sample and N-1 mutants of it (``benchmarks/mutants.py``).

Both tools run in their default mode (evalplus: first failing input ends a split, parallelism
cpu_count // 2; ours: the same semantics, ``--workers`` containers) unless ``--details`` or
``--evalplus-parallel`` say otherwise; both get the same dataset file and fresh caches in a
temporary directory (both warm, or both cold). Note: evalplus executes the samples on this host.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine_cpu import busy_seconds
from mutants import make_mutants

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO / "datasets" / "humanevalplus" / "HumanEvalPlus.jsonl.gz"
DEVIATION = "HumanEval/32"
"""Scored with upstream's fix of evalplus 0.3.1's find_zero oracle (docs/evalplus.md)."""
OURS = """
import json, sys
from pathlib import Path
from runners.evalplus_suite import run_evalplus
args = json.loads(sys.argv[1])
summary = run_evalplus(**{k: Path(v) if k in ("samples", "output", "dataset_path") and v else v
                          for k, v in args.items()})
print(json.dumps(summary.details["pass_at_k"]))
"""
WARM_EVALPLUS = """
from evalplus.data import get_human_eval_plus, get_human_eval_plus_hash
from evalplus.data import get_mbpp_plus, get_mbpp_plus_hash
from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS
from evalplus.evaluate import get_groundtruth
import sys
if sys.argv[1] == "humaneval":
    get_groundtruth(get_human_eval_plus(), get_human_eval_plus_hash(), [])
else:
    get_groundtruth(get_mbpp_plus(), get_mbpp_plus_hash(), MBPP_OUTPUT_NOT_NONE_TASKS)
"""
FIND_MBPP = """
from evalplus.data.mbpp import _ready_mbpp_plus_path
print(_ready_mbpp_plus_path())
"""
Verdict = tuple[str, str | None]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["humaneval", "mbpp"], default="humaneval")
    parser.add_argument("--dataset-path", type=Path, default=None)
    parser.add_argument(
        "--samples", type=Path, help="JSONL, directory or evalplus result file (default: canonical)"
    )
    parser.add_argument("--n", type=int, default=1, help="samples per task (extra: mutants)")
    parser.add_argument("--details", action="store_true", help="both tools with --test-details")
    parser.add_argument("--workers", type=int, default=None, help="our parallel containers")
    parser.add_argument("--evalplus-parallel", type=int, default=None)
    parser.add_argument("--cold", action="store_true", help="include ground-truth computation")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep outputs in this directory")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args()


def dataset_file(args: argparse.Namespace) -> Path:
    """The dataset to give both tools: the argument, the shipped HumanEval+, or MBPP+ through
    evalplus's own loader (its cache, else its download)."""
    if args.dataset_path is not None:
        return Path(args.dataset_path)
    if args.dataset == "humaneval":
        return DEFAULT_DATA
    found = subprocess.run(
        [sys.executable, "-c", FIND_MBPP], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        last = (found.stderr.strip().splitlines() or ["?"])[-1]
        raise SystemExit(
            f"MBPP+ is neither in evalplus's cache nor downloadable here ({last}); "
            "pass --dataset-path MbppPlus.jsonl"
        )
    return Path(found.stdout.strip())


def read_published(path: Path) -> dict[str, list[dict[str, Any]]]:
    """evalplus's ``eval`` table from a result file (``.json`` or ``.json.gz``)."""
    raw = path.read_bytes()
    data = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    table: dict[str, list[dict[str, Any]]] = data["eval"]
    return table


def is_result_file(path: Path) -> bool:
    return path.is_file() and (path.name.endswith(".json") or path.name.endswith(".json.gz"))


def prepare(
    args: argparse.Namespace, root: Path
) -> tuple[Path, Path, dict[tuple[str, int], Verdict]]:
    """The decompressed dataset, the samples file inside ``root``, and published verdicts
    (by task and sample index) when the samples came from an evalplus result file."""
    source = dataset_file(args)
    data = root / "dataset.jsonl"
    raw = source.read_bytes()
    data.write_bytes(gzip.decompress(raw) if source.suffix == ".gz" else raw)
    published: dict[tuple[str, int], Verdict] = {}
    if args.samples is None:
        records = [
            {"task_id": t["task_id"], "solution": t["prompt"] + t["canonical_solution"]}
            for t in map(json.loads, data.read_text().splitlines())
        ]
    elif is_result_file(args.samples):
        records = []
        for task_id, results in read_published(args.samples).items():
            for result in results:
                index = sum(r["task_id"] == task_id for r in records)
                published[(task_id, index)] = (result["base_status"], result["plus_status"])
                records.append({"task_id": task_id, "solution": result["solution"]})
    elif args.n == 1:
        return data, args.samples.resolve(), published
    else:
        lines = args.samples.read_text().splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
    samples = root / "samples.jsonl"
    with samples.open("w") as handle:
        for record in with_mutants(records, args.n):
            handle.write(json.dumps(record) + "\n")
    return data, samples, published


def with_mutants(records: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """Each task's first sample, then n-1 mutants of it (for n > 1); else the records."""
    if n == 1:
        return records
    first: dict[str, str] = {}
    for record in records:
        first.setdefault(record["task_id"], record["solution"])
    return [
        {"task_id": task_id, "solution": text}
        for task_id, solution in first.items()
        for text in [solution, *make_mutants(solution, n - 1)]
    ]


def environment(data: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HUMANEVAL_OVERRIDE_PATH=str(data),
        MBPP_OVERRIDE_PATH=str(data),
        XDG_CACHE_HOME=str(cache / "xdg"),
        SANDBOX_CACHE_DIR=str(cache / "sandbox"),
        PYTHONPATH=str(REPO),
    )
    return env


def evalplus_results_path(run: Path, samples: Path) -> Path:
    if samples.is_dir():
        return run / "evalplus" / samples.name / "eval_results.json"
    return run / "evalplus" / samples.name.replace(".jsonl", "_eval_results.json")


def time_evalplus(
    args: argparse.Namespace, samples: Path, env: dict[str, str], run: Path
) -> tuple[float, float, float]:
    """Seconds for ``python -m evalplus.evaluate`` on a private copy of the samples: until the
    process ends, and until its results file was written (evalplus then waits for its
    watchdog thread, which sleeps in steps of 20 s, before it exits); and the machine's CPU
    seconds over the run."""
    copy = run / "evalplus" / samples.name
    copy.parent.mkdir(parents=True)
    if samples.is_dir():
        subprocess.run(["cp", "-r", str(samples), str(copy)], check=True)
    else:
        copy.write_bytes(samples.read_bytes())
    command = [sys.executable, "-m", "evalplus.evaluate", "--dataset", args.dataset]
    command += ["--samples", str(copy)] + (["--test-details"] if args.details else [])
    if args.evalplus_parallel:
        command += ["--parallel", str(args.evalplus_parallel)]
    started, wall_started, cpu = time.perf_counter(), time.time(), busy_seconds()
    subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed, cpu = time.perf_counter() - started, busy_seconds() - cpu
    return elapsed, evalplus_results_path(run, samples).stat().st_mtime - wall_started, cpu


def time_ours(
    args: argparse.Namespace, samples: Path, data: Path, env: dict[str, str], run: Path
) -> tuple[float, float]:
    """Seconds for ``run_evalplus`` (fresh output directory) in a subprocess, and the
    machine's CPU seconds over the run (the Docker engine's included)."""
    options = {
        "suite": f"{args.dataset}+",
        "samples": str(samples),
        "output": str(run / "ours"),
        "dataset_path": str(data),
        "workers": args.workers,
        "progress": False,
        "test_details": args.details,
    }
    started, cpu = time.perf_counter(), busy_seconds()
    subprocess.run(
        [sys.executable, "-c", OURS, json.dumps(options)], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started, busy_seconds() - cpu


def warm_caches(
    args: argparse.Namespace, data: Path, samples: Path, env: dict[str, str], root: Path
) -> None:
    """Compute both tools' ground truth once, outside the timed runs (ours from the first
    sample of each task: the ground truth is per task)."""
    subprocess.run(
        [sys.executable, "-c", WARM_EVALPLUS, args.dataset],
        env=env,
        check=True,
        capture_output=True,
    )
    first: dict[str, str] = {}
    for line in samples.read_text().splitlines():
        if line.strip():
            first.setdefault(json.loads(line)["task_id"], line)
    (root / "warmup").mkdir(parents=True, exist_ok=True)
    warm_samples = root / "warmup" / "samples.jsonl"
    warm_samples.write_text("".join(line + "\n" for line in first.values()))
    time_ours(args, warm_samples, data, env, root / "warmup")


def evalplus_verdicts(run: Path, samples: Path) -> dict[tuple[str, int], Verdict]:
    path = evalplus_results_path(run, samples)
    return {
        (task_id, index): (result["base_status"], result["plus_status"])
        for task_id, results in json.loads(path.read_text())["eval"].items()
        for index, result in enumerate(results)
    }


def our_records(run: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run / "ours" / "results.jsonl").read_text().splitlines()]


def verdict_of(details: dict[str, Any]) -> Verdict:
    return details["base_status"], details["plus_status"]


def differences(
    left: dict[tuple[str, int], Verdict], right: dict[tuple[str, int], Verdict]
) -> list[str]:
    """Samples (present in both) whose (base, plus) verdicts differ, the deviation marked."""
    found = []
    for key in sorted(set(left) & set(right)):
        if left[key] != right[key]:
            note = " (the documented deviation)" if key[0] == DEVIATION else ""
            found.append(f"{key[0]}#{key[1]}: {left[key]} vs {right[key]}{note}")
    return found


def agreement(
    run: Path, samples: Path, published: dict[tuple[str, int], Verdict]
) -> dict[str, Any]:
    """Per-sample verdicts: ours vs evalplus (this run), and both vs the published ones."""
    records = our_records(run)
    ours = {(r["task_id"], r["sample_index"]): verdict_of(r["details"]) for r in records}
    theirs = evalplus_verdicts(run, samples)
    slowest = sorted(records, key=lambda r: -(r["times"]["total_s"] or 0))[:5]
    report: dict[str, Any] = {
        "samples": len(records),
        "errors": sum(r["status"] == "error" for r in records),
        "ours_vs_evalplus": differences(ours, theirs),
        "slowest_ours": [
            f"{r['task_id']}#{r['sample_index']} {r['times']['total_s']:.1f} s ({r['detail']})"
            for r in slowest
        ],
    }
    if published:
        report["ours_vs_published"] = differences(ours, published)
        report["evalplus_vs_published"] = differences(theirs, published)
        report["published_compared"] = len(set(ours) & set(published))
    return report


def run_once(
    args: argparse.Namespace, n: int, paths: tuple[Path, Path, Path], env: dict[str, str]
) -> dict[str, float]:
    """Run ``n``'s seconds (evalplus, evalplus to its results file, ours) and CPU seconds,
    alternating who goes first."""
    data, samples, run = paths
    if n % 2 == 0:  # the machine's load drifts
        theirs = time_evalplus(args, samples, env, run)
        ours = time_ours(args, samples, data, env, run)
    else:
        ours = time_ours(args, samples, data, env, run)
        theirs = time_evalplus(args, samples, env, run)
    return {
        "evalplus": theirs[0],
        "evalplus_results": theirs[1],
        "evalplus_cpu": theirs[2],
        "sandbox": ours[0],
        "sandbox_cpu": ours[1],
    }


def print_report(args: argparse.Namespace, figures: dict[str, Any]) -> None:
    report = figures["agreement"]
    print(f"samples: {report['samples']} ({args.n} per task)  mode: {figures['mode']}")
    print(f"ground truth: {'computed' if args.cold else 'cached'}  load: {figures['load']}")
    print(f"evalplus.evaluate (unisolated): {figures['evalplus_s']:.1f} s")
    print(f"  its results file written at:   {figures['evalplus_results_s']:.1f} s")
    print(f"sandbox run (isolated):          {figures['sandbox_s']:.1f} s")
    print(
        f"machine CPU, core-seconds: evalplus {figures['evalplus_cpu_s']:.1f}, "
        f"sandbox {figures['sandbox_cpu_s']:.1f} ({figures['cores']} cores)"
    )
    print(f"wall-time ratio sandbox/evalplus: {figures['ratio']:.2f}x (medians)")
    print(f"ratio to evalplus's results file: {figures['ratio_to_results']:.2f}x")
    print(f"per-run ratios: {', '.join(f'{r:.2f}x' for r in figures['ratios'])}")
    print(f"our pass@k: {json.dumps(figures['pass_at_k'])}  errors: {report['errors']}")
    for name in ("ours_vs_evalplus", "ours_vs_published", "evalplus_vs_published"):
        if name in report:
            print(f"verdict differences, {name.replace('_', ' ')}: {len(report[name])}")
            for line in report[name]:
                print(f"  {line}")
    print("slowest samples (ours): " + "; ".join(report["slowest_ours"]))


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-evalplus-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        data, samples, published = prepare(args, root)
        names = ("evalplus", "evalplus_results", "evalplus_cpu", "sandbox", "sandbox_cpu")
        times: dict[str, list[float]] = {name: [] for name in names}
        load_before = os.getloadavg()[0]
        report: dict[str, Any] = {}
        for n in range(args.repeat):
            cache = root / (f"cache-{n}" if args.cold else "cache")
            env = environment(data, cache)
            if not args.cold and n == 0:
                warm_caches(args, data, samples, env, root)
            run = root / f"run-{n}"
            figures_n = run_once(args, n, (data, samples, run), env)
            for name, value in figures_n.items():
                times[name].append(value)
            report = agreement(run, samples, published)
            print(
                f"run {n}: evalplus {figures_n['evalplus']:.1f} s (results written at "
                f"{figures_n['evalplus_results']:.1f} s, {figures_n['evalplus_cpu']:.1f} CPU s), "
                f"sandbox {figures_n['sandbox']:.1f} s ({figures_n['sandbox_cpu']:.1f} CPU s)",
                flush=True,
            )
        theirs_s, ours_s = statistics.median(times["evalplus"]), statistics.median(times["sandbox"])
        results_s = statistics.median(times["evalplus_results"])
        summary = json.loads((run / "ours" / "summary.json").read_text())
        figures = {
            "mode": "--test-details" if args.details else "default (first failing input)",
            "samples_file": str(args.samples or "canonical"),
            "evalplus_s": theirs_s,
            "sandbox_s": ours_s,
            "evalplus_results_s": results_s,
            "evalplus_cpu_s": statistics.median(times["evalplus_cpu"]),
            "sandbox_cpu_s": statistics.median(times["sandbox_cpu"]),
            "ratio": ours_s / theirs_s,
            "ratio_to_results": ours_s / results_s,
            "ratios": [o / t for o, t in zip(times["sandbox"], times["evalplus"], strict=True)],
            "pass_at_k": summary["details"]["pass_at_k"],
            "load": f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after (1-min avg)",
            "cores": os.cpu_count(),
            "agreement": report,
        }
        print_report(args, figures)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
