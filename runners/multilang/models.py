"""Data of the multi-language suites: tasks, samples, known issues and per-sample outcomes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from runners.samples import SampleSpec
from sandbox.availability import LanguageStatusResult as ImageStatus
from sandbox.models import FrozenModel

__all__ = ["SampleSpec"]  # re-exported: the one sample model of every suite


class SuiteName(StrEnum):
    """The multi-language suites this package runs."""

    MCEVAL = "mceval"
    MULTIPL_E = "multipl-e"


class CheckKind(StrEnum):
    """How a program's outcome becomes a verdict."""

    EXECUTE = "execute"
    """Run the program (prompt + solution + test); a clean exit passes."""
    OUTPUT_MATCH = "output_match"
    """Run it and compare stdout with the canonical program's stdout (McEval AWK)."""
    HTML = "html"
    """No execution: the text must parse to the same HTML document as the reference."""
    JSON = "json"
    """No execution: the text must parse to the same JSON value as the reference."""
    MARKDOWN = "markdown"
    """No execution: the text must equal the reference file byte for byte."""


class TaskSpec(FrozenModel):
    """One benchmark task in one language, as read from the suite's data files."""

    suite: SuiteName
    language: str = Field(description="language id (a language folder, or html/json/markdown)")
    task_id: str
    prompt: str
    canonical: str | None = Field(None, description="reference solution, if the suite has one")
    test: str = ""
    entry_point: str = ""
    check: CheckKind = CheckKind.EXECUTE
    reference: str | None = Field(None, description="reference document (HTML/JSON/Markdown)")
    files: dict[str, str] = Field(
        default_factory=dict, description="data files the program reads, relative to /work"
    )
    instruction: str = Field("", description="McEval's instruction (the chat prompt)")
    stop_tokens: tuple[str, ...] = Field(
        (), description="MultiPL-E's stop sequences of a completion (as published per record)"
    )


class KnownIssueSpec(FrozenModel):
    """A canonical solution known to fail, investigated, with the reason."""

    suite: str
    task_id: str
    reason: str = Field(min_length=1)


class LanguageState(StrEnum):
    """Whether a language of a suite run can run: the engine's image states
    (``sandbox.availability.LanguageState``) plus the suite's own reasons to skip it."""

    READY = "ready"
    UNAVAILABLE = "unavailable"
    """Its base image needs a registry; skipped, never counted."""
    NOT_BUILT = "not_built"
    NO_ENGINE = "no_engine"
    NO_FOLDER = "no_folder"
    NO_ADAPTER = "no_adapter"
    NO_TASKS = "no_tasks"
    """The suite has no tasks in this language."""
    NO_REFERENCE = "no_reference"
    """Self-validation asked for, but the suite has no reference solutions in this language."""


class LanguageReadinessResult(FrozenModel):
    """A language row of a suite run: the image's status, or why the suite skips it."""

    language: str
    state: LanguageState
    detail: str = ""
    image: str | None = None
    image_id: str | None = None
    toolchain: str | None = None
    up_to_date: bool | None = None

    @property
    def ready(self) -> bool:
        return self.state is LanguageState.READY

    @classmethod
    def from_image(cls, status: ImageStatus) -> LanguageReadinessResult:
        """The engine's view of the language's image, as a suite row."""
        data = status.model_dump()
        return cls(**{**data, "state": LanguageState(status.state.value)})
