"""Many executions in parallel each get their own, correct result."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.languages import resolve_language
from sandbox.models import LimitsSpec, Status

pytestmark = pytest.mark.docker


def test_twenty_concurrent_executions_get_their_own_results(executor: Any) -> None:
    spec = resolve_language("python")
    requests = [
        spec.make_request(
            "import sys\nn = int(sys.stdin.read())\nprint(n, sum(range(n)))\nsys.exit(n % 3)",
            stdin=str(1000 + i),
            limits=LimitsSpec(timeout_s=20),
            tag=f"job-{i}",
        )
        for i in range(20)
    ]
    seen = {}
    for request, result in executor.run_many(requests):
        assert request.tag == result.tag
        seen[result.tag] = result
    assert len(seen) == 20
    for i in range(20):
        n = 1000 + i
        result = seen[f"job-{i}"]
        assert result.stdout == f"{n} {sum(range(n))}\n"
        assert result.exit_code == n % 3
        assert result.status is (Status.OK if n % 3 == 0 else Status.NONZERO_EXIT)


def test_files_and_compile_step_are_honoured(executor: Any) -> None:
    from sandbox.models import ExecutionRequest

    request = ExecutionRequest(
        image=resolve_language("python").image,
        files={
            "lib/helper.py": "VALUE = 41\n",
            "main.py": "from lib.helper import VALUE\nprint(VALUE + 1)\n",
        },
        compile="python3 -m py_compile main.py && echo compiled",
        run="python3 main.py",
    )
    result = executor.run(request)
    assert result.status is Status.OK
    assert result.stdout == "42\n"
    assert result.compile_exit_code == 0 and "compiled" in result.compile_output


def test_failed_compile_step_is_compile_error(executor: Any) -> None:
    from sandbox.models import ExecutionRequest

    request = ExecutionRequest(
        image=resolve_language("python").image,
        files={"main.py": "def broken(:\n"},
        compile="python3 -m py_compile main.py",
        run="python3 main.py",
    )
    result = executor.run(request)
    assert result.status is Status.COMPILE_ERROR
    assert result.compile_exit_code not in (None, 0)
    assert "SyntaxError" in result.compile_output


def test_idle_containers_stay_bounded_when_a_run_moves_between_limit_sets() -> None:
    import time

    from sandbox.executor import LocalExecutor

    spec = resolve_language("python")
    with LocalExecutor(workers=1) as private:
        for memory in range(200, 300, 10):  # ten different container keys
            request = spec.make_request("print(1)", limits=LimitsSpec(memory_mb=memory))
            assert private.run(request).status is Status.OK
        time.sleep(3)  # let background starters finish
        assert private.pool.idle_count() <= private.pool.max_idle
