"""A model's samples: one model for every suite, and the fields every samples file shares.

A samples file is JSONL, one object per generation, with ``task_id`` and either ``solution``
(a whole program) or ``completion`` (continues the task's prompt); several lines per task are
the n samples of pass@k, numbered in file order. Suites add their own fields (``language``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sandbox.errors import BadInputError
from sandbox.models import FrozenModel


class SampleSpec(FrozenModel):
    """One generation to score (or a task's canonical solution)."""

    task_id: str
    language: str = "python"
    code: str = Field(description="what the model wrote")
    full_program: bool = Field(
        False, description="true for a 'solution' (a whole program), false for a 'completion'"
    )
    index: int = Field(0, ge=0, description="position among the samples of this task")
    source: str = Field("canonical", description="file:line the sample came from")
    raw_answer: str | None = Field(
        None, description="the model's whole reply the code was taken from (sandbox generate)"
    )
    extraction: str | None = Field(None, description="how the code was taken from the reply")


def read_generation_fields(record: dict[str, Any]) -> dict[str, str]:
    """``raw_answer`` and ``extraction`` of a line written by ``sandbox generate`` (absent in
    samples made elsewhere), for the records that ``sandbox debug`` shows."""
    return {
        key: value
        for key in ("raw_answer", "extraction")
        if isinstance(value := record.get(key), str)
    }


def read_sample_fields(record: dict[str, Any], where: str) -> tuple[str, str, bool]:
    """``(task_id, code, full_program)`` of one samples-file object; errors name ``where``."""
    task_id = record.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise BadInputError(
            f"{where}: no string 'task_id'", 'write {"task_id": ..., "solution": ...}'
        )
    for key in ("solution", "completion"):
        if key in record and not isinstance(record[key], str):
            raise BadInputError(
                f"{where}: '{key}' must be a string",
                "one line per sample; repeat the task_id for several samples",
            )
    if "solution" in record:
        return task_id, str(record["solution"]), True
    if "completion" in record:
        return task_id, str(record["completion"]), False
    raise BadInputError(
        f"{where}: neither 'solution' nor 'completion'",
        "'completion' continues the prompt, 'solution' is a whole program",
    )
