"""Result directories of two models over every kind of result, written by the real writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from .resultdirs import regenerate_fixtures


@pytest.fixture(scope="session")
def fixtures_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report-fixtures")
    regenerate_fixtures(root)
    return root
