"""Base images: the host's apt mirror from both sources formats (never a hard-coded host), the
Debian releases to bootstrap, and the slimmed root file system."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.bases import (
    _mirrors_from_deb822,
    _mirrors_from_one_line,
    base_release,
    declared_bases,
    detect_mirror,
    slim_rootfs,
    write_apt_settings,
)
from sandbox.errors import ImageBuildError
from sandbox.images import short_version
from sandbox.languages import load_registry

DEB822 = """Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
"""


def test_deb822_sources() -> None:
    assert _mirrors_from_deb822(DEB822, "bookworm") == ["http://mirror.example/debian"]
    assert _mirrors_from_deb822(DEB822, "trixie") == []


def test_one_line_sources() -> None:
    text = "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main\n"
    text += "deb-src http://m.example/debian bookworm main\n"
    assert _mirrors_from_one_line(text, "bookworm") == ["http://m.example/debian"]


@pytest.mark.parametrize(
    ("banner", "version"),
    [
        ("Groovy Version: 4.0.26 JVM: 17.0.19 Vendor: Debian OS: Linux", "4.0.26"),
        ("info: kotlinc-jvm 1.9.25 (JRE 17.0.19+10-1-deb12u2-Debian)", "1.9.25"),
        ("go version go1.19.8 linux/amd64", "1.19.8"),
        ("no digits here at all", "no digits here at all"),
        (None, ""),
    ],
)
def test_short_version_finds_the_number_in_a_banner(banner: str | None, version: str) -> None:
    assert short_version(banner) == version


def test_another_release_uses_the_host_release_mirror(tmp_path: Path) -> None:
    """trixie on a bookworm host: the same archive, another suite (never a hard-coded host)."""
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(DEB822)
    assert detect_mirror("bookworm", tmp_path, host="bookworm") == "http://mirror.example/debian"
    assert detect_mirror("trixie", tmp_path, host="bookworm") == "http://mirror.example/debian"
    (tmp_path / "sources.list").write_text("deb http://other.example/debian trixie main\n")
    assert detect_mirror("trixie", tmp_path, host="bookworm") == "http://other.example/debian"


def test_no_mirror_is_an_error_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ImageBuildError, match="--mirror"):
        detect_mirror("trixie", tmp_path, host="bookworm")


def test_every_declared_debian_release_is_bootstrapped() -> None:
    """Swift declares debian:trixie; bases that need a registry are not Debian releases."""
    declared = declared_bases(spec.base_image for spec in load_registry().values())
    assert declared == ["debian:bookworm", "debian:trixie"]
    assert load_registry()["swift"].base_image == "debian:trixie"
    assert base_release("debian:trixie") == "trixie"
    assert base_release("mcr.microsoft.com/dotnet/sdk:8.0") is None


def test_the_bootstrapped_root_is_slimmed(tmp_path: Path) -> None:
    """apt lists and downloaded packages (80 MB in debootstrap's root), docs but licences,
    manual pages and translations go; the manual-page folders stay (Java's scripts need them)."""
    files = [
        "var/lib/apt/lists/deb.example_Packages",
        "var/cache/apt/archives/gcc.deb",
        "var/cache/apt/pkgcache.bin",
        "usr/share/doc/gcc/changelog.gz",
        "usr/share/doc/gcc/copyright",
        "usr/share/man/man1/gcc.1.gz",
        "usr/share/locale/de/LC_MESSAGES/gcc.mo",
        "usr/share/locale/locale.alias",
        "usr/bin/gcc",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "var/lib/apt/lists/partial").mkdir()
    write_apt_settings(tmp_path)
    slim_rootfs(tmp_path)
    kept = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert kept == [
        "etc/apt/apt.conf.d/90sandbox-image",
        "etc/dpkg/dpkg.cfg.d/90sandbox-slim",
        "usr/bin/gcc",
        "usr/share/doc/gcc/copyright",
        "usr/share/locale/locale.alias",
    ]
    assert (tmp_path / "usr/share/man/man1").is_dir()
    assert (tmp_path / "var/lib/apt/lists/partial").is_dir()
    assert (
        "path-exclude=/usr/share/doc/*"
        in (tmp_path / "etc/dpkg/dpkg.cfg.d/90sandbox-slim").read_text()
    )
