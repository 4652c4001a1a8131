"""Joining prompt, solution and test into a program that parses."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from runners.multilang.datasets import load_mceval
from runners.multilang.models import SampleSpec, SuiteName, TaskSpec
from runners.multilang.plan import canonical_sample
from runners.multilang.programs import build_program, build_request, pass_marker, render_template
from runners.multilang.verdicts import judge_execution
from runners.records import Verdict
from sandbox.languages import SuiteAdapterSpec, load_spec, resolve_language
from sandbox.models import ExecutionResult, Status


def test_adjacent_parts_get_a_line_break_when_neither_has_one() -> None:
    program = render_template("{prompt}{solution}", {"prompt": "# doc", "solution": "x = 1"})
    assert program == "# doc\nx = 1\n"


def test_no_extra_break_when_a_side_already_has_one() -> None:
    parts = {"prompt": "def f():\n", "solution": "    return 1"}
    assert render_template("{prompt}{solution}", parts) == "def f():\n    return 1\n"
    parts = {"prompt": "def f():", "solution": "\n    return 1\n"}
    assert render_template("{prompt}{solution}", parts) == "def f():\n    return 1\n"


def test_literal_text_between_parts_is_kept_verbatim() -> None:
    parts = {"prompt": "a", "solution": "b", "test": "c"}
    assert render_template("{prompt} + {solution};{test}", parts) == "a + b;c\n"


def test_values_are_not_substituted_again() -> None:
    parts = {"prompt": "", "solution": 'print(f"{test}")', "test": "assert False"}
    program = render_template("{prompt}{solution}\n{test}\n", parts)
    assert program == 'print(f"{test}")\nassert False\n'


def test_empty_prompt_adds_no_leading_break() -> None:
    assert render_template("{prompt}{solution}", {"prompt": "", "solution": "x"}) == "x\n"


def test_full_program_sample_replaces_the_prompt() -> None:
    task = TaskSpec(suite=SuiteName.MCEVAL, language="py", task_id="T/1", prompt="PROMPT", test="T")
    adapter = SuiteAdapterSpec(template="{prompt}{solution}\n{test}")
    whole = SampleSpec(task_id="T/1", language="py", code="CODE", full_program=True)
    completion = SampleSpec(task_id="T/1", language="py", code="CODE")
    assert build_program(adapter, task, whole) == "CODE\nT\n"
    assert build_program(adapter, task, completion) == "PROMPT\nCODE\nT\n"


def test_every_mceval_python_canonical_program_parses(data_dir: Path) -> None:
    spec = resolve_language("python")
    assert spec.adapter("mceval") is not None
    tasks = load_mceval(data_dir).tasks["python"]
    assert len(tasks) == 50
    for task in tasks:
        source = build_program(spec.suites["mceval"], task, canonical_sample(task))
        ast.parse(source, filename=task.task_id)


def test_request_uses_the_suite_overrides(
    fake_registry: Callable[[str, str], Path], python_like: str
) -> None:
    body = python_like.replace(
        "[suites.multipl-e]\n",
        '[suites.multipl-e]\nsource_file = "t_test.go"\nrun = "go test {source}"\n'
        'compile = "true"\ntime_factor = 3.0\nextra_files = { "go.mod" = "module x" }\n',
    )
    folder = fake_registry("golike", body)
    spec = load_spec(folder)
    task = TaskSpec(
        suite=SuiteName.MULTIPL_E, language="golike", task_id="HumanEval_0_f", prompt="p",
        test="t", entry_point="f", files={"data/in.txt": "1\n"},
    )  # fmt: skip
    request = build_request(
        spec, task, SampleSpec(task_id=task.task_id, language="golike", code="c")
    )
    assert request.run == "go test t_test.go"
    assert request.compile == "true"
    assert request.files == {
        "data/in.txt": "1\n",
        "go.mod": "module x",
        "t_test.go": "p\nc\nt\ncheck(f)\n",
    }
    assert request.limits.timeout_s == 30.0
    assert request.image == "sandbox-lang-golike:latest"


def test_pass_marker_is_stable_per_sample_and_unguessable_from_the_prompt() -> None:
    adapter = SuiteAdapterSpec(template="{prompt}{solution}\n{test}\nprint('{pass_marker}')")
    task = TaskSpec(suite=SuiteName.MCEVAL, language="py", task_id="T/1", prompt="P", test="T")
    one = SampleSpec(task_id="T/1", language="py", code="A")
    other = SampleSpec(task_id="T/1", language="py", code="B")
    marker = pass_marker(adapter, task, one)
    assert marker is not None and marker == pass_marker(adapter, task, one)
    assert marker != pass_marker(adapter, task, other)
    assert build_program(adapter, task, one).endswith(f"print('{marker}')\n")
    assert pass_marker(SuiteAdapterSpec(template="{solution}"), task, one) is None


def test_a_clean_exit_without_the_marker_is_not_a_pass() -> None:
    result = ExecutionResult(status=Status.OK, stdout="partial output\n")
    assert judge_execution(result, "sandbox-tests-passed-x")[0] is Verdict.FAILED
    printed = ExecutionResult(status=Status.OK, stdout="x\nsandbox-tests-passed-x\n")
    assert judge_execution(printed, "sandbox-tests-passed-x")[0] is Verdict.PASSED
    assert judge_execution(result, None)[0] is Verdict.PASSED
    timeout = ExecutionResult(status=Status.TIMEOUT, stdout="sandbox-tests-passed-x\n")
    assert judge_execution(timeout, "sandbox-tests-passed-x")[0] is Verdict.TIMEOUT
