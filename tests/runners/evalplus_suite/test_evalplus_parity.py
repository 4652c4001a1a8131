"""Parity with ``evalplus.evaluate`` (evalplus 0.3.1, run on the host as the reference) on the
same samples: per-sample base/plus statuses and failing inputs, with ``--test-details`` (every
failing input; ``test_details=True`` here, ``sandbox run --details``) and in both tools' default
mode (each split stops at its first failing input).

The one documented deviation is HumanEval/32: evalplus 0.3.1 fails every solution of it (its
``find_zero`` oracle never records a pass); we score it with upstream's fix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runners.evalplus_suite import run_evalplus
from runners.evalplus_suite.datasets import load_problems, resolve_suite
from runners.results import hydrate_request

from .evalplus_helpers import (
    MBPP_FIXTURE,
    compare_with_reference,
    read_jsonl,
    read_records,
    run_reference,
    write_jsonl,
)
from .evalplus_variants import HUMANEVAL_TASKS, build_mbpp_samples, build_samples

pytestmark = pytest.mark.docker
DEVIATING = frozenset({"HumanEval/32"})


@pytest.fixture(scope="module")
def humaneval_parity(
    executor: Any,
    humaneval_problems: dict[str, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """Both tools on the HumanEval+ subset: canonical solutions and the wrong variants."""
    root = tmp_path_factory.mktemp("humaneval-parity")
    subset = {task: humaneval_problems[task] for task in HUMANEVAL_TASKS}
    data = write_jsonl(root / "HumanEvalPlus-subset.jsonl", list(subset.values()))
    samples = write_jsonl(root / "variants.jsonl", build_samples(subset))
    reference = run_reference("humaneval", samples, data, root / "xdg")
    output = root / "ours"
    summary = run_evalplus(
        suite="humaneval+",
        samples=samples,
        output=output,
        dataset_path=data,
        progress=False,
        executor=executor,
        test_details=True,
    )
    return {
        "reference": reference,
        "output": output,
        "summary": summary,
        "samples": samples,
        "data": data,
    }


def test_humaneval_verdicts_and_failing_inputs_equal_evalplus(
    humaneval_parity: dict[str, Any],
) -> None:
    differences = compare_with_reference(
        humaneval_parity["reference"], humaneval_parity["output"], DEVIATING
    )
    assert differences == []
    records = read_records(humaneval_parity["output"])
    statuses = {r["plus_status"] for r in records} | {r["base_status"] for r in records}
    assert statuses == {"pass", "fail", "timeout"}  # the variants exercise every verdict
    assert humaneval_parity["summary"].counts["errors"] == 0


def test_humaneval_32_is_the_documented_deviation(humaneval_parity: dict[str, Any]) -> None:
    theirs = humaneval_parity["reference"]["eval"]["HumanEval/32"]
    ours = [r for r in read_records(humaneval_parity["output"]) if r["task_id"] == "HumanEval/32"]
    ours.sort(key=lambda r: r["sample"])
    canonical, wrong = ours
    assert (canonical["base_status"], canonical["plus_status"]) == ("pass", "pass")
    assert (theirs[0]["base_status"], theirs[0]["plus_status"]) == ("fail", "fail")  # 0.3.1's bug
    assert (wrong["base_status"], wrong["plus_status"]) == ("fail", "fail")
    assert (theirs[1]["base_status"], theirs[1]["plus_status"]) == ("fail", "fail")
    assert any("HumanEval/32" in note for note in humaneval_parity["summary"].details["deviations"])


def test_default_mode_equals_evalplus_default_mode(
    humaneval_parity: dict[str, Any], executor: Any, tmp_path: Path
) -> None:
    """Without --details both tools stop each split at its first failing input: the same
    verdicts, and evalplus's one listed failing input (the last one run)."""
    samples, data = humaneval_parity["samples"], humaneval_parity["data"]
    copy = write_jsonl(tmp_path / "variants.jsonl", read_jsonl(samples))
    reference = run_reference("humaneval", copy, data, tmp_path / "xdg", details=False)
    summary = run_evalplus(
        suite="humaneval+",
        samples=samples,
        output=tmp_path / "ours",
        dataset_path=data,
        progress=False,
        executor=executor,
    )
    assert compare_with_reference(reference, tmp_path / "ours", DEVIATING) == []
    records = read_records(tmp_path / "ours")
    assert all(r["settings"]["test_details"] is False for r in records)
    failing = [r for r in records if r["plus_status"] == "fail" and r["plus_fail_tests"]]
    assert failing and all(len(r["plus_fail_tests"]) == 1 for r in failing)
    assert summary.counts["errors"] == 0


def test_first_failure_shows_expected_and_actual(humaneval_parity: dict[str, Any]) -> None:
    records = read_records(humaneval_parity["output"])
    off_by_one = next(r for r in records if r["task_id"] == "HumanEval/55" and r["sample"] == 1)
    assert off_by_one["first_failure"]["split"] == "base"
    assert off_by_one["failing_input"] == json.dumps(off_by_one["base_fail_tests"][0])
    assert off_by_one["expected"] != off_by_one["actual"]
    raises = next(r for r in records if r["task_id"] == "HumanEval/63" and r["sample"] == 2)
    assert raises["actual"].startswith("ValueError: not implemented")
    printer = next(r for r in records if r["task_id"] == "HumanEval/6" and r["sample"] == 1)
    assert printer["base_status"] == "pass"
    request = hydrate_request(off_by_one["request"], humaneval_parity["output"])
    assert (
        request["image"] == "sandbox-lang-python:latest"
        and "evalplus/eval/__init__.py" in request["files"]
    )
    assert off_by_one["result"]["status"] == "ok"


def test_rerun_resumes_without_executing(humaneval_parity: dict[str, Any], executor: Any) -> None:
    before = (humaneval_parity["output"] / "results.jsonl").read_text()
    summary = run_evalplus(
        suite="humaneval+",
        samples=humaneval_parity["samples"],
        output=humaneval_parity["output"],
        dataset_path=humaneval_parity["data"],
        progress=False,
        executor=executor,
        test_details=True,
    )
    assert (humaneval_parity["output"] / "results.jsonl").read_text() == before
    assert summary.details["pass_at_k"] == humaneval_parity["summary"].details["pass_at_k"]
    assert summary.model == "variants"


def test_mbpp_fixture_verdicts_equal_evalplus(executor: Any, tmp_path: Path) -> None:
    problems, info = load_problems(resolve_suite("mbpp+"), MBPP_FIXTURE)
    samples = write_jsonl(tmp_path / "mbpp-variants.jsonl", build_mbpp_samples(problems))
    reference = run_reference("mbpp", samples, MBPP_FIXTURE, tmp_path / "xdg")
    summary = run_evalplus(
        suite="mbpp+",
        samples=samples,
        output=tmp_path / "ours",
        dataset_path=MBPP_FIXTURE,
        progress=False,
        executor=executor,
        test_details=True,
    )
    assert compare_with_reference(reference, tmp_path / "ours") == []
    assert summary.dataset.hash == info.hash == reference["hash"]
    records = read_records(tmp_path / "ours")
    assert all(
        r["dataset"] == {"name": "MbppPlus", "version": "v0.2.0", "hash": info.hash}
        for r in records
    )
    assert {r["plus_status"] for r in records} == {"pass", "fail"}


def test_base_only_suite_runs_base_tests_only(
    executor: Any, humaneval_gz: Path, tmp_path: Path
) -> None:
    summary = run_evalplus(
        suite="humaneval",
        samples=None,
        output=tmp_path / "base",
        dataset_path=humaneval_gz,
        limit=3,
        progress=False,
        executor=executor,
    )
    assert summary.details["pass_at_k"] == {"base": {"pass@1": 1.0}}
    records = read_records(tmp_path / "base")
    assert [r["plus_status"] for r in records] == [None, None, None]
    assert all(r["tests"].keys() == {"base"} for r in records)
    assert json.loads((tmp_path / "base" / "summary.json").read_text())["kind"] == "suite"
    again = run_evalplus(
        suite="humaneval+",
        base_only=True,
        samples=None,
        output=tmp_path / "base",
        dataset_path=humaneval_gz,
        limit=3,
        progress=False,
        executor=executor,
    )
    assert again.name == "humaneval"
    assert len(read_records(tmp_path / "base")) == 3  # the same verdicts: resumed, not re-run
