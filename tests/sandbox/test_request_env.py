"""A request's environment reaches the program only, never the launcher.

The old launcher sourced ``ExecutionRequest.env`` as root after its own parameters, so a variable
named like one of them (the program's uid, a limit, an output cap, PATH) overrode it. Names and
values are now validated when the request is made, and, should a request bypass validation,
the launcher still never reads the environment: the program's own shell applies it.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sandbox.languages import resolve_language
from sandbox.models import ExecutionRequest, ExecutionResult, LimitsSpec, Status


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"PROGRAM_UID": "0"}, "reserved"),
        ({"TIMEOUT": "1000"}, "reserved"),
        ({"CAP_OUT": "999999999"}, "reserved"),
        ({"LD_PRELOAD": "/tmp/evil.so"}, "reserved"),
        ({"1ABC": "x"}, "not a shell identifier"),
        ({"A-B": "x"}, "not a shell identifier"),
        ({"CAFÉ": "x"}, "not a shell identifier"),
        ({"A B": "x"}, "not a shell identifier"),
        ({"X": "a\0b"}, "NUL"),
    ],
)
def test_bad_environments_are_refused_when_the_request_is_made(
    env: dict[str, str], words: str
) -> None:
    with pytest.raises(ValidationError, match=words) as caught:
        ExecutionRequest(image="x", run="true", env=env)
    assert "fix:" in str(caught.value)


def test_ordinary_environments_are_accepted() -> None:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "_X1": "a\nb 'c' $d `e`"}
    assert ExecutionRequest(image="x", run="true", env=env).env == env


# Each variable, if the launcher read it, would change something the launcher decides; the
# program prints what it sees so that the test can tell the value did reach it.
PRINT_ENV = (
    "import os, time\n"
    "print(os.getuid() != 0, os.environ.get('PROGRAM_UID'), os.environ.get('V'))\n"
    "print('x' * 50, flush=True)\n"
    "time.sleep(3)\n"
    "print('still here')\n"
)


def unvalidated(request: ExecutionRequest, env: dict[str, str]) -> ExecutionRequest:
    """The request with ``env`` set as if validation had been bypassed (model_construct)."""
    fields = dict(request)
    fields["env"] = env
    return ExecutionRequest.model_construct(**fields)


@pytest.mark.docker
def test_launcher_parameters_cannot_be_overridden_through_the_environment(executor: Any) -> None:
    request = resolve_language("python").make_request(
        PRINT_ENV, limits=LimitsSpec(timeout_s=1.5, stdout_bytes=20)
    )
    hostile = {
        "PROGRAM_UID": "0",  # run the program as root
        "TIMEOUT": "100",  # a longer time limit
        "CAP_OUT": "100000",  # keep more output
        "REAP_PASSES": "0",
        "V": "it's $(id -u) `id`\nPROGRAM_UID=0",  # quoting: no command runs, no new line
    }
    result: ExecutionResult = executor.run(unvalidated(request, {**request.env, **hostile}))
    assert result.status is Status.TIMEOUT, (result.status, result.error)  # 1.5 s held
    assert result.stdout_truncated and len(result.stdout) == 20  # the cap held
    assert result.stdout.startswith("True 0 it's $(id -u)")  # not root; values verbatim


@pytest.mark.docker
def test_a_path_in_the_environment_is_the_programs_business(executor: Any) -> None:
    request = resolve_language("python").make_request("print('hi')")
    result = executor.run(unvalidated(request, {**request.env, "PATH": "/nonexistent"}))
    # The old launcher lost `date`, `head` and `setpriv` (sandbox_error); now only the
    # program's shell looks for python3 on this PATH, and does not find it.
    assert result.status is Status.NONZERO_EXIT, (result.status, result.error)
    assert result.exit_code == 127
