"""Run any suite end to end: plan, execute each distinct program once, record, resume, summarize.

Identical requests (same ``content_key()``: image, files, commands, limits) are executed once
and their result shared, so duplicate samples and AWK's canonical program (the reference of
every AWK sample) cost one run. Jobs start most expensive first, so that long samples overlap
the rest instead of finishing last. Each record is appended as soon as its sample is judged,
so an interrupted run resumes where it stopped. A verdict its job calls doubtful (a time-limit
failure measured under CPU contention) is held back and judged again, alone, at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence

from runners.provenance import utc_now
from runners.records import SampleRecord, SummaryRecord
from runners.results import ResultsStore, parse_sample_record
from runners.suites import get_suite
from runners.suites.base import SuiteJob, SuiteRunSpec
from sandbox.executor import Executor
from sandbox.executors import make_executor
from sandbox.models import ExecutionRequest, ExecutionResult
from sandbox.progress import ProgressReporter

RecordCallback = Callable[[SampleRecord], None]


def run_suite(
    spec: SuiteRunSpec,
    *,
    executor: Executor | None = None,
    progress: ProgressReporter | None = None,
) -> SummaryRecord:
    """Score ``spec`` with its suite, append a record per sample, write and return the summary.

    Samples with a final record in the output directory are skipped (resume); a sandbox error
    is not final and is retried; the summary covers every record of the plan, old and new.
    """
    suite = get_suite(spec.suite)
    suite.check_spec(spec)
    reporter = progress or ProgressReporter(enabled=False)
    store = ResultsStore(suite.output_dir(spec))
    started = utc_now()
    scope = executor if executor is not None else make_executor(workers=spec.workers)
    try:
        where = str(store.results_path)
        final = {k for k, raw in store.latest().items() if parse_sample_record(raw, where).final}
        plan = suite.plan(spec, scope, final, reporter)
        task = reporter.task(spec.suite)
        task.start(len(plan.jobs))
        passed = 0

        def on_record(record: SampleRecord) -> None:
            nonlocal passed
            passed += record.passed
            task.note(f"passed {passed}")
            task.advance()

        execute_jobs(plan.jobs, scope, store, on_record)
        task.finish()
    finally:
        if executor is None:  # made here (on first use, if at all): closed here
            scope.close()
    latest = store.latest()
    records = [
        parse_sample_record(latest[key], str(store.results_path))
        for key in plan.keys
        if key in latest
    ]
    summary = suite.summarize(spec, plan, records)
    provenance = {**summary.provenance, "started_at": started, "finished_at": utc_now()}
    summary = summary.model_copy(update={"provenance": provenance})
    store.write_summary(summary)
    return summary


def execute_jobs(
    jobs: Sequence[SuiteJob],
    executor: Executor,
    store: ResultsStore,
    on_record: RecordCallback | None = None,
) -> int:
    """Judge every job, running each distinct request once (costly jobs first); returns the
    number of records written.

    Requests reach the executor lazily, in that order, as it asks for more; a result is kept
    only until the last job that needs it is judged, so memory does not grow with the run.
    """
    ordered = sorted(jobs, key=lambda job: -job.cost)
    needs = {id(job): {r.content_key(): r for r in job.requests()} for job in ordered}
    waiting: dict[str, list[SuiteJob]] = defaultdict(list)
    for job in ordered:
        for key in needs[id(job)]:
            waiting[key].append(job)
    users = {key: len(jobs_waiting) for key, jobs_waiting in waiting.items()}
    remaining = {id(job): len(needs[id(job)]) for job in ordered}
    results: dict[str, ExecutionResult] = {}
    held: list[tuple[SuiteJob, SampleRecord]] = []
    written = 0

    def keep(record: SampleRecord) -> None:
        nonlocal written
        store.append(record)
        written += 1
        if on_record is not None:
            on_record(record)

    def finish(job: SuiteJob) -> None:
        keys = needs.pop(id(job))
        record = job.judge({key: results[key] for key in keys})
        if job.wants_recheck(record):
            held.append((job, record))  # not stored: an interrupted run checks it again
        else:
            keep(record)
        for key in keys:  # a result goes once the last job that needs it is judged
            users[key] -= 1
            if users[key] == 0:
                del results[key]

    for job in ordered:
        if not needs[id(job)]:
            finish(job)
    for request, result in executor.run_many(_distinct(ordered, needs)):
        key = request.content_key()
        results[key] = result
        for job in waiting.pop(key, []):
            remaining[id(job)] -= 1
            if remaining[id(job)] == 0:
                finish(job)
    for job, first in held:
        keep(recheck_alone(job, first, executor))
    return written


def recheck_alone(job: SuiteJob, first: SampleRecord, executor: Executor) -> SampleRecord:
    """``job`` judged again from its executions run one at a time, after every other job
    of the run is done (nothing of ours competes for the CPU)."""
    results = {request.content_key(): executor.run(request) for request in job.requests()}
    return job.judge_recheck(first, results)


def _distinct(
    ordered: Sequence[SuiteJob], needs: dict[int, dict[str, ExecutionRequest]]
) -> Iterator[ExecutionRequest]:
    """Each distinct request once, in job order, drawn as the executor asks for it."""
    sent: set[str] = set()
    for job in ordered:
        for key, request in needs.get(id(job), {}).items():
            if key not in sent:
                sent.add(key)
                yield request
