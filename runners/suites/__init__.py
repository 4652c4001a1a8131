"""The suite registry: every suite the project scores, by name.

Built-in suites register themselves when their module is imported; :func:`get_suite` imports
them on first use, so that the CLI starts without loading evalplus.
"""

from __future__ import annotations

from importlib import import_module
from typing import TypeVar

from runners.suites.base import Suite, SuiteJob, SuitePlan, SuiteRunSpec
from sandbox.errors import BadInputError

BUILTIN_MODULES = ("runners.multilang.suite", "runners.evalplus_suite.suite")
_REGISTRY: dict[str, Suite] = {}
_loaded = False

S = TypeVar("S", bound=type[Suite])


def register_suite(cls: S) -> S:
    """Class decorator: add an instance of ``cls`` to the registry under ``cls.name``."""
    _REGISTRY[cls.name] = cls()
    return cls


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            import_module(module)
        _loaded = True


def suite_names() -> list[str]:
    """Every registered suite's name, in registration order."""
    _load_builtins()
    return list(_REGISTRY)


def get_suite(name: str) -> Suite:
    """The suite called ``name`` (case-insensitive); BadInputError naming the choices."""
    _load_builtins()
    suite = _REGISTRY.get(name.strip().lower())
    if suite is None:
        raise BadInputError(f"unknown suite {name!r}", f"use one of: {', '.join(_REGISTRY)}")
    return suite


def find_suite(name: str) -> Suite | None:
    """The suite called ``name``, or None (readers of results of unknown producers)."""
    _load_builtins()
    return _REGISTRY.get(name.strip().lower())


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
