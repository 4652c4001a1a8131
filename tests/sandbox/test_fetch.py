"""Fetched files: packed by a real ``npm`` process (a stand-in on PATH that serves a local
tarball, so the test needs no registry), checked, cached, hashed."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import sys
from pathlib import Path

import pytest

from sandbox.errors import FetchError
from sandbox.fetch import digest_of, fetch_files
from sandbox.languages import load_spec

PAYLOAD = b"pretend this is a compiler tarball\n" * 1000
FAKE_NPM = """#!{python}
import json, pathlib, sys
args = sys.argv[1:]
log = pathlib.Path({log!r})
log.write_text(log.read_text() + " ".join(args) + "\\n" if log.exists() else " ".join(args) + "\\n")
spec, dest = args[1], pathlib.Path(args[args.index("--pack-destination") + 1])
if not spec.startswith("tool@"):
    sys.stderr.write("npm error 404 Not Found - GET .../" + spec + "\\n")
    sys.exit(1)
name = spec.replace("@", "-") + ".tgz"
(dest / name).write_bytes(pathlib.Path({payload!r}).read_bytes())
print(json.dumps([{{"id": spec, "filename": name}}]))
"""


@pytest.fixture()
def npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``npm`` on PATH that packs PAYLOAD for ``tool@*``; returns its call log."""
    bin_dir, log, payload = tmp_path / "bin", tmp_path / "npm.log", tmp_path / "payload.tgz"
    bin_dir.mkdir()
    payload.write_bytes(PAYLOAD)
    script = bin_dir / "npm"
    script.write_text(FAKE_NPM.format(python=sys.executable, log=str(log), payload=str(payload)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def _calls(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _language(tmp_path: Path, package: str, integrity: str) -> Path:
    folder = tmp_path / "languages" / "tool"
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text("FROM debian:bookworm\n")
    (folder / "language.toml").write_text(
        'id = "tool"\nname = "Tool"\nsource_file = "x"\nrun = "x"\nversion_command = "x"\n'
        f'[[fetch]]\nnpm = "{package}"\nintegrity = "{integrity}"\nfile = "files/tool.tgz"\n'
    )
    return folder


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_CACHE_DIR", str(tmp_path / "cache"))


def test_fetch_packs_checks_and_caches(tmp_path: Path, npm: Path) -> None:
    folder = _language(tmp_path, "tool@1.0.0", _integrity(PAYLOAD))
    spec = load_spec(folder)
    hash_before = spec.content_hash()
    [path] = fetch_files(spec)
    assert path == folder / "files" / "tool.tgz"
    assert path.read_bytes() == PAYLOAD
    assert digest_of(path) == _integrity(PAYLOAD)
    assert "pack tool@1.0.0 --pack-destination" in npm.read_text()
    # the image now differs (the Dockerfile will use the file), so the hash must too
    hash_fetched = spec.content_hash()
    assert hash_fetched != hash_before
    # a second build neither packs again nor changes the hash
    fetch_files(spec)
    assert _calls(npm) == 1
    # a fresh checkout of the folder agrees on the hash and is served from the cache
    path.unlink()
    assert spec.content_hash() == hash_fetched
    fetch_files(spec)
    assert path.read_bytes() == PAYLOAD and _calls(npm) == 1


def test_a_changed_upstream_package_is_refused(tmp_path: Path, npm: Path) -> None:
    folder = _language(tmp_path, "tool@1.0.0", _integrity(b"what we reviewed"))
    with pytest.raises(FetchError, match="does not match its integrity"):
        fetch_files(load_spec(folder))
    assert not (folder / "files" / "tool.tgz").exists()
    assert not any((tmp_path / "cache").rglob("*tool*"))


def test_an_unknown_package_names_the_fix(tmp_path: Path, npm: Path) -> None:
    folder = _language(tmp_path, "missing@1.0.0", _integrity(PAYLOAD))
    with pytest.raises(FetchError) as caught:
        fetch_files(load_spec(folder))
    assert "404" in str(caught.value) and "files/tool.tgz" in caught.value.fix


def test_without_npm_the_error_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    folder = _language(tmp_path, "tool@1.0.0", _integrity(PAYLOAD))
    with pytest.raises(FetchError, match="npm is not installed"):
        fetch_files(load_spec(folder))


def test_an_unwritable_folder_is_a_fetch_error(tmp_path: Path, npm: Path) -> None:
    folder = _language(tmp_path, "tool@1.0.0", _integrity(PAYLOAD))
    (folder / "files").write_text("a file where the folder should be")
    with pytest.raises(FetchError, match="cannot write"):
        fetch_files(load_spec(folder))


def test_no_registry_url_in_any_language_folder() -> None:
    root = Path(__file__).resolve().parents[2] / "languages"
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in {".toml", ""}:
            text = path.read_text(errors="replace")
            assert "registry.npmjs.org" not in text and "url =" not in text, path
