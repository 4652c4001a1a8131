"""Fixtures for the suite tests: a throwaway language registry for pure planning tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.languages import load_registry


@pytest.fixture
def fake_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str], Path]]:
    """Point the registry at a temporary languages/ folder; returns ``add(id, toml_body)``."""
    root = tmp_path / "languages"
    root.mkdir()
    monkeypatch.setenv("SANDBOX_LANGUAGES_DIR", str(root))
    load_registry.cache_clear()

    def add(language_id: str, body: str) -> Path:
        folder = root / language_id
        folder.mkdir()
        (folder / "language.toml").write_text(f'id = "{language_id}"\n{body}', encoding="utf-8")
        load_registry.cache_clear()
        return folder

    yield add
    load_registry.cache_clear()


@pytest.fixture
def python_like() -> str:
    """A language.toml body (without id) with McEval and MultiPL-E adapters."""
    return PYTHON_LIKE


PYTHON_LIKE = """
name = "Py"
aliases = ["Python", "py"]
source_file = "main.py"
run = "python3 {source}"
version_command = "python3 --version"

[suites.mceval]
template = "{prompt}{solution}\\n\\n{test}\\n"

[suites.multipl-e]
template = "{prompt}{solution}\\n{test}\\ncheck({entry_point})\\n"
"""
