"""Wall time of ``evalplus.evaluate`` (unisolated, on the host) vs ``run_evalplus`` (every
sample in its own container) on the same samples, and whether their verdicts agree.

    python benchmarks/bench_evalplus.py                      # HumanEval+ canonical solutions
    python benchmarks/bench_evalplus.py --samples S.jsonl    # your samples
    python benchmarks/bench_evalplus.py --cold               # ground truth computed first
    python benchmarks/bench_evalplus.py --repeat 3           # alternate runs, report medians

Both tools get the same dataset file and fresh caches in a temporary directory (so evalplus's
and our ground-truth caches are either both warm or both cold). evalplus runs with
``--test-details`` (our semantics: every failing input) and its default parallelism unless
``--evalplus-parallel`` says otherwise. Note: evalplus executes the samples on this host.
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

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO / "datasets" / "humanevalplus" / "HumanEvalPlus.jsonl.gz"
OURS = """
import json, sys
from pathlib import Path
from runners.evalplus_suite import run_evalplus
args = json.loads(sys.argv[1])
summary = run_evalplus(**{k: Path(v) if k in ("samples", "output", "dataset_path") and v else v
                          for k, v in args.items()})
print(json.dumps(summary["metrics"]))
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["humaneval", "mbpp"], default="humaneval")
    parser.add_argument("--dataset-path", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--samples", type=Path, help="JSONL or directory (default: canonical)")
    parser.add_argument("--workers", type=int, default=None, help="our parallel containers")
    parser.add_argument("--evalplus-parallel", type=int, default=None)
    parser.add_argument("--cold", action="store_true", help="include ground-truth computation")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep outputs in this directory")
    return parser.parse_args()


def prepare(args: argparse.Namespace, root: Path) -> tuple[Path, Path]:
    """The decompressed dataset and the samples file, inside ``root``."""
    data = root / "dataset.jsonl"
    raw = args.dataset_path.read_bytes()
    data.write_bytes(gzip.decompress(raw) if args.dataset_path.suffix == ".gz" else raw)
    if args.samples is not None:
        return data, args.samples.resolve()
    samples = root / "canonical.jsonl"
    with samples.open("w") as handle:
        for line in data.read_text().splitlines():
            task = json.loads(line)
            solution = task["prompt"] + task["canonical_solution"]
            handle.write(json.dumps({"task_id": task["task_id"], "solution": solution}) + "\n")
    return data, samples


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


def time_evalplus(args: argparse.Namespace, samples: Path, env: dict[str, str], run: Path) -> float:
    """Seconds for ``python -m evalplus.evaluate`` on a private copy of the samples."""
    copy = run / "evalplus" / samples.name
    copy.parent.mkdir(parents=True)
    if samples.is_dir():
        subprocess.run(["cp", "-r", str(samples), str(copy)], check=True)
    else:
        copy.write_bytes(samples.read_bytes())
    command = [sys.executable, "-m", "evalplus.evaluate", "--dataset", args.dataset]
    command += ["--samples", str(copy), "--test-details"]
    if args.evalplus_parallel:
        command += ["--parallel", str(args.evalplus_parallel)]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    return time.perf_counter() - started


def time_ours(
    args: argparse.Namespace, samples: Path, data: Path, env: dict[str, str], run: Path
) -> float:
    """Seconds for ``run_evalplus`` (fresh output directory) in a subprocess."""
    options = {
        "suite": f"{args.dataset}+",
        "samples": str(samples),
        "output": str(run / "ours"),
        "dataset_path": str(data),
        "workers": args.workers,
        "progress": False,
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", OURS, json.dumps(options)], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def warm_caches(
    args: argparse.Namespace, data: Path, samples: Path, env: dict[str, str], root: Path
) -> None:
    """Compute both tools' ground truth once, outside the timed runs."""
    subprocess.run(
        [sys.executable, "-c", WARM_EVALPLUS, args.dataset],
        env=env,
        check=True,
        capture_output=True,
    )
    time_ours(args, samples, data, env, root / "warmup")


def agreement(run: Path, samples: Path) -> dict[str, Any]:
    """Per-sample verdicts of both tools compared (matched by task and solution text)."""
    if samples.is_dir():
        theirs_path = run / "evalplus" / samples.name / "eval_results.json"
    else:
        theirs_path = run / "evalplus" / samples.name.replace(".jsonl", "_eval_results.json")
    theirs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for task_id, results in json.loads(theirs_path.read_text())["eval"].items():
        for result in results:
            verdict = (result["base_status"], result["plus_status"])
            theirs.setdefault((task_id, result["solution"]), []).append(verdict)
    lines = (run / "ours" / "results.jsonl").read_text().splitlines()
    mismatches = []
    for record in map(json.loads, lines):
        expected = theirs[(record["task_id"], record["solution"])].pop(0)
        ours = (record["base_status"], record["plus_status"])
        if expected != ours:
            mismatches.append(
                f"{record['task_id']}#{record['sample']}: evalplus {expected}, ours {ours}"
            )
    summary = json.loads((run / "ours" / "summary.json").read_text())
    return {"samples": len(lines), "mismatches": mismatches, "metrics": summary["metrics"]}


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-evalplus-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        data, samples = prepare(args, root)
        times: dict[str, list[float]] = {"evalplus": [], "sandbox": []}
        report: dict[str, Any] = {}
        for n in range(args.repeat):
            cache = root / (f"cache-{n}" if args.cold else "cache")
            env = environment(data, cache)
            if not args.cold and n == 0:
                warm_caches(args, data, samples, env, root)
            run = root / f"run-{n}"
            if n % 2 == 0:  # alternate who goes first: the machine's load drifts
                times["evalplus"].append(time_evalplus(args, samples, env, run))
                times["sandbox"].append(time_ours(args, samples, data, env, run))
            else:
                times["sandbox"].append(time_ours(args, samples, data, env, run))
                times["evalplus"].append(time_evalplus(args, samples, env, run))
            report = agreement(run, samples)
            theirs_s, ours_s = times["evalplus"][-1], times["sandbox"][-1]
            print(f"run {n}: evalplus {theirs_s:.1f} s, sandbox {ours_s:.1f} s", flush=True)
        theirs, ours = statistics.median(times["evalplus"]), statistics.median(times["sandbox"])
        print(
            f"samples: {report['samples']}  ground truth: {'computed' if args.cold else 'cached'}"
        )
        print(f"evalplus.evaluate (unisolated): {theirs:.1f} s")
        print(f"sandbox run (isolated):          {ours:.1f} s")
        ratios = [o / t for o, t in zip(times["sandbox"], times["evalplus"], strict=True)]
        print(f"wall-time ratio sandbox/evalplus: {ours / theirs:.2f}x (medians)")
        print(f"per-run ratios: {', '.join(f'{r:.2f}x' for r in ratios)}")
        print(f"our metrics: {json.dumps(report['metrics'])}")
        print(f"verdict mismatches: {len(report['mismatches'])}")
        for mismatch in report["mismatches"]:
            known = " (the documented deviation)" if mismatch.startswith("HumanEval/32#") else ""
            print(f"  {mismatch}{known}")


if __name__ == "__main__":
    main()
