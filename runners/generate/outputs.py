"""The files a generation folder holds besides its records: the samples file that ``sandbox run``
(``samples.jsonl``) or ``sandbox judge`` (``answers.jsonl``) reads, and the raw replies
(``raw.jsonl``). Both are rebuilt from ``results.jsonl`` at the end of every run."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sandbox.files import write_atomic

from .base import OutputKind
from .records import GenerationRecord

RAW_FILE = "raw.jsonl"
SAMPLES_FILES = {OutputKind.SAMPLES: "samples.jsonl", OutputKind.ANSWERS: "answers.jsonl"}


def samples_line(record: GenerationRecord, kind: OutputKind) -> dict[str, Any]:
    """One line of the samples file: the generator's fields, the model, and (for programs) the
    raw answer and the extraction rule, which the scored records carry on to ``sandbox debug``."""
    line = {**(record.sample or {}), "model": record.model}
    if kind is OutputKind.SAMPLES:
        if record.raw_answer is not None:
            line["raw_answer"] = record.raw_answer
        if record.extraction is not None:
            line["extraction"] = record.extraction
    return line


def raw_line(record: GenerationRecord) -> dict[str, Any]:
    """One line of ``raw.jsonl``: the reply as it came, whatever became of it."""
    return {
        "task_id": record.task_id,
        "language": record.language,
        "sample_index": record.sample_index,
        "status": record.status.value,
        "raw_answer": record.raw_answer,
        "error": record.error,
    }


def write_outputs(
    directory: Path,
    kind: OutputKind,
    records: Sequence[GenerationRecord],
    complete: bool,
) -> tuple[Path | None, Path]:
    """Write the raw replies, and the samples file when every sample is final (else remove a
    stale one: a partial samples file would be scored as if it were the whole run)."""
    raw = directory / RAW_FILE
    write_atomic(raw, _jsonl(raw_line(r) for r in records if r.final))
    samples = directory / SAMPLES_FILES[kind]
    if not complete:
        samples.unlink(missing_ok=True)
        return None, raw
    write_atomic(samples, _jsonl(samples_line(r, kind) for r in records))
    return samples, raw


def _jsonl(lines: Any) -> str:
    return "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in lines)


def first_problems(records: Sequence[GenerationRecord], limit: int = 5) -> list[str]:
    """The first distinct errors and rejections, as ``task_id: message``."""
    seen: dict[str, str] = {}
    for record in records:
        if record.error and record.error not in seen:
            seen[record.error] = f"{record.task_id} ({record.status.value}): {record.error}"
    return list(seen.values())[:limit]


def count_statuses(records: Sequence[GenerationRecord], planned: int) -> Mapping[str, int]:
    """How the planned samples stand."""
    return {
        "planned": planned,
        "ok": sum(r.status.value == "ok" for r in records),
        "rejected": sum(r.status.value == "rejected" for r in records),
        "errors": sum(r.status.value == "error" for r in records),
        "missing": planned - len(records),
        "context_overflow": sum(r.context_overflow for r in records),
        "truncated": sum(r.truncated for r in records),
        "no_code": sum(r.status.value == "ok" and r.code is None for r in records),
    }
