"""Fixtures of the engine's tests: the two-node Ray cluster (see ray_support.py) and the local
verdicts the Ray runs are compared with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.ray_support import (
    HUMANEVAL_PLUS,
    LocalCluster,
    running_cluster,
    write_model_samples,
)

HUMANEVAL_TASKS = 30
"""Tasks of the real model's HumanEval+ answers the Ray tests score (each run: well under a
minute on two cores)."""


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[LocalCluster]:
    """Two Ray nodes on this machine, each with its own Docker engine, for the session."""
    yield from running_cluster()


@pytest.fixture(scope="session")
def ray_executor(ray_cluster: LocalCluster) -> Iterator[Any]:
    """One RayExecutor over the test cluster; afterwards engine 2 holds no container."""
    from sandbox.ray_executor import RayExecutor

    with RayExecutor() as shared:
        yield shared
    leftovers = ray_cluster.engine2().list_managed()
    assert leftovers == [], f"containers left on engine 2: {[c['Id'][:12] for c in leftovers]}"


@pytest.fixture(scope="session")
def humaneval_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model's HumanEval+ answers (Mistral-7B-Instruct-v0.2, greedy)."""
    return write_model_samples(tmp_path_factory.mktemp("model") / "mistral.jsonl", HUMANEVAL_TASKS)


@pytest.fixture(scope="session")
def local_humaneval(
    executor: Any, humaneval_samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Those answers scored by the LocalExecutor: the verdicts every Ray run must reproduce."""
    from runners.evalplus_suite import run_evalplus

    output = tmp_path_factory.mktemp("local") / "humaneval"
    run_evalplus(
        suite="humaneval+",
        samples=humaneval_samples,
        output=output,
        dataset_path=HUMANEVAL_PLUS,
        limit=HUMANEVAL_TASKS,
        executor=executor,
    )
    return output
