"""Where benchmark data comes from: the copy shipped in ``datasets/`` unless told otherwise.

The repository carries the datasets its commands default to (see ``datasets/README.md``), so a
plain clone works offline. ``SANDBOX_DATA_DIR`` or ``--data-dir`` point at another folder with
the same layout (``mceval/``, ``multipl-e-humaneval/``, ...), plain or gzip-compressed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from runners.jsonl import jsonl_stem, open_text

DATA_DIR_VARIABLE = "SANDBOX_DATA_DIR"


def shipped_data_dir() -> Path:
    """The project's own ``datasets/`` folder."""
    return Path(__file__).resolve().parent.parent / "datasets"


def default_data_root() -> Path:
    """``SANDBOX_DATA_DIR`` if set, else the shipped ``datasets/``."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    return Path(override) if override else shipped_data_dir()


def shipped_file(*parts: str) -> Path | None:
    """A file of the shipped datasets, or None when this checkout lacks it."""
    path = shipped_data_dir().joinpath(*parts)
    return path if path.is_file() else None


def digest_files(paths: Iterable[Path]) -> str:
    """SHA-256 over the names (without ``.gz``) and decompressed contents of ``paths``: the
    same for a folder of plain files and for its compressed copy."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=jsonl_stem):
        digest.update(jsonl_stem(path).encode() + b"\0" + open_text(path).encode())
    return digest.hexdigest()[:16]
