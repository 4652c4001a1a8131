"""McEval and MultiPL-E as registered suites: load, plan, judge and summarize (the driver in
runners/suites/driver.py executes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field
from rich.console import RenderableType

from runners.data import digest_files
from runners.jsonl import find_jsonl
from runners.multilang.aggregate import gate_metrics, run_failed, summarize_plan
from runners.multilang.data_patches import apply_patches, load_patches
from runners.multilang.datasets import COMPARISON_LANGUAGES, SuiteData, load_mceval, load_multipl_e
from runners.multilang.models import LanguageState, SuiteName
from runners.multilang.plan import SuitePlan as LanguagesPlan
from runners.multilang.plan import plan_suite, select_languages
from runners.multilang.report import summary_view
from runners.multilang.samples import load_samples
from runners.multilang.verdicts import rejudge
from runners.passk import TaskValues
from runners.provenance import collect_provenance
from runners.records import DatasetRef, SampleRecord, SummaryRecord, Verdict
from runners.results import default_output_dir
from runners.suites import register_suite
from runners.suites.base import Suite, SuitePlan, SuiteRunSpec
from sandbox.availability import LanguageStatusResult
from sandbox.executor import Executor
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionResult, FrozenModel, LimitsSpec
from sandbox.progress import ProgressReporter

SUITE_TIMEOUT_S = 15.0
"""McEval's and MultiPL-E's own per-program limit; a language's time factor scales it."""


class ProgramSuiteOptions(FrozenModel):
    """Settings of the program suites (``sandbox run --timeout/--k/--fix-known-data-bugs``)."""

    timeout_s: float = Field(SUITE_TIMEOUT_S, gt=0)
    ks: tuple[int, ...] = (1, 10, 100)
    fix_known_data_bugs: bool = Field(
        False, description="apply runners/multilang/patches/ (off: scores compare with papers)"
    )


class ProgramSuite(Suite):
    """A suite whose samples become whole programs in each language's image."""

    suite: ClassVar[SuiteName]
    Options = ProgramSuiteOptions

    def load(self, data: Path | None) -> SuiteData:
        raise NotImplementedError

    def output_dir(self, spec: SuiteRunSpec) -> Path:
        langs = "-".join(sorted(spec.languages)) if spec.languages else "all"
        langs += "-patched" if self.options(spec).fix_known_data_bugs else ""
        return spec.output or default_output_dir("run", self.name, spec.model_name(), langs)

    def plan(
        self,
        spec: SuiteRunSpec,
        executor: Executor,
        final_keys: set[str],
        progress: ProgressReporter,
    ) -> SuitePlan:
        options: ProgramSuiteOptions = self.options(spec)
        data = self.load(spec.data)
        languages = select_languages(data, list(spec.languages) or None)
        patched = (
            apply_patches(data, load_patches(), languages) if options.fix_known_data_bugs else []
        )
        samples = load_samples(spec.samples) if spec.samples is not None else None
        needs_engine = any(lang not in COMPARISON_LANGUAGES for lang in languages)
        plan = plan_suite(
            data,
            languages,
            executor.probe if needs_engine else _never_probed,
            samples=samples,
            limit=spec.limit,
            limits=LimitsSpec(timeout_s=options.timeout_s),
            model=spec.model_name(),
        )
        jobs = plan.jobs()
        return SuitePlan(
            keys=[job.key for job in jobs],
            jobs=[job for job in jobs if job.key not in final_keys],
            context=(plan, data),
            notes=[patch.model_dump_json() for patch in patched],
        )

    def summarize(
        self, spec: SuiteRunSpec, plan: SuitePlan, records: Sequence[SampleRecord]
    ) -> SummaryRecord:
        languages_plan, data = _context(plan)
        options: ProgramSuiteOptions = self.options(spec)
        ks = tuple(sorted(set(options.ks)))
        aggregated = summarize_plan(languages_plan, records, ks)
        totals = aggregated["totals"]
        dataset = DatasetRef(
            name=self.name, path=str(data.root), hash=digest_files(find_jsonl(data.root))
        )
        return SummaryRecord(
            kind="suite",
            name=self.name,
            model=spec.model_name(),
            complete=not (totals["incomplete"] or totals["errors"]),
            metrics=gate_metrics(self.name, aggregated),
            counts={k: v for k, v in totals.items() if isinstance(v, int)},
            dataset=dataset,
            provenance=collect_provenance(
                samples=str(spec.samples) if spec.samples else None,
                limits=languages_plan.limits.model_dump(),
                images=_images(languages_plan),
                output=str(self.output_dir(spec)),
            ),
            details={
                "mode": languages_plan.mode,
                **aggregated,
                **({"data_patches": [json.loads(n) for n in plan.notes]} if plan.notes else {}),
            },
        )

    def task_values(
        self, summary: SummaryRecord, metric: str, records: Sequence[SampleRecord]
    ) -> TaskValues | None:
        found = summary.metrics.get(metric)
        if found is None:
            return None
        k = int(metric.rsplit("@", 1)[1]) if "@" in metric else None
        per_task: dict[str, list[float]] = {}
        for record in records:
            if found.language is not None and record.language != found.language:
                continue
            # Across languages the same task id names different programs (MultiPL-E).
            unit = record.task_id if found.language else f"{record.language}:{record.task_id}"
            per_task.setdefault(unit, []).append(float(record.passed))
        return TaskValues(metric=metric, binary=True, k=k, per_task=per_task) if per_task else None

    def rejudge(self, record: SampleRecord, result: ExecutionResult) -> tuple[Verdict, str]:
        return rejudge(record, result)

    def task_prompts(self, summary: SummaryRecord) -> dict[tuple[str, str], str]:
        data = self.load(Path(summary.dataset.path) if summary.dataset else None)
        return {
            (language, task.task_id): task.prompt
            for language, tasks in data.tasks.items()
            for task in tasks
        }

    def render(self, summary: SummaryRecord) -> RenderableType:
        return summary_view(summary)

    def failed(self, summary: SummaryRecord) -> bool:
        """Self-validation fails on any unexplained failure; a model's run on unfinished work."""
        if summary.details.get("mode") == "canonical":
            return run_failed(summary.details["totals"])
        return not summary.complete


def _context(plan: SuitePlan) -> tuple[LanguagesPlan, SuiteData]:
    languages_plan, data = plan.context
    return languages_plan, data


def _images(plan: LanguagesPlan) -> dict[str, Any]:
    return {
        row.language: {
            "image": row.status.image,
            "image_id": row.status.image_id,
            "toolchain": row.status.toolchain,
            "up_to_date": row.status.up_to_date,
        }
        for row in plan.languages
        if row.status.state is LanguageState.READY and row.status.image
    }


def _never_probed(spec: LanguageSpec) -> LanguageStatusResult:
    raise RuntimeError(f"no engine was opened, yet {spec.id} needs one")


@register_suite
class McEvalSuite(ProgramSuite):
    """McEval's generation task in 40 languages (canonical solutions self-validate)."""

    name = "mceval"
    title = "McEval"
    suite = SuiteName.MCEVAL

    def load(self, data: Path | None) -> SuiteData:
        return load_mceval(data)


@register_suite
class MultiplESuite(ProgramSuite):
    """MultiPL-E HumanEval: prompt + completion + tests in 19 languages."""

    name = "multipl-e"
    title = "MultiPL-E"
    suite = SuiteName.MULTIPL_E

    def load(self, data: Path | None) -> SuiteData:
        return load_multipl_e(data)
