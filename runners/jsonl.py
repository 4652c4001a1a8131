"""JSONL, read one way everywhere: plain or gzip-compressed, errors naming file and line.

Every reader of a ``.jsonl`` file in this project (datasets, samples, answers, result records)
goes through :func:`iter_jsonl`, and every "the last record of each key wins" through
:func:`latest_by_key`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sandbox.errors import BadInputError

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


def open_text(path: Path) -> str:
    """A text file's content, decompressed when it ends in ``.gz`` (bytes kept exact)."""
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        return data.decode("utf-8")
    except OSError as exc:
        raise BadInputError(
            f"{path}: cannot read ({exc.strerror or exc})", "check the path"
        ) from exc
    except (EOFError, gzip.BadGzipFile) as exc:
        raise BadInputError(f"{path}: not a valid gzip file ({exc})", "re-download it") from exc
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{path}: not UTF-8 ({exc.reason})", "re-encode it as UTF-8") from exc


def iter_jsonl(
    path: Path, *, tolerate_torn_tail: bool = False
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line.

    A line that is not a JSON object is a :class:`BadInputError` naming ``file:line``; with
    ``tolerate_torn_tail`` a damaged *last* line (a writer killed mid-line) is skipped instead.
    """
    lines = open_text(path).splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if tolerate_torn_tail and number == len(lines):
                return
            raise BadInputError(
                f"{path}:{number}: not valid JSON ({exc.msg})", "fix or remove that line"
            ) from exc
        if not isinstance(record, dict):
            raise BadInputError(f"{path}:{number}: not a JSON object", "one object per line")
        yield number, record


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every object of a JSONL file (see :func:`iter_jsonl`)."""
    return [record for _, record in iter_jsonl(path)]


def jsonl_stem(path: Path) -> str:
    """The name without ``.jsonl`` / ``.jsonl.gz`` (``C#.jsonl.gz`` -> ``C#``)."""
    name = path.name
    for suffix in sorted(JSONL_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def find_jsonl(folder: Path, pattern: str = "*") -> list[Path]:
    """``pattern.jsonl`` and ``pattern.jsonl.gz`` files in ``folder``, sorted by stem."""
    found = [p for s in JSONL_SUFFIXES for p in folder.glob(pattern + s) if p.is_file()]
    return sorted(found, key=lambda p: (jsonl_stem(p), p.name))


def latest_by_key(
    records: Iterable[Mapping[str, Any]], key: str = "key"
) -> dict[str, dict[str, Any]]:
    """The last record of each key, in first-seen key order (a retry supersedes its attempt);
    records without the key are dropped."""
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        if key in record:
            latest[str(record[key])] = dict(record)
    return latest
