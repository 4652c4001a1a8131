"""One sample, one sandboxed execution: the request that scores it and the verdict it gets.

The verdicts are evalplus's own (``pass``/``fail``/``timeout`` from ``untrusted_check`` run in
the container); ``error`` is ours and means the sandbox failed, not the sample.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from runners.evalplus_suite.datasets import SuiteSpec
from runners.evalplus_suite.groundtruth import TaskTruth, output_not_none
from runners.evalplus_suite.harness_requests import MEMORY_MB, build_request, parse_events
from runners.samples import SampleSpec
from sandbox.models import ExecutionRequest, ExecutionResult, FrozenModel, LimitsSpec, Status

PROCESS_CAP_S = 60.0
"""evalplus bounds one ``untrusted_check`` process by min(60 s, sum of its time limits)."""
IDLE_SHARE = 0.9
"""At or above this share of a CPU the machine counts as idle: evalplus's limits apply as is."""
BURST_MARGIN = 2.0
"""On a contended CPU, room for our share to halve while a check runs."""
ALLOWANCE_CAP = 16.0
EXCERPT = 2000


class SampleStatus(StrEnum):
    """evalplus's per-split statuses, plus ``error`` for a sandbox failure (never a pass)."""

    PASS = "pass"
    FAIL = "fail"
    TIMEOUT = "timeout"
    ERROR = "error"


class CheckSettingsSpec(FrozenModel):
    """What, besides the sample and the dataset, decides a verdict."""

    min_time_limit: float = 1.0
    gt_time_limit_factor: float = 4.0
    base_only: bool = False
    test_details: bool = False

    def splits(self) -> list[str]:
        return ["base"] if self.base_only else ["base", "plus"]


def build_check_request(
    sample: SampleSpec,
    problem: dict[str, Any],
    truth: TaskTruth,
    suite: SuiteSpec,
    settings: CheckSettingsSpec,
    tag: str,
) -> ExecutionRequest:
    """The execution that scores ``sample`` with evalplus's ``untrusted_check``."""
    splits = settings.splits()
    payload: dict[str, Any] = {
        "mode": "check",
        "dataset": suite.dataset,
        "code": sample.code,
        "entry_point": problem["entry_point"],
        "atol": problem["atol"],
        "splits": splits,
        "min_time_limit": settings.min_time_limit,
        "gt_time_limit_factor": settings.gt_time_limit_factor,
        "fast_check": not settings.test_details,
        "expected_inline": truth.blob is not None,
        "expected_digest": truth.digest,
        "idle_share": IDLE_SHARE,
        "burst_margin": BURST_MARGIN,
        "allowance_cap": ALLOWANCE_CAP,
    }
    for split in splits:
        payload[f"{split}_input"] = problem[f"{split}_input"]
        payload[f"{split}_time"] = getattr(truth, f"{split}_time")
        payload[f"{split}_solo"] = getattr(truth, f"{split}_solo")
    extra: dict[str, str] = {}
    if truth.blob is not None:
        extra["expected.b64"] = truth.blob
    else:
        payload["gt_task"] = {
            "task_id": sample.task_id,
            "prompt": problem["prompt"],
            "canonical_solution": problem["canonical_solution"],
            "entry_point": problem["entry_point"],
            "base_input": problem["base_input"],
            "plus_input": problem["plus_input"],
            "output_not_none": output_not_none(suite, problem),
            "solo": False,  # only the outputs are needed here
        }
    limits = LimitsSpec(timeout_s=_container_budget(truth, settings), memory_mb=MEMORY_MB)
    return build_request(payload, limits, tag=tag, extra=extra)


def _container_budget(truth: TaskTruth, settings: CheckSettingsSpec) -> float:
    """A backstop only: evalplus's own per-test and per-process limits act first."""
    budget = 15.0
    longest = 1.0
    for split in settings.splits():
        limits = [
            max(settings.min_time_limit, settings.gt_time_limit_factor * t * ALLOWANCE_CAP)
            for t in getattr(truth, f"{split}_time")
        ]
        budget += min(PROCESS_CAP_S, sum(limits)) + 3.5  # evalplus's join slack and kill sleeps
        longest = max([longest, *limits])
    budget += min(PROCESS_CAP_S, longest) + 3.0  # re-running the first failure
    if truth.blob is None:
        budget += 10 * (sum(truth.base_time) + sum(truth.plus_time)) + 30
    return round(budget, 1)


class CheckOutcome(FrozenModel):
    """The verdicts of one sample and what explains them."""

    base_status: SampleStatus
    plus_status: SampleStatus | None
    base_details: list[bool]
    plus_details: list[bool]
    first_failure: dict[str, Any] | None
    time_scale: float | None
    base_time_s: float | None
    plus_time_s: float | None
    note: str | None


def decide_outcome(result: ExecutionResult, settings: CheckSettingsSpec) -> CheckOutcome:
    """Verdicts from the harness's events; the container's fate fills gaps, never with a pass."""
    events = parse_events(result.stdout)
    checks = {e["split"]: e for e in events if e["event"] == "check"}
    errors = [str(e.get("message")) for e in events if e["event"] == "error"]
    statuses: dict[str, SampleStatus] = {}
    note = None
    for split in settings.splits():
        if split in checks:
            statuses[split] = SampleStatus(checks[split]["status"])
            continue
        status, note = _missing_verdict(result, errors)
        statuses[split] = status
    explain = next((e for e in events if e["event"] == "explain"), None)
    scale = next((float(e["value"]) for e in events if e["event"] == "scale"), None)
    return CheckOutcome(
        base_status=statuses["base"],
        plus_status=statuses.get("plus"),
        base_details=checks.get("base", {}).get("details", []),
        plus_details=checks.get("plus", {}).get("details", []),
        first_failure={k: v for k, v in explain.items() if k != "event"} if explain else None,
        time_scale=scale,
        base_time_s=checks.get("base", {}).get("time_s"),
        plus_time_s=checks.get("plus", {}).get("time_s"),
        note=note,
    )


def _missing_verdict(result: ExecutionResult, errors: list[str]) -> tuple[SampleStatus, str]:
    """A split the harness did not report on.

    evalplus maps a checking process that dies or hangs to ``timeout``; the sample may also
    have taken the harness down with it (``fail``). A harness error or a sandbox failure is
    ``error``: the sample was not judged.
    """
    if errors:
        return SampleStatus.ERROR, f"harness error: {errors[0]}"
    if result.status is Status.SANDBOX_ERROR:
        return SampleStatus.ERROR, f"sandbox error: {result.error}"
    if result.status in {Status.TIMEOUT, Status.OOM}:
        return SampleStatus.TIMEOUT, f"container {result.status.value} before the check finished"
    if result.status is Status.OK:
        return SampleStatus.ERROR, "harness exited without a verdict"
    return SampleStatus.FAIL, f"harness terminated ({result.status.value}, exit {result.exit_code})"


def contended_time_failure(
    base_status: str, plus_status: str | None, first_failure: dict[str, Any] | None, scale: float
) -> bool:
    """A failure that evalplus's time limits made (a split timed out, or its first failing
    input ran out of time), measured while the CPU was contended (``scale`` > 1: the harness
    got less than a whole CPU). On an idle machine the same sample may pass."""
    if scale <= 1.0:
        return False
    if SampleStatus.TIMEOUT in {base_status, plus_status}:
        return True
    return bool((first_failure or {}).get("timed_out"))


def failing_inputs(
    suite: SuiteSpec,
    task_id: str,
    status: SampleStatus | None,
    details: list[bool],
    inputs: list[Any],
    test_details: bool = True,
) -> list[Any]:
    """evalplus's ``fail_tests``: every failing input with ``--test-details``, else the last run."""
    if status in {None, SampleStatus.PASS} or not details:
        return []
    if test_details:
        failed = [inputs[i] for i, ok in enumerate(details) if not ok]
    else:
        failed = [inputs[len(details) - 1]]
    if suite.dataset == "mbpp":
        from evalplus.data.mbpp import mbpp_serialize_inputs

        failed = mbpp_serialize_inputs(task_id, failed)
    serialised: list[Any] = json.loads(json.dumps(failed, default=repr))
    return serialised


def solution_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
