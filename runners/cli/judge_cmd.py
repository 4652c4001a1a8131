"""``sandbox judge``: preference judging by an LLM (CodeArena win/tie rates, CODAL-Bench grades)."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from runners.judge.cache import JudgmentCache, default_cache_path
from runners.judge.client import JudgeClient, JudgeClientSpec
from runners.judge.runner import JudgeRunSpec, run_judge
from runners.judge.stats import DEFAULT_RESAMPLES
from sandbox.errors import BadInputError

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class ProtocolChoice(StrEnum):
    CODEARENA = "codearena"
    CODAL = "codal"


class _RichProgress:
    """Progress bar on stderr (stdout stays clean for --json)."""

    def __init__(self, label: str) -> None:
        self._bar = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._task: Any = None

    def start(self, total: int, done: int) -> None:
        self._task = self._bar.add_task("judging", total=total, completed=done)
        self._bar.start()

    def advance(self) -> None:
        self._bar.advance(self._task)

    def stop(self) -> None:
        self._bar.stop()


async def _judge(
    run: JudgeRunSpec,
    client_spec: JudgeClientSpec,
    cache: Path,
    cache_only: bool,
    show_progress: bool,
) -> tuple[Path, dict[str, Any]]:
    judgment_cache = JudgmentCache(cache)
    progress = _RichProgress(f"{run.protocol} {run.model}") if show_progress else None
    try:
        async with JudgeClient(client_spec, judgment_cache, cache_only=cache_only) as client:
            return await run_judge(run, client, progress)
    finally:
        if progress is not None:
            progress.stop()
        judgment_cache.close()


def _pct(estimate: dict[str, Any] | None) -> str:
    if not estimate or estimate.get("value") is None:
        return "n/a"
    text = f"{100 * estimate['value']:.1f}%"
    if estimate.get("lower") is not None:
        text += f" [{100 * estimate['lower']:.1f}, {100 * estimate['upper']:.1f}]"
    return text


def _num(estimate: dict[str, Any] | None) -> str:
    if not estimate or estimate.get("value") is None:
        return "n/a"
    text = f"{estimate['value']:.2f}"
    if estimate.get("lower") is not None:
        text += f" [{estimate['lower']:.2f}, {estimate['upper']:.2f}]"
    return text


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def format_summary(summary: dict[str, Any], directory: Path) -> str:
    """A few human lines: headline metrics, failures, usage and where the results are."""
    m, usage = summary["metrics"], summary["usage"]["this_run"]
    counts = m["counts"]
    lines = [
        f"judge {summary['protocol']}: model={summary['model']} baseline={summary['baseline']} "
        f"judge={summary['judge_model']}"
    ]
    if summary["protocol"] == "codearena":
        pos, bt = m["position_consistency"], m["bradley_terry"]["ratings"].get(summary["model"])
        lines += [
            f"win {_pct(m['win_rate'])}  tie {_pct(m['tie_rate'])}  "
            f"({counts['questions_complete']} questions, 95% CI)",
            f"score {_pct(m['score'])} (Arena-Hard style, >> weighted)",
            f"unparsable games {counts['games_unparsable']}, failed {counts['games_error']}, "
            f"incomplete questions {counts['questions_incomplete']}",
            f"position flips {_rate(pos['flip_rate'])}, first answer wins "
            f"{_rate(pos['first_position_win_rate'])}, longer answer wins "
            f"{_rate(m['length_bias']['longer_wins_rate'])}",
        ]
        if bt:
            lines.append(
                f"Elo {bt['elo']:.0f} [{bt['lower']:.0f}, {bt['upper']:.0f}] (baseline 1000)"
            )
    else:
        overall = m["overall"]
        lines += [
            f"score {_num(overall['na_as_zero'])} (N/A as 0), {_num(overall['na_excluded'])} "
            f"(N/A excluded); N/A rate {_rate(m['na_rate'])}",
            "per preference: "
            + ", ".join(
                f"{name} {v['mean_na_as_zero']:.2f}" if v["mean_na_as_zero"] is not None else name
                for name, v in m["per_preference"].items()
            ),
            f"failed gradings {counts['errors']}",
        ]
    lines.append(
        f"missing answers {counts['missing_answers']}, "
        f"missing baseline {counts['missing_baseline']}"
    )
    cost = f", ${usage['cost_usd']:.4f}" if "cost_usd" in usage else ""
    lines.append(
        f"usage: {usage['requests']} requests, {usage['cache_hits']} cache hits, "
        f"{usage['retries']} retries, {usage['prompt_tokens']} prompt + "
        f"{usage['completion_tokens']} completion tokens{cost}"
    )
    if not summary["complete"]:
        lines.append(
            f"{summary['pending_judgments']} judgments failed: re-run the same command to retry"
        )
    lines.append(f"results: {directory}")
    return "\n".join(lines)


def judge(
    protocol: ProtocolChoice = typer.Option(..., "--protocol", help="codearena or codal"),
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
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env", help="env var of the key"),
    baseline: str | None = typer.Option(
        None, "--baseline", help="baseline/reference answers: <NAME>_response"
    ),
    concurrency: int = typer.Option(4, "--concurrency", min=1, help="requests in flight"),
    temperature: float = typer.Option(0.0, "--temperature", min=0.0, max=2.0),
    max_tokens: int = typer.Option(4096, "--max-tokens", min=1),
    timeout: float = typer.Option(120.0, "--timeout", min=0.001, help="seconds per request"),
    max_retries: int = typer.Option(6, "--max-retries", min=0),
    retry_base_delay: float = typer.Option(1.0, "--retry-base-delay", min=0.0, help="seconds"),
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
        None, "--max-question-words", min=1, help="skip questions this long (CodeArena: 1024)"
    ),
    price_input: float | None = typer.Option(None, "--price-input", help="USD per 1M input tok"),
    price_output: float | None = typer.Option(None, "--price-output", help="USD per 1M output"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="progress bar (stderr)"),
) -> None:
    """Judge a model's answers with an LLM: CodeArena pairwise win/tie rates against a baseline
    (both orders), or CODAL-Bench 1-10 grades against a reference; with bootstrap intervals."""
    if not base_url.startswith(("http://", "https://")):
        raise BadInputError(
            f"--base-url {base_url!r} is not an http(s) URL", "e.g. http://127.0.0.1:8000/v1"
        )
    run = JudgeRunSpec(
        protocol=protocol.value,
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
    )
    client_spec = JudgeClientSpec(
        base_url=base_url,
        model=judge_model,
        api_key_env=api_key_env,
        temperature=temperature,
        max_tokens=max_tokens,
        timeout_s=timeout,
        max_retries=max_retries,
        backoff_base_s=retry_base_delay,
        concurrency=concurrency,
    )
    directory, summary = asyncio.run(
        _judge(run, client_spec, cache or default_cache_path(), cache_only, progress)
    )
    if json_output:
        typer.echo(json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        typer.echo(format_summary(summary, directory))
    if not summary["complete"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``judge`` to the main app."""
    app.command("judge")(judge)
