"""Load a model's generations: ``--samples FILE|DIR`` of JSONL records.

Each record has ``task_id``, ``language`` (optional when the task id starts with the McEval
language, ``C#/3``) and either ``completion`` (continues the prompt) or ``solution`` (a whole
program, replacing the prompt). Several records per task are allowed: they are the n samples
of pass@k, numbered in file order.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from runners.jsonl import iter_jsonl
from runners.multilang.datasets import resolve_dataset_language
from runners.samples import SampleSpec, read_generation_fields, read_sample_fields
from sandbox.errors import BadInputError


def sample_files(path: Path) -> list[Path]:
    """The JSONL files behind ``--samples`` (a file, or every ``*.jsonl`` in a folder)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
        if files:
            return files
        raise BadInputError(f"{path}: no *.jsonl files", "point --samples at a JSONL file")
    raise BadInputError(f"{path}: no such file or folder", "check the --samples path")


def load_samples(path: Path) -> list[SampleSpec]:
    """Every sample, numbered per (language, task) in file order."""
    samples: list[SampleSpec] = []
    counters: dict[tuple[str, str], int] = defaultdict(int)
    for file in sample_files(path):
        for number, record in iter_jsonl(file):
            sample = parse_sample(record, f"{file}:{number}")
            key = (sample.language, sample.task_id)
            samples.append(sample.model_copy(update={"index": counters[key]}))
            counters[key] += 1
    if not samples:
        raise BadInputError(f"{path}: no samples", "write one JSON record per line")
    return samples


def parse_sample(record: dict[str, Any], where: str) -> SampleSpec:
    """Validate one record; errors name ``where`` (file:line) and the fix."""
    task_id, code, full_program = read_sample_fields(record, where)
    return SampleSpec(
        task_id=task_id,
        language=_language_of(record, task_id, where),
        code=code,
        full_program=full_program,
        source=where,
        **read_generation_fields(record),
    )


def _language_of(record: dict[str, Any], task_id: str, where: str) -> str:
    raw = record.get("language")
    if raw is not None and not isinstance(raw, str):
        raise BadInputError(f"{where}: 'language' must be a string", 'e.g. "python"')
    prefix = task_id.split("/")[0] if "/" in task_id else ""
    names = [raw or "", (raw or "").split("_")[0], prefix]
    language = resolve_dataset_language(*names)
    if language is not None:
        return language
    if raw or prefix:
        # Kept as written: the run reports it as a language without a folder, never drops it.
        return (raw or prefix).lower()
    raise BadInputError(
        f"{where}: no 'language' and the task id {task_id!r} does not name one",
        "add a 'language' field (a language id or alias, see `sandbox languages`)",
    )
