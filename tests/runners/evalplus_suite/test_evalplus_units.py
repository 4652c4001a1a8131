"""Pure logic of the evalplus suite: datasets, samples, the HumanEval/32 patch, verdicts, pass@k."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from evalplus.eval import estimate_pass_at_k

from runners.evalplus_suite.checks import (
    CheckOutcome,
    CheckSettingsSpec,
    SampleStatus,
    decide_outcome,
    failing_inputs,
)
from runners.evalplus_suite.datasets import DatasetInfo, load_problems, resolve_suite
from runners.evalplus_suite.payload import FIND_ZERO_FIX, harness_files, patch_find_zero
from runners.evalplus_suite.samples import canonical_samples, load_samples, program_text
from runners.evalplus_suite.scoring import sample_verdict, summarize
from runners.records import EvalplusDetails, SampleRecord, Verdict
from runners.samples import SampleSpec
from sandbox.errors import BadInputError, SandboxError
from sandbox.models import ExecutionResult, Status

from .evalplus_helpers import MBPP_FIXTURE, write_jsonl

HUMANEVAL_MD5 = "fe585eb4df8c88d844eeb463ea4d0302"  # evalplus v0.1.10, see datasets/README.md
DATASET = DatasetInfo(name="D", version="v", hash="h", path="p")


def test_suites_resolve_and_unknown_names_fail() -> None:
    assert resolve_suite("HumanEval+").base_only is False
    assert resolve_suite("mbpp").base_only is True
    assert resolve_suite("mbpp").dataset == "mbpp"
    with pytest.raises(BadInputError, match="use one of"):
        resolve_suite("humaneval++")


def test_humaneval_loads_through_evalplus_with_its_hash(humaneval_gz: Path) -> None:
    problems, info = load_problems(resolve_suite("humaneval+"), humaneval_gz)
    assert len(problems) == 164
    assert (info.name, info.version, info.hash) == ("HumanEvalPlus", "v0.1.10", HUMANEVAL_MD5)
    few, _ = load_problems(resolve_suite("humaneval+"), humaneval_gz, limit=3)
    assert list(few) == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]


def test_mbpp_fixture_is_deserialised_by_evalplus() -> None:
    problems, info = load_problems(resolve_suite("mbpp+"), MBPP_FIXTURE)
    assert (info.name, info.version) == ("MbppPlus", "v0.2.0")
    assert info.hash == hashlib.md5(MBPP_FIXTURE.read_bytes()).hexdigest()
    assert problems["Mbpp/2"]["base_input"][0] == [(3, 4, 5, 6), (5, 7, 4, 10)]
    assert problems["Mbpp/124"]["base_input"][0] == (0.0, 1j)


def test_missing_or_malformed_dataset_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        load_problems(resolve_suite("humaneval+"), tmp_path / "nope.jsonl")
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"task_id": "HumanEval/0", "prompt": "x"}])
    with pytest.raises(BadInputError, match="format"):
        load_problems(resolve_suite("humaneval+"), broken)


def _text(sample: SampleSpec) -> str:
    """The program evalplus scores for ``sample``."""
    return program_text(sample, _problems()[sample.task_id])


def _problems() -> dict[str, dict[str, Any]]:
    return {
        "T/0": {"prompt": "def f():\n", "entry_point": "f", "canonical_solution": "    return 0\n"},
        "T/1": {"prompt": "def g():\n", "entry_point": "g", "canonical_solution": "    return 1\n"},
    }


def test_jsonl_samples_number_per_task_and_join_completions(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "model-x.jsonl",
        [
            {"task_id": "T/0", "completion": "    return 5\n"},
            {"task_id": "T/1", "solution": "def g():\n    return 1\n"},
            {"task_id": "T/0", "solution": "def f():\n    return 0\n"},
            {"task_id": "Other/9", "solution": "pass"},
        ],
    )
    loaded = load_samples(path, _problems())
    assert loaded.model == "model-x"
    assert [(s.task_id, s.index) for s in loaded.samples] == [("T/0", 0), ("T/1", 0), ("T/0", 1)]
    assert _text(loaded.samples[0]) == "def f():\n    return 5\n"
    assert loaded.unknown_tasks["Other/9"] == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", ":2: not valid JSON"),
        ('{"solution": "x"}', ":2: no string 'task_id'"),
        ('{"task_id": "T/1"}', ":2: neither 'solution' nor 'completion'"),
        ('{"task_id": "T/1", "solution": ["a", "b"]}', ":2: 'solution' must be a string"),
    ],
)
def test_bad_sample_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"task_id": "T/0", "solution": "x"}\n' + line + "\n")
    with pytest.raises(BadInputError, match=message):
        load_samples(path, _problems())


def test_tasks_without_samples_are_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", [{"task_id": "T/0", "solution": "x"}])
    with pytest.raises(BadInputError, match=r"no sample for 1 of 2 tasks \(T/1\)"):
        load_samples(path, _problems())


def test_directory_layout_numbers_samples_by_file_name(tmp_path: Path) -> None:
    for task, names in {"T_0": ["0.py", "10.py", "2.py", "notes.txt"], "T_1": ["0.py"]}.items():
        (tmp_path / "run" / task).mkdir(parents=True)
        for name in names:
            (tmp_path / "run" / task / name).write_text(f"# {name}\n")
    loaded = load_samples(tmp_path / "run", _problems())
    assert loaded.model == "run"
    solutions = [(s.task_id, s.index, _text(s)) for s in loaded.samples]
    assert solutions == [
        ("T/0", 0, "# 0.py\n"),
        ("T/0", 1, "# 2.py\n"),
        ("T/0", 2, "# 10.py\n"),
        ("T/1", 0, "# 0.py\n"),
    ]


def test_sanitize_applies_evalplus_sanitize(tmp_path: Path) -> None:
    from evalplus.sanitize import sanitize

    chatty = "Here you go:\n```python\ndef f():\n    return 0\n\nprint(f())\n```\nEnjoy."
    path = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"task_id": "T/0", "solution": chatty},
            {"task_id": "T/1", "completion": "    return 1\n"},
        ],
    )
    loaded = load_samples(path, _problems(), sanitize=True)
    assert _text(loaded.samples[0]) == sanitize(chatty, entrypoint="f")
    assert "print" not in _text(loaded.samples[0])
    assert _text(loaded.samples[1]) == sanitize("def g():\n\n    return 1\n", entrypoint="g")


def test_canonical_samples_are_prompt_plus_solution() -> None:
    samples = canonical_samples(_problems()).samples
    assert _text(samples[1]) == "def g():\n    return 1\n"


def test_find_zero_patch_records_passes() -> None:
    source = harness_files()["evalplus/eval/__init__.py"]
    assert FIND_ZERO_FIX in source
    with pytest.raises(SandboxError, match="find_zero"):
        patch_find_zero(source)  # already patched: the 0.3.1 text is gone


def test_failing_inputs_follow_test_details() -> None:
    suite = resolve_suite("humaneval+")
    inputs: list[Any] = [[1], [2], [3]]
    assert failing_inputs(suite, "T/0", SampleStatus.FAIL, [True, False, False], inputs) == [
        [2],
        [3],
    ]
    assert failing_inputs(suite, "T/0", SampleStatus.FAIL, [True, False], inputs, False) == [[2]]
    assert failing_inputs(suite, "T/0", SampleStatus.PASS, [True, True, True], inputs) == []
    assert failing_inputs(suite, "T/0", SampleStatus.TIMEOUT, [], inputs) == []


def test_mbpp_failing_inputs_are_serialised_as_evalplus_does() -> None:
    problems, _ = load_problems(resolve_suite("mbpp+"), MBPP_FIXTURE)
    inputs = problems["Mbpp/124"]["base_input"]
    failed = failing_inputs(resolve_suite("mbpp+"), "Mbpp/124", SampleStatus.FAIL, [False], inputs)
    assert failed == [["0.0", "1j"]]


def _events(*events: dict[str, Any]) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


def test_verdicts_come_from_the_harness_events() -> None:
    stdout = _events(
        {"event": "check", "split": "base", "status": "pass", "details": [True], "time_s": 0.1},
        {
            "event": "check",
            "split": "plus",
            "status": "fail",
            "details": [True, False],
            "time_s": 1,
        },
        {"event": "explain", "split": "plus", "index": 1, "expected": "2", "actual": "3"},
        {"event": "done"},
    )
    outcome = decide_outcome(ExecutionResult(status=Status.OK, stdout=stdout), CheckSettingsSpec())
    assert (outcome.base_status, outcome.plus_status) == (SampleStatus.PASS, SampleStatus.FAIL)
    assert outcome.first_failure == {"split": "plus", "index": 1, "expected": "2", "actual": "3"}


@pytest.mark.parametrize(
    ("status", "stdout", "expected"),
    [
        (Status.TIMEOUT, "", SampleStatus.TIMEOUT),
        (Status.OOM, "", SampleStatus.TIMEOUT),
        (Status.SANDBOX_ERROR, "", SampleStatus.ERROR),
        (Status.OK, "", SampleStatus.ERROR),
        (Status.NONZERO_EXIT, "", SampleStatus.FAIL),
        (Status.OUTPUT_LIMIT, '{"event": "check", "split": "base", "sta', SampleStatus.FAIL),
        (Status.NONZERO_EXIT, '{"event": "error", "message": "boom"}\n', SampleStatus.ERROR),
    ],
)
def test_missing_verdicts_are_never_a_pass(
    status: Status, stdout: str, expected: SampleStatus
) -> None:
    outcome = decide_outcome(ExecutionResult(status=status, stdout=stdout), CheckSettingsSpec())
    assert outcome.base_status is expected
    assert outcome.plus_status is expected
    assert outcome.note


def _record(task: str, base: str, plus: str | None) -> SampleRecord:
    statuses = [SampleStatus(base)] + ([SampleStatus(plus)] if plus else [])
    outcome = CheckOutcome(
        base_status=statuses[0], plus_status=statuses[1] if plus else None, base_details=[],
        plus_details=[], first_failure=None, time_scale=None, base_time_s=None,
        plus_time_s=None, note=None,
    )  # fmt: skip
    verdict = sample_verdict(outcome)
    return SampleRecord(
        key=f"{task}#{id(outcome)}", suite="humaneval+", task_id=task, sample_index=0,
        language="python", model="m", status=verdict, passed=verdict is Verdict.PASSED,
        details=EvalplusDetails(dataset={}, solution="", base_status=base, plus_status=plus),
    )  # fmt: skip


def _view(record: SampleRecord) -> dict[str, Any]:
    return {**record.details.model_dump(), "task_id": record.task_id, "passed": record.passed}


def test_pass_at_k_matches_evalplus_estimator() -> None:
    rng = np.random.default_rng(7)
    records = []
    for task in range(5):
        for _ in range(12):
            base = "pass" if rng.random() < 0.6 else "fail"
            plus = "pass" if base == "pass" and rng.random() < 0.7 else "timeout"
            records.append(_record(f"T/{task}", base, plus))
    problems: dict[str, dict[str, Any]] = {f"T/{t}": {} for t in range(5)}
    summary = summarize(
        records,
        suite=resolve_suite("humaneval+"),
        dataset=DATASET,
        model="m",
        problems=problems,
        expected_samples=60,
    )
    for split, passed in (("base", "base_status"), ("plus", "passed")):
        correct = [
            sum(
                r[passed] in {"pass", True} for r in map(_view, records) if r["task_id"] == f"T/{t}"
            )
            for t in range(5)
        ]
        for k in (1, 10):
            theirs = estimate_pass_at_k(12, correct, k).mean()
            assert summary.details["pass_at_k"][split][f"pass@{k}"] == pytest.approx(
                theirs, abs=1e-15
            )
        assert "pass@100" not in summary.details["pass_at_k"][split]
    assert summary.complete is True
    assert summary.counts["samples"] == 60


def test_errors_are_not_final_and_make_a_summary_incomplete() -> None:
    records = [_record("T/0", "pass", "pass"), _record("T/1", "error", "error")]
    assert [r.final for r in records] == [True, False]
    summary = summarize(
        records,
        suite=resolve_suite("humaneval+"),
        dataset=DATASET,
        model="m",
        problems={"T/0": {}, "T/1": {}},
        expected_samples=2,
    )
    assert summary.complete is False
    assert summary.counts["errors"] == 1
    assert summary.details["pass_at_k"]["plus"]["pass@1"] == 0.5


def test_record_keys_change_with_everything_that_decides_a_verdict() -> None:
    from dataclasses import replace

    from runners.evalplus_suite.samples import SampleSet
    from runners.evalplus_suite.suite import EvalplusContext

    sample = SampleSpec(task_id="T/0", code="def f():\n    return 0\n", full_program=True)
    plan = EvalplusContext(
        suite=resolve_suite("humaneval+"),
        problems=_problems(),
        dataset=DATASET,
        samples=SampleSet(samples=[sample], model="m"),
        settings=CheckSettingsSpec(),
        image_id="sha256:aaa",
    )
    key = plan.key(sample)
    assert key.startswith("T/0#0@") and key == plan.key(sample)
    changed = [
        plan.key(sample.model_copy(update={"code": "def f():\n    return 1\n"})),
        replace(plan, image_id="sha256:bbb").key(sample),
        replace(plan, settings=CheckSettingsSpec(min_time_limit=2.0)).key(sample),
        replace(plan, dataset=DATASET.model_copy(update={"hash": "other"})).key(sample),
    ]
    assert len({key, *changed}) == 5


def test_a_first_failure_that_used_up_its_limit_is_not_re_run() -> None:
    """Re-running an input that timed out would cost its limit a second time."""
    from runners.evalplus_suite.harness.check import ran_out_of_time

    limits = [1.0, 4.0]
    assert ran_out_of_time("timeout", 0.5, 1, limits, 1.0) == 4.0  # the process was killed
    assert ran_out_of_time("fail", 4.2, 1, limits, 1.0) == 4.0  # ran at least the limit
    assert ran_out_of_time("fail", 0.3, 1, limits, 1.0) is None  # a wrong answer: re-run
    assert ran_out_of_time("fail", 1.5, 2, limits, 1.0) == 1.0  # past the inputs: the floor
