"""Options shared by the commands that execute programs: where they run (``--executor``) and,
for a Ray cluster, its address (``--ray-address``). Every such command turns them into an
executor with ``sandbox.executors.make_executor``."""

from __future__ import annotations

import typer

from sandbox.executors import ExecutorKind

EXECUTOR_OPTION = typer.Option(
    ExecutorKind.LOCAL,
    "--executor",
    help="Where programs run: local (this machine's Docker engine) or ray (every node of a "
    "Ray cluster; docs/scale-out.md).",
)
RAY_ADDRESS_OPTION = typer.Option(
    None,
    "--ray-address",
    help="With --executor ray: the cluster's HOST:PORT (default: $RAY_ADDRESS, else the "
    "cluster this machine belongs to).",
)


def print_notes(notes: list[str]) -> None:
    """What the executor had to say (nodes left out or lost), on stderr."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)
