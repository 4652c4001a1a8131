"""Files several language folders use exist once (languages/_shared/), are declared in each
folder's language.toml, reach the build context, and count in the image's content hash."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from sandbox.errors import LanguageSpecError
from sandbox.images import build_context
from sandbox.languages import NOT_IN_IMAGE, SHARED_DIR, load_registry, load_spec

LANGUAGES = Path(__file__).resolve().parents[2] / "languages"


def test_no_file_is_copied_between_language_folders() -> None:
    seen: dict[str, Path] = {}
    copies = []
    for path in sorted(LANGUAGES.rglob("*")):
        relative = path.relative_to(LANGUAGES)
        if not path.is_file() or path.suffix == ".tgz" or len(relative.parts) < 3:
            continue  # fetched toolchains, and a folder's own Dockerfile/spec at its top
        if relative.parts[1] in NOT_IN_IMAGE:
            continue  # smoke programs are per language by nature
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            copies.append(f"{relative} == {seen[digest].relative_to(LANGUAGES)}")
        seen.setdefault(digest, path)
    assert copies == [], "declare the file once in languages/_shared/ (shared = [...])"


def test_every_shared_file_is_used_and_reaches_the_build_context() -> None:
    used: set[str] = set()
    for spec in load_registry().values():
        with tarfile.open(fileobj=io.BytesIO(build_context(spec))) as archive:
            names = archive.getnames()
        for name in spec.shared:
            assert f"files/{name}" in names, (spec.id, name)
            used.add(name)
        assert "language.toml" not in names and not any(n.startswith("smoke/") for n in names)
    assert used == {p.name for p in (LANGUAGES / SHARED_DIR).iterdir()}


def _folder(root: Path, shared: str) -> Path:
    folder = root / "tool"
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text("FROM debian:bookworm\nCOPY files/x.js /x.js\n")
    (folder / "language.toml").write_text(
        'id = "tool"\nname = "Tool"\nsource_file = "x"\nrun = "x"\nversion_command = "x"\n'
        f"shared = [{shared}]\n"
    )
    return folder


def test_a_shared_file_counts_in_the_hash_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / SHARED_DIR).mkdir()
    helper = tmp_path / SHARED_DIR / "x.js"
    helper.write_text("one")
    spec = load_spec(_folder(tmp_path, '"x.js"'))
    before = spec.content_hash()
    helper.write_text("two")
    assert spec.content_hash() != before
    with pytest.raises(LanguageSpecError, match=r"shared files not in languages/_shared/: y\.js"):
        load_spec(_folder(tmp_path / "other", '"y.js"'))
