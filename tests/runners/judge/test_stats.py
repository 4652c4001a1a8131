"""Statistics: hand-computed win/tie rates, score, position consistency, length bias,
Bradley-Terry ratings, and properties of the seeded bootstrap."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runners.judge.bradley_terry import fit_bradley_terry, predicted_win_rate
from runners.judge.codal import summarize_gradings
from runners.judge.codearena import summarize_games
from runners.judge.methods import NoVerdictRule
from runners.judge.parsing import VERDICT_LABELS
from runners.judge.stats import (
    PairGame,
    arena_score,
    bootstrap_mean,
    bootstrap_ratio,
    measure_length_bias,
    measure_position_consistency,
    win_tie_rates,
)


def game(q: str, a: str, b: str, label: str, la: int = 0, lb: int = 0) -> PairGame:
    return PairGame(question_id=q, player_a=a, player_b=b, label=label, length_a=la, length_b=lb)


def battles(a: str, b: str, wins: int, losses: int, ties: int = 0, tag: str = "") -> list[PairGame]:
    """``wins`` + ``losses`` + ``ties`` one-game questions between a and b."""
    out = [game(f"{tag}{a}{b}w{i}", a, b, "A>B") for i in range(wins)]
    out += [game(f"{tag}{a}{b}l{i}", a, b, "B>A") for i in range(losses)]
    out += [game(f"{tag}{a}{b}t{i}", a, b, "A=B") for i in range(ties)]
    return out


def elo(odds: float) -> float:
    return 1000 + 400 * math.log10(odds)


def test_win_tie_rates_by_hand() -> None:
    rates = win_tie_rates({"q1": 3, "q2": 0, "q3": -1, "q4": 2}, n_resamples=1000, seed=1)
    assert (rates["win_rate"].value, rates["tie_rate"].value, rates["loss_rate"].value) == (
        0.5,
        0.25,
        0.25,
    )


def test_arena_score_weights_strong_verdicts_three_times() -> None:
    games = [
        game("q1", "base", "m", "B>>A"),  # model wins, weight 3
        game("q1", "m", "base", "A>B"),  # model wins, weight 1
        game("q2", "base", "m", "A>B"),  # model loses, weight 1
        game("q2", "m", "base", "A=B"),  # tie, weight 1
    ]
    score = arena_score(games, "m", n_resamples=1000, seed=0)
    assert score.value == pytest.approx((3 + 1 + 0 + 0.5) / 6)
    assert score.value is not None and score.lower is not None and score.upper is not None
    assert score.lower <= score.value <= score.upper


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    values = [0.1, 0.9, 0.8, 0.2, 0.7, 1.0, 0.95, 0.05, 0.6, 0.7]
    first = bootstrap_mean(values, n_resamples=1000, seed=7)
    again = bootstrap_mean(values, n_resamples=1000, seed=7)
    other = bootstrap_mean(values, n_resamples=1000, seed=8)
    assert first == again
    assert first != other
    assert first.value == pytest.approx(0.6)
    assert first.value is not None and first.lower is not None and first.upper is not None
    assert first.lower < first.value < first.upper


def test_bootstrap_of_nothing_is_none() -> None:
    empty = bootstrap_ratio([], [])
    assert (empty.value, empty.lower, empty.upper, empty.n) == (None, None, None, 0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=10), min_size=1, max_size=40), st.integers(0, 99))
def test_bootstrap_interval_lies_within_the_data_range(values: list[float], seed: int) -> None:
    estimate = bootstrap_mean(values, n_resamples=200, seed=seed)
    assert estimate.lower is not None and estimate.upper is not None
    assert min(values) - 1e-9 <= estimate.lower <= estimate.upper <= max(values) + 1e-9


def test_position_consistency_by_hand() -> None:
    games = [
        game("q1", "b", "m", "A>B"),  # first wins
        game("q1", "m", "b", "A>B"),  # first wins: a flip (m loses, then wins)
        game("q2", "b", "m", "B>A"),  # m wins
        game("q2", "m", "b", "A>>B"),  # m wins: consistent
        game("q3", "b", "m", "A=B"),  # tie
        game("q3", "m", "b", "A>B"),  # m wins: inconsistent, not a flip
        game("q4", "b", "m", "A>B"),  # unpaired (its other game was unparsable)
    ]
    result = measure_position_consistency(games)
    assert result["n_pairs"] == 3
    assert result["flip_rate"] == pytest.approx(1 / 3)
    assert result["inconsistent_rate"] == pytest.approx(2 / 3)
    assert result["first_position_win_rate"] == pytest.approx(5 / 7)
    assert result["first_position_win_rate_decisive"] == pytest.approx(5 / 6)


def test_length_bias_by_hand() -> None:
    games = [
        game("q1", "x", "y", "A>B", 100, 10),  # longer wins
        game("q2", "x", "y", "B>A", 100, 10),  # shorter wins
        game("q3", "x", "y", "B>>A", 5, 50),  # longer wins
        game("q4", "x", "y", "A=B", 5, 50),  # tie: not counted
        game("q5", "x", "y", "A>B", 7, 7),  # equal lengths: not counted
    ]
    assert measure_length_bias(games) == {"n_decisive_games": 3, "longer_wins_rate": 2 / 3}


def test_bradley_terry_two_players_by_hand() -> None:
    # 3 wins, 1 loss: p = 3/4, odds 3 -> R = 1000 + 400 log10(3) = 1190.85
    result = fit_bradley_terry(battles("m", "base", 3, 1), "base", n_resamples=1000, seed=0)
    ratings = result["ratings"]
    assert ratings["base"]["elo"] == 1000.0
    assert ratings["m"]["elo"] == pytest.approx(elo(3), abs=0.01)
    assert ratings["m"]["lower"] < ratings["m"]["elo"] < ratings["m"]["upper"]


def test_bradley_terry_ties_count_half() -> None:
    # 2 wins, 0 losses, 2 ties: 3 of 4 points -> odds 3, same as above
    result = fit_bradley_terry(battles("m", "base", 2, 0, ties=2), "base", n_resamples=1000)
    assert result["ratings"]["m"]["elo"] == pytest.approx(elo(3), abs=0.01)


def test_bradley_terry_three_players_by_hand() -> None:
    # Strengths 4 : 2 : 1 reproduced exactly by the battle counts: X-Y 2:1, Y-Z 2:1, X-Z 4:1.
    games = battles("X", "Y", 2, 1) + battles("Y", "Z", 2, 1) + battles("X", "Z", 4, 1)
    ratings = fit_bradley_terry(games, "Z", n_resamples=1000)["ratings"]
    assert ratings["X"]["elo"] == pytest.approx(elo(4), abs=0.01)
    assert ratings["Y"]["elo"] == pytest.approx(elo(2), abs=0.01)
    assert ratings["Z"]["elo"] == 1000.0
    # anchored elsewhere, only the offset moves
    anchored_y = fit_bradley_terry(games, "Y", n_resamples=1000)["ratings"]
    assert anchored_y["X"]["elo"] - anchored_y["Z"]["elo"] == pytest.approx(elo(4) - 1000, abs=0.01)


def test_bradley_terry_strong_verdicts_weigh_three() -> None:
    games = [game("q1", "m", "b", "A>>B"), game("q2", "m", "b", "B>A")]  # 3 wins : 1 loss
    ratings = fit_bradley_terry(games, "b", n_resamples=1000)["ratings"]
    assert ratings["m"]["elo"] == pytest.approx(elo(3), abs=0.01)
    assert predicted_win_rate(ratings["m"]["elo"]) == pytest.approx(0.75, abs=1e-5)


def test_bradley_terry_unbeaten_player_is_clipped_not_infinite() -> None:
    ratings = fit_bradley_terry(battles("m", "b", 3, 0), "b", n_resamples=1000)["ratings"]
    assert ratings["m"]["elo"] == pytest.approx(2600.0)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(VERDICT_LABELS), min_size=1, max_size=12))
def test_bradley_terry_is_antisymmetric_in_the_anchor(labels: list[str]) -> None:
    games = [game(f"q{i}", "m", "b", label) for i, label in enumerate(labels)]
    from_b = fit_bradley_terry(games, "b", n_resamples=1)["ratings"]["m"]["elo"]
    from_m = fit_bradley_terry(games, "m", n_resamples=1)["ratings"]["b"]["elo"]
    assert from_b - 1000 == pytest.approx(1000 - from_m, abs=1e-6)


def test_summarize_games_counts_incomplete_questions_apart() -> None:
    def rec(key: str, q: str, a: str, b: str, status: str, label: str | None) -> dict[str, Any]:
        return {"key": key, "question_id": q, "player_a": a, "player_b": b, "status": status,
                "label": label}  # fmt: skip

    records = [
        rec("1", "q1", "b", "m", "ok", "B>A"),
        rec("2", "q1", "m", "b", "ok", "A>B"),
        rec("3", "q2", "b", "m", "ok", "A>B"),
        rec("4", "q2", "m", "b", "unparsable", None),
    ]
    metrics = summarize_games(records, [], "m", "b", n_resamples=1000, seed=0)
    assert metrics["win_rate"]["value"] == 1.0 and metrics["n"] == 1  # q2 is not a loss or a tie
    assert metrics["counts"]["questions_incomplete"] == 1
    assert metrics["counts"]["games_unparsable"] == 1
    assert metrics["score_arena"]["value"] == pytest.approx(2 / 3)  # q2's parsed game counts
    assert metrics["score_paper"]["value"] == 1.0  # q2 is incomplete, q1 a win


def test_codal_both_na_conventions_by_hand() -> None:
    def rec(q: str, pref: str, status: str, rating: float | None) -> dict[str, object]:
        return {"key": q, "question_id": q, "preference": pref, "status": status, "rating": rating}

    records = [
        rec("1", "style", "ok", 8),
        rec("2", "style", "na", None),
        rec("3", "readability", "ok", 6),
        rec("4", "readability", "ok", 4),
        rec("5", "readability", "error", None),
    ]
    metrics = summarize_gradings(records, n_resamples=1000, seed=0)
    style, readability = (
        metrics["per_preference"]["style"],
        metrics["per_preference"]["readability"],
    )
    assert (style["mean_na_as_zero"], style["mean_na_excluded"], style["na_rate"]) == (
        4.0,
        8.0,
        0.5,
    )
    assert (readability["mean_na_as_zero"], readability["n_error"]) == (5.0, 1)
    assert metrics["overall"]["na_as_zero"]["value"] == pytest.approx((4.0 + 5.0) / 2)
    assert metrics["overall"]["na_excluded"]["value"] == pytest.approx((8.0 + 5.0) / 2)
    assert metrics["na_rate"] == pytest.approx(1 / 4)
    assert metrics["counts"] == {"graded": 4, "na": 1, "errors": 1, "followups": 0}


def _arena_records(table: list[tuple[str, int, str, str]]) -> list[dict[str, Any]]:
    """Records of (question, game, status, label) games; game 1 shows the baseline as A."""
    records = []
    for question, number, status, label in table:
        a, b = ("b", "m") if number == 1 else ("m", "b")
        records.append(
            {"key": f"{question}|{number}", "question_id": question, "game": number,
             "player_a": a, "player_b": b, "status": status, "label": label or None}
        )  # fmt: skip
    return records


# q1 win (+2 +1), q2 loss (-1 +0), q3 tie, q4 tie (+1 -1), q5: game 1 without a verdict, game 2 +1.
KNOWN_GAMES = [
    ("q1", 1, "ok", "B>>A"),
    ("q1", 2, "ok", "A>B"),
    ("q2", 1, "ok", "A>B"),
    ("q2", 2, "ok", "A=B"),
    ("q3", 1, "ok", "A=B"),
    ("q3", 2, "ok", "A=B"),
    ("q4", 1, "ok", "B>A"),
    ("q4", 2, "ok", "B>A"),
    ("q5", 1, "no_verdict", ""),
    ("q5", 2, "ok", "A>B"),
]


def test_both_scores_on_a_known_table_of_games() -> None:
    records = _arena_records(KNOWN_GAMES)
    paper = summarize_games(
        records, [], "m", "b", n_resamples=1000, seed=0, no_verdict=NoVerdictRule.ZERO_POINTS
    )
    # paper: q5 counts with 0 + 1 points, a win: W=2, T=2, L=1 over N=5
    assert (paper["n"], paper["win_rate"]["value"], paper["tie_rate"]["value"]) == (5, 0.4, 0.4)
    assert paper["score_paper"]["value"] == pytest.approx((2 * 2 + 2) / (2 * 5))
    # Arena-Hard: every game with a verdict, from the model's side, ">>" weighted 3:
    # q1 3x1 + 1, q2 0 + 0.5, q3 0.5 + 0.5, q4 1 + 0, q5 1 -> 7.5 over weight 11
    assert paper["score_arena"]["value"] == pytest.approx(7.5 / 11)
    robust = summarize_games(records, [], "m", "b", n_resamples=1000, seed=0)
    # robust: q5 is incomplete: W=1, T=2, L=1 over N=4; score_arena is the same
    assert (robust["n"], robust["win_rate"]["value"], robust["tie_rate"]["value"]) == (4, 0.25, 0.5)
    assert robust["score_paper"]["value"] == pytest.approx((2 * 1 + 2) / (2 * 4))
    assert robust["score_arena"]["value"] == paper["score_arena"]["value"]
    assert robust["counts"]["questions_incomplete"] == 1
    for metrics in (paper, robust):  # score_paper is win + tie / 2, with the same interval draws
        assert metrics["score_paper"]["value"] == pytest.approx(
            metrics["win_rate"]["value"] + metrics["tie_rate"]["value"] / 2
        )
