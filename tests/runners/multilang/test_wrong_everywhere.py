"""Wrong solutions fail in every language, on McEval's own tests.

Each language's first tasks get the canonical solution of the *next* task as the model's
completion: a plausible program in the right language that answers the wrong question. Not one
of them may pass. (Each language's ``smoke/wrong.*``, run by ``sandbox selftest``, checks its
assertion style the same way.)
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from runners.multilang.datasets import load_mceval
from tests.runners.helpers import run_program_suite

pytestmark = pytest.mark.docker

TASKS_PER_LANGUAGE = 3
ACCIDENTAL_PASSES = {
    # investigated: the swapped-in program is right for these tests, or the test checks nothing
    "Elixir/2": "Elixir/3's merge of sorted lists concatenates the test's sorted inputs",
    "Lua/1": "McEval's test defines testHelloMMCodeEval() but never calls it",
}


def _swapped_samples(path: Path, data_dir: Path) -> dict[str, int]:
    data = load_mceval(data_dir)
    counts: dict[str, int] = {}
    with path.open("w") as handle:
        for language, tasks in sorted(data.tasks.items()):
            usable = [t for t in tasks if t.canonical]
            for task, other in pairwise(usable[: TASKS_PER_LANGUAGE + 1]):
                if other.canonical == task.canonical or task.task_id in ACCIDENTAL_PASSES:
                    continue
                record = {
                    "task_id": task.task_id,
                    "language": language,
                    "completion": other.canonical,
                }
                handle.write(json.dumps(record) + "\n")
                counts[language] = counts.get(language, 0) + 1
    return counts


def test_another_tasks_solution_never_passes(tmp_path: Path, data_dir: Path) -> None:
    counts = _swapped_samples(tmp_path / "swapped.jsonl", data_dir)
    summary = run_program_suite(
        "mceval",
        samples=tmp_path / "swapped.jsonl",
        output=tmp_path / "out",
        data_dir=data_dir,
        timeout_s=10.0,
    )
    assert summary.details["totals"]["languages_not_runnable"] == []
    languages = summary.details["languages"]
    ran = {lang: m for lang, m in languages.items() if m["counted"] and m["samples"]}
    assert len(ran) >= 34, sorted(languages)  # McEval languages buildable from Debian
    passed = {language: m["passed"] for language, m in ran.items() if m["passed"]}
    assert passed == {}, "wrong solutions passed"
    assert all(ran[language]["samples"] == counts[language] for language in ran)
    assert summary.details["totals"]["errors"] == 0  # sandbox errors: never the program's fault
