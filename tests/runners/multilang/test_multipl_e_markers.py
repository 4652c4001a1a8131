"""MultiPL-E templates that print the pass marker: a right answer passes, an early exit fails.

MultiPL-E ships reference solutions only for Python, so each marked language gets a
hand-written completion of HumanEval_53 (``add``): the right body must pass (the marker line
parses and prints after the tests), and a wrong one that exits 0 before the tests finish must
fail: it closes the function and exits at top level, or exits inside the function under test
where the language runs no top-level code. Go and Swift cannot reach an exit function from a
completion (the prompt imports neither "os" nor Glibc), so their wrong sample is a whole
program: the prompt with the import added, then the exiting body.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runners.jsonl import read_jsonl
from runners.multilang.datasets import load_multipl_e
from sandbox.languages import load_registry
from tests.runners.helpers import run_program_suite

pytestmark = pytest.mark.docker

TASK = "HumanEval_53_add"
# language: (right completion, wrong completion that exits 0 before the tests)
COMPLETIONS = {
    "javascript": ("  return x + y;\n}\n", "  return x - y;\n}\nprocess.exit(0);\n"),
    "typescript": (
        "  return x + y;\n}\n",
        "  return x - y;\n}\n(globalThis as any).process.exit(0);\n",
    ),
    "php": ("  return $x + $y;\n}\n", "  return $x - $y;\n}\nexit(0);\n"),
    "perl": ("    return $x + $y;\n}\n", "    return $x - $y;\n}\nexit 0;\n"),
    "r": ("  x + y\n}\n", "  x - y\n}\nquit(status = 0)\n"),
    "racket": ("  (+ x y))\n", "  (- x y))\n(exit 0)\n"),
    "ocaml": ("  x + y\n", "  x - y\nlet () = exit 0\n"),
    "cpp": ("    return x + y;\n", "    exit(0);\n    return x - y;\n"),
    "csharp": (
        "        return x + y;\n",
        "        System.Environment.Exit(0);\n        return x - y;\n",
    ),
    "d": (
        "{\n    return x + y;\n}\n",
        "{\n    import core.stdc.stdlib : exit;\n    exit(0);\n    return x - y;\n}\n",
    ),
    "java": ("        return x + y;\n", "        System.exit(0);\n        return x - y;\n"),
    "rust": ("    x + y\n", "    std::process::exit(0);\n"),
    "scala": ("        x + y\n", "        sys.exit(0)\n"),
    "go": ("    return x + y\n}\n", "    os.Exit(0)\n    return x - y\n}\n"),
    "swift": ("    return x + y\n", "    exit(0)\n"),
    "lua": ("    return x + y\nend\n", "    return x - y\nend\nos.exit(0)\n"),
    "ruby": ("  x + y\nend\n", "  exit 0\nend\n"),
}
# Go's test binary runs with -test.paniconexit0: os.Exit(0) inside a test panics (exit 2).
WRONG_DETAIL = {"go": "nonzero_exit"}
# The wrong sample is a whole program: the prompt with this import added (see the docstring).
WHOLE_PROGRAM_IMPORT = {"go": ("import (", 'import (\n    "os"'), "swift": ("", "import Glibc\n")}


def _record(language: str, prompt: str, completion: str, wrong: bool) -> dict[str, str]:
    record = {"task_id": TASK, "language": language}
    if wrong and language in WHOLE_PROGRAM_IMPORT:
        old, new = WHOLE_PROGRAM_IMPORT[language]
        program = prompt.replace(old, new, 1) if old else new + prompt
        return {**record, "solution": program + completion}
    return {**record, "completion": completion}


def test_every_marked_language_has_completions() -> None:
    marked = {
        spec.id
        for spec in load_registry().values()
        if spec.available
        and "multipl-e" in spec.suites
        and "{pass_marker}" in spec.suites["multipl-e"].template
        and spec.id not in {"python", "shell"}  # covered by their own suite tests
    }
    assert marked == set(COMPLETIONS)


def test_right_passes_and_early_exit_fails(tmp_path: Path, data_dir: Path) -> None:
    data = load_multipl_e(data_dir)
    prompts = {
        language: next(t.prompt for t in data.tasks[language] if t.task_id == TASK)
        for language in COMPLETIONS
    }
    samples = tmp_path / "samples.jsonl"
    with samples.open("w") as handle:
        for language, (right, wrong) in COMPLETIONS.items():
            for record in (
                _record(language, prompts[language], right, wrong=False),
                _record(language, prompts[language], wrong, wrong=True),
            ):
                handle.write(json.dumps(record) + "\n")
    summary = run_program_suite(
        "multipl-e", samples=samples, output=tmp_path / "out", data_dir=data_dir
    )
    assert summary.details["totals"]["errors"] == 0
    records = read_jsonl(tmp_path / "out" / "results.jsonl")
    outcome = {(r["language"], r["sample_index"]): (r["passed"], r["detail"]) for r in records}
    for language in COMPLETIONS:
        right, right_detail = outcome[(language, 0)]
        wrong, wrong_detail = outcome[(language, 1)]
        assert right, f"{language}: the right completion failed: {right_detail}"
        assert not wrong, f"{language}: the early exit passed"
        assert wrong_detail.startswith(WRONG_DETAIL.get(language, "exited 0 before the tests")), (
            language,
            wrong_detail,
        )
