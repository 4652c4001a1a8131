"""Files a language image needs that Debian 12 does not package (e.g. a newer Kotlin).

A language folder lists them in ``language.toml`` as ``[[fetch]]`` tables: a URL, the file's
integrity (``sha512-<base64>``, as npm prints it) and where the file goes in the folder. They
are downloaded on the host before ``docker build`` (build containers cannot verify the
registry's TLS here), checked against the integrity, kept in a cache, and never committed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import requests

from sandbox.errors import FetchError
from sandbox.languages import FetchSpec, LanguageSpec

CHUNK = 1 << 20


def digest_of(path: Path) -> str:
    """The file's integrity string, ``sha512-<base64>``."""
    digest = hashlib.sha512()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def fetch_files(spec: LanguageSpec, *, timeout_s: float = 120.0) -> list[Path]:
    """Put every file the language fetches into its folder; return their paths."""
    return [_fetch_one(spec, entry, timeout_s) for entry in spec.fetch]


def _fetch_one(spec: LanguageSpec, entry: FetchSpec, timeout_s: float) -> Path:
    target = spec.directory / entry.file
    if target.is_file() and digest_of(target) == entry.integrity:
        return target
    cached = entry.cached_path()
    if not (cached.is_file() and digest_of(cached) == entry.integrity):
        _download(entry, cached, timeout_s)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
    except OSError as exc:
        raise FetchError(
            f"cannot write {target} ({exc.strerror})", f"make {target.parent} writable"
        ) from exc
    return target


def _download(entry: FetchSpec, destination: Path, timeout_s: float) -> None:
    fix = f"check that {entry.url} is reachable, or put the file at {entry.file} yourself"
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    except OSError as exc:
        raise FetchError(f"cannot write to {destination.parent} ({exc.strerror})", fix) from exc
    partial_path = Path(name)
    try:
        with (
            os.fdopen(handle, "wb") as partial,
            requests.get(entry.url, stream=True, timeout=timeout_s) as response,
        ):
            response.raise_for_status()
            for block in response.iter_content(CHUNK):
                partial.write(block)
    except (requests.exceptions.RequestException, OSError) as exc:
        partial_path.unlink(missing_ok=True)
        raise FetchError(f"download of {entry.url} failed: {exc}", fix) from exc
    got = digest_of(partial_path)
    if got != entry.integrity:
        partial_path.unlink(missing_ok=True)
        raise FetchError(
            f"{entry.url} does not match its integrity (got {got[:24]}...)",
            "the upstream file changed: review it and update `integrity` in language.toml",
        )
    partial_path.replace(destination)
