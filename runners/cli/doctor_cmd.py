"""``sandbox doctor``: check the set-up and say how to fix each problem."""

from __future__ import annotations

import json

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

_STYLE = {"ok": "green", "warn": "yellow", "fail": "red"}


def doctor(
    json_output: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """Check this machine: engine, cgroups, base and language images, disk, data, caches.

    Exit code 1 if a check fails (a command would not work); warnings do not fail.
    """
    from runners.doctor import CheckState, run_checks

    results = run_checks()
    if json_output:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
    else:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="sandbox doctor")
        table.add_column("check", no_wrap=True)
        table.add_column("", no_wrap=True)
        table.add_column("detail / fix", overflow="fold")
        for result in results:
            text = Text(result.detail)
            if result.fix:
                text.append(f"\nfix: {result.fix}", style="bold")
            table.add_row(result.name, Text(result.state.value, _STYLE[result.state]), text)
        Console().print(table)
    if any(r.state is CheckState.FAIL for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to the main app."""
    app.command("doctor", short_help="Check the set-up and say how to fix it.")(doctor)
