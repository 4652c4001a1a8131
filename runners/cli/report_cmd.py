"""``sandbox report``, ``sandbox gate`` and ``sandbox debug``: turn results into decisions."""

from __future__ import annotations

import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax

from sandbox.errors import BadInputError

if TYPE_CHECKING:
    from runners.debug import DebugTarget
    from runners.report.schema import ReportResult
    from sandbox.engine import DockerEngine
    from sandbox.models import ExecutionResult


class ReportFormat(StrEnum):
    TERMINAL = "terminal"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
    JUNIT = "junit"


class McNemarChoice(StrEnum):
    MID_P = "mid-p"
    EXACT = "exact"


def report(
    results: list[Path] = typer.Argument(None, help="result directories (or folders of them)"),
    fmt: ReportFormat = typer.Option(ReportFormat.TERMINAL, "--format", "-f", help="output format"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write here, not stdout"),
    as_json: bool = typer.Option(False, "--json", help="same as --format json"),
    schema: bool = typer.Option(False, "--schema", help="print the report's JSON Schema and exit"),
    provenance: bool = typer.Option(False, "--provenance", help="terminal: list provenance too"),
    confidence: float = typer.Option(0.95, help="level of the intervals filled in from records"),
) -> None:
    """Per model, side by side: pass@k, per-language pass@1, judge win/tie rates and grades."""
    from runners.report.build import load_report
    from runners.report.schema import dump_json_schema

    if schema:
        _emit(dump_json_schema(), output)
        return
    if not results:
        raise BadInputError("no result directories given", "pass one or more --output DIRs")
    fmt = ReportFormat.JSON if as_json else fmt
    if fmt is ReportFormat.JUNIT:
        _emit(_junit_text(results), output)
        return
    built = load_report(results, confidence=confidence)
    if fmt is ReportFormat.TERMINAL:
        from runners.report.render_text import render_terminal

        if output is None:
            render_terminal(built, Console(), provenance=provenance)
        else:
            with output.open("w", encoding="utf-8") as handle:
                render_terminal(built, Console(file=handle, width=160), provenance=provenance)
        return
    _emit(_render(built, fmt), output)


def _render(built: ReportResult, fmt: ReportFormat) -> str:
    from runners.report.render_html import render_html
    from runners.report.render_text import render_json, render_markdown

    if fmt is ReportFormat.HTML:
        return render_html(built)
    if fmt is ReportFormat.MARKDOWN:
        return render_markdown(built)
    return render_json(built)


def _junit_text(results: list[Path]) -> str:
    from runners.provenance import collect_provenance, utc_now
    from runners.report.loaders import load_sources
    from runners.report.records import iter_sample_outcomes
    from runners.report.render_junit import render_junit

    sources = load_sources(results)
    samples = [s for source in sources for s in iter_sample_outcomes(source)]
    info = collect_provenance()
    return render_junit(
        samples,
        timestamp=utc_now(),
        hostname=str(info["host"]),
        properties={"tool_version": info["tool_version"]},
    )


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def gate(
    candidate: list[Path] = typer.Option(..., "--candidate", help="result dirs of the new model"),
    baseline: list[Path] = typer.Option(None, "--baseline", help="result dirs of the released one"),
    require: list[str] = typer.Option(
        None, "--require", help='e.g. "humaneval+.plus.pass@1>=0.80"'
    ),
    max_drop: list[str] = typer.Option(None, "--max-drop", help='e.g. "codearena.win_rate=2.0"'),
    level: float = typer.Option(0.05, help="significance level of the paired tests"),
    test: McNemarChoice = typer.Option(McNemarChoice.MID_P, help="McNemar p-value for pass/fail"),
    seed: int = typer.Option(0, help="seed of the paired bootstrap"),
    resamples: int = typer.Option(10_000, help="bootstrap resamples"),
    as_json: bool = typer.Option(False, "--json", help="print the verdict as JSON"),
) -> None:
    """Exit 0 if the release may go, 1 if not; one line per rule says why."""
    from runners.gate import evaluate_gate
    from runners.report.loaders import load_sources
    from runners.stats import McNemarMethod

    result = evaluate_gate(
        load_sources(candidate),
        load_sources(baseline or []),
        require or [],
        max_drop or [],
        level=level,
        method=McNemarMethod(test.value),
        seed=seed,
        resamples=resamples,
    )
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        for rule in result.rules:
            typer.echo(f"{'PASS' if rule.passed else 'FAIL'}  {rule.rule}: {rule.explanation}")
        typer.echo("release may go" if result.passed else "release blocked")
    raise typer.Exit(0 if result.passed else 1)


def debug(
    results: Path = typer.Argument(..., help="result directory of a suite run"),
    task_id: str = typer.Argument(..., help="task id, e.g. HumanEval/0"),
    sample: int | None = typer.Option(None, help="sample index (default: first failing)"),
    shell: bool = typer.Option(False, "--shell", help="open a shell in the container"),
    keep: bool = typer.Option(False, "--keep", help="leave the container running"),
    keep_for: float = typer.Option(3600.0, help="seconds a kept container lives"),
    rerun: bool = typer.Option(True, help="run the sample again before anything else"),
) -> None:
    """Re-create one sample's exact execution, run it again, show what happened."""
    from runners.debug import find_target

    target = find_target(results, task_id, sample)
    console = Console()
    show_program(console, target)
    if not rerun and not (shell or keep):
        return
    from sandbox.executor import LocalExecutor

    with LocalExecutor(workers=1) as executor:
        if rerun:
            show_result(console, target, executor.run(target.request))
        if shell or keep:
            _open_container(console, executor.engine, target, shell, keep, keep_for)


def show_program(console: Console, target: DebugTarget) -> None:
    """The request: image, limits, commands and every file."""
    request = target.request
    console.rule(f"{target.label} ({target.source.summary.name}, {request.language or '?'})")
    console.print(f"image: {request.image}   limits: {request.limits.model_dump()}")
    if request.compile:
        console.print(f"compile: {request.compile}")
    console.print(f"run: {request.run}")
    for name, text in request.files.items():
        lexer = Syntax.guess_lexer(name, text)
        console.print(Panel(Syntax(text, lexer, line_numbers=True), title=f"/work/{name}"))
    if request.stdin is not None:
        console.print(Panel(request.stdin, title="stdin"))


def show_result(console: Console, target: DebugTarget, result: ExecutionResult) -> None:
    """The new result next to the recorded one, outputs, and the failing case if recorded."""
    old = target.recorded_result()
    same = "same as recorded" if old and old.status == result.status else "recorded: "
    same += "" if old is None or old.status == result.status else old.status.value
    console.print(
        f"status now: [bold]{result.status.value}[/bold] ({same}), exit {result.exit_code}"
    )
    for label, text in (
        ("compile output", result.compile_output),
        ("stdout", result.stdout),
        ("stderr", result.stderr),
        ("error", result.error or ""),
    ):
        if text:
            console.print(Panel(text.rstrip(), title=label))
    for label, value in target.failing_case().items():
        console.print(f"[bold]{label}[/bold]: {value}")


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
    """Add ``report``, ``gate`` and ``debug`` to the main app."""
    app.command("report")(report)
    app.command("gate")(gate)
    app.command("debug")(debug)
