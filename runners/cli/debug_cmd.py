"""``sandbox debug``: one sample, explained, re-run, and opened in its container."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from runners.cli.options import EXECUTOR_OPTION, RAY_ADDRESS_OPTION
from sandbox.executors import ExecutorKind, make_executor

if TYPE_CHECKING:
    from runners.debug import DebugTarget
    from sandbox.engine import DockerEngine
    from sandbox.models import ExecutionResult


def debug(
    results: Path = typer.Argument(..., help="Result directory of a suite run."),
    task_id: str = typer.Argument(..., help="Task id, e.g. HumanEval/0."),
    sample: int | None = typer.Option(None, help="Sample index (default: first failing)."),
    files: bool = typer.Option(False, "--files", help="Also show every file of the request."),
    shell: bool = typer.Option(False, "--shell", help="Open a shell in the container."),
    keep: bool = typer.Option(False, "--keep", help="Leave the container running."),
    keep_for: float = typer.Option(3600.0, help="Seconds a kept container lives."),
    rerun: bool = typer.Option(True, help="Run the sample again to confirm the verdict."),
    executor: ExecutorKind = EXECUTOR_OPTION,
    ray_address: str | None = RAY_ADDRESS_OPTION,
) -> None:
    """Explain one sample, re-run it, open its container.

    Shows the verdict, the failing test, the program with the failing line marked and the
    error; then re-runs the exact execution (--no-rerun skips it); --shell or --keep open the
    very container it ran in.
    """
    from runners.debug import find_target

    target = find_target(results, task_id, sample)
    console = Console()
    show_explanation(console, target)
    if files:
        show_request(console, target)
    if rerun:
        with make_executor(executor, ray_address, workers=1) as runner:
            show_rerun(console, target, runner.run(target.request))
    if shell or keep:  # the container to open is on this machine's engine
        from sandbox.executor import LocalExecutor

        with LocalExecutor(workers=1) as local:
            _open_container(console, local.engine, target, shell, keep, keep_for)


def show_explanation(console: Console, target: DebugTarget) -> None:
    """Verdict, failing test, the program with its failing line, the error output."""
    from runners.debug_view import answer_view, error_text, program_view, verdict_lines

    record = target.record
    lines = verdict_lines(record)
    console.print(Text(lines[0], style="bold green" if record.passed else "bold red"))
    for line in lines[1:]:
        console.print(line, markup=False, highlight=False)
    for label, value in target.failing_case().items():
        console.print(Text.assemble((f"  {label}: ", "bold"), value))
    answer = answer_view(record)
    if answer is not None:
        console.print(Panel(Text(answer[1]), title=answer[0]))
    view = program_view(record, target.request)
    if view.text:
        title = (
            f"{view.name} (the model's lines: {view.model_lines[0]}-{view.model_lines[1]})"
            if (view.model_lines)
            else view.name
        )
        highlight = {view.failing_line} if view.failing_line else set()
        lexer = Syntax.guess_lexer(view.name, view.text)
        syntax = Syntax(view.text, lexer, line_numbers=True, highlight_lines=highlight)
        console.print(Panel(syntax, title=title + _marked(view.failing_line)))
    error = error_text(record)
    if error:
        console.print(Panel(error, title="error output"))


def _marked(line: int | None) -> str:
    return f"; failing line {line} highlighted" if line else ""


def show_request(console: Console, target: DebugTarget) -> None:
    """The request as the engine ran it: image, limits, commands and every file."""
    request = target.request
    console.rule(f"request ({request.image})")
    console.print(f"limits: {request.limits.model_dump()}")
    if request.compile:
        console.print(f"compile: {request.compile}", markup=False)
    console.print(f"run: {request.run}", markup=False)
    for name, text in request.files.items():
        lexer = Syntax.guess_lexer(name, text)
        console.print(Panel(Syntax(text, lexer, line_numbers=True), title=f"/work/{name}"))
    if request.stdin is not None:
        console.print(Panel(request.stdin, title="stdin"))


def show_rerun(console: Console, target: DebugTarget, result: ExecutionResult) -> None:
    """The re-run's verdict, judged as the suite judges, next to the recorded one."""
    from runners.suites import get_suite

    record = target.record
    verdict, reason = get_suite(record.suite).rejudge(record, result)
    same = "same as recorded" if verdict is record.status else f"recorded: {record.status.value}"
    console.print(f"re-run in {target.request.image}: [bold]{verdict.value}[/bold] ({same})")
    console.print(f"  {reason}", markup=False, highlight=False)
    if verdict is not record.status:
        for label, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if text.strip():
                console.print(Panel(text.rstrip(), title=f"re-run {label}"))


def _open_container(
    console: Console,
    engine: DockerEngine,
    target: DebugTarget,
    shell: bool,
    keep: bool,
    keep_for: float,
) -> None:
    from runners.debug import start_kept_container

    kept = start_kept_container(engine, target.request, keep_for)
    command = kept.exec_command()
    typer.echo(
        "files are in /work; repeat the steps with `sh .sandbox/compile.sh` and "
        "`sh .sandbox/run.sh` (compile log: .sandbox/compile.log)"
    )
    try:
        if shell:
            subprocess.run(command, check=False)
    finally:
        if keep:
            console.print(f"container kept for {keep_for:.0f} s; enter it with:")
            typer.echo(" ".join(command))
        else:
            engine.remove(kept.id)


def register(app: typer.Typer) -> None:
    """Add ``debug`` to the main app."""
    app.command("debug")(debug)
