"""One sample scored with evalplus's ``untrusted_check`` (base, then plus), and its first
failure re-run under the same guard to show expected vs actual."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import pickle
import time
import traceback
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

from .env import (
    TEXT_LIMIT,
    cpu_share,
    emit,
    import_evalplus,
    load_numpy_if_needed,
    short_repr,
    unpack_outputs,
)
from .truth import compute_ground_truth

PROCESS_CAP_S = 60.0


def load_expected(payload: dict[str, Any], directory: str) -> dict[str, Any]:
    """The ground truth's outputs: shipped, or recomputed here and checked against its digest."""
    if payload["expected_inline"]:
        expected: dict[str, Any] = unpack_outputs(directory)
        return expected
    import hashlib  # here, not at the top: most requests never need it

    outputs, _ = compute_ground_truth(payload["gt_task"])
    if hashlib.sha256(outputs).hexdigest() != payload["expected_digest"]:
        raise RuntimeError("recomputed ground truth differs from the cached one")
    expected = pickle.loads(outputs)
    return expected


def time_allowance(payload: dict[str, Any]) -> float:
    """How many times its CPU time a heavy test may take before its limit, on this machine now.

    1.0 (evalplus's own limits) unless the CPU is contended now; then the CPU time divided by
    the share of CPU we get, with room for that share to halve during the check. Only
    measured when it can matter: limits under the floor (``min_time_limit``) never change.
    """
    solo = [t for split in payload["splits"] for t in payload[f"{split}_solo"]]
    reach = payload["gt_time_limit_factor"] * max(solo, default=0.0) * payload["allowance_cap"]
    if reach <= payload["min_time_limit"]:
        return 1.0
    share = cpu_share()
    if share >= payload["idle_share"]:
        return 1.0
    return float(min(payload["burst_margin"] / share, payload["allowance_cap"]))


def reference_times(payload: dict[str, Any], split: str, allowance: float) -> list[float]:
    """evalplus's reference times, raised where a contended CPU needs more."""
    wall, solo = payload[f"{split}_time"], payload[f"{split}_solo"]
    return [max(w, s * allowance) for w, s in zip(wall, solo, strict=True)]


def first_failure(payload: dict[str, Any], verdicts: dict[str, Any]) -> tuple[str, int] | None:
    """(split, index) of the first failing test, in the order evalplus checks them."""
    for split, (status, details) in verdicts.items():
        if status == "pass":
            continue
        for index, ok in enumerate(details):
            if not ok:
                return split, index
        if len(details) < len(payload[f"{split}_input"]):
            return split, len(details)
    return None


@contextlib.contextmanager
def capture_io() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Like evalplus's ``swallow_io`` (stdin unreadable), but keeping what was printed."""
    from evalplus.eval.utils import WriteOnlyStringIO, redirect_stdin

    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        redirect_stdin(WriteOnlyStringIO()),
    ):
        yield out, err


SOLUTION_FILE = "<solution>"
"""The file name the solution is compiled under, so its frames can be found in a traceback."""


def solution_frames(exc: BaseException) -> dict[str, Any]:
    """The solution's own frames of ``exc``'s traceback (``line``: the last one's line)."""
    frames = [
        (frame.lineno, frame.name)
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == SOLUTION_FILE
    ]
    if isinstance(exc, SyntaxError) and exc.filename == SOLUTION_FILE and exc.lineno:
        frames.append((exc.lineno, "<module>"))
    if not frames:
        return {}
    return {"line": frames[-1][0], "frames": [f"line {n}, in {name}" for n, name in frames[-8:]]}


def explain_child(conn: Connection, code: str, entry: str, inp: Any, limit: float) -> None:
    """Re-run one failing test under evalplus's guard, capturing output, value or exception."""
    from evalplus.eval import query_maximum_memory_bytes
    from evalplus.eval.utils import create_tempdir, reliability_guard, time_limit

    info: dict[str, Any] = {}
    with create_tempdir():
        import shutil

        # Kept for the tempdir's cleanup, as unsafe_execute does: the guard disables them.
        rmtree, rmdir, chdir = shutil.rmtree, os.rmdir, os.chdir
        reliability_guard(maximum_memory_bytes=query_maximum_memory_bytes())
        namespace: dict[str, Any] = {}
        with capture_io() as (out, err):
            try:
                exec(compile(code, SOLUTION_FILE, "exec"), namespace)
                info["phase"] = "call"
                with time_limit(limit):
                    info["actual"] = short_repr(namespace[entry](*inp))
            except BaseException as exc:
                info.setdefault("phase", "load")
                info["exception"] = f"{type(exc).__name__}: {str(exc)[:TEXT_LIMIT]}"
                info.update(solution_frames(exc))
        info["stdout"] = out.getvalue()[:TEXT_LIMIT]
        info["stderr"] = err.getvalue()[:TEXT_LIMIT]
        conn.send(info)
        shutil.rmtree, os.rmdir, os.chdir = rmtree, rmdir, chdir


def explain(
    payload: dict[str, Any], expected: dict[str, Any], split: str, index: int, limits: list[float]
) -> dict[str, Any]:
    """What the first failing test did: expected vs actual value, or the exception."""
    info: dict[str, Any] = {"split": split, "index": index}
    inputs = payload[f"{split}_input"]
    if index < len(expected[split]):
        info["expected"] = short_repr(expected[split][index])
    limit = limits[index] if index < len(limits) else payload["min_time_limit"]
    receiver, sender = multiprocessing.Pipe(duplex=False)
    inp = inputs[index] if index < len(inputs) else ()
    target_args = (sender, payload["code"], payload["entry_point"], inp, limit)
    process = multiprocessing.Process(target=explain_child, args=target_args)
    process.start()
    sender.close()
    deadline = min(limit, PROCESS_CAP_S) + 2.0
    if receiver.poll(deadline):
        with contextlib.suppress(EOFError, OSError):
            info.update(receiver.recv())
        info["timed_out"] = str(info.get("exception", "")).startswith("TimeoutException")
    else:
        info["exception"] = f"no answer within {deadline:.1f} s"
        info["timed_out"] = True
    process.join(0.5)
    if process.is_alive():
        process.kill()
        process.join(1.0)
    return info


def ran_out_of_time(
    status: str, elapsed: float, index: int, limits: list[float], floor: float
) -> float | None:
    """The limit of the first failing input when re-running it would only wait for that limit
    again: the check process was killed (``timeout``), or the split ran at least as long as
    the input's limit (it most likely timed out). None: re-run it to show what it did."""
    limit = limits[index] if index < len(limits) else floor
    return limit if status == "timeout" or elapsed >= limit else None


def run_check(payload: dict[str, Any], directory: str) -> None:
    """``scale``, one ``check`` per split, then ``explain`` for the first failure (if any)."""
    untrusted_check = import_evalplus().untrusted_check
    expected = load_expected(payload, directory)
    load_numpy_if_needed(payload, expected)
    allowance = time_allowance(payload)
    emit("scale", value=allowance)
    verdicts: dict[str, Any] = {}
    limits: dict[str, list[float]] = {}
    elapsed: dict[str, float] = {}
    for split in payload["splits"]:
        ref_time = reference_times(payload, split, allowance)
        floor, factor = payload["min_time_limit"], payload["gt_time_limit_factor"]
        limits[split] = [max(floor, factor * t) for t in ref_time]
        started = time.perf_counter()
        status, details = untrusted_check(
            payload["dataset"],
            payload["code"],
            payload[f"{split}_input"],
            payload["entry_point"],
            expected=expected[split],
            atol=payload["atol"],
            ref_time=ref_time,
            fast_check=payload["fast_check"],
            min_time_limit=floor,
            gt_time_limit_factor=factor,
        )
        details = [bool(d) for d in details]
        verdicts[split] = (status, details)
        elapsed[split] = time.perf_counter() - started
        emit("check", split=split, status=status, details=details, time_s=elapsed[split])
    failure = first_failure(payload, verdicts)
    if failure is None:
        return
    split, index = failure
    floor = payload["min_time_limit"]
    limit = ran_out_of_time(verdicts[split][0], elapsed[split], index, limits[split], floor)
    if limit is None:
        emit("explain", **explain(payload, expected, split, index, limits[split]))
        return
    # Re-running would cost that limit again (a sample that loops would double its time).
    info: dict[str, Any] = {"split": split, "index": index, "timed_out": True}
    if index < len(expected[split]):
        info["expected"] = short_repr(expected[split][index])
    info["exception"] = (
        f"likely timed out (not re-run: the check ran {elapsed[split]:.1f} s, at least this "
        f"input's {limit:.1f} s limit)"
    )
    emit("explain", **info)
