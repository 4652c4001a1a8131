"""Where this suite keeps what it can recompute (ground truth, decompressed datasets)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.files import cache_root, write_atomic


def cache_dir() -> Path:
    """``evalplus/`` under the project's cache root (``sandbox.files.cache_root``)."""
    return cache_root() / "evalplus"


def read_json(path: Path) -> dict[str, Any] | None:
    """A cached JSON object, or None when absent or unreadable (it is then recomputed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically, so that a concurrent reader never sees half a file."""
    write_atomic(path, json.dumps(data))
