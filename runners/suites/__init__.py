"""The suite registry: every suite the project scores, by name.

Built-in suites register themselves when their module is imported; :func:`get_suite` imports
them on first use, so that the CLI starts without loading evalplus.
"""

from __future__ import annotations

from typing import TypeVar

from runners.registry import Registry
from runners.suites.base import Suite, SuiteJob, SuitePlan, SuiteRunSpec

BUILTIN_MODULES = ("runners.multilang.suite", "runners.evalplus_suite.suite")
SUITES: Registry[Suite] = Registry("suite", BUILTIN_MODULES)

S = TypeVar("S", bound=type[Suite])


def register_suite(cls: S) -> S:
    """Class decorator: add an instance of ``cls`` to the registry under ``cls.name``."""
    SUITES.register(cls)
    return cls


def suite_names() -> list[str]:
    """Every registered suite's name, in registration order."""
    return SUITES.names()


def get_suite(name: str) -> Suite:
    """The suite called ``name`` (case-insensitive); BadInputError naming the choices."""
    return SUITES.get(name)


def find_suite(name: str) -> Suite | None:
    """The suite called ``name``, or None (readers of results of unknown producers)."""
    return SUITES.find(name)


__all__ = [
    "Suite",
    "SuiteJob",
    "SuitePlan",
    "SuiteRunSpec",
    "find_suite",
    "get_suite",
    "register_suite",
    "suite_names",
]
