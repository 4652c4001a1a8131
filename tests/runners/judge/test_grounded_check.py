"""`sandbox judge-check` on result folders written by the real McEval suite (Python tasks, the
real image): a judge that prefers the answer whose shown execution succeeded scores 100% when
grounded and exactly 50% when its choice ignores the answers (plain)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from runners.cli.main import app
from sandbox.errors import BadInputError
from sandbox.executor import Executor
from tests.runners.helpers import run_program_suite

from .conftest import read_records
from .server import EXEC_A, last_user, prefer_clean_execution, serve

pytestmark = pytest.mark.docker

TASKS = 4


def mceval_python(data_dir: Path) -> list[dict[str, Any]]:
    with gzip.open(data_dir / "mceval" / "Python.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line, _ in zip(handle, range(TASKS), strict=False)]


def write_samples(path: Path, tasks: list[dict[str, Any]], broken: set[int]) -> Path:
    """Canonical completions, except a syntax error for the tasks in ``broken``."""
    with path.open("w", encoding="utf-8") as handle:
        for index, task in enumerate(tasks):
            code = "    return (\n" if index in broken else task["canonical_solution"]
            handle.write(json.dumps({"task_id": task["task_id"], "completion": code}) + "\n")
    return path


@pytest.fixture(scope="module")
def two_runs(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path, executor: Executor
) -> list[Path]:
    """McEval Python runs of two models that disagree on every task (each passes two)."""
    root = tmp_path_factory.mktemp("runs")
    tasks = mceval_python(data_dir)
    runs = []
    for model, broken in (("left", {0, 1}), ("right", {2, 3})):
        samples = write_samples(root / f"{model}.jsonl", tasks, broken)
        summary = run_program_suite(
            "mceval",
            samples=samples,
            model=model,
            output=root / model,
            languages=("python",),
            limit=TASKS,
            executor=executor,
        )
        assert summary.metrics["mceval.python.pass@1"].value == 0.5
        runs.append(root / model)
    return runs


def check(url: str, runs: list[Path], out: Path, *extra: str) -> dict[str, Any]:
    args = ["judge-check", *(a for run in runs for a in ("--results", str(run)))]
    args += ["--base-url", url, "--cache", str(out.parent / "cache.sqlite"), "--output", str(out)]
    args += ["--retry-base-delay", "0.001", "--no-progress", "--json", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_validity_grounded_and_plain(two_runs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "check"
    with serve(prefer_clean_execution) as server:
        summary = check(server.url, two_runs, out)
        assert server.chat_count == TASKS * 2 * 2  # pairs x orders x groundings
        grounded = [p for p in server.requests if EXEC_A[0] in last_user(p)]
        assert len(grounded) == TASKS * 2
        again = check(server.url, two_runs, out)  # resumes: nothing asked again
        assert server.chat_count == TASKS * 2 * 2 and again["metrics"] == summary["metrics"]
    metrics = summary["metrics"]
    assert summary["name"] == "judge-check" and summary["model"] == "judge-test"
    execution = metrics["judge-check.execution.validity_rate"]
    assert (execution["value"], execution["low"], execution["high"], execution["n"]) == (
        1.0,
        1.0,
        1.0,
        TASKS,
    )
    plain = metrics["judge-check.plain.validity_rate"]
    assert (plain["value"], plain["low"], plain["high"]) == (0.5, 0.5, 0.5)
    assert (
        metrics["judge-check.execution.per_language.python.validity_rate"]["language"] == "python"
    )
    flips = summary["details"]["flips"]
    assert (flips["games_compared"], flips["to_passing"], flips["to_failing"]) == (8, 4, 0)
    records = read_records(out)
    assert len(records) == TASKS * 4 and {r["protocol"] for r in records} == {"judge-check"}
    failing = [
        r["execution_b" if r["passing_position"] == "A" else "execution_a"]
        for r in records
        if r["grounding"] == "execution"
    ]
    assert {f["outcome"] for f in failing} == {"compile_error"}
    question = next(r for r in records if r["task_id"] == "Python/1")
    assert question["suite"] == "mceval" and question["language"] == "python"


def test_judge_check_text_and_errors(two_runs: list[Path], tmp_path: Path) -> None:
    with serve(prefer_clean_execution) as server:
        args = ["judge-check", "--results", str(two_runs[0]), "--results", str(two_runs[1])]
        args += ["--base-url", server.url, "--cache", str(tmp_path / "c.sqlite")]
        args += ["--output", str(tmp_path / "out"), "--ground", "plain", "--no-progress"]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "plain: prefers the passing answer 50.0% [50.0, 50.0]" in result.stdout
    assert "python: 50.0%" in result.stdout and "execution:" not in result.stdout
    lonely = CliRunner().invoke(app, ["judge-check", "--results", str(two_runs[0])])
    assert isinstance(lonely.exception, BadInputError)
    assert "two or more result folders" in str(lonely.exception)
