"""Fixtures for the generation tests: an isolated cache and environment, the CLI in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from runners.cli.main import app

from .model_server import CANDIDATE

REPO = Path(__file__).resolve().parents[3]
JUDGE_FIXTURES = REPO / "tests" / "runners" / "judge" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No model settings leak in from the shell; caches live in the test's folder."""
    for name in ("OPENAI_API_KEY", "SANDBOX_MODEL_BASE_URL", "SANDBOX_JUDGE_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SANDBOX_GENERATE_CACHE", str(tmp_path / "generate-cache.sqlite"))
    monkeypatch.setenv("SANDBOX_JUDGE_CACHE", str(tmp_path / "judge-cache.sqlite"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


GenerateCli = Callable[..., tuple[Result, dict[str, Any] | None]]


@pytest.fixture
def generate_cli(tmp_path: Path) -> GenerateCli:
    """Run ``sandbox generate`` in-process with fast retries, --json and a per-test output."""

    def run(
        url: str, suite: str, *extra: str, output: Path | None = None, model: str = CANDIDATE
    ) -> tuple[Result, dict[str, Any] | None]:
        args = [
            "generate", "--suite", suite, "--model", model, "--base-url", url,
            "--output", str(output or tmp_path / "out"), "--retry-base-delay", "0.001",
            "--no-progress", "--json", *extra,
        ]  # fmt: skip
        result = CliRunner().invoke(app, args)
        summary = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
        return result, summary

    return run


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
