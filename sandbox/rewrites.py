"""Source rewrites, registered by name, for the rare language whose file name or layout
depends on the program text (e.g. Java's public class must match its file name).

A language opts in with ``rewrite = "<name>"`` in its ``language.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rewrite = Callable[[str, str], tuple[str, str]]
"""(default file name, source) -> (file name, source)."""

REWRITES: dict[str, Rewrite] = {}


def register_rewrite(name: str) -> Callable[[Rewrite], Rewrite]:
    """Decorator adding a rewrite to the registry."""

    def decorator(func: Rewrite) -> Rewrite:
        REWRITES[name] = func
        return func

    return decorator


def apply_rewrite(name: str | None, file_name: str, source: str) -> tuple[str, str]:
    """Apply the rewrite called ``name`` (a language's ``rewrite``); None leaves both as is."""
    if name is None:
        return file_name, source
    return REWRITES[name](file_name, source)


_PUBLIC_CLASS = re.compile(r"^\s*public\s+(?:final\s+|abstract\s+)*class\s+(\w+)", re.MULTILINE)


@register_rewrite("public_class_file")
def name_file_after_public_class(file_name: str, source: str) -> tuple[str, str]:
    """Java-like: the file must be named after its public class."""
    match = _PUBLIC_CLASS.search(source)
    if match is None:
        return file_name, source
    suffix = file_name[file_name.rfind(".") :]
    return f"{match.group(1)}{suffix}", source
