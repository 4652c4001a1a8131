"""What ``sandbox generate`` writes: one record per sample in ``results.jsonl`` and a summary.

A record keeps the request (messages or prompt and the sampling), the model's reply in full,
what was taken from it for the samples file and by which rule, the token counts and how the
request ended. The samples file (``samples.jsonl`` or ``answers.jsonl``) is derived from the
records, so it can always be rebuilt from them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from runners.records import RECORD_SCHEMA_VERSION
from sandbox.models import FrozenModel

from .base import PromptForm


class GenerationStatus(StrEnum):
    """How a sample's request ended. ``error`` (retries spent) is asked again by a re-run;
    ``rejected`` (the endpoint refused the request, e.g. a prompt over the model's context) is
    final: the sample is written as an empty answer and scores as a failure."""

    OK = "ok"
    REJECTED = "rejected"
    ERROR = "error"


FINAL_STATUSES = frozenset({GenerationStatus.OK.value, GenerationStatus.REJECTED.value})


class GenerationRecord(FrozenModel):
    """One sample of one task: request, reply, and what the samples file got from it."""

    schema_version: int = RECORD_SCHEMA_VERSION
    kind: Literal["generation"] = "generation"
    key: str = Field(description="task, sample and a hash of the request; a re-run skips it")
    suite: str
    task_id: str
    sample_index: int = Field(ge=0)
    language: str
    model: str
    form: PromptForm
    status: GenerationStatus
    error: str | None = None
    context_overflow: bool = False
    request: dict[str, Any] = Field(description="messages or prompt, and the sampling as sent")
    raw_answer: str | None = Field(None, description="the reply as the endpoint returned it")
    sample: dict[str, Any] | None = Field(None, description="the line of the samples file")
    code: str | None = Field(None, description="what was taken from the reply (None: nothing)")
    extraction: str | None = None
    finish_reason: str | None = None
    truncated: bool = Field(False, description="the reply hit max_tokens")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    served_model: str | None = None
    created: str

    @property
    def final(self) -> bool:
        """A sample a resumed run keeps."""
        return self.status.value in FINAL_STATUSES


class GenerationSummary(FrozenModel):
    """``summary.json`` of a generation folder (``kind: generation``: not a scored result,
    so ``sandbox report`` and ``sandbox gate`` pass it by)."""

    schema_version: int = RECORD_SCHEMA_VERSION
    kind: Literal["generation"] = "generation"
    name: str = Field(description="the suite or protocol generated for")
    model: str
    complete: bool = Field(description="every planned sample has a final record")
    samples_file: str | None = Field(None, description="written only when complete")
    raw_file: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    usage: dict[str, Any] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list, description="first errors and rejections")
    dataset: dict[str, str] = Field(default_factory=dict)
    provenance: dict[str, Any] = Field(default_factory=dict)
