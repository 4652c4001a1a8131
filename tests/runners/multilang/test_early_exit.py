"""A wrong solution that exits 0 before the tests run is a failure, not a pass.

McEval's and MultiPL-E's harnesses look at the exit code alone, so a program that ends itself
with status 0 before its tests "passes" there, whatever its answers. Every language whose
template prints the ``{pass_marker}`` after the tests is checked here on McEval: the task's own
canonical completion followed by the language's exit-0 statement at top level. The tests never
run, so it is not a pass (and without the exit, the same completion passes: the full McEval run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runners.jsonl import read_jsonl
from runners.multilang.datasets import load_mceval
from sandbox.languages import load_registry
from tests.runners.helpers import run_program_suite

pytestmark = pytest.mark.docker

TASKS_PER_LANGUAGE = 2
EXIT_ZERO = {
    "python": "import sys\nsys.exit(0)",
    "shell": "exit 0",
    "javascript": "process.exit(0);",
    "typescript": "(globalThis as any).process.exit(0);",
    "coffeescript": "process.exit 0",
    "ruby": "exit 0",
    "perl": "exit 0;",
    "lua": "os.exit(0)",
    "tcl": "exit 0",
    "r": "quit(status = 0)",
    "racket": "(exit 0)",
    "scheme": "(exit 0)",
    "commonlisp": "(sb-ext:exit :code 0)",
    "elisp": "(kill-emacs 0)",
    "groovy": "System.exit(0)",
}


def test_every_marked_language_is_listed() -> None:
    """A language whose McEval template prints the marker has its exit-0 statement here."""
    marked = {
        spec.id
        for spec in load_registry().values()
        if spec.available
        and "mceval" in spec.suites
        and "{pass_marker}" in spec.suites["mceval"].template
    }
    assert marked == set(EXIT_ZERO)


def _early_exit_samples(data_dir: Path) -> list[dict[str, str]]:
    data = load_mceval(data_dir)
    return [
        {"task_id": task.task_id, "language": language, "completion": f"{task.canonical}\n{stop}\n"}
        for language, stop in EXIT_ZERO.items()
        for task in [t for t in data.tasks[language] if t.canonical][:TASKS_PER_LANGUAGE]
    ]


def test_exit_zero_before_the_tests_never_passes(tmp_path: Path, data_dir: Path) -> None:
    samples = _early_exit_samples(data_dir)
    (tmp_path / "early.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    summary = run_program_suite(
        "mceval",
        samples=tmp_path / "early.jsonl",
        output=tmp_path / "out",
        data_dir=data_dir,
        timeout_s=10.0,
    )
    assert summary.details["totals"]["errors"] == 0
    records = read_jsonl(tmp_path / "out" / "results.jsonl")
    assert len(records) == len(samples)
    passed = [r["task_id"] for r in records if r["passed"]]
    assert passed == [], "an early exit 0 passed"
    clean_exits = [r for r in records if r["detail"].startswith("exited 0 before the tests")]
    by_language = {r["language"] for r in clean_exits}
    assert by_language == set(EXIT_ZERO), "the exit statement did not run cleanly somewhere"
