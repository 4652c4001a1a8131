"""A sample that breaks the engine does not escape scoring.

Two sandbox errors in a row, then a canary (a trivial program, same image and limits, same
engine): if the canary passes, the sample is at fault and its result is ``crashed_sandbox``, a
failure; if the canary fails too, the engine is at fault and it stays ``sandbox_error``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import docker
import pytest

from sandbox.executor import LocalExecutor
from sandbox.languages import resolve_language
from sandbox.models import ExecutionRequest, LimitsSpec, Status

pytestmark = pytest.mark.docker


def test_a_sample_that_breaks_the_engine_is_a_failure_of_the_sample(executor: Any) -> None:
    """Its source does not fit in its 1 MiB work dir, so the payload never unpacks: the engine
    fails every time, while the canary (no files) runs. Old: `sandbox_error`, "not judged"."""
    limits = LimitsSpec(timeout_s=5.0, workdir_mb=1)
    request = resolve_language("python").make_request("#" * (2 << 20), limits=limits)
    result = executor.run(request)
    assert result.status is Status.CRASHED_SANDBOX, (result.status, result.error)
    assert not result.passed
    assert result.error and "canary passed" in result.error
    assert "did not unpack" in result.error  # the reason of the engine failure is kept


@pytest.fixture
def image_without_setpriv() -> Iterator[str]:
    """debian:bookworm minus setpriv: the launcher refuses to run (exit 95) in every container,
    the canary's included. Made for this test by commit, removed after it."""
    client = docker.APIClient(timeout=120)
    name = f"sandbox-test-no-setpriv:{uuid.uuid4().hex[:8]}"
    created = client.create_container(
        "debian:bookworm", command=["rm", "/usr/bin/setpriv"], network_disabled=True
    )
    try:
        client.start(created["Id"])
        assert client.wait(created["Id"], timeout=60)["StatusCode"] == 0
        repository, tag = name.split(":")
        client.commit(created["Id"], repository=repository, tag=tag)
    finally:
        client.remove_container(created["Id"], force=True)
    yield name
    client.remove_image(name, force=True)


def test_an_engine_that_fails_the_canary_too_stays_a_sandbox_error(
    image_without_setpriv: str,
) -> None:
    request = ExecutionRequest(
        image=image_without_setpriv, run="echo hi", limits=LimitsSpec(timeout_s=5.0)
    )
    with LocalExecutor(workers=1) as private:  # its containers are gone before the image
        result = private.run(request)
    assert result.status is Status.SANDBOX_ERROR, (result.status, result.error)
    assert result.error and "setpriv" in result.error and "canary failed too" in result.error
