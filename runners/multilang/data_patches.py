"""Opt-in fixes of known bugs in the upstream suite data, kept as data and applied at load time.

Some McEval and MultiPL-E records can never pass, or pass anything, whatever the answer: a
test that does not compile (MultiPL-E OCaml writes negative numbers as ``(~3)``), or a check
that is never called (McEval Lua/1). By default the data runs as published, so that scores
stay comparable with the papers; ``sandbox run --fix-known-data-bugs`` applies the patches in
``runners/multilang/patches/*.toml`` and records them in ``summary.json``.

A patch file names one suite and language and holds ``[[patch]]`` tables: the tasks, the field
(``prompt`` or ``test``), the reason, and the exact edit: ``old``/``new`` (literal text),
``pattern``/``replacement`` (a regular expression) or ``append``. A patch that no longer
changes one of its tasks stops the run (the data changed: the patch must be reviewed).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from runners.multilang.datasets import SuiteData
from runners.multilang.models import TaskSpec
from sandbox.errors import BadInputError, LanguageSpecError
from sandbox.models import FrozenModel

PATCHES_DIR = Path(__file__).with_name("patches")


class DataPatchSpec(FrozenModel):
    """One edit of some tasks' prompt or test, with the reason it is needed."""

    suite: str
    language: str
    tasks: tuple[str, ...] = Field(min_length=1)
    field: Literal["prompt", "test"]
    reason: str = Field(min_length=1)
    old: str | None = None
    new: str | None = None
    pattern: str | None = None
    replacement: str | None = None
    append: str | None = None

    @model_validator(mode="after")
    def _one_edit(self) -> DataPatchSpec:
        kinds = [
            self.old is not None and self.new is not None,
            self.pattern is not None and self.replacement is not None,
            self.append is not None,
        ]
        if sum(kinds) != 1:
            raise ValueError("give exactly one edit: old+new, pattern+replacement, or append")
        return self

    def apply(self, text: str) -> str:
        """The field's text with the edit made (unchanged if the edit does not apply)."""
        if self.append is not None:
            return text if text.endswith(self.append) else text + self.append
        if self.pattern is not None and self.replacement is not None:
            return re.sub(self.pattern, self.replacement, text)
        if self.old is not None and self.new is not None:
            return text.replace(self.old, self.new)
        return text


class AppliedPatchResult(FrozenModel):
    """A patch as applied in a run (what summary.json records)."""

    suite: str
    language: str
    task_id: str
    field: str
    reason: str


def read_patch_file(path: Path) -> list[DataPatchSpec]:
    """The ``[[patch]]`` tables of one file, with the file's ``suite`` and ``language``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        common = {"suite": data.get("suite"), "language": data.get("language")}
        return [DataPatchSpec(**common, **entry) for entry in data.get("patch", [])]
    except (OSError, tomllib.TOMLDecodeError, ValidationError, TypeError) as exc:
        raise LanguageSpecError(
            f"{path}: invalid data patch ({exc})".replace("\n", " "),
            "each [[patch]] needs tasks, field, reason and one edit (old+new, "
            "pattern+replacement or append); the file needs suite and language",
        ) from exc


def load_patches(directory: Path = PATCHES_DIR) -> list[DataPatchSpec]:
    """Every known data patch, file by file in name order."""
    return [patch for path in sorted(directory.glob("*.toml")) for patch in read_patch_file(path)]


def apply_patches(
    data: SuiteData, patches: list[DataPatchSpec], languages: Collection[str] | None = None
) -> list[AppliedPatchResult]:
    """Patch the tasks of ``data`` in place (its suite's patches, for ``languages`` or all);
    return what was applied.

    A language the data does not hold is skipped (a partial copy of the suite); a listed task
    that is missing, or that the edit does not change, is a BadInputError.
    """
    applied: list[AppliedPatchResult] = []
    for patch in patches:
        if patch.suite != data.suite.value or patch.language not in data.tasks:
            continue
        if languages is not None and patch.language not in languages:
            continue
        tasks = data.tasks[patch.language]
        index = {task.task_id: position for position, task in enumerate(tasks)}
        for task_id in patch.tasks:
            if task_id not in index:
                raise _stale(patch, task_id, "is not in the data")
            task = tasks[index[task_id]]
            tasks[index[task_id]] = _patched(patch, task)
            applied.append(
                AppliedPatchResult(
                    suite=patch.suite,
                    language=patch.language,
                    task_id=task_id,
                    field=patch.field,
                    reason=patch.reason,
                )
            )
    return applied


def _patched(patch: DataPatchSpec, task: TaskSpec) -> TaskSpec:
    before = getattr(task, patch.field)
    after = patch.apply(before)
    if after == before:
        raise _stale(patch, task.task_id, f"has no text the patch changes in its {patch.field}")
    return task.model_copy(update={patch.field: after})


def _stale(patch: DataPatchSpec, task_id: str, problem: str) -> BadInputError:
    return BadInputError(
        f"data patch for {patch.suite} {patch.language}: task {task_id} {problem}",
        "the data differs from the published version the patch was written for; "
        "run without --fix-known-data-bugs or update runners/multilang/patches/",
    )
