"""A wrong solution that exits 0 before the tests run is a failure, not a pass.

McEval's and MultiPL-E's harnesses look at the exit code alone, so a program that ends itself
with status 0 before its tests "passes" there, whatever its answers. Every language whose
McEval template prints the ``{pass_marker}`` after the tests is checked here: the task's own
canonical solution made to exit 0 early, by the language's exit statement at top level where
the language runs top-level code, else at the start of (or inside) the function under test, or
in code that runs before ``main``. The tests never finish, so it is not a pass (and without the
exit, the same canonical passes: the full McEval run).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from runners.jsonl import read_jsonl
from runners.multilang.datasets import load_mceval
from runners.multilang.models import TaskSpec
from sandbox.languages import load_registry
from tests.runners.helpers import run_program_suite

pytestmark = pytest.mark.docker

TASKS_PER_LANGUAGE = 2
Sample = dict[str, str]


def _append(stop: str) -> Callable[[TaskSpec], Sample]:
    """The canonical completion followed by ``stop`` (top level, or inside the open class)."""
    return lambda task: {"completion": f"{task.canonical}\n{stop}\n"}


def _after_first_brace(stop: str) -> Callable[[TaskSpec], Sample]:
    """``stop`` as the first statement of the canonical body (which starts with ``{``)."""

    def sample(task: TaskSpec) -> Sample:
        code = task.canonical or ""
        brace = code.index("{")
        return {"completion": f"{code[: brace + 1]} {stop}\n{code[brace + 1 :]}"}

    return sample


def _before_body(stop: str) -> Callable[[TaskSpec], Sample]:
    """``stop`` before the canonical body (the prompt ends inside the function)."""
    return lambda task: {"completion": f"{stop}\n{task.canonical}"}


def _go(task: TaskSpec) -> Sample:
    """A whole program: the prompt with "os" imported, the canonical, and an init function
    that exits 0 before any test runs (os.Exit(0) inside a test panics under
    -test.paniconexit0 instead: tests/runners/multilang/test_multipl_e_markers.py)."""
    prompt = task.prompt.replace("import (", 'import (\n\t"os"', 1)
    return {"solution": f"{prompt}\n{task.canonical}\n\nfunc init() {{ os.Exit(0) }}\n"}


def _fortran(task: TaskSpec) -> Sample:
    """``call exit(0)`` (GNU) as the last statement of the canonical function or subroutine."""
    code = task.canonical or ""
    end = re.search(r"^[ \t]*end[ \t]+(function|subroutine)", code, re.MULTILINE | re.I)
    assert end is not None, task.task_id
    return {"completion": f"{code[: end.start()]}  call exit(0)\n{code[end.start() :]}"}


def _haskell(task: TaskSpec) -> Sample:
    """A whole program whose function under test exits 0 when the tests force it (pure code
    exits only through unsafePerformIO; the imports go under the module header)."""
    signature = re.search(r"^(\w+) :: .*\Z", task.prompt.rstrip(), re.MULTILINE)
    assert signature is not None, task.task_id
    imports = "\nimport qualified System.Exit\nimport qualified System.IO.Unsafe\n"
    prompt = task.prompt.replace("module Main where\n", "module Main where\n" + imports, 1)
    body = "System.IO.Unsafe.unsafePerformIO System.Exit.exitSuccess"
    return {"solution": f"{prompt}\n{signature.group(1)} = {body}\n"}


def _swift(task: TaskSpec) -> Sample:
    """A whole program: Glibc's exit(0) at top level, before the test's statements."""
    return {"solution": f"import Glibc\n{task.prompt}\n{task.canonical}\nexit(0)\n"}


EXIT_ZERO: dict[str, Callable[[TaskSpec], Sample]] = {
    "python": _append("import sys\nsys.exit(0)"),
    "shell": _append("exit 0"),
    "javascript": _append("process.exit(0);"),
    "typescript": _append("(globalThis as any).process.exit(0);"),
    "coffeescript": _append("process.exit 0"),
    "ruby": _append("exit 0"),
    "perl": _append("exit 0;"),
    "lua": _append("os.exit(0)"),
    "tcl": _append("exit 0"),
    "r": _append("quit(status = 0)"),
    "racket": _append("(exit 0)"),
    "scheme": _append("(exit 0)"),
    "commonlisp": _append("(sb-ext:exit :code 0)"),
    "elisp": _append("(kill-emacs 0)"),
    "groovy": _append("System.exit(0)"),
    "vimscript": _append("qall!"),
    "php": _append("exit(0);"),
    "elixir": _append("System.halt(0)"),
    # compiled languages: code that runs before main, or the exit inside the function
    "c": _append(
        "#include <stdlib.h>\n"
        "__attribute__((constructor)) static void sandbox_exit_early(void) { exit(0); }"
    ),
    "cpp": _append("#include <cstdlib>\nstatic const int sandbox_exit_early = (std::exit(0), 0);"),
    "java": _append("    static { System.exit(0); }"),
    "scala": _append("  sys.exit(0)"),
    "kotlin": _append("kotlin.system.exitProcess(0)"),
    "csharp": _after_first_brace("System.Environment.Exit(0);"),
    "rust": _before_body("std::process::exit(0);"),
    "go": _go,
    "fortran": _fortran,
    "haskell": _haskell,
    "swift": _swift,
}


def _fits(language: str, task: TaskSpec) -> bool:
    if not task.canonical:
        return False
    if language == "haskell":  # the whole-program sample needs the prompt to end on a signature
        return re.search(r"^\w+ :: .*\Z", task.prompt.rstrip(), re.MULTILINE) is not None
    return True


def test_every_marked_language_is_listed() -> None:
    """A language whose McEval template prints the marker has its early exit here."""
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
    samples = []
    for language, make in EXIT_ZERO.items():
        tasks = [t for t in data.tasks[language] if _fits(language, t)][:TASKS_PER_LANGUAGE]
        for task in tasks:
            samples.append({"task_id": task.task_id, "language": language, **make(task)})
    return samples


def test_exit_zero_before_the_tests_never_passes(tmp_path: Path, data_dir: Path) -> None:
    samples = _early_exit_samples(data_dir)
    (tmp_path / "early.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    summary = run_program_suite(
        "mceval",
        samples=tmp_path / "early.jsonl",
        output=tmp_path / "out",
        data_dir=data_dir,
        timeout_s=20.0,
    )
    assert summary.details["totals"]["errors"] == 0
    records = read_jsonl(tmp_path / "out" / "results.jsonl")
    assert len(records) == len(samples)
    passed = [r["task_id"] for r in records if r["passed"]]
    assert passed == [], "an early exit 0 passed"
    clean_exits = [r for r in records if r["detail"].startswith("exited 0 before the tests")]
    by_language = {r["language"] for r in clean_exits}
    assert by_language == set(EXIT_ZERO), "the exit statement did not run cleanly somewhere"
