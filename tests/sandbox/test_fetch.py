"""Fetched files: downloaded from a real HTTP server on loopback, checked, cached, hashed."""

from __future__ import annotations

import base64
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.errors import FetchError
from sandbox.fetch import digest_of, fetch_files
from sandbox.languages import load_spec

PAYLOAD = b"pretend this is a compiler tarball\n" * 1000


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Handler.hits.append(self.path)
        if self.path != "/tool.tgz":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.hits.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _language(tmp_path: Path, url: str, integrity: str) -> Path:
    folder = tmp_path / "languages" / "tool"
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text("FROM debian:bookworm\n")
    (folder / "language.toml").write_text(
        'id = "tool"\nname = "Tool"\nsource_file = "x"\nrun = "x"\nversion_command = "x"\n'
        f'[[fetch]]\nurl = "{url}"\nintegrity = "{integrity}"\nfile = "files/tool.tgz"\n'
    )
    return folder


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_CACHE_DIR", str(tmp_path / "cache"))


def test_fetch_downloads_checks_and_caches(tmp_path: Path, server: str) -> None:
    folder = _language(tmp_path, f"{server}/tool.tgz", _integrity(PAYLOAD))
    spec = load_spec(folder)
    hash_before = spec.content_hash()
    [path] = fetch_files(spec)
    assert path == folder / "files" / "tool.tgz"
    assert path.read_bytes() == PAYLOAD
    assert digest_of(path) == _integrity(PAYLOAD)
    # the image now differs (the Dockerfile will use the file), so the hash must too
    hash_fetched = spec.content_hash()
    assert hash_fetched != hash_before
    # a second build neither downloads again nor changes the hash
    fetch_files(spec)
    assert _Handler.hits == ["/tool.tgz"]
    # a fresh checkout of the folder agrees on the hash and is served from the cache
    path.unlink()
    assert spec.content_hash() == hash_fetched
    fetch_files(spec)
    assert path.read_bytes() == PAYLOAD and _Handler.hits == ["/tool.tgz"]


def test_a_changed_upstream_file_is_refused(tmp_path: Path, server: str) -> None:
    folder = _language(tmp_path, f"{server}/tool.tgz", _integrity(b"what we reviewed"))
    with pytest.raises(FetchError, match="does not match its integrity"):
        fetch_files(load_spec(folder))
    assert not (folder / "files" / "tool.tgz").exists()
    assert not any((tmp_path / "cache").rglob("*tool*"))


def test_an_unreachable_file_names_the_fix(tmp_path: Path, server: str) -> None:
    folder = _language(tmp_path, f"{server}/missing.tgz", _integrity(PAYLOAD))
    with pytest.raises(FetchError) as caught:
        fetch_files(load_spec(folder))
    assert "404" in str(caught.value) and "files/tool.tgz" in caught.value.fix


def test_an_unwritable_folder_is_a_fetch_error(tmp_path: Path, server: str) -> None:
    folder = _language(tmp_path, f"{server}/tool.tgz", _integrity(PAYLOAD))
    (folder / "files").write_text("a file where the folder should be")
    with pytest.raises(FetchError, match="cannot write"):
        fetch_files(load_spec(folder))
