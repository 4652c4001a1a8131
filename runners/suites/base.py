"""What a suite is: tasks -> requests -> verdicts -> summary, behind one small interface.

A suite plans :class:`SuiteJob`s (one per sample still to score), each naming the executions its
verdict needs and turning their results into a :class:`~runners.records.SampleRecord`; the
driver in :mod:`runners.suites.driver` runs each distinct request once through any executor,
stores the records, resumes, and asks the suite for the summary. A new suite is a subclass
registered by name (:func:`runners.suites.register_suite`); it touches no engine file and no
CLI branch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import Field, ValidationError
from rich.console import RenderableType

from runners.passk import TaskValues
from runners.records import SampleRecord, SummaryRecord, Verdict
from runners.results import default_output_dir
from sandbox.errors import BadInputError
from sandbox.executor import Executor
from sandbox.models import ExecutionRequest, ExecutionResult, FrozenModel
from sandbox.progress import ProgressReporter


class SuiteRunSpec(FrozenModel):
    """What to run, the same shape for every suite; suite-specific settings in ``options``."""

    suite: str
    model: str | None = None
    samples: Path | None = Field(None, description="the model's samples; None: canonical ones")
    output: Path | None = None
    languages: tuple[str, ...] = ()
    limit: int | None = Field(None, ge=1, description="first N tasks (per language)")
    data: Path | None = Field(None, description="dataset folder or file instead of the shipped")
    workers: int | None = Field(None, ge=1)
    options: dict[str, Any] = Field(default_factory=dict)

    def model_name(self) -> str:
        """``--model``, else the samples file's stem, else ``canonical``."""
        if self.model:
            return self.model
        return self.samples.stem if self.samples is not None else "canonical"


class SuiteJob(Protocol):
    """One sample to score: the executions its verdict needs and how to judge their results."""

    @property
    def key(self) -> str: ...

    @property
    def cost(self) -> float:
        """Expected seconds (the driver starts expensive jobs first)."""
        ...

    def requests(self) -> list[ExecutionRequest]: ...

    def judge(self, results: Mapping[str, ExecutionResult]) -> SampleRecord:
        """The record, given the results of ``requests()`` keyed by their content key."""
        ...

    def wants_recheck(self, record: SampleRecord) -> bool:
        """True when ``record``'s verdict may come from a busy machine rather than from the
        sample (a time-limit failure measured under CPU contention): the driver then runs
        ``requests()`` again, one at a time with nothing else in flight, and keeps
        ``judge_recheck``'s record instead."""
        ...

    def judge_recheck(
        self, first: SampleRecord, results: Mapping[str, ExecutionResult]
    ) -> SampleRecord:
        """The record from the executions run alone, saying what ``first`` was."""
        ...


@dataclass
class SuitePlan:
    """What a run scores: every key of the plan, and the jobs still without a final record."""

    keys: list[str]
    jobs: Sequence[SuiteJob]
    context: Any = None
    """Whatever the suite's ``summarize`` needs from planning (tasks, dataset, languages)."""
    notes: list[str] = field(default_factory=list)


class Suite(ABC):
    """A registered suite. Subclasses set ``name`` and ``Options`` and implement the methods."""

    name: ClassVar[str]
    title: ClassVar[str] = ""
    Options: ClassVar[type[FrozenModel]] = FrozenModel

    def options(self, spec: SuiteRunSpec) -> Any:
        """``spec.options`` validated by this suite's ``Options`` model."""
        try:
            return self.Options(**spec.options)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise BadInputError(
                f"{self.name}: option {'.'.join(str(p) for p in first['loc'])}: {first['msg']}",
                f"see `sandbox run --help` for the options of {self.name}",
            ) from exc

    def output_dir(self, spec: SuiteRunSpec) -> Path:
        """``spec.output``, else a default under results/ (the same run resumes there)."""
        return spec.output or default_output_dir("run", self.name, spec.model_name())

    def check_spec(self, spec: SuiteRunSpec) -> None:  # noqa: B027 - optional hook
        """Refuse settings this suite cannot honour (BadInputError); nothing by default."""

    @abstractmethod
    def plan(
        self,
        spec: SuiteRunSpec,
        executor: Executor,
        final_keys: set[str],
        progress: ProgressReporter,
    ) -> SuitePlan:
        """Load tasks and samples and plan one job per sample not in ``final_keys``."""

    @abstractmethod
    def summarize(
        self, spec: SuiteRunSpec, plan: SuitePlan, records: Sequence[SampleRecord]
    ) -> SummaryRecord:
        """``summary.json`` from the plan's latest records (old and new)."""

    @abstractmethod
    def task_values(
        self, summary: SummaryRecord, metric: str, records: Sequence[SampleRecord]
    ) -> TaskValues | None:
        """Per-task values behind ``metric`` (for intervals and paired tests), if any."""

    @abstractmethod
    def rejudge(self, record: SampleRecord, result: ExecutionResult) -> tuple[Verdict, str]:
        """The verdict (and reason) a new run of ``record``'s request gets."""

    @abstractmethod
    def render(self, summary: SummaryRecord) -> RenderableType:
        """The terminal view of a summary."""

    def task_prompts(self, summary: SummaryRecord) -> dict[tuple[str, str], str]:
        """What each task asked, by (language, task id), read from the dataset ``summary``
        names (``sandbox judge-check`` shows it to the judge). Empty when unknown."""
        return {}

    def failed(self, summary: SummaryRecord) -> bool:
        """Whether the command should exit 1 (e.g. unfinished work)."""
        return not summary.complete
