"""``sandbox languages`` (every language, its image and toolchain) and ``sandbox selftest``
(every language's smoke programs in its image)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from runners.cli.options import EXECUTOR_OPTION, RAY_ADDRESS_OPTION, print_notes
from sandbox.availability import (
    LanguageStatusResult,
    StatusProbe,
    no_engine_probe,
    probe_with_engine,
)
from sandbox.errors import EngineUnavailableError
from sandbox.executors import ExecutorKind
from sandbox.images import short_version
from sandbox.languages import LanguageSpec, select_languages
from sandbox.progress import ProgressReporter
from sandbox.selftest import LanguageSelftestResult, SelftestState

_STATE_TEXT = {
    "ready": ("built", "green"),
    "not_built": ("not built", "yellow"),
    "unavailable": ("unavailable: needs a registry", "dim"),
    "no_engine": ("engine unreachable", "red"),
}


def _probe(required: bool) -> StatusProbe:
    """Image probe on the local engine; without an engine, fail (required) or say so."""
    from sandbox.engine import DockerEngine

    try:
        return probe_with_engine(DockerEngine())
    except EngineUnavailableError as exc:
        if required:
            raise
        return no_engine_probe(exc.problem)


def languages(
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
    issues: bool = typer.Option(
        False, "--issues", help="List known issues and the opt-in data patches instead."
    ),
) -> None:
    """List every language: image status, toolchain version, suites it supports."""
    if issues:
        from runners.cli.issues_view import print_issues

        print_issues(json_output)
        return
    specs = select_languages(None)
    probe = _probe(required=False)
    rows = [(spec, probe(spec)) for spec in specs]
    if json_output:
        typer.echo(json.dumps([_language_json(s, st) for s, st in rows], indent=2))
        return
    table = Table(title=f"{len(rows)} languages", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("id", "image", "version", "suites", "aliases"):
        table.add_column(name, overflow="fold", no_wrap=name in {"id", "version"})
    for spec, status in rows:
        version = short_version(status.toolchain)
        table.add_row(spec.id, _image_text(status), version, _suites(spec), _aliases(spec))
    Console().print(table)


def _image_text(status: LanguageStatusResult) -> Text:
    label, style = _STATE_TEXT.get(status.state.value, (status.state.value, "yellow"))
    if status.state.value == "ready" and status.up_to_date is False:
        label, style = "stale", "yellow"
    return Text(label, style=style)


def _suites(spec: LanguageSpec) -> str:
    return " ".join(sorted(spec.suites))


def _aliases(spec: LanguageSpec) -> str:
    return ", ".join(spec.aliases)


def _language_json(spec: LanguageSpec, status: LanguageStatusResult) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": spec.name,
        "aliases": list(spec.aliases),
        "compiled": spec.is_compiled,
        "available": spec.available,
        "base_image": spec.base_image,
        "suites": _suites(spec).split(),
        **status.model_dump(mode="json", exclude={"language"}),
    }


def selftest(
    lang: list[str] = typer.Option(
        [], "--lang", "-l", help="Language id/alias (repeatable) or 'all' (default)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1, help="Parallel runs (per node with --executor ray)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    executor: ExecutorKind = EXECUTOR_OPTION,
    ray_address: str | None = RAY_ADDRESS_OPTION,
) -> None:
    """Run every language's smoke programs in its image.

    hello -> ok, compile_error -> compile_error (compiled languages), runtime_error ->
    nonzero_exit, timeout -> timeout, wrong -> nonzero_exit. Exit code 1 if any available
    language fails; languages whose base image needs a registry are shown as skipped.
    """
    from sandbox.executors import make_executor
    from sandbox.selftest import run_selftest, selftest_failed

    specs = select_languages(lang or None)
    runner = make_executor(executor, ray_address, workers)
    with runner, ProgressReporter(enabled=not json_output) as reporter:
        task = reporter.task("self-test")
        task.start(len(specs))

        def done(result: LanguageSelftestResult) -> None:
            task.note(f"{result.language}: {result.state.value}")
            task.advance()

        results = run_selftest(specs, runner.probe, lambda: runner, on_result=done)
    print_notes(runner.notes)
    if json_output:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
    else:
        print_selftest(Console(), results)
    if selftest_failed(results):
        raise typer.Exit(1)


_CHECK_COLUMNS = ("hello", "compile_error", "runtime_error", "timeout", "wrong")
_STATE_STYLE = {SelftestState.PASSED: "green", SelftestState.FAILED: "red"}


def print_selftest(console: Console, results: list[LanguageSelftestResult]) -> None:
    """The table, then one line per failed or skipped language saying why."""
    console.print(selftest_table(results))
    for result in results:
        if result.state is not SelftestState.PASSED:
            style = _STATE_STYLE.get(result.state, "dim")
            console.print(Text(f"{result.language}: {result.detail}", style=style))


def selftest_table(results: list[LanguageSelftestResult]) -> Table:
    """One row per language: verdict, one cell per smoke check, toolchain."""
    passed = sum(r.state is SelftestState.PASSED for r in results)
    failed = sum(r.state is SelftestState.FAILED for r in results)
    skipped = len(results) - passed - failed
    table = Table(
        title=f"self-test: {passed} passed, {failed} failed, {skipped} skipped",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("language", no_wrap=True)
    table.add_column("result", no_wrap=True)
    for name in ("hello", "compile", "runtime", "timeout", "wrong"):
        table.add_column(name, no_wrap=True)
    table.add_column("version", no_wrap=True)
    for result in results:
        checks = {c.name: c for c in result.checks}
        cells = [_check_cell(checks.get(name)) for name in _CHECK_COLUMNS]
        style = _STATE_STYLE.get(result.state, "dim")
        state = Text(result.state.value, style=style)
        table.add_row(result.language, state, *cells, short_version(result.toolchain))
    return table


def _check_cell(check: Any) -> Text:
    if check is None:
        return Text("-", style="dim")
    if check.ok:
        return Text("ok", style="green")
    return Text(check.got or "missing", style="red")


def register(app: typer.Typer) -> None:
    """Add ``languages`` and ``selftest`` to the main app."""
    app.command("languages", short_help="Languages, their images and toolchains.")(languages)
    app.command("selftest")(selftest)
