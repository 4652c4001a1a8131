"""`sandbox images bootstrap|build`: make the base image and the language images locally."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from runners.cli.options import EXECUTOR_OPTION, RAY_ADDRESS_OPTION, print_notes
from sandbox.executors import ExecutorKind
from sandbox.languages import LanguageSpec

images_app = typer.Typer(help="Make the base image and the language images (no registry needed).")


@images_app.command("bootstrap")
def bootstrap(
    mirror: str | None = typer.Option(None, help="Debian mirror URI (default: host's apt)."),
    release: str | None = typer.Option(None, help="Debian codename (default: the host's)."),
    tag: str = typer.Option("debian:bookworm", help="Tag of the base image to make."),
    force: bool = typer.Option(False, help="Rebuild even if the image exists."),
) -> None:
    """Make the base image locally: debootstrap (minbase) from the host apt mirror + import."""
    from sandbox.engine import DockerEngine
    from sandbox.images import bootstrap_base

    bootstrap_base(
        DockerEngine(), tag=tag, mirror=mirror, release=release, force=force, log=typer.echo
    )


@images_app.command("build")
def build(
    lang: list[str] = typer.Option(
        ["all"], "--lang", "-l", help="Language id/alias, repeatable, or 'all'."
    ),
    parallel: int = typer.Option(0, help="Images built at once (0: sized from the host)."),
    force: bool = typer.Option(False, help="Rebuild even if the image is up to date."),
    log_dir: Path = typer.Option(Path("results/build-logs"), help="Where build logs go."),
    executor: ExecutorKind = EXECUTOR_OPTION,
    ray_address: str | None = RAY_ADDRESS_OPTION,
) -> None:
    """Build language images in parallel; unchanged ones (same folder hash) are skipped.

    With --executor ray, every node of the cluster ends up with the same image of each
    language: built once (on a node, if none has a current one) and shipped to the others.
    Exit code 1 if any available language failed to build.
    """
    from sandbox.engine import DockerEngine
    from sandbox.errors import ImageMissingError
    from sandbox.images import base_image_exists, build_image, default_build_parallelism
    from sandbox.languages import select_languages

    specs = select_languages(lang)
    if executor is ExecutorKind.RAY:
        _build_on_cluster(specs, force, ray_address)
        return
    engine = DockerEngine()
    missing_base = {
        s.base_image for s in specs if s.available and not base_image_exists(engine, s.base_image)
    }
    if missing_base:
        raise ImageMissingError(
            f"base image {', '.join(sorted(missing_base))} is missing",
            "run `sandbox images bootstrap` first",
        )
    workers = parallel or default_build_parallelism()
    results = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task("building images", total=len(specs))
        with ThreadPoolExecutor(workers) as pool:
            futures = [
                pool.submit(build_image, engine, s, force=force, log_dir=log_dir) for s in specs
            ]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                progress.update(task, advance=1, description=f"{result.language}: {result.outcome}")
    table = Table("language", "outcome", "seconds", "toolchain / detail")
    for r in sorted(results, key=lambda r: r.language):
        colour = {"built": "green", "up-to-date": "green", "unavailable": "yellow"}.get(
            r.outcome, "red"
        )
        table.add_row(
            r.language,
            f"[{colour}]{r.outcome}[/]",
            f"{r.seconds:.0f}",
            " | ".join(part for part in (r.toolchain, r.detail) if part),
        )
    Console().print(table)
    if any(r.outcome == "failed" for r in results):
        raise typer.Exit(1)


def _build_on_cluster(specs: list[LanguageSpec], force: bool, address: str | None) -> None:
    """Every node of the Ray cluster gets the same current image of each language."""
    from sandbox.ray_executor import RayExecutor

    with RayExecutor(address=address) as cluster:
        results = []
        for spec in specs:
            result = cluster.prepare_images([spec], force=force)[0]
            typer.echo(f"{result.language}: {result.outcome} ({result.seconds:.0f} s)", err=True)
            results.append(result)
    table = Table("language", "outcome", "seconds", "nodes / detail")
    for r in sorted(results, key=lambda r: r.language):
        colour = {"up-to-date": "green", "built": "green", "shipped": "green"}.get(r.outcome, "red")
        if r.outcome == "unavailable":
            colour = "yellow"
        nodes = "; ".join(f"{name}: {step}" for name, step in sorted(r.nodes.items()))
        details = " | ".join(part for part in (nodes, r.detail) if part)
        table.add_row(r.language, f"[{colour}]{r.outcome}[/]", f"{r.seconds:.0f}", details)
    Console().print(table)
    print_notes(cluster.notes)
    if any(r.outcome == "failed" for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `images` command group."""
    app.add_typer(images_app, name="images")
