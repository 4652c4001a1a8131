"""``sandbox report`` and ``sandbox gate``: turn results into decisions."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from sandbox.errors import BadInputError

if TYPE_CHECKING:
    from runners.report.schema import ReportResult


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


def register(app: typer.Typer) -> None:
    """Add ``report`` and ``gate`` to the main app."""
    app.command("report", short_help="Models side by side: pass@k, win rates, grades.")(report)
    app.command("gate", short_help="Release gate: exit 0 to release, 1 to block.")(gate)
