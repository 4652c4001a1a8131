"""``sandbox judge``: preference judging by an LLM (CodeArena win/tie rates, CODAL-Bench grades)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer

from runners.judge.cache import JudgmentCache, default_cache_path
from runners.judge.client import JudgeClient, JudgeClientSpec
from runners.judge.grounded.models import ExecSettingsSpec
from runners.judge.methods import MethodName
from runners.judge.protocol import get_protocol, grounded_protocol, protocol_names
from runners.judge.runner import JudgeRunSpec, executing, run_judge
from runners.judge.stats import DEFAULT_RESAMPLES
from runners.judge.summary_text import format_summary
from runners.records import SummaryRecord
from sandbox.errors import BadInputError
from sandbox.executor import Executor, LocalExecutor
from sandbox.progress import ProgressReporter

from .options import (
    API_KEY_ENV_OPTION,
    CONCURRENCY_OPTION,
    MAX_RETRIES_OPTION,
    RETRY_BASE_DELAY_OPTION,
    make_endpoint,
)

DEFAULT_BASE_URL = "https://api.openai.com/v1"


async def _judge(
    run: JudgeRunSpec,
    client_spec: JudgeClientSpec,
    cache: Path,
    cache_only: bool,
    show_progress: bool,
) -> tuple[Path, SummaryRecord]:
    judgment_cache = JudgmentCache(cache)
    label = f"{run.protocol} ({run.method.value}) {run.model}"
    executor: Executor | None = None
    try:
        if executing(get_protocol(run.protocol), run):
            executor = LocalExecutor()
        with ProgressReporter(enabled=show_progress) as reporter:
            async with JudgeClient(client_spec, judgment_cache, cache_only=cache_only) as client:
                executions = reporter.task(f"executing answers of {run.model}")
                return await run_judge(run, client, reporter.task(label), executor, executions)
    finally:
        judgment_cache.close()
        if executor is not None:
            executor.close()


def judge(
    protocol: str = typer.Option(
        ..., "--protocol", help=f"the protocol: {', '.join(protocol_names())}"
    ),
    method: MethodName = typer.Option(
        MethodName.PAPER,
        "--method",
        help="paper: as the paper's released code judges; robust: follow-ups, consistent "
        "reading, failures excluded (docs/judge.md)",
    ),
    judge_prompt: Path | None = typer.Option(
        None, "--judge-prompt", help="a TOML prompt file replacing the built-in prompt"
    ),
    answers: Path = typer.Option(..., "--answers", help="model answers, JSONL: id + answer"),
    model: str = typer.Option(..., "--model", help="name of the judged model"),
    questions: str | None = typer.Option(
        None, "--questions", help="questions file, or hf:owner/name (default: the hub dataset)"
    ),
    judge_model: str | None = typer.Option(
        None, "--judge-model", envvar="SANDBOX_JUDGE_MODEL", help="default: from /v1/models"
    ),
    base_url: str = typer.Option(
        DEFAULT_BASE_URL, "--base-url", envvar="SANDBOX_JUDGE_BASE_URL", help="ends with /v1"
    ),
    api_key_env: str = API_KEY_ENV_OPTION,
    baseline: str | None = typer.Option(
        None, "--baseline", help="baseline/reference answers: <NAME>_response"
    ),
    concurrency: int = CONCURRENCY_OPTION,
    temperature: float | None = typer.Option(
        None, "--temperature", min=0.0, max=2.0, help="default: the method's"
    ),
    top_p: float | None = typer.Option(
        None, "--top-p", min=0.0, max=1.0, help="default: the method's"
    ),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", min=1, help="default: the method's"
    ),
    timeout: float = typer.Option(120.0, "--timeout", min=0.001, help="seconds per request"),
    max_retries: int = MAX_RETRIES_OPTION,
    retry_base_delay: float = RETRY_BASE_DELAY_OPTION,
    cache: Path | None = typer.Option(None, "--cache", help="SQLite judgment cache"),
    cache_only: bool = typer.Option(False, "--cache-only", help="never call the endpoint"),
    output: Path | None = typer.Option(None, "--output", help="results DIR (re-run resumes)"),
    json_output: bool = typer.Option(False, "--json", help="print summary.json on stdout"),
    seed: int = typer.Option(0, "--seed", help="bootstrap seed"),
    bootstrap: int = typer.Option(DEFAULT_RESAMPLES, "--bootstrap", min=1000, help="resamples"),
    compare_with: list[Path] = typer.Option(
        [], "--compare-with", help="other CodeArena judge DIRs for the Bradley-Terry fit"
    ),
    max_question_words: int | None = typer.Option(
        None,
        "--max-question-words",
        min=1,
        help="skip questions this long (default: the method's; CodeArena paper: 1024)",
    ),
    price_input: float | None = typer.Option(None, "--price-input", help="USD per 1M input tok"),
    price_output: float | None = typer.Option(None, "--price-output", help="USD per 1M output"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="progress bar (stderr)"),
    execute: bool = typer.Option(
        False,
        "--execute",
        help="compile and run the code in every answer (model and baseline) in the sandbox; "
        "records and reports what happened (CodeArena)",
    ),
    ground: str | None = typer.Option(
        None,
        "--ground",
        help="'execution': the judge also sees what happened when each answer's code ran "
        "(a separate protocol, e.g. codearena-grounded; implies --execute)",
    ),
    exec_timeout: float = typer.Option(
        10.0, "--exec-timeout", min=0.001, help="seconds per code block run (x language factor)"
    ),
    exec_memory: int = typer.Option(512, "--exec-memory", min=16, help="MiB per code block"),
    exec_max_blocks: int = typer.Option(
        8, "--exec-max-blocks", min=1, help="code blocks executed per answer"
    ),
) -> None:
    """Judge a model's answers with an LLM (CodeArena, CODAL-Bench).

    CodeArena: pairwise against a baseline answer in both orders, win and tie rates.
    CODAL-Bench: 1-10 grades on five coding preferences against a reference.
    Bootstrap intervals on every metric; see docs/judge.md.
    """
    if not base_url.startswith(("http://", "https://")):
        raise BadInputError(
            f"--base-url {base_url!r} is not an http(s) URL", "e.g. http://127.0.0.1:8000/v1"
        )
    if top_p is not None and top_p <= 0.0:
        raise BadInputError(f"--top-p {top_p} is not in (0, 1]", "e.g. --top-p 0.8")
    judged = get_protocol(protocol) if ground is None else grounded_protocol(protocol, ground)
    run = JudgeRunSpec(
        protocol=judged.name,
        method=method,
        judge_prompt=judge_prompt,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        answers=answers,
        model=model,
        questions=questions,
        baseline=baseline,
        output=output,
        n_resamples=bootstrap,
        seed=seed,
        compare_with=tuple(compare_with),
        max_question_words=max_question_words,
        price_input=price_input,
        price_output=price_output,
        execute=execute,
        execution=ExecSettingsSpec(
            timeout_s=exec_timeout, memory_mb=exec_memory, max_blocks=exec_max_blocks
        ),
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
        _judge(run, client_spec, cache or default_cache_path(), cache_only, progress)
    )
    if json_output:
        typer.echo(summary.model_dump_json(indent=2))
    else:
        typer.echo(format_summary(judged, summary_view(summary), directory))
    if not summary.complete or summary.details.get("warnings"):
        raise typer.Exit(1)


def summary_view(summary: SummaryRecord) -> dict[str, Any]:
    """The judge's own summary tables (``details``) with the contract's fields beside them."""
    return {
        **summary.details,
        "protocol": summary.name,
        "model": summary.model,
        "complete": summary.complete,
        "provenance": summary.provenance,
    }


def register(app: typer.Typer) -> None:
    """Add ``judge`` to the main app."""
    app.command("judge")(judge)
