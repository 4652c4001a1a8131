"""Planning, de-duplication, resume and aggregation (pure logic; execution is faked here and
exercised for real in test_engine_suites.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from runners.multilang.aggregate import run_failed, summarize_plan
from runners.multilang.datasets import SuiteData
from runners.multilang.models import CheckKind, LanguageState, SampleSpec, SuiteName, TaskSpec
from runners.multilang.plan import SampleJob, SuitePlan, plan_suite, select_languages
from runners.records import SampleRecord
from runners.results import ResultsStore, parse_sample_record
from runners.suites.driver import execute_jobs
from sandbox.availability import LanguageStatusResult
from sandbox.errors import BadInputError
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult, LimitsSpec, Status


def pending_jobs(plan: SuitePlan, store: ResultsStore) -> list[SampleJob]:
    """Jobs without a final record (what the driver plans on resume)."""
    final = {k for k, r in store.latest().items() if r["status"] != "error"}
    return [job for job in plan.jobs() if job.key not in final]


def records_of(store: ResultsStore) -> list[SampleRecord]:
    return [parse_sample_record(raw, "test") for raw in store.latest().values()]


def _ready(spec: LanguageSpec) -> LanguageStatusResult:
    return LanguageStatusResult(
        language=spec.id, state=LanguageState.READY, image=spec.image, toolchain="Py 3"
    )


def _task(n: int, check: CheckKind = CheckKind.EXECUTE, language: str = "py") -> TaskSpec:
    return TaskSpec(
        suite=SuiteName.MCEVAL, language=language, task_id=f"T/{n}", prompt=f"# task {n}",
        canonical=f"x = {n}", test="assert x", check=check,
    )  # fmt: skip


def _data(tasks: dict[str, list[TaskSpec]], unresolved: dict[str, int] | None = None) -> SuiteData:
    return SuiteData(SuiteName.MCEVAL, Path("/data"), tasks=tasks, unresolved=unresolved or {})


class StatusByMarker:
    """Runs nothing: a program passes unless its text contains FAIL / LOOP / BOOM."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        for request in requests:
            self.seen.append(request.content_key())
            text = "".join(request.files.values())
            status = Status.OK
            for marker, bad in (("FAIL", Status.NONZERO_EXIT), ("LOOP", Status.TIMEOUT),
                                ("BOOM", Status.SANDBOX_ERROR)):  # fmt: skip
                if marker in text:
                    status = bad
            yield request, ExecutionResult(status=status, stdout=text)

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        return next(iter(self.run_many([request])))[1]

    def close(self) -> None:
        pass


@pytest.fixture
def py(fake_registry: Callable[[str, str], Path], python_like: str) -> Path:
    folder = fake_registry("py", python_like)
    (folder / "known_issues.toml").write_text(
        '[[known]]\nsuite = "mceval"\ntask_id = "T/2"\nreason = "upstream test is wrong"\n'
    )
    return folder


def _samples(*rows: tuple[str, str]) -> list[SampleSpec]:
    counts: dict[str, int] = {}
    out = []
    for task_id, code in rows:
        out.append(
            SampleSpec(task_id=task_id, language="py", code=code, index=counts.get(task_id, 0))
        )
        counts[task_id] = counts.get(task_id, 0) + 1
    return out


def test_canonical_plan_skips_what_cannot_run(py: Path) -> None:
    data = _data({"py": [_task(1), _task(2)], "html": []}, unresolved={"Swift": 50})
    plan = plan_suite(data, select_languages(data, ["all"]), _ready)
    rows = {row.language: row for row in plan.languages}
    assert rows["Swift"].status.state is LanguageState.NO_FOLDER
    assert rows["html"].status.state is LanguageState.NO_TASKS
    assert [job.task.task_id for job in rows["py"].jobs] == ["T/1", "T/2"]
    assert rows["py"].jobs[1].known_issue == "upstream test is wrong"


@pytest.mark.parametrize(
    ("state", "fails_validation"),
    [(LanguageState.UNAVAILABLE, False), (LanguageState.NOT_BUILT, True)],
)
def test_languages_that_cannot_run_are_not_counted(
    py: Path, state: LanguageState, fails_validation: bool
) -> None:
    def probe(spec: LanguageSpec) -> LanguageStatusResult:
        return LanguageStatusResult(language=spec.id, state=state, detail="why")

    plan = plan_suite(_data({"py": [_task(1)]}), ["py"], probe)
    summary = summarize_plan(plan, [], (1,))
    assert summary["languages"]["py"]["counted"] is False
    assert summary["languages"]["py"]["detail"] == "why"
    assert summary["totals"]["languages_counted"] == 0
    assert summary["totals"]["pass_rate"] is None
    assert run_failed(summary["totals"]) is fails_validation


def test_samples_for_unknown_tasks_are_bad_input(py: Path) -> None:
    data = _data({"py": [_task(1)]})
    with pytest.raises(BadInputError, match="T/9"):
        plan_suite(data, ["py"], _ready, samples=_samples(("T/9", "x")))


def test_identical_programs_run_once_and_records_resume(py: Path, tmp_path: Path) -> None:
    data = _data({"py": [_task(1), _task(2), _task(3)]})
    samples = _samples(("T/1", "ok"), ("T/1", "ok"), ("T/2", "FAIL"), ("T/3", "LOOP"))
    plan = plan_suite(data, ["py"], _ready, samples=samples)
    store = ResultsStore(tmp_path / "out")
    executor = StatusByMarker()
    written = execute_jobs(pending_jobs(plan, store), executor, store)
    assert written == 4
    assert len(executor.seen) == 3  # the two identical T/1 samples ran once
    assert pending_jobs(plan, store) == []
    summary = summarize_plan(plan, records_of(store), (1, 2))
    m = summary["languages"]["py"]
    assert (m["samples"], m["passed"], m["failed"], m["timeouts"]) == (4, 2, 1, 1)
    assert m["expected_failures"] == 1  # T/2 fails and is a known issue, still a failure
    assert m["pass_rate"] == 0.5
    assert m["pass_at_k"]["pass@1"] == pytest.approx((1.0 + 0.0 + 0.0) / 3)
    assert "pass@2" not in m["pass_at_k"]  # T/2 and T/3 have one sample each
    record = store.load_records()[0]
    assert record["request"]["files"] and record["result"]["status"]
    assert record["details"]["toolchain"] == "Py 3"


def test_sandbox_errors_are_retried_on_resume(py: Path, tmp_path: Path) -> None:
    data = _data({"py": [_task(1)]})
    store = ResultsStore(tmp_path / "out")
    broken = plan_suite(data, ["py"], _ready, samples=_samples(("T/1", "BOOM")))
    execute_jobs(pending_jobs(broken, store), StatusByMarker(), store)
    summary = summarize_plan(broken, records_of(store), (1,))
    assert summary["languages"]["py"]["errors"] == 1
    assert summary["languages"]["py"]["passed"] == 0
    assert len(pending_jobs(broken, store)) == 1  # an infrastructure failure is not final


def test_canonical_self_validation_verdicts(py: Path, tmp_path: Path) -> None:
    tasks = [_task(1), _task(2), _task(3)]
    tasks[1] = tasks[1].model_copy(update={"canonical": "FAIL"})  # the known issue
    tasks[2] = tasks[2].model_copy(update={"canonical": "LOOP"})  # unexplained
    plan = plan_suite(_data({"py": tasks}), ["py"], _ready)
    store = ResultsStore(tmp_path / "out")
    execute_jobs(pending_jobs(plan, store), StatusByMarker(), store)
    summary = summarize_plan(plan, records_of(store), (1, 10))
    m = summary["languages"]["py"]
    assert m["expected_failure_tasks"] == {"T/2": "upstream test is wrong"}
    assert list(m["unexpected_failure_tasks"]) == ["T/3"]
    assert m["unexpected_failure_tasks"]["T/3"].startswith("timeout (timeout: ")
    assert m["meets_bar"] is False
    assert run_failed(summary["totals"])
    assert json.loads(json.dumps(summary)) == summary


def test_awk_compares_with_the_reference_run(py: Path, tmp_path: Path) -> None:
    task = _task(1, CheckKind.OUTPUT_MATCH).model_copy(update={"prompt": "", "test": ""})
    plan = plan_suite(_data({"py": [task]}), ["py"], _ready, samples=_samples(("T/1", "x = 2")))
    job = plan.jobs()[0]
    assert job.reference is not None and job.request is not None
    store = ResultsStore(tmp_path / "out")
    executor = StatusByMarker()
    execute_jobs([job], executor, store)
    record = store.load_records()[0]
    assert len(executor.seen) == 2
    assert record["status"] == "failed"  # the fake echoes the program: outputs differ
    canonical = plan_suite(_data({"py": [task]}), ["py"], _ready).jobs()[0]
    assert canonical.reference == canonical.request  # self-validation: one run, same output


def test_keys_change_with_anything_that_decides_the_verdict(py: Path) -> None:
    data = _data({"py": [_task(1)]})
    first = plan_suite(data, ["py"], _ready).jobs()[0].key
    assert plan_suite(data, ["py"], _ready).jobs()[0].key == first
    slower = plan_suite(data, ["py"], _ready, limits=LimitsSpec(timeout_s=1.0)).jobs()[0].key
    assert slower != first
    edited = _data({"py": [_task(1).model_copy(update={"test": "assert x == 1"})]})
    assert plan_suite(edited, ["py"], _ready).jobs()[0].key != first
