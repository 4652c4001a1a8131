"""Per-question values of judge metrics, scored exactly as the judge's summary scores them.

CodeArena: both games of a question are summed into one verdict per question (win, tie, loss),
using the judge's own parsing of the labels and its method's rule for games without a verdict;
``score_paper`` per question is 1 / 0.5 / 0 for a win / tie / loss, ``score_arena`` (``score`` in
summaries written before the two scores had distinct names) the weighted share of games won.
CODAL: each question is graded on one preference; N/A counts as 0 for ``score``/``na_as_zero``
metrics and is left out for ``na_excluded`` ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from runners.judge.arena_metrics import paper_outcome, question_points
from runners.judge.codearena import METHODS, games_from_records
from runners.judge.methods import MethodName
from runners.judge.stats import game_weight, points_for

RATE_OUTCOMES = {"win_rate": 1, "tie_rate": 0, "loss_rate": -1}
ARENA_SCORES = frozenset({"score_arena", "score"})  # "score": the Arena-Hard one, older runs


def codearena_values(
    records: Sequence[Mapping[str, Any]], model: str, parts: list[str]
) -> tuple[dict[str, list[float]], bool] | None:
    """``({question: [value]}, binary)`` for ``win_rate``/``tie_rate``/``loss_rate``/``score``.

    ``per_language.<lang>.<metric>`` and the like are not split here: they return None.
    """
    if len(parts) != 1 or parts[0] not in {*RATE_OUTCOMES, *ARENA_SCORES, "score_paper"}:
        return None
    if parts[0] in ARENA_SCORES:
        won: dict[str, float] = defaultdict(float)
        weight: dict[str, float] = defaultdict(float)
        for game in games_from_records(records):
            p, w = points_for(game, model), game_weight(game.label)
            won[game.question_id] += w * (1.0 if p > 0 else 0.5 if p == 0 else 0.0)
            weight[game.question_id] += w
        return {q: [won[q] / weight[q]] for q in sorted(weight) if weight[q] > 0}, False
    method = MethodName(str(records[0].get("method", "robust"))) if records else MethodName.ROBUST
    points = question_points(records, model, METHODS[method].no_verdict)
    if parts[0] == "score_paper":
        return {q: [paper_outcome(p)] for q, p in sorted(points.items())}, False
    wanted = RATE_OUTCOMES[parts[0]]
    return {q: [float(_sign(p) == wanted)] for q, p in sorted(points.items())}, True


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def codal_values(
    records: Sequence[Mapping[str, Any]], parts: list[str]
) -> tuple[dict[str, list[float]], bool] | None:
    """``({question: [rating]}, False)`` for ``score``, ``overall.*`` and ``per_preference.*``."""
    preference: str | None = None
    if parts == ["score"] or parts == ["overall", "na_as_zero"]:
        na_as_zero = True
    elif parts == ["overall", "na_excluded"]:
        na_as_zero = False
    elif len(parts) == 3 and parts[0] == "per_preference" and parts[2].startswith("mean_na_"):
        preference, na_as_zero = parts[1], parts[2] == "mean_na_as_zero"
    else:
        return None
    values: dict[str, list[float]] = defaultdict(list)
    for record in records:
        if preference is not None and record.get("preference") != preference:
            continue
        status = record.get("status")
        if status == "ok" and isinstance(record.get("rating"), int | float):
            values[str(record["question_id"])].append(float(record["rating"]))
        elif status == "na" and na_as_zero:
            values[str(record["question_id"])].append(0.0)
    return dict(values), False
