"""Every container is removed: on Ctrl-C, on SIGTERM, and after a crash (kill -9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.engine import DockerEngine

pytestmark = pytest.mark.docker

LOOP = "while True:\n    pass\n"


def start_exec(tmp_path: Path) -> subprocess.Popen[str]:
    source = tmp_path / "loop.py"
    source.write_text(LOOP)
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from runners.cli.main import run_app; run_app()",
            "exec",
            "--lang",
            "python",
            str(source),
            "--timeout",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_terminal,
    )


def _as_from_a_terminal() -> None:
    """Ctrl-C reaches a foreground program; a shell starts background jobs (`cmd &`, as CI may
    run the tests) with SIGINT ignored, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def containers_of(engine: DockerEngine, pid: int) -> list[str]:
    owner = f"{os.uname().nodename}:{pid}"
    return [c["Id"] for c in engine.list_managed(owner=owner)]


def wait_for_containers(engine: DockerEngine, pid: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = [
            c
            for c in engine.list_managed(owner=f"{os.uname().nodename}:{pid}")
            if c["State"] == "running"
        ]
        if running:
            time.sleep(1.0)  # let the program start inside it
            return
        time.sleep(0.2)
    raise AssertionError("the exec process never started a container")


def _wait_or_explain(process: subprocess.Popen[str], timeout: float) -> None:
    """Wait for the process; if it hangs, kill it and fail with what it printed."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate(timeout=30)
        pytest.fail(f"still running {timeout:g} s after the signal; stderr:\n{stderr[-3000:]}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_removes_containers(tmp_path: Path, sig: signal.Signals) -> None:
    engine = DockerEngine()
    process = start_exec(tmp_path)
    wait_for_containers(engine, process.pid)
    process.send_signal(sig)
    _wait_or_explain(process, 90)
    assert process.returncode != 0
    assert containers_of(engine, process.pid) == []


def test_leftovers_of_a_killed_process_are_removed_by_the_next_executor(tmp_path: Path) -> None:
    from sandbox.executor import LocalExecutor

    engine = DockerEngine()
    process = start_exec(tmp_path)
    wait_for_containers(engine, process.pid)
    process.kill()
    process.wait(timeout=30)
    assert containers_of(engine, process.pid) != []  # a crash leaves them behind...
    with LocalExecutor(workers=1):
        pass
    assert containers_of(engine, process.pid) == []  # ...and the next executor removes them


def test_sandbox_clean_removes_leftovers_of_dead_processes(tmp_path: Path) -> None:
    engine = DockerEngine()
    process = start_exec(tmp_path)
    wait_for_containers(engine, process.pid)
    process.kill()
    process.wait(timeout=30)
    assert containers_of(engine, process.pid) != []
    done = subprocess.run(
        [sys.executable, "-c", "from runners.cli.main import run_app; run_app()", "clean"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "removed" in done.stdout
    assert containers_of(engine, process.pid) == []
