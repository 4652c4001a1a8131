"""Reading the host's apt mirror from both sources formats (never a hard-coded host)."""

from __future__ import annotations

import pytest

from sandbox.bases import _mirrors_from_deb822, _mirrors_from_one_line
from sandbox.images import short_version

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
