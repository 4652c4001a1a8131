"""Judge validity against tests, from ``sandbox judge-check`` records: how often the judge prefers
the answer that passes the tests, per grounding (plain, execution), per language, and how many
verdicts the grounding changed.

A pair (one passing and one failing answer to a task) is judged in both orders; a pair counts
when both its games have a final result. Its value is the share of its two games whose verdict
prefers the passing answer (a tie or a game without a verdict does not); ``validity_rate`` is the
mean over pairs, with a percentile bootstrap interval over pairs (the two orders stay together).
A judge that ignores the answers and always names the same position scores exactly 50%.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from runners.records import MetricValue

from ..stats import bootstrap_mean
from .compare import count_changed_verdicts, preferred_side
from .metrics import estimate_metric

PREFIX = "judge-check"


def prefers_passing(label: str | None, passing_position: str) -> bool | None:
    """Whether the verdict prefers the passing answer (None: a tie or no verdict)."""
    side = preferred_side(label)
    return None if side in (None, "=") else side == passing_position


def _pair_values(
    records: Iterable[Mapping[str, Any]],
) -> dict[str, tuple[str, list[float], list[float]]]:
    """pair -> (language, per game: prefers passing, prefers failing), complete pairs only."""
    games: dict[str, dict[int, Mapping[str, Any]]] = defaultdict(dict)
    for record in records:
        if record.get("status") != "error":
            games[str(record["question_id"])][int(record["game"])] = record
    out = {}
    for pair, both in games.items():
        if len(both) != 2:
            continue
        verdicts = [g.get("prefers_passing") for g in both.values()]
        language = str(next(iter(both.values()))["language"])
        out[pair] = (
            language,
            [float(v is True) for v in verdicts],
            [float(v is False) for v in verdicts],
        )
    return out


def _validity(
    values: Mapping[str, tuple[str, list[float], list[float]]], resamples: int, seed: int
) -> dict[str, Any]:
    keys = sorted(values)
    passing = [sum(values[k][1]) / 2 for k in keys]
    failing = [sum(values[k][2]) / 2 for k in keys]
    ties = [1.0 - p - f for p, f in zip(passing, failing, strict=True)]
    kw = {"n_resamples": resamples, "seed": seed}
    return {
        "n": len(keys),
        "validity_rate": bootstrap_mean(passing, **kw).model_dump(),
        "prefers_failing_rate": bootstrap_mean(failing, **kw).model_dump(),
        "tie_rate": bootstrap_mean(ties, **kw).model_dump(),
        "pairs_both_orders_passing": sum(v == 1.0 for v in passing),
    }


def summarize_grounding(
    records: Sequence[Mapping[str, Any]], resamples: int, seed: int
) -> dict[str, Any]:
    """Validity overall and per language for the records of one grounding."""
    values = _pair_values(records)
    languages = sorted({language for language, _, _ in values.values()})
    return {
        **_validity(values, resamples, seed),
        "per_language": {
            language: _validity(
                {k: v for k, v in values.items() if v[0] == language}, resamples, seed
            )
            for language in languages
        },
        "games": len(records),
        "games_error": sum(r.get("status") == "error" for r in records),
        "games_no_verdict": sum(r.get("status") not in ("ok", "error") for r in records),
    }


def count_flips(
    plain: Sequence[Mapping[str, Any]], grounded: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Games judged both ways whose preferred side changed with the grounding, and whether the
    passing answer fared better (``to_passing``) or worse (``to_failing``) for it."""
    table = count_changed_verdicts(plain, grounded, "passing_position")
    return {
        **{k: v for k, v in table.items() if k not in ("towards", "away")},
        "to_passing": table["towards"],
        "to_failing": table["away"],
    }


def check_metrics(tables: Mapping[str, Any]) -> dict[str, MetricValue]:
    """Gate-named metrics: ``judge-check.<grounding>.validity_rate`` (and per language, with
    ``language`` set), ``judge-check.flips.changed_rate``."""
    out: dict[str, MetricValue] = {}
    for grounding, table in tables.get("groundings", {}).items():
        head = f"{PREFIX}.{grounding}"
        out.update(estimate_metric(f"{head}.validity_rate", table["validity_rate"]))
        for language, row in table["per_language"].items():
            name = f"{head}.per_language.{language}.validity_rate"
            out.update(estimate_metric(name, row["validity_rate"], language))
    flips = tables.get("flips")
    if flips:
        out.update(estimate_metric(f"{PREFIX}.flips.changed_rate", flips["changed_rate"]))
    return out
