"""On a two-node Ray cluster, every sample gets the verdict the LocalExecutor gives it: a real
model's HumanEval+ answers and McEval's canonical solutions; the self-test passes there too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runners.evalplus_suite import run_evalplus
from tests.runners.helpers import run_program_suite
from tests.sandbox.conftest import HUMANEVAL_TASKS
from tests.sandbox.ray_support import (
    HUMANEVAL_PLUS,
    LANGUAGES,
    REPO,
    LocalCluster,
    read_verdicts,
    record_keys,
)

pytestmark = [pytest.mark.docker, pytest.mark.ray]


def test_humaneval_plus_model_answers_get_the_local_verdicts(
    ray_executor: Any, humaneval_samples: Path, local_humaneval: Path, tmp_path: Path
) -> None:
    before = ray_executor.counts()
    run_evalplus(
        suite="humaneval+",
        samples=humaneval_samples,
        output=tmp_path / "ray",
        dataset_path=HUMANEVAL_PLUS,
        limit=HUMANEVAL_TASKS,
        executor=ray_executor,
    )
    ours, local = read_verdicts(tmp_path / "ray"), read_verdicts(local_humaneval)
    assert len(ours) == HUMANEVAL_TASKS
    assert ours == local
    assert 0 < sum(v[1] for v in ours.values()) < HUMANEVAL_TASKS  # passes and failures both
    image = "sandbox-lang-python:latest"
    ran = {
        node: counts.get(image, 0) - before[node].get(image, 0)
        for node, counts in ray_executor.counts().items()
    }
    assert len(ran) == 2 and all(count > 0 for count in ran.values()), ran  # both nodes worked
    image_ids = {
        json.loads(line)["result"]["image_id"]
        for line in (tmp_path / "ray" / "results.jsonl").read_text().splitlines()
    }
    assert image_ids == {ray_executor.image_id(image)}


def test_mceval_canonical_solutions_get_the_local_verdicts(
    executor: Any, ray_executor: Any, tmp_path: Path
) -> None:
    summaries = {}
    for name, runner in (("local", executor), ("ray", ray_executor)):
        summaries[name] = run_program_suite(
            "mceval", languages=LANGUAGES, limit=3, output=tmp_path / name, executor=runner
        )
    ours, local = read_verdicts(tmp_path / "ray"), read_verdicts(tmp_path / "local")
    assert len(ours) == 3 * len(LANGUAGES)
    assert ours == local
    assert sorted(record_keys(tmp_path / "ray")) == sorted(ours)  # each sample recorded once
    assert summaries["ray"].metrics == summaries["local"].metrics


def test_selftest_passes_on_the_cluster(ray_cluster: LocalCluster) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from runners.cli.main import run_app; run_app()",
            "selftest",
            "--lang",
            "python",
            "--lang",
            "c",
            "--executor",
            "ray",
            "--ray-address",
            ray_cluster.address,
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert [(r["language"], r["state"]) for r in results] == [("c", "passed"), ("python", "passed")]
