"""``sandbox generate``: a model behind an OpenAI-compatible endpoint answers a suite's tasks or
a protocol's questions; the result is the samples file that ``sandbox run``/``judge`` read."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from runners.generate.base import GenerateRunSpec, PromptForm
from runners.generate.records import GenerationSummary
from runners.generate.session import default_generate_cache, generate_with_endpoint
from sandbox.errors import BadInputError
from sandbox.progress import ProgressReporter

from .options import (
    API_KEY_ENV_OPTION,
    CONCURRENCY_OPTION,
    MAX_RETRIES_OPTION,
    RETRY_BASE_DELAY_OPTION,
    make_endpoint,
)


def generate(
    suite: str = typer.Option(
        ...,
        "--suite",
        "-s",
        help="humaneval+, mbpp+, humaneval, mbpp, mceval, multipl-e, codearena or codal",
    ),
    model: str = typer.Option(..., "--model", help="the model's name at the endpoint"),
    base_url: str = typer.Option(
        ..., "--base-url", envvar="SANDBOX_MODEL_BASE_URL", help="endpoint root, ends with /v1"
    ),
    chat: bool | None = typer.Option(
        None,
        "--chat/--completion",
        help="chat (instruct model) or text completion (base "
        "model); default: the benchmark's own form",
    ),
    answer_prefix: bool = typer.Option(
        True,
        "--answer-prefix/--no-answer-prefix",
        help="HumanEval+/MBPP+ chat: prefill evalplus's answer prefix (vLLM, llama.cpp); "
        "--no-answer-prefix sends evalplus's OpenAI-backend prompt",
    ),
    n: int = typer.Option(1, "--n", min=1, help="samples per task (pass@k)"),
    temperature: float | None = typer.Option(
        None, "--temperature", min=0.0, max=2.0, help="default 0 (greedy)"
    ),
    top_p: float | None = typer.Option(
        None, "--top-p", min=0.0, max=1.0, help="default: the benchmark's"
    ),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", min=1, help="default: the benchmark's"
    ),
    greedy: bool = typer.Option(False, "--greedy", help="temperature 0, one sample per task"),
    system: str | None = typer.Option(
        None, "--system", help="system message ('' for none; default: the benchmark's)"
    ),
    concurrency: int = CONCURRENCY_OPTION,
    limit: int | None = typer.Option(None, "--limit", min=1, help="first N tasks (per language)"),
    lang: list[str] = typer.Option([], "--lang", "-l", help="McEval/MultiPL-E languages"),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="dataset folder/file, or the questions file (CodeArena, CODAL)"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="DIR (a re-run resumes)"),
    api_key_env: str = API_KEY_ENV_OPTION,
    timeout: float = typer.Option(300.0, "--timeout", min=0.001, help="seconds per request"),
    max_retries: int = MAX_RETRIES_OPTION,
    retry_base_delay: float = RETRY_BASE_DELAY_OPTION,
    cache: Path | None = typer.Option(None, "--cache", help="SQLite request cache file"),
    no_cache: bool = typer.Option(False, "--no-cache", help="never read or write the cache"),
    revision: str = typer.Option(
        "", "--revision", help="a new checkpoint served under an old name: a new cache namespace"
    ),
    model_check: bool = typer.Option(
        True, "--model-check/--no-model-check", help="check /v1/models serves --model first"
    ),
    price_input: float | None = typer.Option(None, "--price-input", help="USD per 1M input tok"),
    price_output: float | None = typer.Option(None, "--price-output", help="USD per 1M output"),
    json_output: bool = typer.Option(False, "--json", help="print summary.json on stdout"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="progress (stderr)"),
) -> None:
    """Ask a model for every task of a suite (or question of a protocol), in the benchmark's own
    prompts; write DIR/samples.jsonl (or answers.jsonl) for `sandbox run`/`sandbox judge`, the
    raw replies, and a record per sample. Exit 1 while samples are missing (re-run to resume)."""
    check_url(base_url, "--base-url")
    if top_p is not None and top_p <= 0.0:
        raise BadInputError(f"--top-p {top_p} is not in (0, 1]", "e.g. --top-p 0.95")
    spec = GenerateRunSpec(
        suite=suite,
        model=model,
        form=None if chat is None else (PromptForm.CHAT if chat else PromptForm.COMPLETION),
        answer_prefix=answer_prefix,
        n=n,
        greedy=greedy,
        temperature=temperature,
        top_p=top_p,
        max_tokens=max_tokens,
        system=system,
        limit=limit,
        languages=tuple(lang),
        data=data_dir,
        output=output,
        revision=revision,
        price_input=price_input,
        price_output=price_output,
    )
    endpoint = make_endpoint(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        timeout=timeout,
        max_retries=max_retries,
        retry_base_delay=retry_base_delay,
        concurrency=concurrency,
    )
    with ProgressReporter(enabled=progress and not json_output) as reporter:
        directory, summary = asyncio.run(
            generate_with_endpoint(
                spec,
                endpoint,
                None if no_cache else (cache or default_generate_cache()),
                reporter,
                check_model=model_check,
            )
        )
    if json_output:
        typer.echo(summary.model_dump_json(indent=2))
    else:
        typer.echo(format_generation(summary, directory))
    if not summary.complete:
        raise typer.Exit(1)


def check_url(url: str, option: str) -> None:
    """An http(s) URL, or BadInputError naming ``option``."""
    if not url.startswith(("http://", "https://")):
        raise BadInputError(
            f"{option} {url!r} is not an http(s) URL", "e.g. http://127.0.0.1:8000/v1"
        )


def format_generation(summary: GenerationSummary, directory: Path) -> str:
    """The few lines a person reads after a generation run."""
    counts = summary.counts
    usage = summary.usage.get("this_run", {})
    every = summary.usage.get("all_samples", {})
    lines = [
        f"{summary.name} / {summary.model}: {counts.get('ok', 0)} answered, "
        f"{counts.get('rejected', 0)} refused by the endpoint "
        f"({counts.get('context_overflow', 0)} over the context), "
        f"{counts.get('errors', 0)} failed, "
        f"{counts.get('missing', 0)} missing, of {counts.get('planned', 0)}; "
        f"{counts.get('truncated', 0)} cut at max_tokens, {counts.get('no_code', 0)} without code",
        f"this run: {usage.get('requests', 0)} requests, {usage.get('cache_hits', 0)} from the "
        f"cache, {usage.get('retries', 0)} retries; all samples: {every.get('total_tokens', 0)} "
        "tokens" + (f", ${every['cost_usd']:.4f}" if "cost_usd" in every else ""),
    ]
    lines += [f"  {problem}" for problem in summary.problems]
    if summary.samples_file:
        lines.append(f"samples: {summary.samples_file}")
    else:
        lines.append(f"incomplete: re-run the same command to finish ({directory})")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``generate`` to the main app."""
    app.command("generate")(generate)
