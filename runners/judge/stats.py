"""Statistics of pairwise judgments: win/tie rates, the Arena-Hard-style score, bootstrap
intervals, position consistency and length bias.

Every interval is a seeded percentile bootstrap over *questions* (both games of a question stay
together), drawn by the project's one bootstrap (``runners.stats``), so the same records and seed
always give the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from runners.stats import bootstrap_ratios, percentile_bounds
from sandbox.models import FrozenModel

from .parsing import score_label

DEFAULT_RESAMPLES = 1000
STRONG_WEIGHT = 3  # a ">>" verdict counts as this many games, as Arena-Hard weights it
CONFIDENCE = 0.95

FloatArray = npt.NDArray[np.float64]


class Estimate(FrozenModel):
    """A point estimate with its 95% bootstrap interval (None when there is no data)."""

    value: float | None
    lower: float | None
    upper: float | None
    n: int


class PairGame(FrozenModel):
    """One parsed pairwise game: who sat in position A and B, and the canonical label."""

    question_id: str
    player_a: str
    player_b: str
    label: str
    length_a: int = 0
    length_b: int = 0


def percentile_interval(samples: FloatArray) -> tuple[float | None, float | None]:
    """The central 95% of the finite bootstrap values."""
    return percentile_bounds(samples, CONFIDENCE)


def bootstrap_ratio(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """sum(num)/sum(den) over items, with a bootstrap interval resampling items."""
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    if num.size == 0 or den.sum() <= 0:
        return Estimate(value=None, lower=None, upper=None, n=int(num.size))
    lower, upper = percentile_interval(bootstrap_ratios(num, den, n_resamples, seed))
    return Estimate(value=float(num.sum() / den.sum()), lower=lower, upper=upper, n=int(num.size))


def bootstrap_mean(
    values: Sequence[float], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> Estimate:
    """Mean of ``values`` with a bootstrap interval."""
    return bootstrap_ratio(values, [1.0] * len(values), n_resamples=n_resamples, seed=seed)


def points_for(game: PairGame, player: str) -> int:
    """The game's label as points for ``player`` (+2 much better ... -2 much worse)."""
    points = score_label(game.label)
    return points if player == game.player_a else -points


def game_weight(label: str, strong_weight: int = STRONG_WEIGHT) -> int:
    """How many games a verdict counts as in the score and the Bradley-Terry fit."""
    return strong_weight if ">>" in label else 1


def arena_score(
    games: Iterable[PairGame],
    player: str,
    *,
    strong_weight: int = STRONG_WEIGHT,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """(W + 0.5 T) / N over games for ``player``, a ``>>`` game weighted ``strong_weight``."""
    num: dict[str, float] = defaultdict(float)
    den: dict[str, float] = defaultdict(float)
    for game in games:
        points = points_for(game, player)
        weight = game_weight(game.label, strong_weight)
        num[game.question_id] += weight * (1.0 if points > 0 else 0.5 if points == 0 else 0.0)
        den[game.question_id] += weight
    keys = sorted(den)
    return bootstrap_ratio(
        [num[k] for k in keys], [den[k] for k in keys], n_resamples=n_resamples, seed=seed
    )


def win_tie_rates(
    points_by_question: Mapping[str, int], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> dict[str, Estimate]:
    """CodeArena's per-question verdict: summed points > 0 win, = 0 tie, < 0 loss."""
    keys = sorted(points_by_question)
    totals = [points_by_question[k] for k in keys]
    return {
        "win_rate": bootstrap_mean(
            [float(t > 0) for t in totals], n_resamples=n_resamples, seed=seed
        ),
        "tie_rate": bootstrap_mean(
            [float(t == 0) for t in totals], n_resamples=n_resamples, seed=seed
        ),
        "loss_rate": bootstrap_mean(
            [float(t < 0) for t in totals], n_resamples=n_resamples, seed=seed
        ),
    }


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def measure_position_consistency(games: Iterable[PairGame]) -> dict[str, Any]:
    """How the verdict depends on the order of the answers.

    ``inconsistent_rate``: pairs (same question and players, both orders) whose outcome differs;
    ``flip_rate``: pairs where the same answer wins in one order and loses in the other;
    ``first_position_win_rate``: games won by the answer shown first (ties count as not won).
    """
    games = list(games)
    pairs: dict[tuple[str, str, str], list[PairGame]] = defaultdict(list)
    for game in games:
        low, high = sorted((game.player_a, game.player_b))
        pairs[(game.question_id, low, high)].append(game)
    inconsistent = flips = n_pairs = 0
    for (_, low, _), group in pairs.items():
        orders = {g.player_a: g for g in group}
        if len(group) != 2 or len(orders) != 2:
            continue
        n_pairs += 1
        signs = [int(np.sign(points_for(g, low))) for g in orders.values()]
        inconsistent += signs[0] != signs[1]
        flips += signs[0] * signs[1] == -1
    first_wins = sum(score_label(g.label) > 0 for g in games)
    decisive = sum(score_label(g.label) != 0 for g in games)
    return {
        "n_pairs": n_pairs,
        "inconsistent_rate": _rate(inconsistent, n_pairs),
        "flip_rate": _rate(flips, n_pairs),
        "n_games": len(games),
        "first_position_win_rate": _rate(first_wins, len(games)),
        "first_position_win_rate_decisive": _rate(first_wins, decisive),
    }


def measure_length_bias(games: Iterable[PairGame]) -> dict[str, Any]:
    """Win rate of the longer answer (in characters) over decisive games of unequal lengths."""
    longer_wins = n = 0
    for game in games:
        points = score_label(game.label)
        if points == 0 or game.length_a == game.length_b:
            continue
        n += 1
        longer_wins += (points > 0) == (game.length_a > game.length_b)
    return {"n_decisive_games": n, "longer_wins_rate": _rate(longer_wins, n)}
