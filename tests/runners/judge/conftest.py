"""Fixtures for the judge tests: fixture files, a loopback OpenAI-protocol server, the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from runners.cli.main import app

FIXTURES = Path(__file__).parent / "fixtures"
ARENA_QUESTIONS = FIXTURES / "codearena_questions.jsonl"
ARENA_ANSWERS = FIXTURES / "codearena_answers.jsonl"
CODAL_QUESTIONS = FIXTURES / "codal_questions.jsonl"
CODAL_ANSWERS = FIXTURES / "codal_answers.jsonl"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No judge settings leak in from the developer's shell; the hub stays offline."""
    for name in ("SANDBOX_JUDGE_MODEL", "SANDBOX_JUDGE_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SANDBOX_JUDGE_CACHE", str(tmp_path / "default-cache.sqlite"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


CliRun = Callable[..., tuple[Result, dict[str, Any] | None]]


@pytest.fixture
def judge_cli(tmp_path: Path) -> CliRun:
    """Run ``sandbox judge`` in-process with fast retries, a per-test cache and --json."""

    def run(
        url: str,
        protocol: str = "codearena",
        *extra: str,
        output: Path | None = None,
        answers: Path | None = None,
        questions: Path | None = None,
        model: str = "coder-x",
    ) -> tuple[Result, dict[str, Any] | None]:
        if answers is None:
            answers = ARENA_ANSWERS if protocol == "codearena" else CODAL_ANSWERS
        if questions is None:
            questions = ARENA_QUESTIONS if protocol == "codearena" else CODAL_QUESTIONS
        args = [
            "judge",
            "--protocol",
            protocol,
            "--questions",
            str(questions),
            "--answers",
            str(answers),
            "--model",
            model,
            "--base-url",
            url,
            "--cache",
            str(tmp_path / "cache.sqlite"),
            "--output",
            str(output or tmp_path / "out"),
            "--retry-base-delay",
            "0.001",
            "--no-progress",
            "--json",
            *extra,
        ]
        result = CliRunner().invoke(app, args)
        summary = None
        if result.stdout.strip().startswith("{"):
            stored = json.loads(result.stdout)
            assert stored["schema_version"] == 2 and stored["kind"] == "judge"
            summary = {  # the judge's own tables, with the contract's fields beside them
                **stored["details"],
                "kind": stored["kind"],
                "protocol": stored["name"],
                "model": stored["model"],
                "complete": stored["complete"],
                "provenance": stored["provenance"],
                "gate_metrics": stored["metrics"],
            }
        return result, summary

    return run


def read_records(directory: Path) -> list[dict[str, Any]]:
    lines = (directory / "results.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]
