"""Base images: Debian root file systems made locally, one per Debian release a language needs.

No registry can be assumed. ``bootstrap_base`` makes ``debian:<release>`` from the host's own
apt mirror (debootstrap + import). Most languages build FROM the host's release; a language
whose toolchain only a newer release packages (Swift: Debian 13) declares
``base_image = "debian:trixie"`` in its ``language.toml``, and the same mirror serves it (a
Debian mirror carries every suite). The root file system is slimmed before the import: apt's
lists and downloaded packages, documentation, manual pages and translations would otherwise
sit under every language image (about 80 MB of lists and packages alone).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import docker.errors
import requests.exceptions

from sandbox.engine import DockerEngine
from sandbox.errors import ImageBuildError

DEFAULT_BASE = "debian:bookworm"
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_DEBIAN_TAG = re.compile(r"^debian:([a-z]+)$")


def detect_release() -> str:
    """The host's Debian codename (the default base image mirrors the host's release)."""
    text = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    match = re.search(r"^VERSION_CODENAME=(\w+)", text, re.MULTILINE)
    return match.group(1) if match else "bookworm"


def base_release(tag: str) -> str | None:
    """The Debian codename a base tag names (``debian:trixie`` -> ``trixie``), else None."""
    match = _DEBIAN_TAG.match(tag)
    return match.group(1) if match else None


def declared_bases(base_images: Iterable[str]) -> list[str]:
    """The Debian base tags ``sandbox images bootstrap`` makes: the default one and every
    ``debian:<release>`` that some language declares (other bases need a registry)."""
    tags = {DEFAULT_BASE} | {tag for tag in base_images if base_release(tag)}
    return sorted(tags)


def detect_mirror(release: str, apt_dir: Path = Path("/etc/apt"), host: str | None = None) -> str:
    """The Debian mirror URI the host's apt uses (never hard-coded).

    A mirror configured for ``release`` wins; otherwise the mirror of the host's own release
    serves it too (one Debian archive holds every suite: trixie on a bookworm host).
    """
    for suite in dict.fromkeys([release, host or detect_release()]):
        found = _configured_mirrors(suite, apt_dir)
        if found:
            return found[0]
    raise ImageBuildError(
        f"no apt mirror for Debian {release!r} found in /etc/apt",
        "pass one with `sandbox images bootstrap --mirror URL`",
    )


def _configured_mirrors(release: str, apt: Path) -> list[str]:
    candidates: list[str] = []
    for path in [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*"))]:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            candidates += _mirrors_from_deb822(text, release)
        elif path.suffix == ".list" or path.name == "sources.list":
            candidates += _mirrors_from_one_line(text, release)
    return [uri for uri in candidates if "security" not in uri]


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
    return base_image_id(engine, tag) is not None


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
    """Make the base image ``tag`` by debootstrap (minbase) + import; return its tag.

    The release is the one the tag names (``debian:trixie``), else ``release``, else the host's.
    """
    if base_image_exists(engine, tag) and not force:
        log(f"{tag} is present; nothing to do (--force rebuilds it)")
        return tag
    release = release or base_release(tag) or detect_release()
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
        slim_rootfs(root)
        log(f"import -> {tag}")
        tarball = Path(tmp) / "rootfs.tar"
        _check_call(["tar", "-C", str(root), "-cf", str(tarball), "."])
        _import(engine, tarball, tag)
    return tag


def _import(engine: DockerEngine, tarball: Path, tag: str) -> None:
    repository, _, version = tag.partition(":")
    changes = ['CMD ["bash"]', f"ENV PATH={BASE_PATH}", "LABEL sandbox.base=1"]
    try:
        engine.api.import_image(
            src=str(tarball), repository=repository, tag=version or "latest", changes=changes
        )
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise ImageBuildError(f"importing {tag} failed: {exc}", "see the engine's log") from exc


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
# Documentation, manual pages and translations are never read by a program under test;
# licences stay. The manual-page folders themselves stay: some packages' maintainer scripts
# (update-alternatives for Java) link into them.
DPKG_EXCLUDES = """\
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/groff/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
"""
_MAN_SECTIONS = ("man1", "man2", "man3", "man4", "man5", "man6", "man7", "man8")


def write_apt_settings(root: Path) -> None:
    """apt and dpkg settings for image builds, written into the bootstrapped root."""
    target = root / "etc" / "apt" / "apt.conf.d" / "90sandbox-image"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(APT_SETTINGS)
    excludes = root / "etc" / "dpkg" / "dpkg.cfg.d" / "90sandbox-slim"
    excludes.parent.mkdir(parents=True, exist_ok=True)
    excludes.write_text(DPKG_EXCLUDES)


def slim_rootfs(root: Path) -> None:
    """Remove from a bootstrapped root what the dpkg excludes keep out of later installs:
    apt lists and downloaded packages (every Dockerfile runs `apt-get update` itself),
    documentation but licences, manual pages, translations."""
    for folder in ("var/lib/apt/lists", "var/cache/apt/archives"):
        for path in (root / folder).glob("*"):
            if path.is_file():
                path.unlink()
    for path in (root / "var/cache/apt").glob("*.bin"):
        path.unlink()
    for folder in ("usr/share/man", "usr/share/info", "usr/share/groff", "usr/share/lintian"):
        shutil.rmtree(root / folder, ignore_errors=True)
    for section in _MAN_SECTIONS:
        (root / "usr/share/man" / section).mkdir(parents=True, exist_ok=True)
    for path in (root / "usr/share/locale").glob("*"):
        if path.name != "locale.alias":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for package in (root / "usr/share/doc").glob("*"):
        for path in package.glob("*") if package.is_dir() else []:
            if path.name != "copyright":
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def _check_call(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        raise ImageBuildError(
            f"{args[0]} failed: {' | '.join(tail)}", "check the mirror and that you are root"
        )
