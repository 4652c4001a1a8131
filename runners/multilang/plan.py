"""Plan a suite run: which languages run, which are skipped and why, and one job per sample.

Planning is pure (no engine): the image probe is passed in, so the same plan can be tested
with a fake probe and executed by any executor.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field

from runners.multilang.datasets import COMPARISON_LANGUAGES, SuiteData
from runners.multilang.known_issues import known_issues_for
from runners.multilang.models import (
    CheckKind,
    LanguageReadinessResult,
    LanguageState,
    SampleSpec,
    TaskSpec,
)
from runners.multilang.programs import adapter_for, build_request, pass_marker
from runners.records import SampleRecord
from sandbox.availability import StatusProbe
from sandbox.errors import BadInputError
from sandbox.languages import LanguageSpec, load_registry, resolve_language
from sandbox.models import ExecutionRequest, ExecutionResult, FrozenModel, LimitsSpec

Mode = Literal["canonical", "samples"]


class SampleJob(FrozenModel):
    """One sample to judge: its program request and, for AWK, the reference program's."""

    key: str
    task: TaskSpec
    sample: SampleSpec
    model: str = "canonical"
    toolchain: str | None = None
    request: ExecutionRequest | None = None
    reference: ExecutionRequest | None = None
    known_issue: str | None = None
    pass_marker: str | None = None

    @property
    def cost(self) -> float:
        """Planned in dataset order: every program of these suites costs about the same."""
        return 0.0

    def requests(self) -> list[ExecutionRequest]:
        """Every execution this job's verdict depends on."""
        return [r for r in (self.request, self.reference) if r is not None]

    def judge(self, results: Mapping[str, ExecutionResult]) -> SampleRecord:
        """The sample's record from the results of ``requests()``."""
        from runners.multilang.verdicts import judge_job

        return judge_job(self, results)

    def wants_recheck(self, record: SampleRecord) -> bool:
        """Never: a program's time limit here is McEval's own, not a measured reference."""
        return False

    def judge_recheck(
        self, first: SampleRecord, results: Mapping[str, ExecutionResult]
    ) -> SampleRecord:
        return self.judge(results)


class LanguagePlan(FrozenModel):
    """One row of the run: a language's readiness and its jobs (none when skipped)."""

    language: str
    status: LanguageReadinessResult
    tasks: int = 0
    jobs: tuple[SampleJob, ...] = ()


class SuitePlan(FrozenModel):
    """Everything a run will do; nothing has executed yet."""

    suite: str
    mode: Mode
    data_root: Path
    limits: LimitsSpec
    languages: tuple[LanguagePlan, ...] = Field(default_factory=tuple)

    def jobs(self) -> list[SampleJob]:
        return [job for row in self.languages for job in row.jobs]


def sample_key(suite: str, sample: SampleSpec, *requests: ExecutionRequest | None) -> str:
    """Stable record key: a re-run with the same samples resumes; a changed sample, template,
    command or limit (anything in the requests' content keys) runs again."""
    digest = hashlib.sha256(sample.code.encode())
    for request in requests:
        digest.update(b"|" + (request.content_key().encode() if request is not None else b"-"))
    return f"{suite}|{sample.language}|{sample.task_id}|{sample.index}|{digest.hexdigest()[:16]}"


def canonical_sample(task: TaskSpec) -> SampleSpec:
    """The task's reference solution as a sample (self-validation)."""
    return SampleSpec(task_id=task.task_id, language=task.language, code=task.canonical or "")


def select_languages(data: SuiteData, names: list[str] | None) -> list[str]:
    """Language ids to run: every language of the suite (plus dataset languages without a
    folder, to report them) for ``None``/``all``, else the named ones."""
    if not names or [n.lower() for n in names] == ["all"]:
        return sorted(data.tasks) + sorted(data.unresolved)
    chosen: list[str] = []
    for name in names:
        lowered = name.lower()
        language = lowered if lowered in COMPARISON_LANGUAGES else resolve_language(name).id
        if language not in chosen:
            chosen.append(language)
    return chosen


def plan_suite(
    data: SuiteData,
    languages: list[str],
    probe: StatusProbe,
    *,
    samples: list[SampleSpec] | None = None,
    limit: int | None = None,
    limits: LimitsSpec | None = None,
    model: str = "canonical",
) -> SuitePlan:
    """Plan one job per sample (or per canonical solution when ``samples`` is None)."""
    limits = limits or LimitsSpec()
    grouped = _group_samples(data, samples, languages) if samples is not None else None
    wanted = languages if grouped is None else _with_samples(languages, grouped)
    rows = [
        _plan_language(data, language, probe, grouped, limit, limits, model) for language in wanted
    ]
    return SuitePlan(
        suite=data.suite.value,
        mode="canonical" if samples is None else "samples",
        data_root=data.root,
        limits=limits,
        languages=tuple(rows),
    )


def _with_samples(languages: list[str], grouped: dict[str, list[SampleSpec]]) -> list[str]:
    by_norm = {_norm(name): name for name in grouped}
    return [by_norm[_norm(lang)] for lang in languages if _norm(lang) in by_norm]


def _group_samples(
    data: SuiteData, samples: list[SampleSpec], languages: list[str]
) -> dict[str, list[SampleSpec]]:
    """Samples by language; a sample naming a task the suite lacks is bad input."""
    grouped: dict[str, list[SampleSpec]] = defaultdict(list)
    task_ids = {lang: {t.task_id for t in tasks} for lang, tasks in data.tasks.items()}
    for sample in samples:
        if _is_unresolved(data, sample.language):
            if not languages or _norm(sample.language) in {_norm(n) for n in languages}:
                grouped[sample.language].append(sample)
            continue
        if sample.language not in task_ids:
            raise BadInputError(
                f"{sample.source}: {data.suite.value} has no tasks in {sample.language!r}",
                "check the record's 'language' (see `sandbox languages`)",
            )
        if sample.task_id not in task_ids[sample.language]:
            raise BadInputError(
                f"{sample.source}: task {sample.task_id!r} is not in "
                f"{data.suite.value} {sample.language}",
                "check the record's 'task_id' against the suite's data",
            )
        if sample.language in languages:
            grouped[sample.language].append(sample)
    return grouped


def _norm(name: str) -> str:
    return name.lower().replace(" ", "")


def _is_unresolved(data: SuiteData, language: str) -> bool:
    return language not in data.tasks and _norm(language) in {_norm(n) for n in data.unresolved}


def _plan_language(
    data: SuiteData,
    language: str,
    probe: StatusProbe,
    grouped: dict[str, list[SampleSpec]] | None,
    limit: int | None,
    limits: LimitsSpec,
    model: str,
) -> LanguagePlan:
    tasks = data.tasks.get(language, [])[: limit if limit else None]
    skip = _skip_reason(data, language, tasks, grouped is None)
    if skip is not None:
        return LanguagePlan(language=language, status=skip, tasks=len(tasks))
    spec = None if language in COMPARISON_LANGUAGES else load_registry()[language]
    status = (
        _comparison_status(language)
        if spec is None
        else LanguageReadinessResult.from_image(probe(spec))
    )
    if not status.ready:
        return LanguagePlan(language=language, status=status, tasks=len(tasks))
    samples = grouped[language] if grouped is not None else None
    jobs = _jobs_for(data.suite.value, spec, tasks, samples, limits)
    jobs = [job.model_copy(update={"model": model, "toolchain": status.toolchain}) for job in jobs]
    return LanguagePlan(language=language, status=status, tasks=len(tasks), jobs=tuple(jobs))


def _skip_reason(
    data: SuiteData, language: str, tasks: list[TaskSpec], canonical: bool
) -> LanguageReadinessResult | None:
    def skipped(state: LanguageState, detail: str) -> LanguageReadinessResult:
        return LanguageReadinessResult(language=language, state=state, detail=detail)

    if _is_unresolved(data, language):
        return skipped(LanguageState.NO_FOLDER, "no languages/ folder claims this name")
    if not tasks:
        return skipped(LanguageState.NO_TASKS, f"{data.suite.value} has no tasks in it")
    if language not in COMPARISON_LANGUAGES:
        spec = load_registry()[language]
        if adapter_for(spec, tasks[0]) is None:
            table = f"suites.{data.suite.value}"
            return skipped(LanguageState.NO_ADAPTER, f"no [{table}] table in languages/{language}/")
    if canonical and all(task.canonical is None for task in tasks):
        return skipped(LanguageState.NO_REFERENCE, "no reference solutions: pass --samples")
    return None


def _comparison_status(language: str) -> LanguageReadinessResult:
    return LanguageReadinessResult(
        language=language,
        state=LanguageState.READY,
        detail="compared with reference files (not executed)",
    )


def _jobs_for(
    suite: str,
    spec: LanguageSpec | None,
    tasks: list[TaskSpec],
    samples: list[SampleSpec] | None,
    limits: LimitsSpec,
) -> list[SampleJob]:
    by_id = {task.task_id: task for task in tasks}
    known = known_issues_for(spec, suite) if spec is not None else {}
    if samples is None:
        pairs = [(task, canonical_sample(task)) for task in tasks if task.canonical is not None]
    else:
        # Samples were checked against the whole suite; --limit drops the later tasks here.
        pairs = [(by_id[s.task_id], s) for s in samples if s.task_id in by_id]
    jobs = []
    for task, sample in pairs:
        issue = known.get(task.task_id)
        request = _program_request(spec, task, sample, limits)
        reference = _reference_request(spec, task, limits)
        jobs.append(
            SampleJob(
                key=sample_key(suite, sample, request, reference),
                task=task,
                sample=sample,
                request=request,
                reference=reference,
                known_issue=issue.reason if issue else None,
                pass_marker=_marker(spec, task, sample),
            )
        )
    return jobs


def _marker(spec: LanguageSpec | None, task: TaskSpec, sample: SampleSpec) -> str | None:
    adapter = adapter_for(spec, task) if spec is not None else None
    if adapter is None or task.check is not CheckKind.EXECUTE:
        return None
    return pass_marker(adapter, task, sample)


def _program_request(
    spec: LanguageSpec | None, task: TaskSpec, sample: SampleSpec, limits: LimitsSpec
) -> ExecutionRequest | None:
    if spec is None or task.check not in (CheckKind.EXECUTE, CheckKind.OUTPUT_MATCH):
        return None
    return build_request(spec, task, sample, limits)


def _reference_request(
    spec: LanguageSpec | None, task: TaskSpec, limits: LimitsSpec
) -> ExecutionRequest | None:
    if spec is None or task.check is not CheckKind.OUTPUT_MATCH or task.canonical is None:
        return None
    return build_request(spec, task, canonical_sample(task), limits)
