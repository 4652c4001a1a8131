"""Images: the locally made Debian base image and one image per language folder.

No registry can be assumed. ``bootstrap_base`` makes the base image from the host's own apt
mirror (debootstrap + docker import); language images build FROM it with apt-get inside.
An image records the hash of its folder and its toolchain version in labels, so that an
unchanged language is never rebuilt and ``sandbox languages`` can show versions.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker.errors
import requests.exceptions

from sandbox.engine import DockerEngine
from sandbox.errors import FetchError, ImageBuildError
from sandbox.languages import LanguageSpec
from sandbox.models import FrozenModel, LimitsSpec, Status

LABEL_HASH = "sandbox.hash"
LABEL_TOOLCHAIN = "sandbox.toolchain"
LABEL_LANGUAGE = "sandbox.language"
LABEL_BASE = "sandbox.base-id"
DEFAULT_BASE = "debian:bookworm"
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


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


# -- the base image ---------------------------------------------------------------------


def detect_release() -> str:
    """The host's Debian codename (the base image mirrors the host's release)."""
    text = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    match = re.search(r"^VERSION_CODENAME=(\w+)", text, re.MULTILINE)
    return match.group(1) if match else "bookworm"


def detect_mirror(release: str) -> str:
    """The Debian mirror URI the host's apt already uses for ``release`` (never hard-coded)."""
    candidates: list[str] = []
    apt = Path("/etc/apt")
    for path in [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*"))]:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            candidates += _mirrors_from_deb822(text, release)
        elif path.suffix == ".list" or path.name == "sources.list":
            candidates += _mirrors_from_one_line(text, release)
    plain = [uri for uri in candidates if "security" not in uri]
    if not plain:
        raise ImageBuildError(
            f"no apt mirror for Debian {release!r} found in /etc/apt",
            "pass one with `sandbox images bootstrap --mirror URL`",
        )
    return plain[0]


def _mirrors_from_one_line(text: str, release: str) -> list[str]:
    found = []
    for line in text.splitlines():
        parts = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
        if len(parts) >= 3 and parts[0] == "deb" and parts[2] == release:
            found.append(parts[1])
    return found


def _mirrors_from_deb822(text: str, release: str) -> list[str]:
    found = []
    for stanza in re.split(r"\n\s*\n", text):
        fields = dict(
            (m.group(1).lower(), m.group(2).strip())
            for m in re.finditer(r"^([\w-]+):\s*(.*)$", stanza, re.MULTILINE)
        )
        if "deb" in fields.get("types", "").split() and release in fields.get("suites", "").split():
            found += fields.get("uris", "").split()
    return found


def base_image_exists(engine: DockerEngine, tag: str = DEFAULT_BASE) -> bool:
    try:
        engine.api.inspect_image(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def base_image_id(engine: DockerEngine, tag: str = DEFAULT_BASE) -> str | None:
    """The base image's id, or None when it is not on this engine."""
    try:
        return str(engine.api.inspect_image(tag)["Id"])
    except docker.errors.ImageNotFound:
        return None


def bootstrap_base(
    engine: DockerEngine,
    *,
    tag: str = DEFAULT_BASE,
    mirror: str | None = None,
    release: str | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> str:
    """Make the base image by debootstrap (minbase) + docker import; return its tag."""
    if base_image_exists(engine, tag) and not force:
        log(f"{tag} is present; nothing to do (--force rebuilds it)")
        return tag
    release = release or detect_release()
    mirror = mirror or detect_mirror(release)
    if shutil.which("debootstrap") is None:
        raise ImageBuildError(
            "debootstrap is not installed", "run `apt-get install -y debootstrap` (as root)"
        )
    with tempfile.TemporaryDirectory(prefix="sandbox-rootfs-") as tmp:
        root = Path(tmp) / "rootfs"
        log(f"debootstrap --variant=minbase {release} from {mirror}")
        _check_call(["debootstrap", "--variant=minbase", release, str(root), mirror])
        write_apt_settings(root)
        log(f"docker import -> {tag}")
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        changes = ['CMD ["bash"]', f"ENV PATH={BASE_PATH}", "LABEL sandbox.base=1"]
        args = ["docker", "import"] + [f"--change={c}" for c in changes] + ["-", tag]
        imported = subprocess.run(args, stdin=tar.stdout, capture_output=True, text=True)
        tar.wait()
        if imported.returncode != 0 or tar.returncode != 0:
            raise ImageBuildError(f"docker import failed: {imported.stderr.strip()}", "see above")
    return tag


# Downloaded .deb files and apt's package caches would stay in every language image's layer
# (155 MB for Java): delete them after each dpkg run, and fetch no translations.
_CLEAN = "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb"
APT_SETTINGS = f"""\
DPkg::Post-Invoke {{ "{_CLEAN} /var/cache/apt/*.bin || true"; }};
APT::Update::Post-Invoke {{ "{_CLEAN} /var/cache/apt/*.bin || true"; }};
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
"""


def write_apt_settings(root: Path) -> None:
    """apt settings for image builds, written into the bootstrapped root file system."""
    target = root / "etc" / "apt" / "apt.conf.d" / "90sandbox-image"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(APT_SETTINGS)


def _check_call(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        raise ImageBuildError(
            f"{args[0]} failed: {' | '.join(tail)}", "check the mirror and that you are root"
        )


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
            path=str(spec.directory),
            tag=spec.image,
            labels=labels,
            rm=True,
            forcerm=True,
            decode=True,
            pull=False,
            # an engine without a bridge (a second engine on one machine) builds on the host's
            network_mode=os.environ.get("SANDBOX_BUILD_NETWORK") or None,
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
