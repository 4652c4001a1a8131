"""Per-language metrics of a suite run, read back from the records on disk.

Nothing is hidden: expected failures (known issues) are failures in the pass rate and are
counted separately; languages that could not run carry their reason and are not counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from runners.multilang.models import LanguageState
from runners.multilang.plan import LanguagePlan, SuitePlan
from runners.passk import summarize_pass_at_k
from runners.records import MetricValue, SampleRecord, Verdict, make_metric

FIDELITY_BAR = 0.98
"""Canonical solutions must pass at least this often in every buildable language."""


def language_metrics(
    row: LanguagePlan,
    latest: dict[str, SampleRecord],
    ks: Iterable[int],
    canonical: bool = True,
) -> dict[str, Any]:
    """Counts, pass rate and pass@k of one language (or why it was skipped)."""
    base: dict[str, Any] = {
        "state": row.status.state.value,
        "detail": row.status.detail,
        "tasks": row.tasks,
        "image": row.status.image,
        "image_id": row.status.image_id,
        "toolchain": row.status.toolchain,
    }
    if not row.status.ready:
        return {**base, "counted": False}
    records = [latest[job.key] for job in row.jobs if job.key in latest]
    counts = count_verdicts(records)
    per_task: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        per_task[record.task_id].append(record.passed)
    tally = {task: (len(flags), sum(flags)) for task, flags in per_task.items()}
    samples = len(records)
    return {
        **base,
        "counted": True,
        "samples": samples,
        "incomplete": len(row.jobs) - samples,
        **counts,
        "pass_rate": round(counts["passed"] / samples, 6) if samples else None,
        "pass_at_k": summarize_pass_at_k(tally, ks),
        **failure_details(records, with_unexpected=canonical),
    }


def _known_issue(record: SampleRecord) -> str | None:
    return getattr(record.details, "known_issue", None)


def _expected_failure(record: SampleRecord) -> bool:
    return bool(getattr(record.details, "expected_failure", False))


def failure_details(records: list[SampleRecord], with_unexpected: bool) -> dict[str, Any]:
    """Task ids with reasons: expected failures, stale known issues, and (self-validation)
    every unexpected failure with its verdict."""
    details: dict[str, Any] = {
        "expected_failure_tasks": {
            r.task_id: _known_issue(r) for r in records if _expected_failure(r)
        },
        "known_issue_passing_tasks": sorted(
            r.task_id for r in records if r.passed and _known_issue(r)
        ),
    }
    if with_unexpected:
        details["unexpected_failure_tasks"] = {
            r.task_id: f"{r.status.value} ({r.detail[:200]})"
            for r in records
            if not r.passed and not _known_issue(r)
        }
    return details


def count_verdicts(records: list[SampleRecord]) -> dict[str, int]:
    """How many samples passed, failed, timed out, hit a sandbox error; known issues apart."""
    verdicts = [r.status for r in records]
    return {
        "passed": verdicts.count(Verdict.PASSED),
        "failed": verdicts.count(Verdict.FAILED),
        "timeouts": verdicts.count(Verdict.TIMEOUT),
        "errors": verdicts.count(Verdict.ERROR),
        "expected_failures": sum(1 for r in records if _expected_failure(r)),
        "unexpected_failures": sum(1 for r in records if not r.passed and not _known_issue(r)),
        "known_issues_passing": sum(1 for r in records if r.passed and _known_issue(r)),
    }


def summarize_plan(
    plan: SuitePlan, records: Sequence[SampleRecord], ks: Iterable[int]
) -> dict[str, Any]:
    """``languages`` (per-language counts and pass@k) and ``totals`` over those that ran."""
    latest = {record.key: record for record in records}
    ks = tuple(ks) if plan.mode == "samples" else (1,)
    canonical = plan.mode == "canonical"
    metrics = {row.language: language_metrics(row, latest, ks, canonical) for row in plan.languages}
    counted = [m for m in metrics.values() if m["counted"]]
    samples = sum(m["samples"] for m in counted)
    passed = sum(m["passed"] for m in counted)
    not_built = sorted(lang for lang, m in metrics.items() if m["state"] in _CANNOT_RUN_HERE)
    totals = {
        "languages_counted": len(counted),
        "languages_not_runnable": not_built,
        "languages_skipped": len(metrics) - len(counted),
        "samples": samples,
        "passed": passed,
        "pass_rate": round(passed / samples, 6) if samples else None,
        **{key: sum(m[key] for m in counted) for key in _SUMMED},
    }
    if plan.mode == "canonical":
        for m in counted:
            m["meets_bar"] = m["pass_rate"] is not None and m["pass_rate"] >= FIDELITY_BAR
        totals["fidelity_bar"] = FIDELITY_BAR
        totals["languages_below_bar"] = sorted(
            lang for lang, m in metrics.items() if m["counted"] and not m["meets_bar"]
        )
    return {"languages": metrics, "totals": totals}


def gate_metrics(suite: str, aggregated: dict[str, Any]) -> dict[str, MetricValue]:
    """The summary's metrics by gate name: ``<suite>.<language>.pass@k`` for each language
    that ran, and ``<suite>.pass_rate`` over all of them. A language that could not run is
    left out, never counted as zero."""
    metrics: dict[str, MetricValue] = {}
    for language, entry in aggregated["languages"].items():
        if not entry["counted"]:
            continue
        for k, value in entry["pass_at_k"].items():
            name = f"{suite}.{language}.{k}"
            metrics[name] = make_metric(name, value, entry["tasks"], language)
    totals = aggregated["totals"]
    if totals["pass_rate"] is not None:
        name = f"{suite}.pass_rate"
        metrics[name] = make_metric(name, totals["pass_rate"], totals["samples"])
    return metrics


_CANNOT_RUN_HERE = {LanguageState.NOT_BUILT.value, LanguageState.NO_ENGINE.value}
"""Languages that should run here but could not: a self-validation failure, not a skip."""

_SUMMED = (
    "failed",
    "timeouts",
    "errors",
    "expected_failures",
    "unexpected_failures",
    "known_issues_passing",
    "incomplete",
)


def run_failed(totals: dict[str, Any]) -> bool:
    """Self-validation fails on any unexplained canonical failure, sandbox error, unfinished
    work, or a buildable language whose image is missing."""
    gaps = totals["unexpected_failures"] or totals["errors"] or totals["incomplete"]
    return bool(gaps or totals["languages_not_runnable"])
