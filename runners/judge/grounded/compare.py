"""Plain against grounded judgments of the same games: how many verdicts the grounding changed
(``sandbox report`` adds this to a grounded run it reads beside the plain run of the same model,
judge and method)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from runners.records import MetricValue

from ..parsing import score_label
from .metrics import estimate_metric, wilson


def preferred_side(label: str | None) -> str | None:
    """``A``, ``B`` or ``=`` for a verdict label; None without one."""
    if not label:
        return None
    points = score_label(label)
    return "A" if points > 0 else "B" if points < 0 else "="


def count_changed_verdicts(
    plain: Iterable[Mapping[str, Any]], grounded: Iterable[Mapping[str, Any]], favoured: str
) -> dict[str, Any]:
    """Games with a final result in both runs, those whose preferred side (A, B or a tie)
    differs, and how the answer in the position named by each record's ``favoured`` field (the
    judged model's, the passing one's) fared: better (loss to tie or win, tie to win) or worse."""
    before = {
        (str(r["question_id"]), r.get("game")): r for r in plain if r.get("status") != "error"
    }
    compared = changed = towards = away = 0
    for record in grounded:
        old = before.get((str(record["question_id"]), record.get("game")))
        if old is None or record.get("status") == "error":
            continue
        compared += 1
        was, now = preferred_side(old.get("label")), preferred_side(record.get("label"))
        if was == now:
            continue
        changed += 1
        side = record.get(favoured)
        towards += _standing(now, side) > _standing(was, side)
        away += _standing(now, side) < _standing(was, side)
    return {
        "games_compared": compared,
        "changed": changed,
        "changed_rate": wilson(changed, compared),
        "towards": towards,
        "away": away,
    }


def _standing(preferred: str | None, side: Any) -> int:
    """2: the verdict prefers ``side``; 1: a tie or no verdict; 0: it prefers the other."""
    if preferred in (None, "="):
        return 1
    return 2 if preferred == side else 0


def changed_verdict_metrics(
    protocol: str, plain: Iterable[Mapping[str, Any]], grounded: Iterable[Mapping[str, Any]]
) -> dict[str, MetricValue]:
    """``<protocol>.vs_plain.changed_rate``: the share of games whose verdict the grounding
    changed, with its Wilson interval."""
    table = count_changed_verdicts(plain, grounded, "model_position")
    return estimate_metric(f"{protocol}.vs_plain.changed_rate", table["changed_rate"])
