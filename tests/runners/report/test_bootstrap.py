"""The project's one bootstrap (runners/stats.py): the report's intervals and the judge's are
drawn by the same procedure, so the same data, resamples and seed give the same interval."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runners.judge.stats import bootstrap_mean
from runners.stats import (
    bootstrap_means,
    compute_mean_interval,
    iter_resample_indices,
    resample_counts,
)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 2500), st.integers(0, 99))
def test_counts_are_the_drawn_indices(n_items: int, resamples: int, seed: int) -> None:
    counts = resample_counts(n_items, resamples, seed)
    rows = np.concatenate(list(iter_resample_indices(n_items, resamples, seed)))
    assert counts.shape == (resamples, n_items)
    assert (counts.sum(axis=1) == n_items).all()
    expected = np.stack([np.bincount(row, minlength=n_items) for row in rows])
    assert (counts == expected).all()


def test_judge_and_report_intervals_come_from_the_same_draws() -> None:
    values = [0.0, 1.0, 0.5, 1.0, 1.0, 0.0, 0.5, 1.0, 0.0, 1.0, 1.0, 0.5]
    report = compute_mean_interval(values, resamples=2000, seed=3)
    judge = bootstrap_mean(values, n_resamples=2000, seed=3)
    assert judge.value == pytest.approx(report.estimate)
    assert (judge.lower, judge.upper) == (pytest.approx(report.low), pytest.approx(report.high))
    means = bootstrap_means(values, 2000, 3)
    weighted = resample_counts(len(values), 2000, 3) @ np.asarray(values) / len(values)
    assert means == pytest.approx(weighted)
