"""Helpers shared by the evalplus tests: temporary JSONL files and evalplus as the reference."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
MBPP_FIXTURE = FIXTURES / "MbppPlus-fixture.jsonl"


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run_reference(
    dataset: str, samples: Path, data: Path, cache: Path, details: bool = True
) -> dict[str, Any]:
    """``python -m evalplus.evaluate --test-details`` (or, with ``details=False``, in its
    default mode: each split stops at its first failing input) on the host; its
    eval_results.json."""
    variable = "HUMANEVAL_OVERRIDE_PATH" if dataset == "humaneval" else "MBPP_OVERRIDE_PATH"
    env = {**os.environ, variable: str(data), "XDG_CACHE_HOME": str(cache)}
    command = [sys.executable, "-m", "evalplus.evaluate", "--dataset", dataset]
    command += ["--samples", str(samples), "--parallel", "2"]
    command += ["--test-details"] if details else []
    subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    result_path = samples.with_name(samples.name.replace(".jsonl", "_eval_results.json"))
    results: dict[str, Any] = json.loads(result_path.read_text())
    return results


def evalplus_view(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record in evalplus's own words (its details, task_id, sample, passed)."""
    return {
        **record["details"],
        "task_id": record["task_id"],
        "sample": record["sample_index"],
        "passed": record["passed"],
        "model": record["model"],
        "request": record["request"],
        "result": record["result"],
    }


def read_records(output: Path) -> list[dict[str, Any]]:
    """Every record of ``output/results.jsonl``, as :func:`evalplus_view` shows it."""
    lines = (output / "results.jsonl").read_text().splitlines()
    return [evalplus_view(json.loads(line)) for line in lines]


def compare_with_reference(
    reference: dict[str, Any], output: Path, deviating: frozenset[str] = frozenset()
) -> list[str]:
    """Differences between evalplus's and our per-sample verdicts and failing inputs.

    Samples are matched by task and position (evalplus's completion_id). For tasks in
    ``deviating`` only the statuses are compared by the caller.
    """
    ours = read_records(output)
    differences = []
    for record in ours:
        theirs = reference["eval"][record["task_id"]][record["sample"]]
        assert theirs["solution"] == record["solution"]
        if record["task_id"] in deviating:
            continue
        for field in ("base_status", "plus_status", "base_fail_tests", "plus_fail_tests"):
            if _normal(theirs[field]) != _normal(record[field]):
                differences.append(
                    f"{record['task_id']}#{record['sample']} {field}: "
                    f"evalplus {str(theirs[field])[:200]} != ours {str(record[field])[:200]}"
                )
    return differences


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value))
