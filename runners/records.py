"""The record contract: what every command that produces results writes, and every reader trusts.

A results directory holds ``results.jsonl`` (one :class:`SampleRecord` per scored sample, or one
judgment record per judgment) and ``summary.json`` (a :class:`SummaryRecord`). Suites and the
judge write these models; ``sandbox report``, ``sandbox gate`` and ``sandbox debug`` read them,
validated, without guessing field names. Folders written before the contract (schema 1) are
read through the one adapter in :mod:`runners.legacy`.

Bump :data:`RECORD_SCHEMA_VERSION` on any incompatible change and teach the adapter the old one.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sandbox.models import ExecutionResult, FrozenModel, Status

RECORD_SCHEMA_VERSION = 2


class Verdict(StrEnum):
    """A sample's verdict, the same for every suite. Only ``passed`` is a pass; ``error`` means
    the sandbox failed (infrastructure), the sample was not judged and a re-run retries it."""

    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    ERROR = "error"


class MetricKind(StrEnum):
    """Rates are fractions in [0, 1] (drops are read in percentage points); scores are not."""

    RATE = "rate"
    SCORE = "score"


class MetricValue(FrozenModel):
    """One number with its optional confidence interval and the count it rests on."""

    name: str = Field(description="dotted metric name, as used by gate rules")
    value: float
    kind: MetricKind
    low: float | None = None
    high: float | None = None
    n: int | None = Field(None, description="tasks or questions behind the value")
    language: str | None = Field(None, description="set on a per-language metric")


def metric_kind(name: str) -> MetricKind:
    """Rates by name: pass@k, *_rate, accuracy; everything else is a score."""
    last = name.rsplit(".", 1)[-1].lower()
    rate = last.startswith("pass@") or last.endswith("rate") or last == "accuracy"
    return MetricKind.RATE if rate else MetricKind.SCORE


def make_metric(
    name: str, value: float, n: int | None = None, language: str | None = None
) -> MetricValue:
    """A metric whose kind follows from its name."""
    return MetricValue(
        name=name, value=float(value), kind=metric_kind(name), n=n, language=language
    )


def metrics_from_tree(prefix: str, tree: Mapping[str, Any]) -> dict[str, MetricValue]:
    """A producer's nested metrics as gate-named metrics (``prefix.key.subkey``).

    A leaf is a number, or a mapping with ``value``/``mean``/``estimate`` and optional
    ``lower``/``upper`` (or ``low``/``high``, ``ci``) and ``n``; counts (``n``, ``n_*``) and the
    ``counts``/``usage``/``missing`` tables are not metrics."""
    out: dict[str, MetricValue] = {}
    count = _first_count(tree)
    for key, value in tree.items():
        if key in _COUNT_KEYS or key.startswith("n_") or key in _NOT_METRICS:
            continue
        name = f"{prefix}.{key}"
        leaf = _read_leaf(value)
        if leaf is not None:
            val, low, high, n = leaf
            metric = make_metric(name, val, n or count)
            out[name] = metric.model_copy(update={"low": low, "high": high})
        elif isinstance(value, Mapping):
            out.update(metrics_from_tree(name, value))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _first_count(tree: Mapping[str, Any]) -> int | None:
    for key in ("n", "n_tasks", "n_questions", "tasks", "questions"):
        if isinstance(tree.get(key), int) and not isinstance(tree.get(key), bool):
            return int(tree[key])
    return None


def _read_leaf(value: Any) -> tuple[float, float | None, float | None, int | None] | None:
    if _is_number(value):
        return float(value), None, None, None
    if not isinstance(value, Mapping):
        return None
    main = next((value[k] for k in _VALUE_KEYS if _is_number(value.get(k))), None)
    if main is None:
        return None
    low = next((float(value[k]) for k in ("lower", "low") if _is_number(value.get(k))), None)
    high = next((float(value[k]) for k in ("upper", "high") if _is_number(value.get(k))), None)
    interval = value.get("ci")
    if isinstance(interval, list | tuple) and len(interval) == 2:
        low, high = float(interval[0]), float(interval[1])
    return float(main), low, high, _first_count(value)


_NOT_METRICS = frozenset({"counts", "usage", "missing", "totals"})
_COUNT_KEYS = frozenset({"n", "n_tasks", "tasks", "n_samples", "samples", "n_questions"})
_VALUE_KEYS = ("value", "mean", "estimate")


class TimesResult(FrozenModel):
    """Seconds spent on one sample (None where a phase did not happen)."""

    compile_s: float | None = None
    run_s: float | None = None
    total_s: float | None = None


class ProgramDetails(FrozenModel):
    """What a program suite (McEval, MultiPL-E) knows about one sample."""

    kind: Literal["program"] = "program"
    check: str = Field(description="execute, output_match, html, json or markdown")
    full_program: bool = Field(False, description="a 'solution' replacing the prompt")
    code: str = Field("", description="the sample as the model wrote it")
    pass_marker: str | None = Field(None, description="the line the tests print when done")
    known_issue: str | None = None
    expected_failure: bool = False
    toolchain: str | None = None
    exit_code: int | None = None
    compile_output: str = ""
    stdout: str = ""
    stderr: str = ""
    peak_memory_mb: float | None = None
    reference_result: ExecutionResult | None = None
    raw_answer: str | None = Field(None, description="the model's reply the code came from")
    extraction: str | None = Field(None, description="how the code was taken from the reply")


class EvalplusDetails(FrozenModel):
    """What the HumanEval+/MBPP+ suites know about one sample, in evalplus's own words."""

    kind: Literal["evalplus"] = "evalplus"
    dataset: dict[str, str] = Field(description="evalplus's dataset name, version and md5")
    solution: str
    base_status: str = Field(description="evalplus's pass/fail/timeout, or error")
    plus_status: str | None = None
    base_fail_tests: list[Any] = Field(default_factory=list)
    plus_fail_tests: list[Any] = Field(default_factory=list)
    tests: dict[str, dict[str, int]] = Field(default_factory=dict)
    first_failure: dict[str, Any] | None = None
    failing_input: str | None = None
    expected: Any = None
    actual: Any = None
    stdout: str = ""
    stderr: str = ""
    base_s: float | None = None
    plus_s: float | None = None
    time_scale: float | None = None
    note: str | None = None
    recheck: dict[str, Any] | None = Field(
        None,
        description="the first run's verdict, when a time-limit failure under a contended CPU"
        " was checked again alone (this record is the second run's)",
    )
    settings: dict[str, Any] = Field(default_factory=dict)
    raw_answer: str | None = Field(None, description="the model's reply the code came from")
    extraction: str | None = Field(None, description="how the code was taken from the reply")


SampleDetails = Annotated[ProgramDetails | EvalplusDetails, Field(discriminator="kind")]


class SampleRecord(FrozenModel):
    """One scored sample: the same envelope for every suite, suite-specific ``details``."""

    schema_version: int = RECORD_SCHEMA_VERSION
    kind: Literal["sample"] = "sample"
    key: str = Field(description="identifies the verdict; a re-run skips keys already final")
    suite: str
    task_id: str
    sample_index: int = Field(ge=0, description="position among the task's samples")
    source: str | None = Field(None, description="where the sample came from (file:line)")
    language: str
    model: str
    status: Verdict
    passed: bool
    detail: str = Field("", description="one line: why it passed or failed")
    execution_status: Status | None = Field(None, description="the engine's verdict")
    times: TimesResult = Field(default_factory=TimesResult)
    image_id: str | None = None
    request: dict[str, Any] | None = Field(
        None, description="the ExecutionRequest as stored (large files under blobs/)"
    )
    result: ExecutionResult | None = None
    details: SampleDetails

    @model_validator(mode="after")
    def _passed_means_passed(self) -> SampleRecord:
        if self.passed != (self.status is Verdict.PASSED):
            raise ValueError(f"passed={self.passed} contradicts status={self.status.value}")
        return self

    @property
    def final(self) -> bool:
        """A verdict a resumed run keeps (a sandbox error is retried)."""
        return self.status is not Verdict.ERROR


class DatasetRef(FrozenModel):
    """Which data was scored: where the file(s) were, their hash and how they were found."""

    name: str
    path: str
    hash: str
    source: str = Field("given", description="given, shipped, override, evalplus-cache, ...")
    version: str | None = None


class SummaryRecord(FrozenModel):
    """``summary.json`` of any results directory."""

    schema_version: int = RECORD_SCHEMA_VERSION
    kind: Literal["suite", "judge"]
    name: str = Field(description="suite or protocol: humaneval+, mceval, codearena, ...")
    model: str = Field(description="the evaluated model (for a judge run, not the judge)")
    complete: bool = Field(description="every planned sample or judgment has a final record")
    metrics: dict[str, MetricValue] = Field(
        default_factory=dict, description="by the dotted names that gate rules use"
    )
    counts: dict[str, int] = Field(default_factory=dict)
    dataset: DatasetRef | None = None
    provenance: dict[str, Any] = Field(default_factory=dict)
    details: dict[str, Any] = Field(
        default_factory=dict, description="the producer's own tables (per language, ...)"
    )


class JudgmentStatus(StrEnum):
    """How a judgment ended. Only ``error`` (the request failed) is retried by a re-run; the
    others are the judge's answer (cached) or, under the paper method, a rejection."""

    OK = "ok"
    UNPARSABLE = "unparsable"
    NO_VERDICT = "no_verdict"
    NA = "na"
    ERROR = "error"


class JudgmentRecord(FrozenModel):
    """One judgment: the envelope every protocol writes. A protocol subclasses it with its own
    fields (CodeArena: the game and its label; CODAL: the preference and its rating)."""

    schema_version: int = RECORD_SCHEMA_VERSION
    kind: Literal["judgment"] = "judgment"
    key: str
    protocol: str
    method: str
    model: str = Field(description="the judged model")
    baseline: str
    judge_model: str
    prompt_sha256: str
    question_id: str
    status: JudgmentStatus
    error: str | None = None
    problem: str | None = None
    rejected: bool = False
    judgment: str | None = Field(None, description="the judge's reply")
    followup_judgment: str | None = None
    followup: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    served_model: str | None = None
    created: str

    @property
    def final(self) -> bool:
        """A judgment a resumed run keeps."""
        return self.status is not JudgmentStatus.ERROR
