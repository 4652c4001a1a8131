"""The sandbox side of the suite: outputs recomputed in the scoring container, and what a
failing sandbox turns into (never a pass)."""

from __future__ import annotations

from typing import Any

import pytest

from runners.evalplus_suite import groundtruth, run_evalplus
from runners.evalplus_suite.checks import (
    CheckSettingsSpec,
    SampleStatus,
    build_check_request,
    decide_outcome,
)
from runners.evalplus_suite.datasets import load_problems, resolve_suite
from runners.results import hydrate_request
from runners.samples import SampleSpec
from sandbox.models import LimitsSpec, Status

from .evalplus_helpers import read_records, write_jsonl

pytestmark = pytest.mark.docker
TASKS = ("HumanEval/53", "HumanEval/13")  # add(x, y) and greatest_common_divisor(a, b)


@pytest.fixture(scope="module")
def recomputed_run(
    executor: Any,
    humaneval_problems: dict[str, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """A run whose expected outputs are never shipped (as for HumanEval/15's 147 MB)."""
    tmp_path = tmp_path_factory.mktemp("recomputed")
    subset = {task: humaneval_problems[task] for task in TASKS}
    data = write_jsonl(tmp_path / "subset.jsonl", list(subset.values()))
    samples = [
        {"task_id": task, "solution": problem["prompt"] + problem["canonical_solution"]}
        for task, problem in subset.items()
    ]
    samples.append({"task_id": "HumanEval/53", "completion": "    return x - y\n"})
    samples.append({"task_id": "HumanEval/13", "completion": "    return None\n"})
    path = write_jsonl(tmp_path / "samples.jsonl", samples)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(groundtruth, "INLINE_LIMIT", 0)
        summary = run_evalplus(
            suite="humaneval+",
            samples=path,
            output=tmp_path / "out",
            dataset_path=data,
            progress=False,
            executor=executor,
        )
    records = read_records(tmp_path / "out")
    return {"summary": summary, "records": records, "data": data, "output": tmp_path / "out"}


def test_recomputed_outputs_score_like_shipped_ones(recomputed_run: dict[str, Any]) -> None:
    verdicts = {
        (r["task_id"], r["sample"]): (r["base_status"], r["plus_status"])
        for r in recomputed_run["records"]
    }
    assert verdicts[("HumanEval/53", 0)] == ("pass", "pass")
    assert verdicts[("HumanEval/13", 0)] == ("pass", "pass")
    assert verdicts[("HumanEval/53", 1)] == ("fail", "fail")
    assert verdicts[("HumanEval/13", 1)] == ("fail", "fail")
    requests = [
        hydrate_request(r["request"], recomputed_run["output"]) for r in recomputed_run["records"]
    ]
    assert requests and all("expected.b64" not in r["files"] for r in requests)


def test_sandbox_failures_are_never_a_pass(
    recomputed_run: dict[str, Any], executor: Any, humaneval_problems: dict[str, Any]
) -> None:
    suite = resolve_suite("humaneval+")
    problems, info = load_problems(suite, recomputed_run["data"])
    image_id = executor.engine.image_id("sandbox-lang-python:latest")
    truths = groundtruth.load_ground_truth(suite, problems, info, TASKS, executor, image_id)
    settings = CheckSettingsSpec()
    canonical = SampleSpec(
        task_id="HumanEval/53",
        index=0,
        code=problems["HumanEval/53"]["prompt"] + problems["HumanEval/53"]["canonical_solution"],
        full_program=True,
        source="test",
    )
    # recomputed outputs that differ from the cached ones: the harness refuses to judge
    forged = truths["HumanEval/53"].model_copy(update={"digest": "0" * 64})
    request = build_check_request(
        canonical, problems["HumanEval/53"], forged, suite, settings, "t1"
    )
    outcome = decide_outcome(executor.run(request), settings)
    assert (outcome.base_status, outcome.plus_status) == (SampleStatus.ERROR, SampleStatus.ERROR)
    assert "differs from the cached one" in (outcome.note or "")

    # the container's own deadline (a backstop) fires before evalplus's: a timeout
    looping = canonical.model_copy(update={"code": "while True:\n    pass\n"})
    request = build_check_request(
        looping, problems["HumanEval/53"], truths["HumanEval/53"], suite, settings, "t2"
    )
    request = request.model_copy(update={"limits": LimitsSpec(timeout_s=3, memory_mb=4608)})
    result = executor.run(request)
    assert result.status is Status.TIMEOUT
    outcome = decide_outcome(result, settings)
    assert (outcome.base_status, outcome.plus_status) == (
        SampleStatus.TIMEOUT,
        SampleStatus.TIMEOUT,
    )
