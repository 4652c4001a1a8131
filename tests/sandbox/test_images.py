"""Images: unchanged language folders are not rebuilt; labels carry hash and toolchain."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from sandbox.bases import base_image_id, detect_mirror
from sandbox.engine import DockerEngine
from sandbox.images import LABEL_BASE, LABEL_HASH, LABEL_TOOLCHAIN, build_image, image_status
from sandbox.languages import load_spec, resolve_language, select_languages

pytestmark = pytest.mark.docker


def test_unchanged_image_is_not_rebuilt() -> None:
    engine = DockerEngine()
    spec = resolve_language("python")
    first = build_image(engine, spec)
    assert first.outcome in {"built", "up-to-date"}
    second = build_image(engine, spec)
    assert second.outcome == "up-to-date"
    status = image_status(engine, spec)
    assert status.built and status.up_to_date
    assert status.toolchain and status.toolchain.startswith("Python 3")
    labels = engine.api.inspect_image(spec.image)["Config"]["Labels"]
    assert labels[LABEL_HASH] == spec.content_hash()
    assert labels[LABEL_TOOLCHAIN] == status.toolchain


def test_host_mirror_is_found() -> None:
    mirror = detect_mirror("bookworm")
    assert mirror.startswith(("http://", "https://", "file:/"))


def _build_base_variant(engine: DockerEngine, tag: str, marker: str) -> None:
    dockerfile = f"FROM debian:bookworm\nLABEL sandbox.test-marker={marker}\n"
    stream = engine.api.build(
        fileobj=io.BytesIO(dockerfile.encode()), tag=tag, decode=True, rm=True, forcerm=True
    )
    for chunk in stream:
        assert "error" not in chunk, chunk


def test_a_rebuilt_base_image_makes_language_images_stale(tmp_path: Path) -> None:
    engine = DockerEngine()
    base = "sandbox-test-base:latest"
    folder = tmp_path / "zz-base-change"
    (folder / "smoke").mkdir(parents=True)
    (folder / "Dockerfile").write_text(f"FROM {base}\nRUN true\n")
    (folder / "language.toml").write_text(
        f'id = "zz-base-change"\nname = "Z"\nsource_file = "x.sh"\nrun = "sh x.sh"\n'
        f'version_command = "echo z 1.0"\nbase_image = "{base}"\n'
    )
    spec = load_spec(folder)
    try:
        _build_base_variant(engine, base, "one")
        assert build_image(engine, spec).outcome == "built"
        labels = engine.api.inspect_image(spec.image)["Config"]["Labels"]
        assert labels[LABEL_BASE] == base_image_id(engine, base)
        assert image_status(engine, spec).up_to_date
        _build_base_variant(engine, base, "two")  # as `sandbox images bootstrap --force` would
        assert not image_status(engine, spec).up_to_date
        assert build_image(engine, spec).outcome == "built"
        assert image_status(engine, spec).up_to_date
    finally:
        for image in (spec.image, base):
            engine.api.remove_image(image, force=True)


def test_language_images_keep_no_apt_lists_or_downloaded_packages(executor: Any) -> None:
    """No image keeps apt's lists (49 MB from debootstrap alone), .deb files (Java kept
    155 MB) or package caches: the base is slimmed, and each Dockerfile removes its lists."""
    engine = DockerEngine()
    built = [s for s in select_languages(["all"]) if s.available and image_status(engine, s).built]
    assert built, "no language image is built"
    count = (
        "echo $(find /var/cache/apt/archives -name '*.deb' | wc -l)"
        " $(find /var/lib/apt/lists -type f ! -name lock | wc -l)"
        " $(find /var/cache/apt -maxdepth 1 -name '*.bin' | wc -l)"
    )
    requests = [
        s.make_request("").model_copy(update={"compile": None, "run": count}) for s in built
    ]
    kept = {
        request.language: result.stdout.strip() for request, result in executor.run_many(requests)
    }
    assert kept == {s.id: "0 0 0" for s in built}
