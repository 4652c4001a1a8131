"""Files a language image needs that Debian 12 does not package (e.g. a newer Kotlin).

A language folder lists them in ``language.toml`` as ``[[fetch]]`` tables: the npm package and
version (``npm = "kotlin-compiler@1.9.25"``), the file's integrity (``sha512-<base64>``, as npm
prints it) and where the file goes in the folder. They are fetched on the host before ``docker
build`` with ``npm pack``, so that the user's npm settings (registry mirror, proxy, auth) apply,
checked against the integrity, kept in a cache, and never committed. Without npm, or without a
registry, the Dockerfile falls back to Debian's own (older) toolchain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from sandbox.errors import FetchError
from sandbox.languages import FetchSpec, LanguageSpec

CHUNK = 1 << 20
NPM = "npm"


def digest_of(path: Path) -> str:
    """The file's integrity string, ``sha512-<base64>``."""
    digest = hashlib.sha512()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def fetch_files(spec: LanguageSpec, *, timeout_s: float = 300.0) -> list[Path]:
    """Put every file the language fetches into its folder; return their paths."""
    return [_fetch_one(spec, entry, timeout_s) for entry in spec.fetch]


def _fetch_one(spec: LanguageSpec, entry: FetchSpec, timeout_s: float) -> Path:
    target = spec.directory / entry.file
    if target.is_file() and digest_of(target) == entry.integrity:
        return target
    cached = entry.cached_path()
    if not (cached.is_file() and digest_of(cached) == entry.integrity):
        _npm_pack(entry, cached, timeout_s)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
    except OSError as exc:
        raise FetchError(
            f"cannot write {target} ({exc.strerror})", f"make {target.parent} writable"
        ) from exc
    return target


def _npm_pack(entry: FetchSpec, destination: Path, timeout_s: float) -> None:
    """``npm pack`` the package into a temporary folder, check it, move it into the cache."""
    fix = f"check `npm pack {entry.npm}` works here, or put the file at {entry.file} yourself"
    npm = shutil.which(NPM)
    if npm is None:
        raise FetchError(f"npm is not installed (needed for {entry.npm})", fix)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".npm-pack-") as tmp:
            packed = _run_npm_pack(npm, entry, Path(tmp), timeout_s, fix)
            got = digest_of(packed)
            if got != entry.integrity:
                raise FetchError(
                    f"{entry.npm} does not match its integrity (got {got[:24]}...)",
                    "the package changed upstream: review it and update `integrity` in "
                    "language.toml",
                )
            packed.replace(destination)
    except OSError as exc:
        raise FetchError(f"cannot write to {destination.parent} ({exc.strerror})", fix) from exc


def _run_npm_pack(npm: str, entry: FetchSpec, folder: Path, timeout_s: float, fix: str) -> Path:
    command = [npm, "pack", entry.npm, "--pack-destination", str(folder), "--json"]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, cwd=folder, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise FetchError(f"npm pack {entry.npm} took over {timeout_s:.0f} s", fix) from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FetchError(f"npm pack {entry.npm} failed: {last}", fix)
    try:
        name = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as exc:
        raise FetchError(f"npm pack {entry.npm} printed no file name", fix) from exc
    packed = folder / str(name).replace("/", "-").lstrip("@")
    candidates = [packed, *folder.glob("*.tgz")]
    found = next((path for path in candidates if path.is_file()), None)
    if found is None:
        raise FetchError(f"npm pack {entry.npm} wrote no file", fix)
    return found
