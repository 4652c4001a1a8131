"""Fixtures for the evalplus suite: the shipped HumanEval+ data and an isolated cache for the
session."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Our ground-truth cache and evalplus's live in a temporary directory for the session."""
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_CACHE_DIR", str(root / "sandbox"))
        patch.setenv("XDG_CACHE_HOME", str(root / "xdg"))
        yield root


@pytest.fixture(scope="session")
def humaneval_gz(data_dir: Path) -> Path:
    return data_dir / "humanevalplus" / "HumanEvalPlus.jsonl.gz"


@pytest.fixture(scope="session")
def humaneval_problems(humaneval_gz: Path) -> dict[str, dict[str, Any]]:
    """All 164 HumanEval+ tasks as raw JSON records, keyed by task id."""
    lines = gzip.decompress(humaneval_gz.read_bytes()).decode().splitlines()
    return {record["task_id"]: record for record in map(json.loads, lines)}
