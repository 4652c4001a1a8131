"""The driver hands requests to the executor as a stream, runs each distinct one once, and gives
each job only the results it asked for (so finished results can be dropped)."""

from __future__ import annotations

import json
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

    def wants_recheck(self, record: Any) -> bool:
        return False


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


@dataclass
class DoubtfulJob(PlannedJob):
    """A job whose first verdict is doubtful (as a time-limit failure under contention is)."""

    rechecked_with: dict[str, str] | None = None

    def wants_recheck(self, record: Any) -> bool:
        return record.get("first_run", True) and self.key.startswith("doubtful")

    def judge_recheck(self, first: Any, results: Mapping[str, ExecutionResult]) -> Any:
        self.rechecked_with = {key: result.stdout for key, result in results.items()}
        return {"key": self.key, "first_run": False, "first": first["outputs"]}


@dataclass
class AloneExecutor(EchoExecutor):
    """Records, for each single ``run``, whether the stream of ``run_many`` was still open."""

    streaming: bool = False
    alone: list[tuple[str, bool]] = field(default_factory=list)

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        self.streaming = True
        yield from super().run_many(requests)
        self.streaming = False

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        self.alone.append((request.run, self.streaming))
        return ExecutionResult(status=Status.OK, stdout="again:" + request.run)


def test_a_doubtful_verdict_is_judged_again_alone_after_the_rest(tmp_path: Path) -> None:
    jobs = [
        DoubtfulJob("doubtful", [request("slow")], cost=5),
        DoubtfulJob("plain", [request("p1")], cost=1),
        DoubtfulJob("plain2", [request("p2")], cost=0),
    ]
    executor = AloneExecutor()
    store = ResultsStore(tmp_path)
    assert execute_jobs(jobs, executor, store) == 3  # type: ignore[arg-type]
    assert executor.drawn == ["slow", "p1", "p2"]
    assert executor.alone == [("slow", False)]  # once more, after every other job, one at a time
    assert jobs[0].rechecked_with == {request("slow").content_key(): "again:slow"}
    latest = store.latest()
    assert latest["doubtful"] == {"key": "doubtful", "first_run": False, "first": ["slow"]}
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == 3  # the first verdict was held back, not stored beside the second
    assert [json.loads(line)["key"] for line in lines] == ["plain", "plain2", "doubtful"]
