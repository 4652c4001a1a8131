"""HumanEval(+) and MBPP(+) as registered suites, scored exactly as evalplus 0.3.1 scores them,
every sample in its own sandboxed container."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field
from rich.console import RenderableType

from runners.evalplus_suite.checks import (
    CheckSettingsSpec,
    build_check_request,
    contended_time_failure,
    decide_outcome,
)
from runners.evalplus_suite.datasets import (
    SUITES,
    DatasetInfo,
    Problems,
    SuiteSpec,
    load_problems,
    resolve_suite,
)
from runners.evalplus_suite.groundtruth import TaskTruth, load_ground_truth
from runners.evalplus_suite.harness_requests import harness_fingerprint, python_language
from runners.evalplus_suite.payload import check_evalplus_version
from runners.evalplus_suite.report import summary_view
from runners.evalplus_suite.samples import (
    SampleSet,
    canonical_samples,
    load_samples,
    program_text,
)
from runners.evalplus_suite.scoring import build_record, sample_verdict, summarize
from runners.passk import TaskValues
from runners.provenance import collect_provenance
from runners.records import EvalplusDetails, SampleRecord, SummaryRecord, Verdict
from runners.samples import SampleSpec
from runners.suites import register_suite
from runners.suites.base import Suite, SuitePlan, SuiteRunSpec
from sandbox.errors import BadInputError
from sandbox.executor import Executor
from sandbox.models import ExecutionRequest, ExecutionResult, FrozenModel
from sandbox.progress import ProgressReporter


class EvalplusOptions(FrozenModel):
    """evalplus's settings (``sandbox run --base-only --min-time-limit ...``)."""

    base_only: bool = False
    min_time_limit: float = Field(1.0, gt=0)
    gt_time_limit_factor: float = Field(4.0, gt=0)
    sanitize: bool = False
    test_details: bool = False
    """evalplus's ``--test-details``: run every input and list every failing one. Off by default,
    as in evalplus: each split stops at its first failing input (same verdicts, faster)."""


@dataclass(frozen=True)
class EvalplusContext:
    """What planning learnt: the suite, tasks, dataset, samples, settings, image."""

    suite: SuiteSpec
    problems: Problems
    dataset: DatasetInfo
    samples: SampleSet
    settings: CheckSettingsSpec
    image_id: str

    def key(self, sample: SampleSpec) -> str:
        """Identifies a verdict: the sample and everything else that decides it (dataset,
        limits, harness, image), so that a resumed run never reuses a stale one."""
        context = [self.dataset.hash, self.settings.model_dump(), harness_fingerprint()]
        solution = program_text(sample, self.problems[sample.task_id])
        blob = json.dumps([*context, self.image_id], sort_keys=True) + solution
        return f"{sample.task_id}#{sample.index}@{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class EvalplusJob:
    """One sample: one execution of evalplus's check in the Python image."""

    key: str
    sample: SampleSpec
    request: ExecutionRequest
    context: EvalplusContext
    cost: float

    def requests(self) -> list[ExecutionRequest]:
        return [self.request]

    def judge(self, results: Mapping[str, ExecutionResult]) -> SampleRecord:
        result = results[self.request.content_key()]
        ctx = self.context
        return build_record(
            key=self.key,
            sample=self.sample,
            problem=ctx.problems[self.sample.task_id],
            suite=ctx.suite,
            dataset=ctx.dataset,
            model=ctx.samples.model,
            settings=ctx.settings,
            outcome=decide_outcome(result, ctx.settings),
            request=self.request,
            result=result,
        )

    def wants_recheck(self, record: SampleRecord) -> bool:
        """A time-limit failure under a contended CPU (asked of a first verdict only)."""
        details = record.details
        if not isinstance(details, EvalplusDetails) or record.passed:
            return False
        return contended_time_failure(
            details.base_status,
            details.plus_status,
            details.first_failure,
            details.time_scale or 1.0,
        )

    def judge_recheck(
        self, first: SampleRecord, results: Mapping[str, ExecutionResult]
    ) -> SampleRecord:
        record = self.judge(results)
        details, before = record.details, first.details
        if not isinstance(details, EvalplusDetails) or not isinstance(before, EvalplusDetails):
            return record
        earlier = {"detail": first.detail, "time_scale": before.time_scale}
        note = f"; re-checked alone (first run, CPU contended: {first.detail})"
        return record.model_copy(
            update={
                "detail": record.detail + note,
                "details": details.model_copy(update={"recheck": earlier}),
            }
        )


class EvalplusSuite(Suite):
    """A suite of evalplus's (the name picks the dataset and whether plus tests run)."""

    Options = EvalplusOptions

    def spec(self, options: EvalplusOptions) -> SuiteSpec:
        spec = resolve_suite(self.name)
        if options.base_only and not spec.base_only:
            return resolve_suite(spec.dataset)  # "humaneval+" with base_only is "humaneval"
        return spec

    def check_spec(self, spec: SuiteRunSpec) -> None:
        if spec.languages:
            raise BadInputError(f"--lang does not apply to {self.name}", "drop --lang")

    def output_dir(self, spec: SuiteRunSpec) -> Path:
        return super().output_dir(spec)

    def plan(
        self,
        spec: SuiteRunSpec,
        executor: Executor,
        final_keys: set[str],
        progress: ProgressReporter,
    ) -> SuitePlan:
        options: EvalplusOptions = self.options(spec)
        suite = self.spec(options)
        check_evalplus_version()
        problems, dataset = load_problems(suite, dataset_file(suite, spec.data), spec.limit)
        samples = (
            load_samples(spec.samples, problems, sanitize=options.sanitize)
            if spec.samples
            else canonical_samples(problems)
        )
        if spec.model:
            samples.model = spec.model
        settings = CheckSettingsSpec(
            min_time_limit=options.min_time_limit,
            gt_time_limit_factor=options.gt_time_limit_factor,
            base_only=suite.base_only,
            test_details=options.test_details,
        )
        image_id = executor.image_id(python_language().image)
        ctx = EvalplusContext(suite, problems, dataset, samples, settings, image_id)
        keys = [ctx.key(s) for s in samples.samples]
        pending = [s for s, k in zip(samples.samples, keys, strict=True) if k not in final_keys]
        return SuitePlan(keys=keys, jobs=self._jobs(ctx, pending, executor, progress), context=ctx)

    def _jobs(
        self,
        ctx: EvalplusContext,
        pending: list[SampleSpec],
        executor: Executor,
        progress: ProgressReporter,
    ) -> list[EvalplusJob]:
        if not pending:
            return []
        task = progress.task("ground truth")
        truths = load_ground_truth(
            ctx.suite,
            ctx.problems,
            ctx.dataset,
            (s.task_id for s in pending),
            executor,
            ctx.image_id,
            lambda done, total: _show(task, done, total),
        )
        return [self._job(ctx, sample, truths[sample.task_id]) for sample in pending]

    def _job(self, ctx: EvalplusContext, sample: SampleSpec, truth: TaskTruth) -> EvalplusJob:
        tag = f"{sample.task_id}#{sample.index}"
        problem = ctx.problems[sample.task_id]
        scored = sample.model_copy(update={"code": program_text(sample, problem)})
        request = build_check_request(
            scored.model_copy(update={"full_program": True}),
            problem,
            truth,
            ctx.suite,
            ctx.settings,
            tag,
        )
        return EvalplusJob(ctx.key(sample), sample, request, ctx, _cost(truth))

    def summarize(
        self, spec: SuiteRunSpec, plan: SuitePlan, records: Sequence[SampleRecord]
    ) -> SummaryRecord:
        ctx: EvalplusContext = plan.context
        options: EvalplusOptions = self.options(spec)
        summary = summarize(
            records,
            suite=ctx.suite,
            dataset=ctx.dataset,
            model=ctx.samples.model,
            problems=ctx.problems,
            expected_samples=len(plan.keys),
        )
        counts = {**summary.counts, "skipped_samples": sum(ctx.samples.unknown_tasks.values())}
        settings = {**ctx.settings.model_dump(), "sanitize": options.sanitize, "limit": spec.limit}
        provenance = collect_provenance(
            evalplus_version=check_evalplus_version(),
            harness=harness_fingerprint(),
            image=python_language().image,
            image_id=ctx.image_id,
            samples=str(spec.samples) if spec.samples else None,
        )
        details = {**summary.details, "settings": settings}
        return summary.model_copy(
            update={"counts": counts, "provenance": provenance, "details": details}
        )

    def task_values(
        self, summary: SummaryRecord, metric: str, records: Sequence[SampleRecord]
    ) -> TaskValues | None:
        parts = metric.removeprefix(f"{summary.name}.").split(".")
        if len(parts) != 2 or parts[0] not in ("base", "plus") or metric not in summary.metrics:
            return None
        per_task: dict[str, list[float]] = {}
        for record in records:
            details = record.details
            if not isinstance(details, EvalplusDetails):
                continue
            value = record.passed if parts[0] == "plus" else details.base_status == "pass"
            per_task.setdefault(record.task_id, []).append(float(value and record.final))
        k = int(parts[1].removeprefix("pass@"))
        return TaskValues(metric=metric, binary=True, k=k, per_task=per_task) if per_task else None

    def task_prompts(self, summary: SummaryRecord) -> dict[tuple[str, str], str]:
        path = Path(summary.dataset.path) if summary.dataset else None
        problems, _ = load_problems(
            resolve_suite(self.name), path if path and path.is_file() else None
        )
        return {("python", task_id): str(p["prompt"]) for task_id, p in problems.items()}

    def rejudge(self, record: SampleRecord, result: ExecutionResult) -> tuple[Verdict, str]:
        details = record.details
        if not isinstance(details, EvalplusDetails):
            raise ValueError(f"{record.key}: not an evalplus record")
        outcome = decide_outcome(result, CheckSettingsSpec(**details.settings))
        plus = f", plus: {outcome.plus_status.value}" if outcome.plus_status else ""
        return sample_verdict(outcome), f"base: {outcome.base_status.value}{plus}"

    def render(self, summary: SummaryRecord) -> RenderableType:
        return summary_view(summary)


IN_DATA_FOLDER = {"humaneval": Path("humanevalplus", "HumanEvalPlus.jsonl.gz")}
"""Where a data folder laid out like datasets/ keeps an evalplus dataset."""


def dataset_file(suite: SuiteSpec, data: Path | None) -> Path | None:
    """A data folder given for an evalplus suite stands for the dataset file inside it."""
    if data is None or not data.is_dir():
        return data
    inside = data / IN_DATA_FOLDER[suite.dataset] if suite.dataset in IN_DATA_FOLDER else None
    if inside is None or not inside.is_file():
        raise BadInputError(
            f"--data-dir {data} is a folder; {suite.name} needs its dataset file",
            "pass the .jsonl/.jsonl.gz file itself",
        )
    return inside


def _show(task: Any, done: int, total: int) -> None:
    if task.total != total:
        task.start(total, done)
    else:
        task.done = done
        task.advance(0)


UNPACK_BYTES_PER_S = 50e6
"""Roughly how fast a container decompresses and unpickles expected outputs."""


def _cost(truth: TaskTruth) -> float:
    """Expected seconds to score a sample of this task (for scheduling the slow ones first):
    its tests, recomputing outputs too large to ship, and unpacking them (HumanEval/15's
    147 MB take seconds)."""
    tests = sum(truth.base_time) + sum(truth.plus_time)
    recompute = 0.0 if truth.blob else tests
    return tests + recompute + truth.size / UNPACK_BYTES_PER_S


def _register(name: str) -> type[EvalplusSuite]:
    return register_suite(type(f"Suite_{name}", (EvalplusSuite,), {"name": name}))


for _name in SUITES:
    _register(_name)


def run_evalplus(
    *,
    suite: str,
    samples: Path | None,
    output: Path,
    workers: int | None = None,
    dataset_path: Path | None = None,
    limit: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    model: str | None = None,
    **options: Any,
) -> SummaryRecord:
    """Score ``samples`` (None: the canonical solutions) with ``suite``; see ``run_suite``."""
    from runners.suites.driver import run_suite

    spec = SuiteRunSpec(
        suite=suite,
        model=model,
        samples=samples,
        output=output,
        data=dataset_path,
        limit=limit,
        workers=workers,
        options=options,
    )
    return run_suite(spec, executor=executor, progress=ProgressReporter(enabled=progress))
