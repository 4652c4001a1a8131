"""Entry point: ``sandbox``. Each command group lives in its own module and registers itself."""

from __future__ import annotations

import os
import sys
from importlib import import_module

import typer

from sandbox.errors import SandboxError

app = typer.Typer(
    name="sandbox",
    help=(
        "Evaluate code LLMs: run generated code for ~44 languages in isolated Docker "
        "containers under hard limits (HumanEval+/MBPP+ exactly as evalplus, McEval, "
        "MultiPL-E, pass@k), judge answers with an LLM (CodeArena, CODAL-Bench), "
        "report, gate releases and debug failures."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: it re-wraps paragraphs to the terminal and gives option help most of
    # an 80-column line, where rich panels squeeze it into a third.
    rich_markup_mode=None,
)

# Command modules, in the order they appear in --help. Each exposes ``register(app)``.
COMMAND_MODULES = (
    "runners.cli.exec_cmd",
    "runners.cli.generate_cmd",
    "runners.cli.run_cmd",
    "runners.cli.judge_cmd",
    "runners.cli.eval_cmd",
    "runners.cli.judge_check_cmd",
    "runners.cli.report_cmd",
    "runners.cli.debug_cmd",
    "runners.cli.images_cmd",
    "runners.cli.languages_cmd",
    "runners.cli.doctor_cmd",
)

for _name in COMMAND_MODULES:
    import_module(_name).register(app)


def run_app() -> None:
    """Run the CLI; a SandboxError becomes one line on stderr and exit code 2.

    Usage errors are reported by typer itself (exit code 2); ``SANDBOX_DEBUG=1`` shows
    tracebacks for our own errors.
    """
    try:
        app()
    except SandboxError as exc:
        if os.environ.get("SANDBOX_DEBUG"):
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
