"""Answer tables for the loopback model: right, wrong and unparsable answers to real tasks of
the shipped datasets, shaped per benchmark."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from .model_server import Answer, chat_code, completion, plain

REPO = Path(__file__).resolve().parents[3]
HUMANEVAL = REPO / "datasets" / "humanevalplus" / "HumanEvalPlus.jsonl.gz"
MCEVAL_PYTHON = REPO / "datasets" / "mceval" / "Python.jsonl.gz"


def records(path: Path, count: int) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(next(handle)) for _ in range(count)]


def marker(problem: dict[str, Any]) -> str:
    """Text found in every prompt form of the task: its function's definition."""
    return f"def {problem['entry_point']}("


def right_program(problem: dict[str, Any]) -> str:
    return str(problem["prompt"] + problem["canonical_solution"])


def wrong_program(problem: dict[str, Any]) -> str:
    return str(problem["prompt"]) + "    return None\n"


def humaneval_chat_table() -> tuple[list[dict[str, Any]], dict[str, Answer]]:
    """HumanEval/0 right, HumanEval/1 wrong, HumanEval/2 unparsable (prose, no code)."""
    tasks = records(HUMANEVAL, 3)
    table = {
        marker(tasks[0]): chat_code(right_program(tasks[0])),
        marker(tasks[1]): chat_code(wrong_program(tasks[1])),
        marker(tasks[2]): plain("I would rather explain the idea than write code."),
    }
    return tasks, table


def humaneval_completion_table() -> tuple[list[dict[str, Any]], dict[str, Answer]]:
    """Continuations: right then a runaway second function (cut at evalplus's stop string)."""
    tasks = records(HUMANEVAL, 2)
    table = {
        marker(tasks[0]): completion(tasks[0]["canonical_solution"] + "\ndef runaway():\n  1\n"),
        marker(tasks[1]): completion("    return []\n"),
    }
    return tasks, table
