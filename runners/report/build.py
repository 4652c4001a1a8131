"""Assemble the report: sources grouped per model, intervals filled in from the records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from runners.judge.grounded.compare import changed_verdict_metrics
from runners.judge.protocol import get_protocol, protocol_names
from runners.provenance import collect_provenance, utc_now
from runners.report.loaders import LoadedSource, load_sources
from runners.report.paired import collect_task_values
from runners.report.schema import (
    MetricValue,
    ModelReport,
    ReportResult,
    SourceKind,
    SourceSummary,
)
from runners.stats import compute_mean_interval, compute_wilson_interval


def build_report(
    sources: Sequence[LoadedSource], *, confidence: float = 0.95, intervals: bool = True
) -> ReportResult:
    """One ``ModelReport`` per evaluated model, in first-seen order, plus every source read."""
    summaries = [add_intervals(s, confidence) if intervals else s.summary for s in sources]
    summaries = add_grounding_changes(sources, summaries)
    models: dict[str, ModelReport] = {}
    for summary in summaries:
        current = models.get(summary.model) or ModelReport(model=summary.model)
        models[summary.model] = ModelReport(
            model=summary.model,
            metrics={**current.metrics, **summary.metrics},
            languages=[*current.languages, *summary.languages],
            sources=[*current.sources, summary.path],
        )
    return ReportResult(
        generated_at=utc_now(),
        provenance=collect_provenance(command="report", inputs=[s.path for s in summaries]),
        models=list(models.values()),
        sources=summaries,
    )


def add_grounding_changes(
    sources: Sequence[LoadedSource], summaries: Sequence[SourceSummary]
) -> list[SourceSummary]:
    """A grounded judge run read beside the plain run of the same model, judge and method gets
    ``<protocol>.vs_plain.changed_rate``: how many verdicts the grounding changed."""
    out = list(summaries)
    for index, source in enumerate(sources):
        plain = _plain_twin(source, sources)
        if plain is not None:
            metrics = changed_verdict_metrics(
                source.summary.name, plain.iter_records(), source.iter_records()
            )
            merged = {**out[index].metrics, **metrics}
            out[index] = out[index].model_copy(update={"metrics": merged})
    return out


def _plain_twin(source: LoadedSource, sources: Sequence[LoadedSource]) -> LoadedSource | None:
    if source.summary.kind is not SourceKind.JUDGE or source.summary.name not in protocol_names():
        return None
    grounds = get_protocol(source.summary.name).grounds
    if grounds is None:
        return None
    same = ("judge_model", "method", "baseline")
    for other in sources:
        if (
            other.summary.kind is SourceKind.JUDGE
            and other.summary.name == grounds[0]
            and other.summary.model == source.summary.model
            and all(other.record.details.get(k) == source.record.details.get(k) for k in same)
        ):
            return other
    return None


def load_report(paths: Sequence[Path], *, confidence: float = 0.95) -> ReportResult:
    """Read result directories (or folders of them) and build the report."""
    return build_report(load_sources(list(paths)), confidence=confidence)


def add_intervals(source: LoadedSource, confidence: float = 0.95) -> SourceSummary:
    """The summary with an interval on every metric that lacks one and has per-task records.

    Pass/fail with one sample per task: Wilson score interval. Otherwise a seeded bootstrap of
    the mean of per-task values (pass@k estimates, grades).
    """
    summary = source.summary
    if source.records_path is None:
        return summary
    metrics = dict(summary.metrics)
    for name, metric in summary.metrics.items():
        if metric.low is not None and metric.high is not None:
            continue
        filled = _interval_for(source, metric, confidence)
        if filled is not None:
            metrics[name] = filled
    return summary.model_copy(update={"metrics": metrics})


def _interval_for(
    source: LoadedSource, metric: MetricValue, confidence: float
) -> MetricValue | None:
    values = collect_task_values(source, metric.name)
    if values is None:
        return None
    per_task = values.per_task
    if values.binary and all(len(v) == 1 for v in per_task.values()):
        passed = sum(int(v[0]) for v in per_task.values())
        interval = compute_wilson_interval(passed, len(per_task), confidence)
    else:
        interval = compute_mean_interval(list(values.task_scores().values()), confidence)
    return metric.model_copy(
        update={"low": interval.low, "high": interval.high, "n": metric.n or len(per_task)}
    )
