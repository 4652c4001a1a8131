"""Options shared by several commands. Those that execute programs: where they run
(``--executor``) and, for a Ray cluster, its address (``--ray-address``), turned into an executor
with ``sandbox.executors.make_executor``. Those that ask a model endpoint (generate, judge,
judge-check): the key's variable, requests in flight and retries, turned into an
``EndpointSpec`` with ``make_endpoint``."""

from __future__ import annotations

import typer

from runners.llm import EndpointSpec
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

API_KEY_ENV_OPTION = typer.Option("OPENAI_API_KEY", "--api-key-env", help="env var of the key")
CONCURRENCY_OPTION = typer.Option(4, "--concurrency", min=1, help="requests in flight")
MAX_RETRIES_OPTION = typer.Option(6, "--max-retries", min=0)
RETRY_BASE_DELAY_OPTION = typer.Option(1.0, "--retry-base-delay", min=0.0, help="seconds")


def make_endpoint(
    *,
    base_url: str,
    model: str | None,
    api_key_env: str,
    timeout: float,
    max_retries: int,
    retry_base_delay: float,
    concurrency: int,
) -> EndpointSpec:
    """The endpoint the command-line options describe (``--retry-base-delay`` is the backoff's
    base)."""
    return EndpointSpec(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        timeout_s=timeout,
        max_retries=max_retries,
        backoff_base_s=retry_base_delay,
        concurrency=concurrency,
    )


def print_notes(notes: list[str]) -> None:
    """What the executor had to say (nodes left out or lost), on stderr."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)
