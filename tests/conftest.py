"""Shared fixtures. Engine tests use the real Docker engine; see scripts/test.sh."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "datasets"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The benchmark data the project ships (``datasets/``)."""
    return DATA


@pytest.fixture(scope="session")
def executor() -> Iterator[object]:
    """One executor for the session; afterwards no container of this process may remain."""
    from sandbox.engine import owner_label
    from sandbox.executor import LocalExecutor

    with LocalExecutor() as shared:
        yield shared
    leftovers = shared.engine.list_managed(owner=owner_label())
    assert leftovers == [], f"containers left behind: {[c['Id'][:12] for c in leftovers]}"


@pytest.fixture(scope="session", autouse=True)
def no_stray_containers() -> Iterator[None]:
    """Whatever a test starts (executions, image builds, debug keepers) is gone at the end.

    Strict (any container, any label) unless ``SANDBOX_TEST_SHARED_ENGINE=1`` says that other
    jobs use the engine too (a developer's machine): then only containers labelled by a
    sandbox process that is not alive outside this test session count.
    """
    import docker
    import requests

    try:
        client = docker.APIClient(timeout=10)
        before = {c["Id"] for c in client.containers(all=True)}
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        yield  # no engine: the pure-logic tests still run
        return
    yield
    deadline = time.monotonic() + 20  # removals may still be in flight
    while True:
        stray = [c for c in client.containers(all=True) if c["Id"] not in before]
        if os.environ.get("SANDBOX_TEST_SHARED_ENGINE") == "1":
            stray = [c for c in stray if _ours(c.get("Labels") or {})]
        if not stray or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert stray == [], f"containers left behind: {[(c['Id'][:12], c['Image']) for c in stray]}"


def _ours(labels: dict[str, str]) -> bool:
    """A sandbox container made by this session: its owner is this process tree or dead."""
    import psutil

    if labels.get("sandbox.managed") != "1":
        return False
    _, _, pid = labels.get("sandbox.owner", "").partition(":")
    if not pid.isdigit() or not psutil.pid_exists(int(pid)):
        return True
    mine = {os.getpid(), *(child.pid for child in psutil.Process().children(recursive=True))}
    return int(pid) in mine
