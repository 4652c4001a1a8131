"""gVisor (runsc) as a runtime: the same launcher, limits and verdicts, behind a user-space
kernel. Skipped where the engine has no runsc runtime (scripts/setup-engine.sh registers it)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.engine import DockerEngine
from sandbox.errors import RuntimeMissingError
from sandbox.executor import LocalExecutor
from sandbox.languages import resolve_language
from sandbox.models import ExecutionResult, LimitsSpec, Status

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def gvisor() -> Iterator[LocalExecutor]:
    engine = DockerEngine()
    try:
        engine.check_runtime("runsc")
    except RuntimeMissingError as exc:
        pytest.skip(str(exc))
    with LocalExecutor(workers=1, engine=engine) as executor:
        yield executor


def run_python(executor: Any, source: str, **limits: Any) -> ExecutionResult:
    request = resolve_language("python").make_request(
        source, limits=LimitsSpec(**{"timeout_s": 10.0, "runtime": "runsc", **limits})
    )
    result: ExecutionResult = executor.run(request)
    return result


def test_a_program_runs_under_gvisor(gvisor: LocalExecutor) -> None:
    source = "import os, platform\nprint(os.getuid() != 0, platform.release())\n"
    result = run_python(gvisor, source)
    assert result.status is Status.OK, (result.status, result.error, result.stderr)
    not_root, release = result.stdout.split()
    assert not_root == "True"
    assert release == "4.4.0"  # gVisor's kernel, not the host's


@pytest.mark.parametrize(
    ("source", "status"),
    [
        ("import sys\nsys.exit(124)\n", Status.NONZERO_EXIT),
        ("while True:\n    pass\n", Status.TIMEOUT),
        ("chunks = []\nwhile True:\n    chunks.append(bytearray(8 << 20))\n", Status.OOM),
    ],
    ids=["exit124", "busy-loop", "memory-bomb"],
)
def test_verdicts_under_gvisor(gvisor: LocalExecutor, source: str, status: Status) -> None:
    result = run_python(gvisor, source, timeout_s=3.0, memory_mb=256)
    assert result.status is status, (result.status, result.error)


def test_an_unknown_runtime_is_one_line_of_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "hello.py"
    source.write_text("print(1)\n")
    cli = [sys.executable, "-c", "from runners.cli.main import run_app; run_app()"]
    done = subprocess.run(
        [*cli, "exec", "--lang", "python", "--runtime", "kata", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown runtime 'kata'" in done.stderr and "runc, runsc" in done.stderr
    assert "Traceback" not in done.stderr
