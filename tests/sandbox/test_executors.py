"""``make_executor``: the one way commands get an executor; bad choices are one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.errors import BadInputError, EngineUnavailableError
from sandbox.executors import ExecutorKind, make_executor
from sandbox.languages import resolve_language

REPO = Path(__file__).resolve().parents[2]


def test_unknown_kind_and_misplaced_address_are_refused() -> None:
    with pytest.raises(BadInputError, match="unknown executor 'slurm'"):
        make_executor("slurm")
    with pytest.raises(BadInputError, match="--ray-address needs --executor ray"):
        make_executor(ExecutorKind.LOCAL, address="10.0.0.1:6379")


def test_the_executor_is_made_on_first_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    executor = make_executor(ExecutorKind.LOCAL)  # no engine needed yet
    with executor, pytest.raises(EngineUnavailableError):
        executor.probe(resolve_language("python"))


def test_an_unreachable_cluster_is_a_one_line_error(tmp_path: Path) -> None:
    samples = tmp_path / "samples.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    done = subprocess.run(
        [sys.executable, "-c", "from runners.cli.main import run_app; run_app()", "run",
         "--suite", "humaneval+", "--samples", str(samples), "--limit", "1",
         "--output", str(tmp_path / "out"), "--no-progress",
         "--executor", "ray", "--ray-address", "127.0.0.1:1"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "no Ray cluster answers" in lines[0] and "fix: start one with `ray start" in lines[0]
