"""``sandbox languages --issues``: known issues and data patches as a table or JSON."""

from __future__ import annotations

import json

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from runners.multilang.issue_list import list_issues


def print_issues(json_output: bool) -> None:
    """One row per known issue and per data patch; data patches apply only when asked."""
    rows = list_issues()
    if json_output:
        typer.echo(json.dumps([row.model_dump() for row in rows], indent=2))
        return
    table = Table(title="Known issues and data patches", box=box.SIMPLE_HEAD, show_lines=True)
    for name in ("kind", "suite / language", "tasks", "reason and effect"):
        table.add_column(name, overflow="fold", ratio=3 if name.startswith("reason") else 1)
    for row in rows:
        tasks = row.tasks[0] + (f" (+{len(row.tasks) - 1} more)" if len(row.tasks) > 1 else "")
        cells = (row.kind, f"{row.suite} {row.language}", tasks, f"{row.reason} ({row.effect})")
        table.add_row(*(Text(cell) for cell in cells))  # Text: reasons hold [brackets]
    Console().print(table)
    typer.echo(
        "Known issues stay failures in every pass rate. Data patches are off by default "
        "(scores compare with the papers); `sandbox run --fix-known-data-bugs` applies them "
        "and lists them in summary.json."
    )
