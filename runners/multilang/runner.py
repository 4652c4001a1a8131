"""Run McEval or MultiPL-E end to end: load, plan, execute, judge, summarize, write."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import Field

from runners.multilang.aggregate import summarize_plan
from runners.multilang.availability import LanguageStatusResult, probe_with_engine
from runners.multilang.data_patches import apply_patches, load_patches
from runners.multilang.datasets import (
    COMPARISON_LANGUAGES,
    SuiteData,
    load_mceval,
    load_multipl_e,
)
from runners.multilang.execute import RecordCallback, execute_jobs, pending_jobs
from runners.multilang.models import LanguageState, SuiteName
from runners.multilang.plan import SuitePlan, plan_suite, select_languages
from runners.multilang.samples import load_samples
from runners.provenance import collect_provenance, utc_now
from runners.results import ResultsStore, default_output_dir
from sandbox.engine import DockerEngine
from sandbox.executor import Executor, LocalExecutor
from sandbox.languages import LanguageSpec
from sandbox.models import FrozenModel, LimitsSpec

SUITE_TIMEOUT_S = 15.0
"""McEval's and MultiPL-E's own per-program limit; a language's time factor scales it."""

ExecutorFactory = Callable[[int | None], Executor]
PlanCallback = Callable[[SuitePlan, int], None]


class SuiteRunSpec(FrozenModel):
    """What to run: suite, languages, samples (None: canonical solutions), where to write."""

    suite: SuiteName
    languages: tuple[str, ...] = ()
    samples: Path | None = None
    output: Path | None = None
    data_dir: Path | None = None
    model: str | None = None
    workers: int | None = Field(None, ge=1)
    limit: int | None = Field(None, ge=1, description="first N tasks per language")
    timeout_s: float = Field(SUITE_TIMEOUT_S, gt=0)
    ks: tuple[int, ...] = (1, 10, 100)
    fix_known_data_bugs: bool = Field(False, description="apply runners/multilang/patches/")

    def model_name(self) -> str:
        if self.model:
            return self.model
        return self.samples.stem if self.samples is not None else "canonical"

    def output_dir(self) -> Path:
        langs = "-".join(sorted(self.languages)) if self.languages else "all"
        langs += "-patched" if self.fix_known_data_bugs else ""
        return self.output or default_output_dir("run", self.suite.value, self.model_name(), langs)


def load_suite(suite: SuiteName, data_dir: Path | None) -> SuiteData:
    """The suite's tasks from ``data_dir`` (default: shared/data beside the repository)."""
    return load_mceval(data_dir) if suite is SuiteName.MCEVAL else load_multipl_e(data_dir)


def run_suite(
    spec: SuiteRunSpec,
    *,
    executor_factory: ExecutorFactory | None = None,
    on_plan: PlanCallback | None = None,
    on_record: RecordCallback | None = None,
) -> dict[str, Any]:
    """Run the suite, append one record per sample to results.jsonl, write summary.json.

    Already judged samples in the output directory are skipped (resume); the summary is
    computed from every record of this plan, old and new.
    """
    started = utc_now()
    data = load_suite(spec.suite, spec.data_dir)
    names = list(spec.languages) or None
    languages = select_languages(data, names)
    patched = apply_patches(data, load_patches(), languages) if spec.fix_known_data_bugs else None
    samples = load_samples(spec.samples) if spec.samples is not None else None
    needs_engine = any(lang not in COMPARISON_LANGUAGES for lang in languages)
    engine = DockerEngine() if needs_engine else None
    plan = plan_suite(
        data,
        languages,
        probe_with_engine(engine) if engine is not None else _never_probed,
        samples=samples,
        limit=spec.limit,
        limits=LimitsSpec(timeout_s=spec.timeout_s),
    )
    store = ResultsStore(spec.output_dir())
    jobs = pending_jobs(plan, store)
    if on_plan is not None:
        on_plan(plan, len(jobs))
    toolchains = {row.language: row.status.toolchain for row in plan.languages}
    if any(job.requests() for job in jobs):
        factory = executor_factory or _local_executor
        executor = factory(spec.workers)
        try:
            execute_jobs(jobs, executor, store, toolchains, on_record)
        finally:
            executor.close()
    else:
        execute_jobs(jobs, None, store, toolchains, on_record)
    summary = build_summary(spec, plan, store, data, started)
    if patched is not None:
        summary["data_patches"] = [patch.model_dump() for patch in patched]
    store.write_summary(summary)
    return summary


def build_summary(
    spec: SuiteRunSpec, plan: SuitePlan, store: ResultsStore, data: SuiteData, started: str
) -> dict[str, Any]:
    """summary.json: kind, suite, model, per-language metrics, totals and provenance."""
    aggregated = summarize_plan(plan, store.load_records(), spec.ks)
    images = {
        row.language: {
            "image": row.status.image,
            "image_id": row.status.image_id,
            "toolchain": row.status.toolchain,
            "up_to_date": row.status.up_to_date,
        }
        for row in plan.languages
        if row.status.state is LanguageState.READY and row.status.image
    }
    provenance = collect_provenance(
        dataset={"suite": spec.suite.value, "path": str(data.root), "sha256": _dataset_hash(data)},
        samples=str(spec.samples) if spec.samples else None,
        limits=plan.limits.model_dump(),
        images=images,
        started_at=started,
        finished_at=utc_now(),
        output=str(store.directory),
    )
    return {
        "kind": "suite",
        "suite": spec.suite.value,
        "model": spec.model_name(),
        "mode": plan.mode,
        **aggregated,
        "provenance": provenance,
    }


def _dataset_hash(data: SuiteData) -> str:
    digest = hashlib.sha256()
    for path in sorted(data.root.glob("*.jsonl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _local_executor(workers: int | None) -> Executor:
    return LocalExecutor(workers=workers)


def _never_probed(spec: LanguageSpec) -> LanguageStatusResult:
    raise RuntimeError(f"no engine was opened, yet {spec.id} needs one")
