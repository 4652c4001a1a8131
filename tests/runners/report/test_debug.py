"""`sandbox debug` against the real engine: re-run, --shell through a pty, --keep."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runners.debug import DebugInputError, find_target
from sandbox.errors import ImageMissingError

from .resultdirs import write_program_run

pytestmark = pytest.mark.docker

CLI = [sys.executable, "-c", "from runners.cli.main import run_app; run_app()"]

PROGRAMS = {
    # The "model" doubles instead of doubling plus one: a wrong answer on input 20.
    "python": "x = int(input())\nprint(x * 2)\n",
    "c": (
        '#include <stdio.h>\nint main(void) { int x; scanf("%d", &x); '
        'printf("%d\\n", x * 2); return 0; }\n'
    ),
}


def write_failing_run(directory: Path, language: str) -> Path:
    """A one-sample McEval-style run, written by the suite's own writer, whose program must
    print what the reference prints on input 20 (41) and prints 40."""
    from sandbox.languages import resolve_language

    spec = resolve_language(language)
    request = spec.make_request(PROGRAMS[language], stdin="20\n", tag="demo/1#0")
    reference = spec.make_request("# reference\n", stdin="20\n", tag="demo/1#ref")
    return write_program_run(
        directory,
        "m",
        [(language, "demo/1", request, reference, "40\n", "41\n")],
    )


@pytest.fixture(params=["python", "c"])
def failing_run(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    from sandbox.engine import DockerEngine
    from sandbox.languages import resolve_language

    try:
        DockerEngine().image_id(resolve_language(request.param).image)
    except ImageMissingError:
        pytest.skip(f"image of {request.param} not built")
    return write_failing_run(tmp_path / request.param, request.param)


def test_debug_reruns_and_shows_program_output_and_failing_case(failing_run: Path) -> None:
    done = subprocess.run(
        [*CLI, "debug", str(failing_run), "demo/1"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    first = out.splitlines()[0]
    assert first.startswith("FAILED: mceval demo/1 sample 0")  # the verdict comes first
    assert "expected: 41" in out and "actual: 40" in out and "input: 20" in out
    assert "x * 2" in out  # the program
    assert out.index("actual: 40") < out.index("x * 2")  # the failing test before the program
    assert re.search(r"re-run in sandbox-lang-\w+:latest: failed \(same as recorded\)", out)


def _read_until(fd: int, pattern: str, timeout: float) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
            seen += chunk
            if re.search(pattern, seen):
                return seen
    raise AssertionError(f"{pattern!r} not seen within {timeout}s; got:\n{seen}")


def _running_containers(owner_pid: int) -> list[str]:
    host = os.uname().nodename
    found = subprocess.run(
        ["docker", "ps", "-q", "--filter", f"label=sandbox.owner={host}:{owner_pid}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return found.stdout.split()


def test_debug_shell_in_a_pty_has_the_files_and_runs_the_program(failing_run: Path) -> None:
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [*CLI, "debug", str(failing_run), "demo/1", "--shell", "--no-rerun"],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        env={**os.environ, "NO_COLOR": "1", "TERM": "dumb"},
    )  # fmt: skip
    os.close(slave)
    try:
        _read_until(master, r"files are in /work", 120)
        _read_until(master, r"[$#] ?$", 60)  # the shell prompt
        os.write(master, b"pwd; id -u; ls; sh .sandbox/run.sh; echo DONE-$((6*7))\n")
        seen = _read_until(master, r"DONE-42", 60)
        assert "/work" in seen and "65534" in seen
        assert re.search(r"(?m)^40\r?$", seen), seen  # the program ran on the recorded stdin
        assert _running_containers(process.pid)  # the shell's container is up
        os.write(master, b"exit\n")
        assert process.wait(timeout=60) == 0
        assert _running_containers(process.pid) == []  # removed after the shell ends
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)


def test_debug_keep_prints_a_working_docker_exec_line(failing_run: Path) -> None:
    done = subprocess.run(
        [*CLI, "debug", str(failing_run), "demo/1", "--keep", "--keep-for", "120", "--no-rerun"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    match = re.search(r"docker exec -it -u 65534:65534 -w /work ([0-9a-f]{64}) sh", done.stdout)
    assert match, done.stdout
    container = match.group(1)
    try:
        ran = subprocess.run(
            ["docker", "exec", "-u", "65534", "-w", "/work", container, "sh", ".sandbox/run.sh"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert ran.stdout.strip() == "40"
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=False)


def test_debug_names_known_tasks_when_the_task_is_unknown(tmp_path: Path) -> None:
    run = write_failing_run(tmp_path / "run", "python")
    with pytest.raises(DebugInputError, match="use one of: demo/1"):
        find_target(run, "HumanEval/0", None)
    with pytest.raises(DebugInputError, match="no sample 3"):
        find_target(run, "demo/1", 3)
