"""Plain against grounded judgments of the same games: how many verdicts the grounding changed
(``sandbox report`` adds this to a grounded run it reads beside the plain run of the same model,
judge and method)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from runners.records import MetricValue

from .check_metrics import preferred_side
from .metrics import estimate_metric, wilson


def count_changed_verdicts(
    plain: Iterable[Mapping[str, Any]], grounded: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Games with a final result in both runs, and those whose preferred side (A, B or a tie)
    differs; the change in the judged model's favour and against it."""
    before = {
        (str(r["question_id"]), r.get("game")): r for r in plain if r.get("status") != "error"
    }
    compared = changed = towards_model = against_model = 0
    for record in grounded:
        old = before.get((str(record["question_id"]), record.get("game")))
        if old is None or record.get("status") == "error":
            continue
        compared += 1
        was, now = preferred_side(old.get("label")), preferred_side(record.get("label"))
        if was == now:
            continue
        changed += 1
        model_side = record.get("model_position")
        towards_model += now == model_side
        against_model += was == model_side
    return {
        "games_compared": compared,
        "changed": changed,
        "changed_rate": wilson(changed, compared),
        "towards_model": towards_model,
        "against_model": against_model,
    }


def changed_verdict_metrics(
    protocol: str, plain: Iterable[Mapping[str, Any]], grounded: Iterable[Mapping[str, Any]]
) -> dict[str, MetricValue]:
    """``<protocol>.vs_plain.changed_rate``: the share of games whose verdict the grounding
    changed, with its Wilson interval."""
    table = count_changed_verdicts(plain, grounded)
    return estimate_metric(f"{protocol}.vs_plain.changed_rate", table["changed_rate"])
