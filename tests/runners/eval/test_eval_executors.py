"""``sandbox eval`` picks its executor by name; "ray" is the cluster of sandbox.executors."""

from __future__ import annotations

import pytest

from runners.eval.executors import check_executor, open_executor
from sandbox.errors import BadInputError
from sandbox.executors import DeferredExecutor


def test_ray_is_an_executor_choice_made_on_first_use() -> None:
    assert check_executor("Ray") == "ray"
    executor = open_executor("ray", 2)
    assert isinstance(executor, DeferredExecutor)  # no cluster is joined until it runs
    executor.close()
    with pytest.raises(BadInputError, match="local, ray"):
        check_executor("slurm")
