"""Turn a task and a sample into a program and an execution request.

The program is the language's suite template (``[mceval]`` / ``[multipl_e]`` in its
``language.toml``) filled with the task's parts. Parts are joined so that they parse: two
placeholders that touch in the template are separated by a line break unless one of them
already provides it (McEval prompts usually end without a newline, and a canonical solution
glued to a trailing ``# comment`` line would be commented out). A program always ends with a
newline.

``{pass_marker}`` (optional) is a line the template prints after the tests; when a template
uses it, a clean exit passes only if that line was printed, so a solution that exits early
with status 0 (``sys.exit(0)`` inside the function under test) is not a pass.
"""

from __future__ import annotations

import hashlib
import re

from runners.multilang.models import SampleSpec, TaskSpec
from sandbox.errors import LanguageSpecError
from sandbox.languages import LanguageSpec, SuiteAdapterSpec
from sandbox.models import ExecutionRequest, LimitsSpec

PLACEHOLDERS = ("prompt", "solution", "test", "entry_point", "pass_marker")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def render_template(template: str, parts: dict[str, str]) -> str:
    """Fill ``template`` in one pass (a value containing ``{test}`` stays as it is).

    Adjacent placeholders get a newline between them when neither side has one.
    """
    pieces: list[str] = []
    previous_was_placeholder = False
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        value = parts.get(match.group(1), "")
        if literal:
            pieces.append(literal)
        elif previous_was_placeholder and pieces and _needs_break(pieces[-1], value):
            pieces.append("\n")
        pieces.append(value)
        previous_was_placeholder = True
        position = match.end()
    pieces.append(template[position:])
    program = "".join(pieces)
    return program if program.endswith("\n") else program + "\n"


def _needs_break(left: str, right: str) -> bool:
    return bool(left) and bool(right) and not left.endswith("\n") and not right.startswith("\n")


def adapter_for(spec: LanguageSpec, task: TaskSpec) -> SuiteAdapterSpec | None:
    """The language's adapter for the task's suite (None if the language has none)."""
    return spec.adapter(task.suite.value)


def pass_marker(adapter: SuiteAdapterSpec, task: TaskSpec, sample: SampleSpec) -> str | None:
    """The line the program must print after its tests, if the template asks for one.

    Derived from the task and the sample (never guessable from the prompt alone) and stable,
    so that identical programs stay identical and a re-run resumes.
    """
    if "{pass_marker}" not in adapter.template:
        return None
    seed = f"{task.suite}|{task.task_id}|{sample.full_program}|{sample.code}"
    return "sandbox-tests-passed-" + hashlib.sha256(seed.encode()).hexdigest()[:20]


def build_program(adapter: SuiteAdapterSpec, task: TaskSpec, sample: SampleSpec) -> str:
    """Program text: the template around prompt + sample + test.

    A full-program sample (a 'solution') replaces the prompt; a completion continues it.
    """
    parts = {
        "prompt": "" if sample.full_program else task.prompt,
        "solution": sample.code,
        "test": task.test,
        "entry_point": task.entry_point,
        "pass_marker": pass_marker(adapter, task, sample) or "",
    }
    return render_template(adapter.template, parts)


def adapted_spec(spec: LanguageSpec, adapter: SuiteAdapterSpec) -> LanguageSpec:
    """The language spec with the suite's overrides (file name, commands, time factor)."""
    updates: dict[str, object] = {}
    if adapter.source_file is not None:
        updates["source_file"] = adapter.source_file
    if adapter.compile is not None:
        updates["compile"] = adapter.compile
    if adapter.run is not None:
        updates["run"] = adapter.run
    if adapter.time_factor is not None:
        updates["time_factor"] = adapter.time_factor
    return spec.model_copy(update=updates) if updates else spec


def build_request(
    spec: LanguageSpec,
    task: TaskSpec,
    sample: SampleSpec,
    limits: LimitsSpec | None = None,
) -> ExecutionRequest:
    """The execution request that runs ``sample`` for ``task`` in the language's image."""
    adapter = adapter_for(spec, task)
    if adapter is None:
        raise LanguageSpecError(
            f"language {spec.id!r} has no [{_table(task)}] adapter",
            f"add a [{_table(task)}] table to {spec.directory / 'language.toml'}",
        )
    program = build_program(adapter, task, sample)
    files = {**task.files, **adapter.extra_files}
    return adapted_spec(spec, adapter).make_request(
        program,
        limits=limits,
        extra_files=files,
        tag=f"{task.task_id}#{sample.index}",
    )


def _table(task: TaskSpec) -> str:
    return f"suites.{task.suite.value}"
