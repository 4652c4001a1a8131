"""Write result directories with the producers' own writers (summary.json + results.jsonl).

Suite directories are written by the suites' record builders and summaries (evalplus's
``build_record``/``summarize`` and the McEval suite's jobs and ``summarize``) from synthetic
execution results, through the real ``ResultsStore``: the tests read exactly what the producers
write. ``regenerate_fixtures(root)`` writes two models over every kind of result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runners.evalplus_suite.checks import CheckOutcome, CheckSettingsSpec, SampleStatus
from runners.evalplus_suite.datasets import DatasetInfo, resolve_suite
from runners.evalplus_suite.samples import SampleSet
from runners.evalplus_suite.scoring import build_record
from runners.evalplus_suite.suite import EvalplusContext
from runners.multilang.datasets import SuiteData
from runners.multilang.models import (
    CheckKind,
    LanguageReadinessResult,
    LanguageState,
    SuiteName,
    TaskSpec,
)
from runners.multilang.plan import LanguagePlan, SampleJob
from runners.multilang.plan import SuitePlan as LanguagesPlan
from runners.results import ResultsStore
from runners.samples import SampleSpec
from runners.suites import get_suite
from runners.suites.base import SuitePlan, SuiteRunSpec
from sandbox.models import ExecutionRequest, ExecutionResult, LimitsSpec, Status

STATIC = Path(__file__).parent / "fixtures"
PROVENANCE = {
    "tool": "sandbox",
    "tool_version": "0.1.0",
    "host": "fixture-host",
    "started_at": "2025-01-01T00:00:00+00:00",
    "finished_at": "2025-01-01T00:05:00+00:00",
}


def python_request(source: str, tag: str) -> ExecutionRequest:
    """A request as the python language would build it (image, file, command, limits)."""
    return ExecutionRequest(
        image="sandbox-lang-python:latest",
        files={"main.py": source},
        run="python3 main.py",
        limits=LimitsSpec(timeout_s=5),
        language="python",
        tag=tag,
    )


def _result(status: Status, tag: str, stderr: str = "", stdout: str = "") -> ExecutionResult:
    exit_code = 0 if status is Status.OK else 1
    return ExecutionResult(
        status=status,
        exit_code=exit_code,
        stdout=stdout,
        stderr=stderr,
        wall_time_s=0.05,
        tag=tag,
        image_id="sha256:fixture",
    )


def _write(directory: Path, summary: dict[str, Any], records: Sequence[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "results.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
    (directory / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return directory


def _outcome(base: bool, plus: bool) -> CheckOutcome:
    failure = None
    if not (base and plus):
        failure = {"split": "base" if not base else "plus", "index": 0, "expected": "6"}
        failure["actual"] = "5"
    return CheckOutcome(
        base_status=SampleStatus.PASS if base else SampleStatus.FAIL,
        plus_status=SampleStatus.PASS if plus else SampleStatus.FAIL,
        base_details=[base],
        plus_details=[plus],
        first_failure=failure,
        time_scale=1.0,
        base_time_s=0.01,
        plus_time_s=0.01,
        note=None,
    )


def write_suite_dir(
    directory: Path,
    model: str,
    outcomes: Mapping[str, Sequence[tuple[bool, bool]]],
    suite: str = "humaneval+",
    statuses: Mapping[str, Status] | None = None,
) -> Path:
    """An evalplus suite run: ``outcomes[task] = [(base_pass, plus_pass) per sample]``;
    ``statuses[task]`` forces the engine status of a task's executions (a sandbox error)."""
    spec = resolve_suite(suite)
    problems = {
        task: {"prompt": "", "entry_point": "f", "base_input": [[1, 2, 3]], "plus_input": [[4]]}
        for task in outcomes
    }
    dataset = DatasetInfo(name=suite, version="v0.1.10", hash="fixture", path="/fixture.jsonl")
    settings = CheckSettingsSpec()
    store = ResultsStore(directory)
    samples = []
    for task, runs in outcomes.items():
        for index, (base, plus) in enumerate(runs):
            tag = f"{task}#{index}"
            sample = SampleSpec(task_id=task, index=index, code="x", full_program=True)
            samples.append(sample)
            status = (statuses or {}).get(task, Status.OK)
            outcome = _outcome(base, plus)
            if status is Status.SANDBOX_ERROR:
                outcome = outcome.model_copy(
                    update={"base_status": SampleStatus.ERROR, "plus_status": SampleStatus.ERROR}
                )
            result = _result(status, tag, "" if base and plus else "AssertionError: wrong\n")
            record = build_record(
                key=tag, sample=sample, problem=problems[task], suite=spec, dataset=dataset,
                model=model, settings=settings, outcome=outcome,
                request=python_request("x\n", tag), result=result,
            )  # fmt: skip
            store.append(record)
    ctx = EvalplusContext(
        spec, problems, dataset, SampleSet(samples, model), settings, "sha256:fixture"
    )
    keys = [f"{s.task_id}#{s.index}" for s in samples]
    return _summarize(store, SuiteRunSpec(suite=suite, model=model), SuitePlan(keys, [], ctx))


def _summarize(store: ResultsStore, spec: SuiteRunSpec, plan: SuitePlan) -> Path:
    from runners.results import parse_sample_record

    records = [parse_sample_record(r, "fixture") for r in store.latest().values()]
    summary = get_suite(spec.suite).summarize(spec, plan, records)
    provenance = {**summary.provenance, **PROVENANCE}
    store.write_summary(summary.model_copy(update={"provenance": provenance}))
    return store.directory


def write_multilang_dir(
    directory: Path, model: str, outcomes: dict[str, dict[str, bool]], suite: str = "mceval"
) -> Path:
    """A McEval run: ``outcomes[language][task] = passed``; haskell's image is not built."""
    store = ResultsStore(directory)
    rows = []
    keys = []
    for language, tasks in outcomes.items():
        status = LanguageReadinessResult(
            language=language, state=LanguageState.READY, image=f"sandbox-lang-{language}:latest"
        )
        jobs = []
        for task_id, passed in tasks.items():
            key = f"{suite}|{language}|{task_id}|0"
            task = TaskSpec(
                suite=SuiteName(suite), language=language, task_id=task_id, prompt="", test=""
            )
            request = ExecutionRequest(
                image=f"sandbox-lang-{language}:latest", files={"main.src": "..."},
                run="./main", language=language, tag=key,
            )  # fmt: skip
            job = SampleJob(
                key=key, task=task, model=model, request=request,
                sample=SampleSpec(task_id=task_id, language=language, code="..."),
            )  # fmt: skip
            result = _result(Status.OK if passed else Status.NONZERO_EXIT, key)
            store.append(job.judge({request.content_key(): result}))
            jobs.append(job)
            keys.append(key)
        rows.append(
            LanguagePlan(language=language, status=status, tasks=len(tasks), jobs=tuple(jobs))
        )
    rows.append(
        LanguagePlan(
            language="haskell",
            status=LanguageReadinessResult(language="haskell", state=LanguageState.NOT_BUILT),
            tasks=3,
        )
    )
    plan = LanguagesPlan(
        suite=suite, mode="samples", data_root=directory, limits=LimitsSpec(), languages=tuple(rows)
    )
    data = SuiteData(SuiteName(suite), directory)
    spec = SuiteRunSpec(suite=suite, model=model, options={"ks": (1,)})
    return _summarize(store, spec, SuitePlan(keys, [], (plan, data)))


def write_program_run(
    directory: Path,
    model: str,
    runs: Sequence[tuple[str, str, ExecutionRequest, ExecutionRequest, str, str]],
) -> Path:
    """An output-matching McEval run (like AWK): ``runs`` of (language, task, request,
    reference request, the sample's stdout, the reference's stdout)."""
    store = ResultsStore(directory)
    rows = []
    keys = []
    for language, task_id, request, reference, got, want in runs:
        key = f"mceval|{language}|{task_id}|0"
        task = TaskSpec(
            suite=SuiteName.MCEVAL, language=language, task_id=task_id, prompt="",
            check=CheckKind.OUTPUT_MATCH,
        )  # fmt: skip
        code = next(iter(request.files.values()))
        job = SampleJob(
            key=key, task=task, model=model, request=request, reference=reference,
            sample=SampleSpec(task_id=task_id, language=language, code=code),
        )  # fmt: skip
        results = {
            request.content_key(): _result(Status.OK, key, stdout=got),
            reference.content_key(): _result(Status.OK, key, stdout=want),
        }
        store.append(job.judge(results))
        status = LanguageReadinessResult(language=language, state=LanguageState.READY)
        rows.append(LanguagePlan(language=language, status=status, tasks=1, jobs=(job,)))
        keys.append(key)
    plan = LanguagesPlan(
        suite="mceval", mode="samples", data_root=directory, limits=LimitsSpec(),
        languages=tuple(rows),
    )  # fmt: skip
    data = SuiteData(SuiteName.MCEVAL, directory)
    spec = SuiteRunSpec(suite="mceval", model=model, options={"ks": (1,)})
    return _summarize(store, spec, SuitePlan(keys, [], (plan, data)))


_LABELS = {
    "win": ("B>A", "A>B"),
    "tie": ("A=B", "A=B"),
    "loss": ("A>B", "B>A"),
    "big": ("B>>A", "A>>B"),
}


def write_codearena_dir(
    directory: Path, model: str, outcomes: dict[str, str], baseline: str = "gpt-4-turbo-2024-04-09"
) -> Path:
    """A CodeArena run in the judge's format: ``outcomes[question]`` is win/tie/loss/big (a
    strong win); game 1 shows the baseline as A, game 2 the model as A."""
    from runners.judge.codearena import summarize_games

    identity = {
        "protocol": "codearena",
        "model": model,
        "baseline": baseline,
        "judge_model": "judge-7b",
        "method": "paper",
        "prompt_sha256": "fixture",
    }
    records = []
    for question, outcome in outcomes.items():
        for game, label in enumerate(_LABELS[outcome], start=1):
            a, b = (baseline, model) if game == 1 else (model, baseline)
            records.append(
                {
                    **identity,
                    "key": f"codearena|{question}|{game}",
                    "question_id": question,
                    "game": game,
                    "player_a": a,
                    "player_b": b,
                    "model_position": "B" if game == 1 else "A",
                    "status": "ok",
                    "label": label,
                    "length_a": 10,
                    "length_b": 12,
                    "created": PROVENANCE["started_at"],
                }
            )
    metrics = summarize_games(records, [], model, baseline, n_resamples=200, seed=0)
    provenance = {**PROVENANCE, "judge_model": "judge-7b", "judge_params": {"temperature": 0.0}}
    return _write_judge(directory, "codearena", identity, metrics, records, provenance)


def _write_judge(
    directory: Path,
    protocol: str,
    identity: dict[str, str],
    metrics: dict[str, Any],
    records: list[dict[str, Any]],
    provenance: dict[str, Any],
) -> Path:
    """Records through the protocol's record model, the summary as the judge runner writes it."""
    from runners.judge.protocol import get_protocol
    from runners.records import SummaryRecord, metrics_from_tree

    model = get_protocol(protocol).record_model
    store = ResultsStore(directory)
    for record in records:
        store.append(model.model_validate(record))
    summary = SummaryRecord(
        kind="judge",
        name=protocol,
        model=identity["model"],
        complete=True,
        metrics=metrics_from_tree(protocol, metrics),
        counts={k: v for k, v in metrics["counts"].items() if isinstance(v, int)},
        provenance=provenance,
        details={**identity, "metrics": metrics},
    )
    store.write_summary(summary)
    return directory


def write_codal_dir(
    directory: Path, model: str, ratings: dict[str, tuple[str, int | None]]
) -> Path:
    """A CODAL-Bench run in the judge's format: ``ratings[question] = (preference, 1..10 or
    None for N/A)``."""
    from runners.judge.codal import summarize_gradings

    identity = {
        "protocol": "codal",
        "model": model,
        "baseline": "gpt-3.5-turbo",
        "judge_model": "judge-7b",
        "method": "paper",
        "prompt_sha256": "fixture",
    }
    records = [
        {
            **identity,
            "key": f"codal|{q}",
            "question_id": q,
            "preference": pref,
            "status": "na" if rating is None else "ok",
            "rating": rating,
            "length_answer": 20,
            "created": PROVENANCE["started_at"],
        }
        for q, (pref, rating) in ratings.items()
    ]
    metrics = summarize_gradings(records, n_resamples=200, seed=0)
    provenance = {**PROVENANCE, "judge_model": "judge-7b"}
    return _write_judge(directory, "codal", identity, metrics, records, provenance)


def regenerate_fixtures(root: Path) -> None:
    """Two models over every kind of result, small enough to read by eye."""
    tasks = [f"HumanEval/{i}" for i in range(8)]
    a_plus = [True, True, True, False, True, True, False, True]
    b_plus = [True, False, True, False, True, True, True, False]
    write_suite_dir(
        root / "coder-a" / "humaneval+",
        "coder-a",
        {t: [(True, p)] for t, p in zip(tasks, a_plus, strict=True)},
    )
    write_suite_dir(
        root / "coder-b" / "humaneval+",
        "coder-b",
        {t: [(p or i % 2 == 0, p)] for i, (t, p) in enumerate(zip(tasks, b_plus, strict=True))},
    )
    mbpp = {
        f"Mbpp/{i}": [(True, i % 3 != 0), (i % 2 == 0, True), (True, True)] for i in range(2, 7)
    }
    write_suite_dir(root / "coder-a" / "mbpp+", "coder-a", mbpp, suite="mbpp+")
    langs_a = {
        "python": [True, True, False, True],
        "rust": [True, False, False, True],
        "go": [True, True, True, False],
    }
    langs_b = {
        "python": [True, True, True, True],
        "rust": [False, False, True, False],
        "go": [True, False, True, False],
    }
    for model, langs in (("coder-a", langs_a), ("coder-b", langs_b)):
        outcomes = {
            lang: {f"mceval/{lang}/{i}": p for i, p in enumerate(v)} for lang, v in langs.items()
        }
        write_multilang_dir(root / model / "mceval", model, outcomes)
    arena_a = ["win", "big", "tie", "loss", "win", "tie", "loss", "win"]
    arena_b = ["win", "loss", "tie", "loss", "loss", "tie", "loss", "big"]
    for model, arena in (("coder-a", arena_a), ("coder-b", arena_b)):
        write_codearena_dir(
            root / model / "codearena", model, {f"q{i}": o for i, o in enumerate(arena)}
        )
    prefs = ("instruction-following", "explanation", "complexity", "readability", "style")
    for model, base in (("coder-a", 7), ("coder-b", 6)):
        ratings: dict[str, tuple[str, int | None]] = {}
        for i in range(15):
            rating = None if i == 7 else min(10, base + i % 3)
            ratings[f"codal-{i}"] = (prefs[i % 5], rating)
        write_codal_dir(root / model / "codal", model, ratings)
