"""Language images: one per language folder, built FROM a local base image (``sandbox.bases``).

No registry can be assumed: language images build FROM a Debian base made by
``sandbox images bootstrap`` with apt-get inside. An image records the hash of its folder and
its toolchain version in labels, so that an unchanged language is never rebuilt and
``sandbox languages`` can show versions.
"""

from __future__ import annotations

import io
import os
import re
import tarfile
from pathlib import Path

import docker.errors
import requests.exceptions

from sandbox.bases import base_image_exists, base_image_id
from sandbox.engine import DockerEngine
from sandbox.errors import FetchError, ImageBuildError
from sandbox.languages import LanguageSpec
from sandbox.models import FrozenModel, LimitsSpec, Status

LABEL_HASH = "sandbox.hash"
LABEL_TOOLCHAIN = "sandbox.toolchain"
LABEL_LANGUAGE = "sandbox.language"
LABEL_BASE = "sandbox.base-id"


class ImageStatusResult(FrozenModel):
    """What the engine has for one language."""

    language: str
    image: str
    available: bool
    built: bool
    up_to_date: bool
    image_id: str | None = None
    toolchain: str | None = None


class BuildResult(FrozenModel):
    """Outcome of building one language image."""

    language: str
    outcome: str  # built | up-to-date | unavailable | failed
    seconds: float = 0.0
    toolchain: str | None = None
    detail: str | None = None


# -- language images --------------------------------------------------------------------


def image_status(engine: DockerEngine, spec: LanguageSpec) -> ImageStatusResult:
    """Whether the language's image is built and matches its folder."""
    try:
        info = engine.api.inspect_image(spec.image)
    except docker.errors.ImageNotFound:
        return ImageStatusResult(
            language=spec.id,
            image=spec.image,
            available=spec.available,
            built=False,
            up_to_date=False,
        )
    labels = (info.get("Config") or {}).get("Labels") or {}
    return ImageStatusResult(
        language=spec.id,
        image=spec.image,
        available=spec.available,
        built=True,
        up_to_date=labels.get(LABEL_HASH) == spec.content_hash()
        and labels.get(LABEL_BASE) in {None, base_image_id(engine, spec.base_image)},
        image_id=str(info["Id"]),
        toolchain=labels.get(LABEL_TOOLCHAIN),
    )


def build_image(
    engine: DockerEngine, spec: LanguageSpec, *, force: bool = False, log_dir: Path | None = None
) -> BuildResult:
    """Build one language image unless an up-to-date one exists."""
    import time

    fetch_note = _fetch_for_build(spec)
    status = image_status(engine, spec)
    if status.up_to_date and not force:
        return BuildResult(
            language=spec.id, outcome="up-to-date", toolchain=status.toolchain, detail=fetch_note
        )
    if not spec.available and not base_image_exists(engine, spec.base_image):
        return BuildResult(
            language=spec.id,
            outcome="unavailable",
            detail=f"unavailable: needs a registry (base image {spec.base_image})",
        )
    started = time.monotonic()
    labels = {LABEL_HASH: spec.content_hash(), LABEL_LANGUAGE: spec.id}
    base_id = base_image_id(engine, spec.base_image)
    if base_id is not None:  # a re-bootstrapped base image makes the language image stale
        labels[LABEL_BASE] = base_id
    try:
        try:
            _docker_build(engine, spec, labels, log_dir)
        except ImageBuildError:  # a mirror hiccup should not fail a 40-image build: retry once
            _docker_build(engine, spec, labels, log_dir)
        toolchain = probe_toolchain(engine, spec)
        _add_label(engine, spec.image, LABEL_TOOLCHAIN, toolchain)
    except ImageBuildError as exc:
        return BuildResult(
            language=spec.id,
            outcome="failed",
            seconds=time.monotonic() - started,
            detail=str(exc),
        )
    return BuildResult(
        language=spec.id,
        outcome="built",
        seconds=round(time.monotonic() - started, 1),
        toolchain=toolchain,
        detail=fetch_note,
    )


def _fetch_for_build(spec: LanguageSpec) -> str | None:
    """Download the files the language fetches; a failure is a note, not a failed build:
    its Dockerfile falls back to Debian's own (older) toolchain."""
    from sandbox.fetch import fetch_files

    try:
        fetch_files(spec)
    except FetchError as exc:
        return f"{exc}; built with the Dockerfile's fallback ({exc.fix})"
    return None


def _docker_build(
    engine: DockerEngine, spec: LanguageSpec, labels: dict[str, str], log_dir: Path | None
) -> None:
    lines: list[str] = []
    try:
        stream = engine.api.build(
            fileobj=io.BytesIO(build_context(spec)),
            custom_context=True,
            tag=spec.image,
            labels=labels,
            rm=True,
            forcerm=True,
            decode=True,
            pull=False,
            # apt-get inside the build reaches the host's mirror through the host's network
            # (a second engine may have no bridge); only our own Dockerfiles build this way.
            network_mode="host",
        )
        for chunk in stream:
            lines.append(str(chunk.get("stream", "")) or str(chunk.get("status", "")))
            if "error" in chunk:
                raise ImageBuildError(
                    f"docker build of {spec.id} failed: {str(chunk['error']).strip()}",
                    f"see the build log; fix languages/{spec.id}/Dockerfile",
                )
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise ImageBuildError(f"docker build of {spec.id} failed: {exc}", "see the log") from exc
    finally:
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            (log_dir / f"{spec.id}.log").write_text("".join(lines))


def build_context(spec: LanguageSpec) -> bytes:
    """The build context as a tar: the files ``spec.context_files()`` names (the folder without
    its spec and smoke programs, plus the shared files it declares)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for relative, path in spec.context_files():
            archive.add(path, arcname=relative, recursive=False)
    return buffer.getvalue()


def probe_toolchain(engine: DockerEngine, spec: LanguageSpec) -> str:
    """First line of the language's version command, run in its image under the limits."""
    from sandbox.executor import LocalExecutor

    request = spec.make_request("", limits=LimitsSpec(timeout_s=60, memory_mb=1024))
    request = request.model_copy(update={"run": spec.version_command, "compile": None})
    with LocalExecutor(workers=1, engine=engine) as executor:
        result = executor.run(request)
    if result.status is not Status.OK:
        raise ImageBuildError(
            f"{spec.id}: version command failed ({result.status}: {result.stderr[-200:]})",
            f"fix version_command in languages/{spec.id}/language.toml",
        )
    text = (result.stdout.strip() or result.stderr.strip()).splitlines()
    return text[0][:200] if text else "unknown"


_VERSION = re.compile(r"\d+(?:\.\d+)+(?:[-+~][\w.]+)?")


def short_version(toolchain: str | None) -> str:
    """The version number in a toolchain's banner ('Groovy Version: 4.0.26 JVM: 17' -> '4.0.26')."""
    if not toolchain:
        return ""
    match = _VERSION.search(toolchain)
    return match.group(0) if match else toolchain[:24]


def _add_label(engine: DockerEngine, image: str, key: str, value: str) -> None:
    dockerfile = f"FROM {image}\nLABEL {key}={_quote_label(value)}\n"
    try:
        for chunk in engine.api.build(
            fileobj=io.BytesIO(dockerfile.encode()),
            tag=image,
            rm=True,
            forcerm=True,
            decode=True,
            pull=False,
        ):
            if "error" in chunk:
                raise ImageBuildError(f"labelling {image} failed: {chunk['error']}", "see above")
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise ImageBuildError(f"labelling {image} failed: {exc}", "see above") from exc


def _quote_label(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_build_parallelism() -> int:
    """Builds are download- and unpack-bound: two at a time suits small hosts."""
    return max(1, min(4, (os.cpu_count() or 2)))
