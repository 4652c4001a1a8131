"""The driver hands requests to the executor as a stream, runs each distinct one once, and gives
each job only the results it asked for (so finished results can be dropped)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runners.results import ResultsStore
from runners.suites.driver import execute_jobs
from sandbox.models import ExecutionRequest, ExecutionResult, Status


def request(program: str) -> ExecutionRequest:
    return ExecutionRequest(image="sandbox-lang-python:latest", run=program)


@dataclass
class PlannedJob:
    """A job of a suite: its requests and, once judged, what it was given."""

    key: str
    asks: list[ExecutionRequest]
    cost: float = 0.0
    given: dict[str, str] | None = None

    def requests(self) -> list[ExecutionRequest]:
        return list(self.asks)

    def judge(self, results: Mapping[str, ExecutionResult]) -> Any:
        self.given = {key: result.stdout for key, result in results.items()}
        return {"key": self.key, "outputs": sorted(self.given.values())}


@dataclass
class EchoExecutor:
    """Pure logic: each program's "output" is its run command; records what it was handed."""

    drawn: list[str] = field(default_factory=list)
    handed: Any = None

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        self.handed = requests
        for one in requests:
            self.drawn.append(one.run)
            yield one, ExecutionResult(status=Status.OK, stdout=one.run)


def test_each_job_gets_only_its_own_results_and_each_program_runs_once(tmp_path: Path) -> None:
    first, common, last = request("a"), request("common"), request("z")
    jobs = [
        PlannedJob("one", [first, common], cost=3),
        PlannedJob("two", [common, common], cost=2),
        PlannedJob("three", [last], cost=1),
        PlannedJob("nothing-to-run", []),
    ]
    executor = EchoExecutor()
    store = ResultsStore(tmp_path)
    assert execute_jobs(jobs, executor, store) == 4  # type: ignore[arg-type]
    assert executor.drawn == ["a", "common", "z"]  # costly jobs first, each program once
    assert [job.given for job in jobs] == [
        {first.content_key(): "a", common.content_key(): "common"},
        {common.content_key(): "common"},
        {last.content_key(): "z"},
        {},
    ]
    assert sorted(store.latest()) == ["nothing-to-run", "one", "three", "two"]


def test_requests_reach_the_executor_as_a_stream(tmp_path: Path) -> None:
    jobs = [PlannedJob(f"job{i}", [request(f"p{i}")]) for i in range(50)]
    executor = EchoExecutor()
    execute_jobs(jobs, executor, ResultsStore(tmp_path))  # type: ignore[arg-type]
    assert not isinstance(executor.handed, Sequence)  # never one list of every request
    assert executor.drawn == [f"p{i}" for i in range(50)]
