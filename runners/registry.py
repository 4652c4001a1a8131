"""One registry shape for every plug-in family (suites, judge protocols, generators).

A family keeps a :class:`Registry` of instances by name; its built-in members register
themselves with the registry's decorator when their modules are imported, which happens on
first lookup so that commands start without loading every plug-in's dependencies.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Generic, TypeVar

from sandbox.errors import BadInputError

T = TypeVar("T")


class Registry(Generic[T]):
    """Instances of a plug-in family by name; ``what`` names the family in errors."""

    def __init__(self, what: str, builtins: tuple[str, ...]) -> None:
        self.what = what
        self.builtins = builtins
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, cls: Callable[[], T]) -> Callable[[], T]:
        """Class decorator: add an instance of ``cls`` under its ``name``."""
        item = cls()
        self._items[str(getattr(item, "name"))] = item  # noqa: B009 - every member has a name
        return cls

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self.builtins:
                import_module(module)

    def names(self) -> list[str]:
        """Every registered name, built-ins first, in registration order."""
        self._load()
        return list(self._items)

    def find(self, name: str) -> T | None:
        """The member called ``name`` (case-insensitive), or None."""
        self._load()
        return self._items.get(name.strip().lower())

    def get(self, name: str) -> T:
        """The member called ``name``; BadInputError naming the choices."""
        found = self.find(name)
        if found is None:
            raise BadInputError(
                f"unknown {self.what} {name!r}", f"use one of: {', '.join(self._items)}"
            )
        return found
