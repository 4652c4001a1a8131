"""The one adapter for results written before the record contract (schema 1).

Schema-1 folders came in three dialects: the evalplus suites (``sample``/``identifier``,
``base_status``/``plus_status``, metrics as ``{base: {pass@k}, plus: {...}}``), the
multi-language suites (``sample_index``/``sample_source``, ``verdict``, per-language metrics and
``totals``) and the judge (nested metrics with intervals). Each is turned into the models of
:mod:`runners.records`, once, here; nothing else reads schema 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runners.records import (
    DatasetRef,
    EvalplusDetails,
    MetricValue,
    ProgramDetails,
    SampleRecord,
    SummaryRecord,
    TimesResult,
    Verdict,
    make_metric,
    metrics_from_tree,
)
from sandbox.models import ExecutionResult, Status

_EVALPLUS_VERDICT = {"pass": Verdict.PASSED, "fail": Verdict.FAILED, "timeout": Verdict.TIMEOUT}
_JUDGE_SKIP = frozenset({"counts", "usage", "missing", "totals"})
_JUDGE_DETAILS = ("baseline", "judge_model", "missing", "usage", "metrics")


def upgrade_sample(raw: Mapping[str, Any]) -> SampleRecord:
    """A schema-1 suite record as a :class:`SampleRecord`."""
    if "base_status" in raw:
        return _evalplus_sample(raw)
    return _program_sample(raw)


def _result(raw: Any) -> ExecutionResult | None:
    return ExecutionResult.model_validate(raw) if isinstance(raw, dict) else None


def _evalplus_sample(raw: Mapping[str, Any]) -> SampleRecord:
    base, plus = str(raw["base_status"]), raw.get("plus_status")
    statuses = [base] + ([str(plus)] if plus is not None else [])
    if "error" in statuses:
        status = Verdict.ERROR
    elif all(s == "pass" for s in statuses):
        status = Verdict.PASSED
    else:
        status = next(_EVALPLUS_VERDICT[s] for s in statuses if s != "pass")
    result = _result(raw.get("result"))
    times = raw.get("times") or {}
    details = EvalplusDetails(
        dataset={k: str(v) for k, v in (raw.get("dataset") or {}).items()},
        solution=str(raw.get("solution", "")),
        base_status=base,
        plus_status=str(plus) if plus is not None else None,
        **{k: raw[k] for k in _EVALPLUS_DETAIL_FIELDS if raw.get(k) is not None},
        base_s=times.get("base_s"),
        plus_s=times.get("plus_s"),
    )
    return SampleRecord(
        key=str(raw["key"]),
        suite=str(raw["suite"]),
        task_id=str(raw["task_id"]),
        sample_index=int(raw.get("sample") or 0),
        source=raw.get("identifier"),
        language="python",
        model=str(raw.get("model") or ""),
        status=status,
        passed=status is Verdict.PASSED,
        detail=str(raw.get("note") or _split_summary(statuses)),
        execution_status=result.status if result else None,
        times=TimesResult(run_s=times.get("wall_s"), total_s=times.get("total_s")),
        image_id=result.image_id if result else None,
        request=raw.get("request"),
        result=result,
        details=details,
    )


_SPLITS = ("base", "plus")


def _split_summary(statuses: list[str]) -> str:
    return ", ".join(f"{split}: {status}" for split, status in zip(_SPLITS, statuses, strict=False))


_EVALPLUS_DETAIL_FIELDS = (
    "base_fail_tests",
    "plus_fail_tests",
    "tests",
    "first_failure",
    "failing_input",
    "expected",
    "actual",
    "stdout",
    "stderr",
    "time_scale",
    "note",
    "settings",
)


def _program_sample(raw: Mapping[str, Any]) -> SampleRecord:
    result = _result(raw.get("result"))
    status = Verdict(str(raw["verdict"]))
    details = ProgramDetails(
        check=str(raw.get("check") or "execute"),
        known_issue=raw.get("known_issue"),
        expected_failure=bool(raw.get("expected_failure")),
        toolchain=raw.get("toolchain"),
        exit_code=raw.get("exit_code"),
        compile_output=str(raw.get("compile_output") or ""),
        stdout=str(raw.get("stdout") or ""),
        stderr=str(raw.get("stderr") or ""),
        peak_memory_mb=raw.get("peak_memory_mb"),
        reference_result=_result(raw.get("reference_result")),
    )
    return SampleRecord(
        key=str(raw["key"]),
        suite=str(raw["suite"]),
        task_id=str(raw["task_id"]),
        sample_index=int(raw.get("sample_index") or 0),
        source=raw.get("sample_source"),
        language=str(raw["language"]),
        model=str(raw.get("model") or ""),
        status=status,
        passed=bool(raw["passed"]),
        detail=str(raw.get("detail") or ""),
        execution_status=Status(raw["status"]) if raw.get("status") else None,
        times=TimesResult(
            compile_s=raw.get("compile_time_s"),
            run_s=raw.get("wall_time_s"),
            total_s=raw.get("total_time_s"),
        ),
        image_id=raw.get("image_id"),
        request=raw.get("request"),
        result=result,
        details=details,
    )


def upgrade_summary(raw: Mapping[str, Any]) -> SummaryRecord:
    """A schema-1 ``summary.json`` (suite or judge) as a :class:`SummaryRecord`."""
    kind = str(raw.get("kind", "")).lower()
    if kind == "judge":
        return _judge_summary(raw)
    if kind != "suite":
        raise ValueError(f"unknown result kind {raw.get('kind')!r}")
    if "totals" in raw:
        return _program_summary(raw)
    return _evalplus_summary(raw)


def _evalplus_summary(raw: Mapping[str, Any]) -> SummaryRecord:
    name = str(raw["suite"])
    n_tasks = raw.get("n_tasks")
    metrics = {
        f"{name}.{split}.{k}": make_metric(f"{name}.{split}.{k}", v, n_tasks)
        for split, values in (raw.get("metrics") or {}).items()
        for k, v in values.items()
    }
    dataset = raw.get("dataset") or {}
    counts = raw.get("counts") or {}
    return SummaryRecord(
        kind="suite",
        name=name,
        model=str(raw.get("model") or ""),
        complete=bool(raw.get("complete", True)),
        metrics=metrics,
        counts={
            "tasks": int(raw.get("n_tasks") or 0),
            "samples": int(raw.get("n_samples") or 0),
            "errors": int(counts.get("errors") or 0),
        },
        dataset=DatasetRef(
            name=str(dataset.get("name", name)),
            path=str(dataset.get("path", "")),
            hash=str(dataset.get("hash", "")),
            version=dataset.get("version"),
        )
        if dataset
        else None,
        provenance=dict(raw.get("provenance") or {}),
        details={
            "pass_at_k": raw.get("metrics") or {},
            "statuses": {k: v for k, v in counts.items() if k in _SPLITS},
            "deviations": list(raw.get("deviations") or []),
            "settings": dict(raw.get("settings") or {}),
        },
    )


def _program_summary(raw: Mapping[str, Any]) -> SummaryRecord:
    name = str(raw["suite"])
    totals = dict(raw.get("totals") or {})
    metrics: dict[str, MetricValue] = {}
    for language, entry in (raw.get("metrics") or {}).items():
        if not isinstance(entry, Mapping) or entry.get("counted") is False:
            continue  # a language that could not run is not a zero
        for k, value in dict(entry.get("pass_at_k") or {}).items():
            metric = f"{name}.{language}.{k}"
            metrics[metric] = make_metric(metric, value, entry.get("tasks"), language)
    if isinstance(totals.get("pass_rate"), int | float):
        metrics[f"{name}.pass_rate"] = make_metric(
            f"{name}.pass_rate", totals["pass_rate"], totals.get("samples")
        )
    provenance = dict(raw.get("provenance") or {})
    dataset = provenance.get("dataset") or {}
    gaps = totals.get("incomplete", 0) or totals.get("errors", 0)
    return SummaryRecord(
        kind="suite",
        name=name,
        model=str(raw.get("model") or ""),
        complete=not gaps,
        metrics=metrics,
        counts={k: int(v) for k, v in totals.items() if isinstance(v, int)},
        dataset=DatasetRef(
            name=name, path=str(dataset.get("path", "")), hash=str(dataset.get("sha256", ""))
        )
        if dataset
        else None,
        provenance=provenance,
        details={"mode": raw.get("mode"), "languages": raw.get("metrics"), "totals": totals},
    )


def _judge_summary(raw: Mapping[str, Any]) -> SummaryRecord:
    name = str(raw.get("protocol") or "judge").lower()
    tree = {k: v for k, v in dict(raw.get("metrics") or {}).items() if k not in _JUDGE_SKIP}
    provenance = dict(raw.get("provenance") or {})
    for key in ("judge_model", "baseline"):
        if key in raw and key not in provenance:
            provenance[key] = raw[key]
    counts = (raw.get("metrics") or {}).get("counts") or {}
    return SummaryRecord(
        kind="judge",
        name=name,
        model=str(raw.get("model") or ""),
        complete=bool(raw.get("complete", True)),
        metrics=metrics_from_tree(name, tree),
        counts={k: int(v) for k, v in counts.items() if isinstance(v, int)},
        provenance=provenance,
        details={k: raw[k] for k in _JUDGE_DETAILS if k in raw},
    )
