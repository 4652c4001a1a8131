"""``sandbox judge-check``: how often an LLM judge prefers the answer that passes the tests, from
pairs of answers to the same task in two or more ``sandbox run`` result folders."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from runners.judge.cache import JudgmentCache, default_cache_path
from runners.judge.client import JudgeClient, JudgeClientSpec
from runners.judge.grounded.check import JudgeCheckSpec, run_judge_check
from runners.judge.grounded.models import ExecSettingsSpec
from runners.judge.methods import MethodName
from runners.judge.stats import DEFAULT_RESAMPLES
from runners.judge.summary_text import percent
from runners.records import SummaryRecord
from sandbox.errors import BadInputError
from sandbox.executor import Executor, LocalExecutor
from sandbox.progress import ProgressReporter

from .judge_cmd import DEFAULT_BASE_URL
from .options import (
    API_KEY_ENV_OPTION,
    CONCURRENCY_OPTION,
    MAX_RETRIES_OPTION,
    RETRY_BASE_DELAY_OPTION,
    make_endpoint,
)


class GroundChoice(StrEnum):
    """Which judgments a check makes."""

    PLAIN = "plain"
    EXECUTION = "execution"
    BOTH = "both"


async def _check(
    spec: JudgeCheckSpec, client_spec: JudgeClientSpec, cache: Path, cache_only: bool, bar: bool
) -> tuple[Path, SummaryRecord]:
    judgment_cache = JudgmentCache(cache)
    executor: Executor | None = None
    try:
        if "execution" in spec.groundings:
            executor = LocalExecutor()
        with ProgressReporter(enabled=bar) as reporter:
            async with JudgeClient(client_spec, judgment_cache, cache_only=cache_only) as client:
                task = reporter.task("judge-check")
                return await run_judge_check(spec, client, executor, task)
    finally:
        judgment_cache.close()
        if executor is not None:
            executor.close()


def judge_check(
    results: list[Path] = typer.Option(
        ..., "--results", help="a `sandbox run` result DIR (repeat: two or more models)"
    ),
    ground: GroundChoice = typer.Option(
        GroundChoice.BOTH, "--ground", help="plain, execution (the judge sees the runs) or both"
    ),
    method: MethodName = typer.Option(MethodName.PAPER, "--method", help="paper or robust"),
    judge_model: str | None = typer.Option(
        None, "--judge-model", envvar="SANDBOX_JUDGE_MODEL", help="default: from /v1/models"
    ),
    base_url: str = typer.Option(
        DEFAULT_BASE_URL, "--base-url", envvar="SANDBOX_JUDGE_BASE_URL", help="ends with /v1"
    ),
    api_key_env: str = API_KEY_ENV_OPTION,
    concurrency: int = CONCURRENCY_OPTION,
    timeout: float = typer.Option(120.0, "--timeout", min=0.001, help="seconds per request"),
    max_retries: int = MAX_RETRIES_OPTION,
    retry_base_delay: float = RETRY_BASE_DELAY_OPTION,
    cache: Path | None = typer.Option(None, "--cache", help="SQLite judgment cache"),
    cache_only: bool = typer.Option(False, "--cache-only", help="never call the endpoint"),
    output: Path | None = typer.Option(None, "--output", help="results DIR (re-run resumes)"),
    json_output: bool = typer.Option(False, "--json", help="print summary.json on stdout"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="first N pairs"),
    seed: int = typer.Option(0, "--seed", help="bootstrap seed"),
    bootstrap: int = typer.Option(DEFAULT_RESAMPLES, "--bootstrap", min=1000, help="resamples"),
    exec_timeout: float = typer.Option(10.0, "--exec-timeout", min=0.001, help="seconds/block"),
    exec_memory: int = typer.Option(512, "--exec-memory", min=16, help="MiB per code block"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="progress bar (stderr)"),
) -> None:
    """Measure a judge against tests: pairs of answers to the same task where exactly one passes
    (HumanEval+, MBPP+, McEval, MultiPL-E runs of two or more models), judged in both orders,
    plainly and grounded in execution; prints how often the judge prefers the passing answer."""
    if len(results) < 2:
        raise BadInputError(
            "judge-check needs two or more result folders", "repeat --results DIR per model"
        )
    if not base_url.startswith(("http://", "https://")):
        raise BadInputError(
            f"--base-url {base_url!r} is not an http(s) URL", "e.g. http://127.0.0.1:8000/v1"
        )
    groundings = ("plain", "execution") if ground is GroundChoice.BOTH else (ground.value,)
    spec = JudgeCheckSpec(
        results=tuple(results),
        groundings=groundings,
        method=method,
        output=output,
        limit=limit,
        execution=ExecSettingsSpec(timeout_s=exec_timeout, memory_mb=exec_memory),
        n_resamples=bootstrap,
        seed=seed,
    )
    client_spec = make_endpoint(
        base_url=base_url,
        model=judge_model,
        api_key_env=api_key_env,
        timeout=timeout,
        max_retries=max_retries,
        retry_base_delay=retry_base_delay,
        concurrency=concurrency,
    )
    directory, summary = asyncio.run(
        _check(spec, client_spec, cache or default_cache_path(), cache_only, progress)
    )
    if json_output:
        typer.echo(summary.model_dump_json(indent=2))
    else:
        typer.echo(format_check(summary.details, summary, directory))
    if not summary.complete:
        raise typer.Exit(1)


def format_check(details: Mapping[str, Any], summary: SummaryRecord, directory: Path) -> str:
    """Validity per grounding and language, the flips, and where the results are."""
    pairs = ", ".join(f"{name}: {n}" for name, n in details["pairs"].items())
    lines = [
        f"judge-check --method {details['method']}: judge={details['judge_model']}, "
        f"{summary.counts['pairs']} pairs ({pairs})"
    ]
    for grounding, table in details["groundings"].items():
        lines.append(
            f"{grounding}: prefers the passing answer {percent(table['validity_rate'])} "
            f"(95% CI, {table['n']} pairs, both orders); the failing one "
            f"{percent(table['prefers_failing_rate'])}, tie or no verdict "
            f"{percent(table['tie_rate'])}"
        )
        for language, row in table["per_language"].items():
            lines.append(f"  {language}: {percent(row['validity_rate'])} ({row['n']} pairs)")
    flips = details.get("flips")
    if flips:
        lines.append(
            f"grounding changed {flips['changed']} of {flips['games_compared']} verdicts "
            f"({flips['to_passing']} towards the passing answer, {flips['to_failing']} towards "
            "the failing one)"
        )
    if not summary.complete:
        lines.append(f"{summary.counts['pending_games']} games failed: re-run to retry them")
    lines.append(f"results: {directory}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``judge-check`` to the main app."""
    app.command("judge-check")(judge_check)
