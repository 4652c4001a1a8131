"""`sandbox exec`: run one program in its language's sandbox and print the verdict;
`sandbox clean`: remove containers left behind."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from sandbox.errors import BadInputError
from sandbox.models import RUNTIMES, ExecutionResult, LimitsSpec, Status


def read_text_file(path: Path, what: str) -> str:
    """A user's text file, or a BadInputError naming it."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise BadInputError(f"{what} {path} does not exist", "check the path") from exc
    except OSError as exc:
        raise BadInputError(f"cannot read {what} {path}: {exc.strerror}", "check the path") from exc


def exec_program(
    file: Path = typer.Argument(..., help="Source file to run."),
    lang: str = typer.Option(
        ..., "--lang", "-l", help="Language id or alias (see `sandbox languages`)."
    ),
    stdin: Path | None = typer.Option(None, "--stdin", help="File fed to the program's stdin."),
    timeout: float = typer.Option(10.0, "--timeout", help="Run time limit in seconds."),
    memory: int = typer.Option(512, "--memory", help="Memory limit in MiB (swap off)."),
    cpus: float = typer.Option(1.0, "--cpus", help="CPU quota in cores."),
    runtime: str = typer.Option(
        "runc", "--runtime", help="OCI runtime: runc, or runsc (gVisor: stronger, slower)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Run FILE in a fresh, isolated container of LANG's image and print the verdict.

    Exit code: 0 when the program ran cleanly (ok), 1 for any other verdict, 2 for bad input.
    """
    from sandbox.executor import LocalExecutor
    from sandbox.languages import resolve_language

    if runtime not in RUNTIMES:
        raise BadInputError(
            f"unknown runtime {runtime!r}", f"use one of: {', '.join(sorted(RUNTIMES))}"
        )
    spec = resolve_language(lang)
    source = read_text_file(file, "source file")
    stdin_text = read_text_file(stdin, "stdin file") if stdin else None
    limits = LimitsSpec(timeout_s=timeout, memory_mb=memory, cpus=cpus, runtime=runtime)
    request = spec.make_request(source, limits=limits, stdin=stdin_text, tag=str(file))
    with LocalExecutor(workers=1) as executor:
        result = executor.run(request)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        print_result(result)
    raise typer.Exit(0 if result.status is Status.OK else 1)


def print_result(result: ExecutionResult) -> None:
    """A human-readable verdict."""
    console = Console()
    colour = "green" if result.status is Status.OK else "red"
    table = Table(show_header=False, box=None)
    table.add_row("verdict", f"[bold {colour}]{result.status.value}[/]")
    for name in ("exit_code", "signal", "wall_time_s", "compile_time_s", "peak_memory_mb", "error"):
        value = getattr(result, name)
        if value is not None:
            table.add_row(name.replace("_", " "), str(value))
    console.print(table)
    for title, text, cut in (
        ("compile output", result.compile_output, False),
        ("stdout", result.stdout, result.stdout_truncated),
        ("stderr", result.stderr, result.stderr_truncated),
    ):
        if text:
            console.rule(f"{title}{' (truncated)' if cut else ''}")
            console.print(
                text, markup=False, highlight=False, end="" if text.endswith("\n") else "\n"
            )


def clean(
    everything: bool = typer.Option(
        False, "--all", help="Also remove containers of sandbox processes still running."
    ),
) -> None:
    """Remove containers left behind by sandbox processes that died (crash, kill -9).

    With --all, remove every container this tool created, in use or not.
    """
    from sandbox.engine import DockerEngine
    from sandbox.executor import remove_stale_containers

    engine = DockerEngine()
    if everything:
        leftovers = engine.list_managed()
        for info in leftovers:
            engine.remove(str(info["Id"]))
        removed = len(leftovers)
    else:
        removed = remove_stale_containers(engine)
    typer.echo(f"removed {removed} container(s)")


def register(app: typer.Typer) -> None:
    """Add `exec` and `clean`."""
    app.command("exec", short_help="Run one program in its language's sandbox.")(exec_program)
    app.command("clean", short_help="Remove containers of dead sandbox processes.")(clean)
