"""Paired statistics against published tables with known p-values and intervals."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runners.stats import (
    McNemarMethod,
    compute_mean_interval,
    compute_wilson_interval,
    mcnemar_asymptotic_p,
    mcnemar_exact_p,
    mcnemar_mid_p,
    run_mcnemar,
    run_paired_bootstrap,
)


def test_mcnemar_fagerland_2013_example() -> None:
    # Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, Table 1 (Bentur et al.):
    # discordant cells 1 and 7. Published: exact conditional 0.070, mid-p 0.039,
    # asymptotic McNemar 0.034.
    assert mcnemar_exact_p(1, 7) == pytest.approx(0.0703125, abs=1e-12)  # 18/256
    assert mcnemar_mid_p(1, 7) == pytest.approx(0.0390625, abs=1e-12)  # 10/256
    assert mcnemar_asymptotic_p(1, 7) == pytest.approx(0.0339, abs=5e-5)


def test_mcnemar_agresti_presidential_approval_matches_r() -> None:
    # Agresti (1990) p. 350, the example of R's mcnemar.test: cells 794, 150, 86, 570.
    # R prints McNemar's chi-squared = 16.818 (continuity corrected), p-value = 4.115e-05.
    assert mcnemar_asymptotic_p(150, 86, continuity=True) == pytest.approx(4.115e-05, rel=1e-3)
    # Without correction chi-squared = 64^2 / 236 = 17.356 (Agresti's z = 4.17).
    assert mcnemar_asymptotic_p(150, 86) == pytest.approx(
        math.erfc(math.sqrt(17.3559 / 2)), rel=1e-4
    )


@pytest.mark.parametrize(
    ("b", "c", "expected"),
    [
        (0, 5, 0.0625),  # 2 / 32
        (0, 10, 2 / 1024),
        (2, 8, 112 / 1024),  # 2 * (1 + 10 + 45) / 1024
        (3, 3, 1.0),
        (0, 0, 1.0),
    ],
)
def test_mcnemar_exact_small_tables_by_hand(b: int, c: int, expected: float) -> None:
    assert mcnemar_exact_p(b, c) == pytest.approx(expected, abs=1e-15)
    assert mcnemar_exact_p(c, b) == pytest.approx(expected, abs=1e-15)


def test_mcnemar_exact_agrees_with_scipy_binomtest_large_n() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    for b, c in [(59, 121), (400, 470), (3000, 3150), (6000, 6300)]:
        expected = scipy_stats.binomtest(b, b + c).pvalue
        assert mcnemar_exact_p(b, c) == pytest.approx(expected, rel=1e-7)


def test_run_mcnemar_counts_discordant_pairs() -> None:
    baseline = [True, True, True, False, False, True, True, True]
    candidate = [True, False, False, False, True, False, False, False]
    result = run_mcnemar(baseline, candidate, McNemarMethod.EXACT)
    assert (result.only_baseline, result.only_candidate) == (5, 1)
    assert result.p_value == pytest.approx(2 * 7 / 64)
    with pytest.raises(ValueError, match="length"):
        run_mcnemar([True], [True, False])


@given(st.integers(0, 300), st.integers(0, 300))
def test_mcnemar_properties(b: int, c: int) -> None:
    exact, mid = mcnemar_exact_p(b, c), mcnemar_mid_p(b, c)
    assert 0.0 <= mid <= exact <= 1.0
    assert exact == mcnemar_exact_p(c, b)
    assert mid == pytest.approx(mcnemar_mid_p(c, b), abs=1e-15)


def test_mcnemar_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        mcnemar_exact_p(-1, 3)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:857, Table I, method 3 (Wilson score, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_newcombe_table(successes: int, n: int, low: float, high: float) -> None:
    result = compute_wilson_interval(successes, n)
    assert result.low == pytest.approx(low, abs=6e-5)
    assert result.high == pytest.approx(high, abs=6e-5)
    assert result.estimate == successes / n


def test_wilson_interval_edges_are_exact() -> None:
    assert compute_wilson_interval(0, 20).low == 0.0
    assert compute_wilson_interval(20, 20).high == 1.0


def test_paired_bootstrap_is_seeded_and_reproducible() -> None:
    baseline = [0.2 * (i % 5) for i in range(60)]
    candidate = [max(0.0, b - 0.1 * (i % 3)) for i, b in enumerate(baseline)]
    one = run_paired_bootstrap(baseline, candidate, seed=7, resamples=2000)
    two = run_paired_bootstrap(baseline, candidate, seed=7, resamples=2000)
    other = run_paired_bootstrap(baseline, candidate, seed=8, resamples=2000)
    assert one == two
    assert one.low != other.low or one.high != other.high


def test_paired_bootstrap_identical_runs_show_no_change() -> None:
    scores = [float(i % 4) for i in range(40)]
    result = run_paired_bootstrap(scores, scores, resamples=500)
    assert (result.mean_difference, result.low, result.high, result.p_value) == (0, 0, 0, 1.0)


def test_paired_bootstrap_detects_a_clear_drop() -> None:
    baseline = [1.0] * 50 + [0.0] * 50
    candidate = [0.0] * 30 + [1.0] * 20 + [0.0] * 50
    result = run_paired_bootstrap(baseline, candidate, resamples=4000)
    assert result.mean_difference == pytest.approx(-0.3)
    assert result.high < 0
    assert result.p_value < 0.001


def test_paired_bootstrap_interval_matches_normal_theory_on_large_sample() -> None:
    # Differences alternate -1, 0, +1 with mean 0 and sd sqrt(2/3): the 95% interval of the mean
    # over n = 900 tasks is about +/- 1.96 * 0.8165 / 30 = +/- 0.0533.
    baseline = [0.0, 1.0, 0.0] * 300
    candidate = [1.0, 0.0, 0.0] * 300
    result = run_paired_bootstrap(baseline, candidate, resamples=4000, seed=3)
    assert result.low == pytest.approx(-0.0533, abs=0.006)
    assert result.high == pytest.approx(0.0533, abs=0.006)
    assert result.p_value > 0.5


def test_paired_bootstrap_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="length"):
        run_paired_bootstrap([1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="at least one"):
        run_paired_bootstrap([], [])


def test_mean_interval_brackets_the_mean() -> None:
    result = compute_mean_interval([7.0, 8.0, 6.0, 9.0, 7.5] * 10)
    assert result.estimate == pytest.approx(7.5)
    assert result.low < result.estimate < result.high
