"""Pairs of answers to the same task, exactly one of which passes the tests, from two or more
``sandbox run`` result folders (``sandbox judge-check``).

Every two folders of the same suite are paired (any two models). For each task both scored,
the first sample of each (lowest ``sample_index``) is taken; a sandbox error is no verdict and
is skipped; the pair is kept when exactly one of the two passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

from runners.multilang.programs import render_template
from runners.records import EvalplusDetails, SampleRecord, Verdict
from runners.report.loaders import LoadedSource, load_source
from runners.suites import find_suite
from sandbox.errors import BadInputError, UnknownLanguageError
from sandbox.languages import resolve_language
from sandbox.models import FrozenModel


class CheckPairSpec(FrozenModel):
    """Two answers to one task, one passing and one failing its tests."""

    suite: str
    task_id: str
    language: str
    question: str
    passing_model: str
    failing_model: str
    passing_code: str
    failing_code: str

    @property
    def key(self) -> str:
        return (
            f"{self.suite}|{self.language}|{self.task_id}|{self.passing_model}|{self.failing_model}"
        )


class CheckSource(FrozenModel):
    """One result folder's suite, model and first sample per (language, task)."""

    suite: str
    model: str
    directory: str
    first: dict[str, SampleRecord]
    prompts: dict[str, str]


def load_check_sources(directories: Sequence[Path]) -> list[CheckSource]:
    """The result folders, read through the record contract; each a suite run."""
    sources = [_check_source(load_source(Path(d))) for d in directories]
    models = [s.model for s in sources]
    if len(set(models)) < len(models):
        raise BadInputError(
            f"two result folders are runs of the same model ({', '.join(models)})",
            "pass runs of different models (sandbox run --model NAME)",
        )
    return sources


def _check_source(source: LoadedSource) -> CheckSource:
    record = source.record
    suite = find_suite(record.name) if record.kind == "suite" else None
    if suite is None:
        raise BadInputError(
            f"{source.directory}: not a suite run ({record.kind} {record.name})",
            "pass --results DIR of `sandbox run` (HumanEval+, MBPP+, McEval, MultiPL-E)",
        )
    first: dict[str, SampleRecord] = {}
    for sample in source.sample_records():
        unit = f"{sample.language}|{sample.task_id}"
        if unit not in first or sample.sample_index < first[unit].sample_index:
            first[unit] = sample
    prompts = {f"{lang}|{task}": text for (lang, task), text in suite.task_prompts(record).items()}
    return CheckSource(
        suite=record.name,
        model=record.model,
        directory=str(source.directory),
        first=first,
        prompts=prompts,
    )


def make_pairs(sources: Sequence[CheckSource]) -> list[CheckPairSpec]:
    """Every pair (one passing, one failing) across every two sources of the same suite."""
    pairs: list[CheckPairSpec] = []
    for left, right in combinations(sources, 2):
        if left.suite != right.suite:
            continue
        for unit in sorted(left.first.keys() & right.first.keys()):
            pair = _pair(left, right, unit)
            if pair is not None:
                pairs.append(pair)
    return pairs


def _pair(left: CheckSource, right: CheckSource, unit: str) -> CheckPairSpec | None:
    a, b = left.first[unit], right.first[unit]
    if Verdict.ERROR in (a.status, b.status) or a.passed == b.passed:
        return None
    (good, good_src), (bad, bad_src) = sorted(
        ((a, left), (b, right)), key=lambda pair: not pair[0].passed
    )
    prompt = left.prompts.get(unit, "")
    return CheckPairSpec(
        suite=left.suite,
        task_id=a.task_id,
        language=a.language,
        question=render_question(a.language, prompt),
        passing_model=good_src.model,
        failing_model=bad_src.model,
        passing_code=answer_code(good, prompt),
        failing_code=answer_code(bad, prompt),
    )


def answer_code(sample: SampleRecord, prompt: str) -> str:
    """The program a sample stands for: evalplus's solution, or a program suite's code (after
    the task's prompt when it is a completion)."""
    details = sample.details
    if isinstance(details, EvalplusDetails):
        return details.solution
    if details.full_program:
        return details.code
    # joined as the program suites join them (a newline where neither side has one)
    return render_template("{prompt}{solution}", {"prompt": prompt, "solution": details.code})


def render_question(language: str, prompt: str) -> str:
    """The question the judge sees: the task's prompt to complete, in its language."""
    try:
        name = resolve_language(language).name
    except UnknownLanguageError:  # McEval's HTML/JSON/Markdown tasks have no language folder
        name = language
    if not prompt.strip():
        return f"Write a {name} program that solves the task its tests check."
    return f"Complete the following {name} code.\n\n```{language}\n{prompt.rstrip()}\n```"


def render_answer(language: str, code: str) -> str:
    """An answer as a chat model would give it: the code in one fenced block."""
    return f"```{language}\n{code.rstrip()}\n```"
