"""``sandbox eval CONFIG``: from a model endpoint to a release decision in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from sandbox.progress import ProgressReporter


def eval_command(
    config: Path = typer.Argument(..., help="the evaluation's TOML file (docs/generate.md)"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="results DIR instead of [run] output (a re-run resumes)"
    ),
    executor: str | None = typer.Option(
        None, "--executor", help="what runs the programs (default: [run] executor, 'local')"
    ),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1, help="parallel runs"),
    json_output: bool = typer.Option(False, "--json", help="print eval.json on stdout"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="progress (stderr)"),
) -> None:
    """Generate with the candidate model, run the programs in their images, judge the answers,
    write the report and gate the release: exit 0 if it may go, 1 if blocked (or unfinished:
    re-run to resume), 2 for a bad config or input. A re-run reuses everything already done."""
    from runners.eval.config import load_config
    from runners.eval.executors import check_executor
    from runners.eval.orchestrate import run_eval

    loaded = load_config(config)
    run = loaded.run.model_copy(
        update={
            "output": output if output is not None else loaded.run.output,
            "executor": check_executor(executor or loaded.run.executor),
            "workers": workers or loaded.run.workers,
        }
    )
    loaded = loaded.model_copy(update={"run": run})
    with ProgressReporter(enabled=progress and not json_output) as reporter:
        result = run_eval(loaded, progress=reporter)
    if json_output:
        typer.echo(result.model_dump_json(indent=2))
    else:
        for step in result.steps:
            state = "done" if step.complete else "UNFINISHED"
            extra = f"; {step.detail}" if step.detail else ""
            typer.echo(f"{step.step:8} {step.name:12} {state} in {step.seconds:.1f}s{extra}")
        if result.gate is not None:
            for rule in result.gate.rules:
                mark = "PASS" if rule.passed else "FAIL"
                typer.echo(f"{mark}  {rule.rule}: {rule.explanation}")
        for fmt, path in result.reports.items():
            typer.echo(f"{fmt}: {path}")
        typer.echo(result.reason)
    raise typer.Exit(0 if result.passed else 1)


def register(app: typer.Typer) -> None:
    """Add ``eval`` to the main app."""
    app.command("eval")(eval_command)
