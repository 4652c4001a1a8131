"""Paired statistics for comparing two runs over the same tasks.

Pure functions, no I/O, seeded where random. Used by ``sandbox gate`` to decide whether a
drop between a baseline and a candidate is real or noise, and by the report for intervals.

- McNemar's test for paired pass/fail outcomes: the exact conditional (binomial) test and its
  mid-p variant (Fagerland, Lydersen & Laake, 2013), plus the asymptotic chi-square form.
- The paired bootstrap for differences of means of per-task scores (pass fractions, grades).
- The project's one bootstrap resampling (``iter_resample_indices``) and the statistics built on
  it (means, ratios, per-item counts for weighted fits), used by the report, the gate and the judge.
- Wilson score intervals for a proportion (Newcombe, 1998, method 3).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from enum import StrEnum
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
from pydantic import Field

from sandbox.models import FrozenModel

# Above this many discordant pairs, exact integer binomial sums get slow; log-space is ample.
_EXACT_LIMIT = 5000
_BOOTSTRAP_CHUNK = 1000
_SIGN_FLIP_LIMIT = 16

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class McNemarMethod(StrEnum):
    """Which p-value McNemar's test reports."""

    EXACT = "exact"
    MID_P = "mid-p"
    ASYMPTOTIC = "asymptotic"


class McNemarResult(FrozenModel):
    """McNemar's test on a 2x2 table of paired outcomes (only the discordant cells matter)."""

    method: McNemarMethod
    only_baseline: int = Field(
        description="pairs where the baseline passed and the candidate failed"
    )
    only_candidate: int = Field(
        description="pairs where the candidate passed and the baseline failed"
    )
    p_value: float = Field(ge=0.0, le=1.0, description="two-sided")


class BootstrapResult(FrozenModel):
    """Paired bootstrap of mean(candidate - baseline) over resampled tasks."""

    n: int
    mean_difference: float
    low: float = Field(description="lower bound of the percentile interval")
    high: float = Field(description="upper bound of the percentile interval")
    confidence: float
    p_value: float = Field(ge=0.0, le=1.0, description="two-sided bootstrap p-value for no change")
    resamples: int
    seed: int


class IntervalResult(FrozenModel):
    """A point estimate with a confidence interval."""

    estimate: float
    low: float
    high: float
    confidence: float


def _binomial_tail_half(n: int, k: int) -> float:
    """P(X <= k) for X ~ Binomial(n, 1/2)."""
    if n <= _EXACT_LIMIT:
        total, term = 0, 1
        for i in range(k + 1):
            total += term
            term = term * (n - i) // (i + 1)
        return float(Fraction(total, 1 << n))
    logs = [_log_binomial_pmf_half(n, i) for i in range(k + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(x - top) for x in logs))


def _log_binomial_pmf_half(n: int, i: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - n * math.log(2)


def _binomial_pmf_half(n: int, k: int) -> float:
    if n <= _EXACT_LIMIT:
        return float(Fraction(math.comb(n, k), 1 << n))
    return math.exp(_log_binomial_pmf_half(n, k))


def mcnemar_exact_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: the binomial test of b against b + c at p = 1/2.

    ``b`` and ``c`` are the discordant counts. No discordant pair means no evidence: 1.0.
    """
    _check_counts(b, c)
    n = b + c
    if n == 0:
        return 1.0
    return min(1.0, 2.0 * _binomial_tail_half(n, min(b, c)))


def mcnemar_mid_p(b: int, c: int) -> float:
    """Two-sided mid-p McNemar p-value: the exact p-value minus the probability of the observed
    table. Less conservative than the exact test while keeping close to the nominal level."""
    _check_counts(b, c)
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    mid = 2.0 * (_binomial_tail_half(n, k) - 0.5 * _binomial_pmf_half(n, k))
    return min(1.0, max(0.0, mid))


def mcnemar_asymptotic_p(b: int, c: int, *, continuity: bool = False) -> float:
    """Two-sided p-value of McNemar's chi-square statistic (b - c)^2 / (b + c), 1 degree of
    freedom; with ``continuity`` the Edwards correction (|b - c| - 1)^2 / (b + c)."""
    _check_counts(b, c)
    n = b + c
    if n == 0:
        return 1.0
    diff = abs(b - c) - (1 if continuity else 0)
    statistic = max(diff, 0) ** 2 / n
    return math.erfc(math.sqrt(statistic / 2.0))


def run_mcnemar(
    baseline: Sequence[bool], candidate: Sequence[bool], method: McNemarMethod = McNemarMethod.MID_P
) -> McNemarResult:
    """McNemar's test on paired outcomes; ``baseline[i]`` and ``candidate[i]`` are one task."""
    if len(baseline) != len(candidate):
        raise ValueError(f"paired outcomes differ in length: {len(baseline)} != {len(candidate)}")
    b = sum(1 for old, new in zip(baseline, candidate, strict=True) if old and not new)
    c = sum(1 for old, new in zip(baseline, candidate, strict=True) if new and not old)
    p_value = {
        McNemarMethod.EXACT: mcnemar_exact_p,
        McNemarMethod.MID_P: mcnemar_mid_p,
        McNemarMethod.ASYMPTOTIC: mcnemar_asymptotic_p,
    }[method](b, c)
    return McNemarResult(method=method, only_baseline=b, only_candidate=c, p_value=p_value)


def run_paired_bootstrap(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """Resample tasks with replacement and take mean(candidate - baseline) each time.

    The interval is the percentile interval at ``confidence``. The two-sided p-value is twice the
    smaller share of resampled means on either side of zero (counting ties half), floored at
    1 / resamples. The same inputs and seed always give the same result.
    """
    if len(baseline) != len(candidate):
        raise ValueError(f"paired scores differ in length: {len(baseline)} != {len(candidate)}")
    if not baseline:
        raise ValueError("paired bootstrap needs at least one shared task")
    if not 0.0 < confidence < 1.0 or resamples < 1:
        raise ValueError("need 0 < confidence < 1 and resamples >= 1")
    diffs = np.asarray(candidate, dtype=float) - np.asarray(baseline, dtype=float)
    means = bootstrap_means(diffs, resamples, seed)
    alpha = 1.0 - confidence
    low, high = np.quantile(means, [alpha / 2.0, 1.0 - alpha / 2.0])
    below = float(np.count_nonzero(means < 0) + 0.5 * np.count_nonzero(means == 0))
    above = float(resamples) - below
    p_value = min(1.0, max(2.0 * min(below, above) / resamples, 1.0 / resamples))
    if not np.any(diffs):
        p_value = 1.0
    return BootstrapResult(
        n=len(diffs),
        mean_difference=float(diffs.mean()),
        low=float(low),
        high=float(high),
        confidence=confidence,
        p_value=p_value,
        resamples=resamples,
        seed=seed,
    )


def iter_resample_indices(n_items: int, resamples: int, seed: int) -> Iterator[IntArray]:
    """The bootstrap's draws: chunks of rows of ``n_items`` indices drawn with replacement.

    The one resampling procedure of the project (paired tests, report intervals, judge metrics):
    the same ``n_items``, ``resamples`` and ``seed`` always give the same rows, in chunks of at
    most 1,000 rows so that many items x many resamples never needs one huge matrix.
    """
    if n_items < 1 or resamples < 1:
        raise ValueError(f"need n_items >= 1 and resamples >= 1, got {n_items}, {resamples}")
    rng = np.random.default_rng(seed)
    for start in range(0, resamples, _BOOTSTRAP_CHUNK):
        stop = min(start + _BOOTSTRAP_CHUNK, resamples)
        yield rng.integers(0, n_items, size=(stop - start, n_items))


def resample_counts(n_items: int, resamples: int, seed: int) -> IntArray:
    """How often each item is drawn in each resample (shape resamples x n_items, rows sum to
    ``n_items``): the draws of ``iter_resample_indices``, for weighted statistics."""
    rows: list[IntArray] = []
    for idx in iter_resample_indices(n_items, resamples, seed):
        offsets = (np.arange(idx.shape[0]) * n_items)[:, None]
        flat = np.bincount((idx + offsets).ravel(), minlength=idx.shape[0] * n_items)
        rows.append(flat.reshape(idx.shape[0], n_items))
    return np.concatenate(rows)


def bootstrap_means(values: npt.ArrayLike, resamples: int, seed: int) -> FloatArray:
    """The mean of ``values`` in each resample."""
    data = np.asarray(values, dtype=float)
    out = np.empty(resamples, dtype=float)
    start = 0
    for idx in iter_resample_indices(data.size, resamples, seed):
        out[start : start + idx.shape[0]] = data[idx].mean(axis=1)
        start += idx.shape[0]
    return out


def bootstrap_ratios(
    numerators: npt.ArrayLike, denominators: npt.ArrayLike, resamples: int, seed: int
) -> FloatArray:
    """sum(num) / sum(den) over the items of each resample (NaN where the sum of den is 0)."""
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    counts = resample_counts(num.size, resamples, seed).astype(float)
    boot_den = counts @ den
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios: FloatArray = np.where(boot_den > 0, (counts @ num) / boot_den, np.nan)
    return ratios


def percentile_bounds(
    samples: FloatArray, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """The central ``confidence`` share of the finite bootstrap values; None when none is."""
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return None, None
    alpha = 1.0 - confidence
    low, high = np.quantile(finite, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(low), float(high)


def run_sign_flip_test(baseline: Sequence[float], candidate: Sequence[float]) -> float:
    """Exact two-sided paired permutation (sign-flip) p-value of mean(candidate - baseline).

    Enumerates all 2^n sign assignments, so it is meant for few tasks (n <= 16), where the
    bootstrap's p-value is too optimistic: three tasks that all dropped give p = 0.25, not ~0.
    """
    if len(baseline) != len(candidate):
        raise ValueError(f"paired scores differ in length: {len(baseline)} != {len(candidate)}")
    n = len(baseline)
    if not 1 <= n <= _SIGN_FLIP_LIMIT:
        raise ValueError(f"the exact sign-flip test takes 1..{_SIGN_FLIP_LIMIT} tasks, got {n}")
    diffs = np.asarray(candidate, dtype=float) - np.asarray(baseline, dtype=float)
    observed = abs(diffs.sum())
    if observed == 0:
        return 1.0
    signs = 1 - 2 * ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1)
    sums = np.abs(signs @ diffs)
    extreme = np.count_nonzero(sums >= observed * (1 - 1e-12))
    return float(extreme / (1 << n))


def compute_wilson_interval(successes: int, n: int, confidence: float = 0.95) -> IntervalResult:
    """Wilson score interval for a proportion; well behaved at 0 and n, unlike the Wald one."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes}/{n}")
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At 0 and n the bounds are exactly 0 and 1; rounding would otherwise leave 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return IntervalResult(estimate=p, low=low, high=high, confidence=confidence)


def compute_mean_interval(
    values: Sequence[float], confidence: float = 0.95, *, resamples: int = 2000, seed: int = 0
) -> IntervalResult:
    """Mean of ``values`` with a seeded percentile-bootstrap interval (for grades and scores)."""
    if not values:
        raise ValueError("need at least one value")
    data = np.asarray(values, dtype=float)
    means = bootstrap_means(data, resamples, seed)
    alpha = 1.0 - confidence
    low, high = np.quantile(means, [alpha / 2.0, 1.0 - alpha / 2.0])
    return IntervalResult(
        estimate=float(data.mean()), low=float(low), high=float(high), confidence=confidence
    )


def _check_counts(b: int, c: int) -> None:
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be >= 0, got b={b} c={c}")
