"""File-system helpers used across the project: the one cache root and atomic writes.

Cache root rule (documented in docs/architecture.md): ``$SANDBOX_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/sandbox``, else ``~/.cache/sandbox``. Everything the project can recompute or
re-download lives below it, one folder per user: ``downloads/`` (toolchains an image build
fetches), ``evalplus/`` (ground truth, decompressed datasets), ``judge.sqlite`` (replies).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

CACHE_VARIABLE = "SANDBOX_CACHE_DIR"


def cache_root() -> Path:
    """The project's cache folder (see the module docstring for the rule)."""
    explicit = os.environ.get(CACHE_VARIABLE)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sandbox"


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``path`` so that a concurrent reader sees the old file or the new one, never half.

    The temporary file sits beside the target (same file system) with a name unique to this
    process and thread, so parallel writers of the same path cannot collide.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    if isinstance(data, str):
        partial.write_text(data, encoding="utf-8")
    else:
        partial.write_bytes(data)
    os.replace(partial, path)
