"""MultiPL-E templates that print the pass marker: a right answer passes, an early exit fails.

MultiPL-E ships reference solutions only for Python, so each marked language gets a
hand-written completion of HumanEval_53 (``add``): the right body must pass (the marker line
parses and prints after the tests), and a wrong body that closes the function and exits 0 at
top level, before the tests, must fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runners.jsonl import read_jsonl
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
}


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
    samples = tmp_path / "samples.jsonl"
    with samples.open("w") as handle:
        for language, pair in COMPLETIONS.items():
            for completion in pair:
                record = {"task_id": TASK, "language": language, "completion": completion}
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
        assert wrong_detail.startswith("exited 0 before the tests"), (language, wrong_detail)
