"""The versioned report schema: what ``sandbox report --format json`` writes.

Every metric has one dotted name, the same in the report and in ``sandbox gate`` rules:

- suites: ``<suite>.<base|plus>.pass@<k>``  (``humaneval+.plus.pass@1``)
- multi-language benchmarks: ``<benchmark>.<language>.pass@<k>``  (``mceval.rust.pass@1``)
- judge protocols: ``<protocol>.<metric>``  (``codearena.win_rate``, ``codal.readability.score``)

Rates (pass@k, win/tie rates) are fractions in [0, 1]; scores are in the protocol's own units.
A metric is a ``MetricValue`` of the record contract (runners/records.py), as the producer
wrote it in its summary.
Bump ``REPORT_SCHEMA_VERSION`` on any incompatible change; export the JSON Schema with
``export_json_schema()`` (``sandbox report --schema``).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import Field

from runners.records import MetricKind, MetricValue
from sandbox.models import FrozenModel

__all__ = ["MetricKind", "MetricValue"]  # re-exported for the report's readers

REPORT_SCHEMA_VERSION = 2


class SourceKind(StrEnum):
    """What produced a result directory (``"kind"`` in its summary.json)."""

    SUITE = "suite"
    JUDGE = "judge"


class SampleStatus(StrEnum):
    """One sample's outcome as CI sees it: an infrastructure failure is an error, never a pass."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


class LanguageRate(FrozenModel):
    """pass@1 of one model on one language of a multi-language benchmark."""

    benchmark: str
    language: str
    pass_at_1: float
    n: int | None = None


class SourceSummary(FrozenModel):
    """One result directory as read: what it is, whose it is, and what it measured."""

    path: str
    kind: SourceKind
    name: str = Field(description="suite, benchmark or protocol: humaneval+, mceval, codearena...")
    model: str
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    languages: list[LanguageRate] = Field(default_factory=list)
    samples: int | None = Field(None, description="records in results.jsonl")
    provenance: dict[str, Any] = Field(default_factory=dict)


class SampleOutcome(FrozenModel):
    """One sample (one generated program) as a CI test case."""

    model: str
    source: str
    task_id: str
    sample: int = 0
    language: str | None = None
    status: SampleStatus
    verdict: str = Field(description="the engine status or the suite's verdict, e.g. timeout")
    message: str = ""
    output: str = ""
    time_s: float | None = None


class ModelReport(FrozenModel):
    """Everything known about one model, merged over its result directories."""

    model: str
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    languages: list[LanguageRate] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="paths of the directories read")


class ReportResult(FrozenModel):
    """The whole report: per-model metrics side by side, with where every number came from."""

    schema_version: int = REPORT_SCHEMA_VERSION
    generated_at: str
    provenance: dict[str, Any] = Field(description="who made this report: tool version, host")
    models: list[ModelReport]
    sources: list[SourceSummary]


def export_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``ReportResult``."""
    schema = ReportResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"sandbox report, schema version {REPORT_SCHEMA_VERSION}"
    return schema


def dump_json_schema() -> str:
    """``export_json_schema()`` as indented JSON text."""
    return json.dumps(export_json_schema(), indent=2, sort_keys=True) + "\n"
