"""The unbiased pass@k estimator (Chen et al., 2021), as evalplus and MultiPL-E compute it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np


def estimate_pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn from n (c correct) passes.

    Computed as 1 - C(n-c, k) / C(n, k) in a numerically stable product form.
    Requires ``0 <= c <= n`` and ``1 <= k <= n``.
    """
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def summarize_pass_at_k(
    counts: Mapping[str, tuple[int, int]], ks: Iterable[int] = (1, 10, 100)
) -> dict[str, float]:
    """Mean pass@k over tasks from ``{task_id: (n, c)}``, for each k that every task allows."""
    if not counts:
        return {}
    smallest_n = min(n for n, _ in counts.values())
    summary: dict[str, float] = {}
    for k in ks:
        if k <= smallest_n:
            values = [estimate_pass_at_k(n, c, k) for n, c in counts.values()]
            summary[f"pass@{k}"] = float(np.mean(values))
    return summary


@dataclass(frozen=True)
class TaskValues:
    """A metric's raw values per task (or question): 0/1 per sample for pass/fail, else the
    judged values. Intervals and paired tests are computed from these."""

    metric: str
    binary: bool
    k: int | None
    per_task: dict[str, list[float]]

    def task_scores(self) -> dict[str, float]:
        """One number per task: the pass@k estimate (binary with k), else the mean."""
        scores: dict[str, float] = {}
        for task, values in self.per_task.items():
            if self.binary and self.k is not None and len(values) >= self.k:
                scores[task] = estimate_pass_at_k(len(values), int(sum(values)), self.k)
            else:
                scores[task] = sum(values) / len(values)
        return scores
