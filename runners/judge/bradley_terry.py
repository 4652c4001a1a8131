"""Bradley-Terry ratings over pairwise battles, on the Elo scale with one player anchored.

Model: P(i beats j) = 1 / (1 + 10 ** ((R_j - R_i) / 400)). A tie counts as half a win for each
side; a ``>>`` verdict counts as ``strong_weight`` battles (as in the score). The maximum-likelihood
ratings are found by Newton's method with the anchor fixed at 1000; bootstrap resamples of
questions (all battles of a question together) are fitted at once, vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from runners.stats import resample_counts

from .parsing import score_label
from .stats import (
    DEFAULT_RESAMPLES,
    STRONG_WEIGHT,
    FloatArray,
    PairGame,
    game_weight,
    percentile_interval,
)

ANCHOR_ELO = 1000.0
ELO_SCALE = 400.0 / math.log(10.0)  # natural log-odds -> Elo points
MAX_ELO_GAP = 1600.0  # a player who wins (or loses) everything has no finite MLE: clip here
RIDGE = 1e-6  # keeps the Newton system regular; moves hand-checkable ratings by < 0.001 Elo


def _battle_tables(
    battles: Sequence[PairGame], players: list[str], strong_weight: int
) -> tuple[list[tuple[int, int]], FloatArray, FloatArray]:
    """Per question and player pair (i < j): battles fought and (weighted) wins of i."""
    index = {p: k for k, p in enumerate(players)}
    questions = sorted({b.question_id for b in battles})
    q_index = {q: k for k, q in enumerate(questions)}
    pairs = sorted({tuple(sorted((index[b.player_a], index[b.player_b]))) for b in battles})
    p_index = {pair: k for k, pair in enumerate(pairs)}
    fought = np.zeros((len(questions), len(pairs)))
    won = np.zeros((len(questions), len(pairs)))
    for battle in battles:
        i, j = index[battle.player_a], index[battle.player_b]
        points = score_label(battle.label)
        result_a = 1.0 if points > 0 else 0.5 if points == 0 else 0.0
        weight = game_weight(battle.label, strong_weight)
        q, p = q_index[battle.question_id], p_index[(min(i, j), max(i, j))]
        fought[q, p] += weight
        won[q, p] += weight * (result_a if i < j else 1.0 - result_a)
    return [(int(a), int(b)) for a, b in pairs], fought, won


def fit_batched(
    pairs: list[tuple[int, int]],
    fought: FloatArray,
    won: FloatArray,
    n_players: int,
    anchor: int,
) -> FloatArray:
    """Natural-scale strengths (anchor = 0) for each row of ``fought``/``won`` (shape B x P)."""
    n_rows = fought.shape[0]
    incidence = np.zeros((len(pairs), n_players))
    for k, (i, j) in enumerate(pairs):
        incidence[k, i], incidence[k, j] = 1.0, -1.0
    free = [k for k in range(n_players) if k != anchor]
    theta = np.zeros((n_rows, n_players))
    limit = MAX_ELO_GAP / ELO_SCALE
    for _ in range(200):
        diff = theta @ incidence.T
        prob = 1.0 / (1.0 + np.exp(-diff))
        grad = (won - fought * prob) @ incidence - RIDGE * theta
        curvature = fought * prob * (1.0 - prob)
        hessian = np.einsum("pk,bp,pl->bkl", incidence, curvature, incidence)
        hessian += RIDGE * np.eye(n_players)
        h_free = hessian[:, free][:, :, free]
        step = np.linalg.solve(h_free, grad[:, free][:, :, None])[:, :, 0]
        step = np.clip(step, -2.0, 2.0)  # damped: separated data would overshoot
        theta[:, free] = np.clip(theta[:, free] + step, -limit, limit)
        if np.max(np.abs(step)) < 1e-10:
            break
    return theta


def fit_bradley_terry(
    battles: Sequence[PairGame],
    anchor: str,
    *,
    strong_weight: int = STRONG_WEIGHT,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """Elo-scale ratings per player with 95% bootstrap intervals, ``anchor`` fixed at 1000."""
    players = sorted({b.player_a for b in battles} | {b.player_b for b in battles})
    if not battles or anchor not in players:
        return {"anchor": anchor, "n_battles": len(battles), "ratings": {}}
    pairs, fought, won = _battle_tables(battles, players, strong_weight)
    a = players.index(anchor)
    point = fit_batched(pairs, fought.sum(0)[None, :], won.sum(0)[None, :], len(players), a)[0]
    counts = resample_counts(fought.shape[0], n_resamples, seed).astype(np.float64)
    boot = fit_batched(pairs, counts @ fought, counts @ won, len(players), a)
    ratings = {}
    for k, player in enumerate(players):
        lower, upper = percentile_interval(ANCHOR_ELO + ELO_SCALE * boot[:, k])
        ratings[player] = {
            "elo": float(ANCHOR_ELO + ELO_SCALE * point[k]),
            "lower": lower,
            "upper": upper,
            "battles": int(sum(b.player_a == player or b.player_b == player for b in battles)),
        }
    return {
        "anchor": anchor,
        "anchor_elo": ANCHOR_ELO,
        "n_battles": len(battles),
        "strong_weight": strong_weight,
        "ratings": ratings,
    }


def predicted_win_rate(elo: float, against: float = ANCHOR_ELO) -> float:
    """P(win) against a player rated ``against`` (ties as half) under the fitted model."""
    return float(1.0 / (1.0 + 10.0 ** ((against - elo) / 400.0)))


def to_elo(strengths: npt.ArrayLike) -> FloatArray:
    """Natural-scale strengths (anchor 0) -> Elo points (anchor 1000)."""
    return np.asarray(ANCHOR_ELO + ELO_SCALE * np.asarray(strengths, dtype=np.float64))
