"""`sandbox images bootstrap|build`: make the base image and the language images locally."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from runners.cli.options import EXECUTOR_OPTION, RAY_ADDRESS_OPTION, print_notes
from sandbox.executors import ExecutorKind
from sandbox.languages import LanguageSpec
from sandbox.progress import ProgressReporter

images_app = typer.Typer(
    help="Make the base image and the language images (no registry needed).",
    short_help="Make the base and language images locally.",
    rich_markup_mode=None,
)


@images_app.command("bootstrap", short_help="Make the base image from the host's apt mirror.")
def bootstrap(
    mirror: str | None = typer.Option(None, help="Debian mirror URI (default: host's apt)."),
    release: str | None = typer.Option(
        None, help="Debian codename to make (default: every release a language declares)."
    ),
    tag: str | None = typer.Option(None, help="Tag of the base image (default: debian:RELEASE)."),
    force: bool = typer.Option(False, help="Rebuild even if the image exists."),
) -> None:
    """Make the base images locally: debootstrap (minbase) from the host apt mirror + import.

    Without --release: debian:<host release> and every debian:<release> that a language's
    base_image names (Swift builds on Debian 13, trixie).
    """
    from sandbox.bases import bootstrap_base, declared_bases
    from sandbox.engine import DockerEngine
    from sandbox.languages import load_registry

    engine = DockerEngine()
    if release or tag:
        tags = [tag or f"debian:{release}"]
    else:
        tags = declared_bases(spec.base_image for spec in load_registry().values())
    for one in tags:
        bootstrap_base(engine, tag=one, mirror=mirror, release=release, force=force, log=typer.echo)


@images_app.command("build", short_help="Build language images; unchanged ones are skipped.")
def build(
    lang: list[str] = typer.Option(
        ["all"], "--lang", "-l", help="Language id/alias, repeatable, or 'all'."
    ),
    parallel: int = typer.Option(0, help="Images built at once (0: sized from the host)."),
    force: bool = typer.Option(False, help="Rebuild even if the image is up to date."),
    log_dir: Path = typer.Option(Path("results/build-logs"), help="Where build logs go."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress."),
    executor: ExecutorKind = EXECUTOR_OPTION,
    ray_address: str | None = RAY_ADDRESS_OPTION,
) -> None:
    """Build language images in parallel; unchanged ones (same folder hash) are skipped.

    With --executor ray, every node of the cluster ends up with the same image of each
    language: built once (on a node, if none has a current one) and shipped to the others.
    Exit code 1 if any available language failed to build.
    """
    from sandbox.bases import base_image_exists
    from sandbox.engine import DockerEngine
    from sandbox.errors import ImageMissingError
    from sandbox.images import build_image, default_build_parallelism
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
            "run `sandbox images bootstrap` first (it makes every Debian base a language declares)",
        )
    workers = parallel or default_build_parallelism()
    results = []
    with ProgressReporter(enabled=progress) as reporter:
        task = reporter.task("images")
        task.start(len(specs))
        with ThreadPoolExecutor(workers) as pool:
            futures = [
                pool.submit(build_image, engine, s, force=force, log_dir=log_dir) for s in specs
            ]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                task.note(f"{result.language}: {result.outcome} ({result.seconds:.0f} s)")
                task.advance()
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
