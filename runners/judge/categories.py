"""CodeArena's categories: a question's task type mapped to a (main, sub) category through the
table the released scoring uses (``data/codearena_task_levels.json``, with its source)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

UNMAPPED = "unmapped"


@cache
def load_task_levels() -> dict[str, tuple[str, str]]:
    """Task type (lower-cased, ``-`` read as a space) -> (main category, sub category)."""
    text = resources.files("runners.judge").joinpath("data/codearena_task_levels.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return {task: (pair[0], pair[1]) for task, pair in data["levels"].items()}


@cache
def levels_source() -> dict[str, str]:
    """Where the table comes from (repository, path, commit, licence, changes)."""
    text = resources.files("runners.judge").joinpath("data/codearena_task_levels.json").read_text()
    source: dict[str, str] = json.loads(text)["source"]
    return source


def category_levels(task_type: str) -> tuple[str, str]:
    """(main, sub) category of a task type; (``unmapped``, ``unmapped``) for one the table lacks
    (the released scoring stops with a KeyError there)."""
    key = " ".join(task_type.replace("-", " ").lower().split())
    return load_task_levels().get(key, (UNMAPPED, UNMAPPED))
