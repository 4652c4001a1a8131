"""Expected outputs and reference times, computed as evalplus's ``get_groundtruth`` does
(``trusted_exec`` on ``prompt + canonical_solution`` for base and plus inputs) but inside the
sandbox, and cached on disk per dataset hash, image and harness version.

The host never unpickles what a container produced: a task's pickled outputs travel as an
opaque xz blob to the containers that score its samples (HumanEval/15's 147 MB of outputs pack
into 0.2 MB; all of HumanEval+ into 6.5 MB). Outputs that would still be too large to ship with
every sample are recomputed in the scoring container and checked against the cached digest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from runners.evalplus_suite.cache import cache_dir, read_json, write_json
from runners.evalplus_suite.datasets import DatasetInfo, Problems, SuiteSpec
from runners.evalplus_suite.harness_requests import (
    MEMORY_MB,
    build_request,
    harness_fingerprint,
    parse_events,
)
from sandbox.errors import SandboxError
from sandbox.executor import Executor
from sandbox.models import ExecutionRequest, ExecutionResult, FrozenModel, LimitsSpec

INLINE_LIMIT = 4 << 20
"""Largest packed expected-output blob shipped with each sample (bigger: recomputed there,
which costs the task's ground-truth time per sample). Shipped blobs also land in each
record's request. HumanEval+'s largest is 2.2 MB (HumanEval/83)."""
CHUNK_TASKS = 12
GT_LIMITS = LimitsSpec(timeout_s=1800, memory_mb=MEMORY_MB, stdout_bytes=64 << 20)


class GroundTruthError(SandboxError):
    """A canonical solution could not be run to produce expected outputs."""


class TaskTruth(FrozenModel):
    """One task's ground truth as the host keeps it: evalplus's per-input wall times, the CPU
    time of the inputs long enough to matter ("solo", measured in a second run), and the
    outputs' digest plus (when small enough) the compressed pickled outputs, opaque to the
    host."""

    task_id: str
    base_time: list[float]
    plus_time: list[float]
    base_solo: list[float]
    plus_solo: list[float]
    digest: str
    size: int
    blob: str | None


def output_not_none(suite: SuiteSpec, problem: dict[str, Any]) -> bool:
    """evalplus compares only "is not None" for a few MBPP+ tasks whose outputs don't pickle."""
    from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS

    return suite.dataset == "mbpp" and problem["entry_point"] in MBPP_OUTPUT_NOT_NONE_TASKS


def load_ground_truth(
    suite: SuiteSpec,
    problems: Problems,
    dataset: DatasetInfo,
    task_ids: Iterable[str],
    executor: Executor,
    image_id: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, TaskTruth]:
    """Ground truth of ``task_ids``: from the cache, computing (and caching) what is missing."""
    image = image_id.removeprefix("sha256:")[:12]
    name = f"gt-{dataset.name}-{dataset.hash}-{image}-{harness_fingerprint()}.json"
    path = cache_dir() / name
    cached = read_json(path) or {}
    wanted = list(dict.fromkeys(task_ids))
    truths = {t: TaskTruth(**cached[t]) for t in wanted if t in cached}
    missing = [t for t in wanted if t not in truths]
    if missing:
        computed = _compute(suite, problems, missing, executor, on_progress)
        truths.update(computed)
        latest = read_json(path) or {}
        latest.update({t: truth.model_dump() for t, truth in computed.items()})
        write_json(path, latest)
    return truths


def _compute(
    suite: SuiteSpec,
    problems: Problems,
    task_ids: list[str],
    executor: Executor,
    on_progress: Callable[[int, int], None] | None,
) -> dict[str, TaskTruth]:
    size = max(1, min(CHUNK_TASKS, math.ceil(len(task_ids) / 8)))
    chunks = [task_ids[i : i + size] for i in range(0, len(task_ids), size)]
    requests = [_chunk_request(suite, problems, chunk, n) for n, chunk in enumerate(chunks)]
    truths: dict[str, TaskTruth] = {}
    for request, result in executor.run_many(requests):
        truths.update(_parse_chunk(request, result))
        if on_progress is not None:
            on_progress(len(truths), len(task_ids))
    return truths


def _chunk_request(
    suite: SuiteSpec, problems: Problems, chunk: list[str], n: int
) -> ExecutionRequest:
    tasks = [
        {
            "task_id": task_id,
            "prompt": problems[task_id]["prompt"],
            "canonical_solution": problems[task_id]["canonical_solution"],
            "entry_point": problems[task_id]["entry_point"],
            "base_input": problems[task_id]["base_input"],
            "plus_input": problems[task_id]["plus_input"],
            "output_not_none": output_not_none(suite, problems[task_id]),
        }
        for task_id in chunk
    ]
    payload = {"mode": "gt", "tasks": tasks, "inline_limit": INLINE_LIMIT}
    return build_request(payload, GT_LIMITS, tag=f"ground-truth#{n}")


def _parse_chunk(request: ExecutionRequest, result: ExecutionResult) -> dict[str, TaskTruth]:
    events = parse_events(result.stdout)
    truths = {
        e["task_id"]: TaskTruth(**{k: e[k] for k in TaskTruth.model_fields})
        for e in events
        if e["event"] == "gt"
    }
    failures = [e for e in events if e["event"] in {"gt_error", "error"}]
    if failures or not any(e["event"] == "done" for e in events):
        first = failures[0] if failures else {}
        where = first.get("task_id", request.tag)
        reason = (
            first.get("message") or result.error or result.stderr.strip()[-300:] or result.status
        )
        raise GroundTruthError(
            f"ground truth of {where} failed in the sandbox ({result.status}: {reason})",
            "check the dataset's canonical solutions and that `sandbox exec --lang python` works",
        )
    return truths
