"""Samples in evalplus's formats, read as ``evalplus.evaluate`` reads them.

* JSONL: one object per line with ``task_id`` and ``solution`` (complete code) or ``completion``
  (appended to the task's prompt); several lines per task are several samples, numbered in
  file order (evalplus's ``completion_id``).
* A directory with one sub-directory per task (``HumanEval_0``; ``_`` stands for ``/``) holding
  complete solutions ``0.py``, ``1.py``...; numbered by file name.

evalplus's evaluator does not sanitise; its code generator and its ``evalplus.sanitize`` script
do. ``sanitize=True`` applies that script's transformation before scoring.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runners.evalplus_suite.datasets import Problems
from runners.jsonl import iter_jsonl
from runners.samples import SampleSpec, read_generation_fields, read_sample_fields
from sandbox.errors import BadInputError

CANONICAL_MODEL = "canonical"


def program_text(sample: SampleSpec, problem: dict[str, Any]) -> str:
    """The program evalplus scores: a solution as is, a completion after the task's prompt."""
    return sample.code if sample.full_program else problem["prompt"] + sample.code


@dataclass
class SampleSet:
    """The samples to score and what was left out."""

    samples: list[SampleSpec]
    model: str
    unknown_tasks: Counter[str] = field(default_factory=Counter)


def canonical_samples(problems: Problems) -> SampleSet:
    """One sample per task: its canonical solution (the suite's self-validation)."""
    samples = [
        SampleSpec(
            task_id=task_id,
            code=problem["prompt"] + problem["canonical_solution"],
            full_program=True,
            source="canonical_solution",
        )
        for task_id, problem in problems.items()
    ]
    return SampleSet(samples=samples, model=CANONICAL_MODEL)


def load_samples(path: Path, problems: Problems, *, sanitize: bool = False) -> SampleSet:
    """Samples from a JSONL file or an evalplus sample directory, for the tasks in ``problems``.

    Samples of tasks outside ``problems`` are counted and skipped (evalplus warns and skips).
    Raises BadInputError for an unreadable or malformed input, naming file and line, and
    when a task of ``problems`` has no sample (evalplus refuses to score then, too).
    """
    if path.is_dir():
        raw, model = _read_directory(path), path.name
    elif path.is_file():
        raw, model = _read_jsonl(path), _model_from_file(path)
    else:
        raise BadInputError(
            f"samples {path} do not exist", "pass a .jsonl file or a sample directory"
        )
    kept = [s for s in raw if s.task_id in problems]
    unknown = Counter(s.task_id for s in raw if s.task_id not in problems)
    _require_every_task(path, problems, kept)
    if sanitize:
        kept = [_sanitized(s, problems) for s in kept]
    return SampleSet(samples=kept, model=_model_field(path) or model, unknown_tasks=unknown)


def _read_jsonl(path: Path) -> list[SampleSpec]:
    samples: list[SampleSpec] = []
    counters: Counter[str] = Counter()
    for number, record in iter_jsonl(path):
        task_id, code, full_program = read_sample_fields(record, f"{path}:{number}")
        samples.append(
            SampleSpec(
                task_id=task_id,
                index=counters[task_id],
                code=code,
                full_program=full_program,
                source=f"{path}:{number}",
                **read_generation_fields(record),
            )
        )
        counters[task_id] += 1
    return samples


def _read_directory(path: Path) -> list[SampleSpec]:
    samples: list[SampleSpec] = []
    for task_dir in sorted(p for p in path.iterdir() if p.is_dir()):
        task_id = task_dir.name.replace("_", "/")
        files = sorted(
            (f for f in task_dir.iterdir() if f.is_file() and f.suffix == ".py"), key=_file_order
        )
        for index, file in enumerate(files):
            try:
                solution = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInputError(f"cannot read sample {file}: {exc}", "check the file") from exc
            samples.append(
                SampleSpec(
                    task_id=task_id, index=index, code=solution, full_program=True, source=str(file)
                )
            )
    return samples


def _file_order(file: Path) -> tuple[int, str]:
    """``2.py`` before ``10.py``; names that are not numbers after them, alphabetically."""
    return (int(file.stem), "") if file.stem.isdigit() else (1 << 62, file.stem)


def _require_every_task(path: Path, problems: Problems, samples: list[SampleSpec]) -> None:
    covered = {s.task_id for s in samples}
    missing = [t for t in problems if t not in covered]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise BadInputError(
            f"{path}: no sample for {len(missing)} of {len(problems)} tasks ({shown})",
            "add samples for every task (pass@k is over all tasks), or use --limit N",
        )


def _sanitized(sample: SampleSpec, problems: Problems) -> SampleSpec:
    """evalplus.sanitize's transformation (tree-sitter extraction of the entry point's code)."""
    from evalplus.sanitize import sanitize

    problem = problems[sample.task_id]
    code = sample.code
    if not sample.full_program:  # the script joins prompt and completion with a newline
        code = problem["prompt"] + "\n" + code
    sanitized = sanitize(code, entrypoint=problem["entry_point"])
    return sample.model_copy(update={"code": sanitized, "full_program": True})


def _model_from_file(path: Path) -> str:
    name = path.name
    for suffix in (".jsonl", ".json"):
        name = name.removesuffix(suffix)
    return name


def _model_field(path: Path) -> str | None:
    """A ``model`` field on the first JSONL line, if the file carries one."""
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                try:
                    value = json.loads(line).get("model")
                except (json.JSONDecodeError, AttributeError):
                    return None
                return value if isinstance(value, str) and value else None
    return None
