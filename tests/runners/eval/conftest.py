"""Fixtures for ``sandbox eval``: configs written as TOML files, a loopback server playing the
candidate model and the judge, and an isolated environment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.runners.generate.model_server import CANDIDATE, JUDGE, ModelTable, plain
from tests.runners.judge.server import A_START, Reply, prefer_marker, rating_judge

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "runners" / "judge" / "fixtures"
ARENA = FIXTURES / "codearena_questions.jsonl"
CODAL = FIXTURES / "codal_questions.jsonl"
SERVED = (CANDIDATE, JUDGE, "old-model")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_API_KEY", "SANDBOX_JUDGE_MODEL", "SANDBOX_JUDGE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SANDBOX_JUDGE_CACHE", str(tmp_path / "judge-cache.sqlite"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def judge_behaviour(payload: dict[str, Any], number: int) -> Reply:
    """The judge: CodeArena prefers the answer saying GOOD; CODAL grades GOOD 8, else 3."""
    text = "".join(str(m["content"]) for m in payload["messages"])
    if A_START in text:
        return prefer_marker("GOOD")(payload, number)
    return rating_judge({"GOOD": 8, "WEAK": 3})(payload, number)


def answering_model(answers: dict[str, Any], good: bool) -> ModelTable:
    """A candidate (or released) model: its answer table, and GOOD or WEAK chat answers to the
    judged protocols' questions."""
    word = "GOOD" if good else "WEAK"
    return ModelTable(
        answers, default=plain(f"{word}: here is how to do it."), judge=judge_behaviour
    )


def toml_value(value: Any) -> str:
    return json.dumps(value, default=str)


def write_config(path: Path, tables: dict[str, Any]) -> Path:
    """A TOML file from nested dicts (a list of dicts is an array of tables)."""
    lines: list[str] = []
    for name, table in tables.items():
        entries = table if isinstance(table, list) else [table]
        for entry in entries:
            lines.append(f"[[{name}]]" if isinstance(table, list) else f"[{name}]")
            lines += [f"{key} = {toml_value(value)}" for key, value in entry.items()]
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def base_config(url: str, output: Path, model: str = CANDIDATE) -> dict[str, Any]:
    return {
        "candidate": {"model": model, "base_url": url, "retry_base_delay": 0.001},
        "judge": {"model": JUDGE, "base_url": url, "retry_base_delay": 0.001},
        "run": {"output": output},
    }
