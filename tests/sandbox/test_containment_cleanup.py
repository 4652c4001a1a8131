"""Clean-up that cannot be outrun: nothing of a program outlives its phase, nothing it writes
after its deadline is kept, and it cannot take the launcher's pids or CPU away.

The old launcher killed the program's processes in one pass over /proc. Each program below
makes that pass slow (many sleeping processes) and keeps "chains" alive through it: processes
that fork their successor and exit, so that a new one is born after the pass listed /proc.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from sandbox.languages import resolve_language
from sandbox.models import ExecutionResult, LimitsSpec, Status

pytestmark = pytest.mark.docker

PRELUDE = """
import os, time
start = time.time()
shell = os.getppid()  # the phase's main process: the shell that runs this program
def spawn(body, count):  # in sessions of their own: out of reach of a process-group kill
    for _ in range(count):
        while True:
            try:
                pid = os.fork()
                break
            except OSError:  # at the process limit for a moment: try again
                time.sleep(0.001)
        if pid == 0:
            os.setsid()
            body()
            os._exit(0)
def sleeper():
    time.sleep(60)
def chain(then):  # a moving target: fork the successor, exit; until `then` says stop
    def body():
        while True:
            try:
                if os.fork():
                    os._exit(0)
            except OSError:
                continue
            if then():
                os._exit(0)
    return body
"""

LATE_WRITER = """
def late():
    if time.time() - start >= {late}:
        os.write(1, b"LATE %.1f\\n" % (time.time() - start))
        return True
    return False
spawn(sleeper, 100)
spawn(chain(late), 64)
{main}
"""

PID_FILLER = """
def fill():  # once the main process is gone, fill the pid limit and keep it full
    try:
        os.kill(shell, 0)
        return False
    except ProcessLookupError:
        while True:
            try:
                os.fork()
            except OSError:
                pass
print("main exits", flush=True)
spawn(sleeper, 120)
spawn(chain(fill), 24)
os._exit(0)
"""


ROOMY = {"pids": 512, "memory_mb": 1024}
"""Room for the hostile program's own processes: the verdicts are about the clean-up."""


def run_python(
    executor: Any, source: str, timeout_s: float, **limits: Any
) -> tuple[ExecutionResult, float]:
    request = resolve_language("python").make_request(
        PRELUDE + source, limits=LimitsSpec(timeout_s=timeout_s, **limits)
    )
    started = time.monotonic()
    result: ExecutionResult = executor.run(request)
    return result, time.monotonic() - started


def test_processes_that_outrun_one_pass_are_killed_when_main_exits(executor: Any) -> None:
    """Old: `ok`, with output written at 7 s kept in the result of a 5 s run."""
    source = LATE_WRITER.format(late=7, main='print("main done", flush=True)\nos._exit(0)')
    result, took = run_python(executor, source, timeout_s=5.0, **ROOMY)
    assert "LATE" not in result.stdout, result.stdout[:200]
    assert result.status is Status.OK, (result.status, result.error)
    assert result.stdout == "main done\n"
    assert result.wall_time_s is not None and result.wall_time_s < 5
    assert took < 15


def test_nothing_written_after_the_deadline_is_kept(executor: Any) -> None:
    """The main process runs past its limit; its chains write after the deadline. Old:
    `timeout`, with that output kept."""
    main = "print('main runs', flush=True)\ntime.sleep(60)\n"
    source = LATE_WRITER.format(late=3.5, main=main)
    result, took = run_python(executor, source, timeout_s=2.5, **ROOMY)
    assert result.status is Status.TIMEOUT, (result.status, result.error)
    assert "LATE" not in result.stdout, result.stdout[:200]
    assert result.stdout == "main runs\n"
    assert took < 15


def test_filling_the_pid_limit_after_main_exits_does_not_break_the_engine(executor: Any) -> None:
    """Old: the launcher could not fork or never saw its output collectors finish: no report,
    `timeout` by the host-side deadline (or `sandbox_error`), for a program that exited 0."""
    # 256 processes of Python fit in 1 GiB: the verdict is about pids, not memory
    result, took = run_python(executor, PID_FILLER, timeout_s=10.0, memory_mb=1024)
    assert result.status is Status.OK, (result.status, result.error)
    assert result.stdout == "main exits\n"
    assert result.wall_time_s is not None and result.wall_time_s < 10
    assert took < 20


def test_the_program_cannot_raise_its_priority_or_process_limit(executor: Any) -> None:
    """It runs at nice 19 under its own process limit, so the launcher keeps CPU and pids."""
    source = (
        "import os, resource\n"
        "print(os.nice(0), resource.getrlimit(resource.RLIMIT_NPROC))\n"
        "for attempt in (lambda: os.nice(-1),\n"
        "                lambda: resource.setrlimit(resource.RLIMIT_NPROC, (10**6, 10**6))):\n"
        "    try:\n"
        "        attempt()\n"
        "        print('RAISED')\n"
        "    except (OSError, ValueError) as exc:\n"
        "        print('refused', type(exc).__name__)\n"
    )
    request = resolve_language("python").make_request(
        source, limits=LimitsSpec(timeout_s=5.0, pids=100)
    )
    result = executor.run(request)
    assert result.status is Status.OK, (result.status, result.error)
    first, *rest = result.stdout.splitlines()
    assert first == "19 (100, 100)"
    assert rest == ["refused PermissionError", "refused ValueError"]
