"""A time-limit failure measured under a contended CPU is checked again, alone, before it
becomes a verdict (on an idle machine the same sample might pass)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runners.evalplus_suite import checks, run_evalplus
from runners.evalplus_suite.checks import contended_time_failure

from .evalplus_helpers import write_jsonl

TASK = "HumanEval/53"  # add(x, y)


@pytest.mark.parametrize(
    ("base", "plus", "first_failure", "scale", "doubtful"),
    [
        ("fail", "fail", {"timed_out": True}, 2.5, True),
        ("timeout", None, None, 1.7, True),
        ("pass", "timeout", None, 3.0, True),
        ("fail", "fail", {"timed_out": True}, 1.0, False),  # an idle CPU: evalplus's own limits
        ("fail", "fail", {"timed_out": False, "exception": "AssertionError"}, 4.0, False),
        ("fail", "fail", None, 4.0, False),
    ],
)
def test_only_time_limit_failures_under_contention_are_doubtful(
    base: str, plus: str | None, first_failure: dict[str, Any] | None, scale: float, doubtful: bool
) -> None:
    assert contended_time_failure(base, plus, first_failure, scale) is doubtful


@pytest.mark.docker
def test_a_contended_time_out_is_checked_again_alone(
    executor: Any, humaneval_problems: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    problem = humaneval_problems[TASK]
    data = write_jsonl(tmp_path / "subset.jsonl", [problem])
    samples = [
        {"task_id": TASK, "completion": "    while True:\n        pass\n"},
        {"task_id": TASK, "completion": "    return x - y\n"},
        {"task_id": TASK, "solution": problem["prompt"] + problem["canonical_solution"]},
    ]
    path = write_jsonl(tmp_path / "samples.jsonl", samples)
    with pytest.MonkeyPatch.context() as patch:
        # Make every check see a contended CPU: the harness measures its share of the CPU
        # whenever a limit could grow past the floor, and calls any share below this busy.
        patch.setattr(checks, "IDLE_SHARE", 2.0)
        patch.setattr(checks, "ALLOWANCE_CAP", 1e7)
        run_evalplus(
            suite="humaneval+",
            samples=path,
            output=tmp_path / "out",
            dataset_path=data,
            executor=executor,
        )
    lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    records = {r["sample_index"]: r for r in map(json.loads, lines)}
    assert len(lines) == 3  # the first, doubtful verdict was not stored beside the second
    looping, wrong, canonical = records[0], records[1], records[2]
    assert not looping["passed"] and looping["details"]["time_scale"] > 1.0
    assert looping["details"]["first_failure"]["timed_out"] is True
    assert looping["details"]["recheck"]["detail"] == "base: fail, plus: fail"
    assert "re-checked alone" in looping["detail"]
    assert not wrong["passed"] and wrong["details"]["recheck"] is None
    assert wrong["details"]["first_failure"]["timed_out"] is False
    assert canonical["passed"] and canonical["details"]["recheck"] is None
    assert [json.loads(line)["sample_index"] for line in lines][-1] == 0  # judged last
