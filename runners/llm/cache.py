"""Persistent request cache (SQLite): a re-run or a crash never pays twice for one request.

The key is a hash of the model, the full request (messages or prompt), the sampling parameters
and a caller's context (the judging method; for generation the endpoint and the sample number),
so a different prompt, temperature, model or method is a different entry. Each entry keeps the
request and the reply in full: every judgment or generation can be recomputed from it alone.
Used by the judge (``judge.sqlite``) and by ``sandbox generate`` (``generate.sqlite``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runners.provenance import utc_now
from sandbox.files import cache_root

from .errors import LLMError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    reply TEXT NOT NULL,
    created TEXT NOT NULL
)
"""
# Files written before the cache was shared kept the judge's table name; their rows are read
# into the shared table once (the old table is left for older versions of the tool).
_LEGACY_TABLE = "judgments"


def cache_path(env_var: str, file_name: str) -> Path:
    """``$env_var`` (a file) if set, else ``file_name`` under the project's cache root
    (``sandbox.files.cache_root``)."""
    explicit = os.environ.get(env_var)
    return Path(explicit) if explicit else cache_root() / file_name


def compute_cache_key(
    model: str,
    messages: Sequence[Mapping[str, str]] | str,
    params: Mapping[str, Any],
    context: Mapping[str, str] | None = None,
) -> str:
    """Stable hash of everything that determines the reply: the model, the chat ``messages``
    (or a completion prompt, as a string), the sampling ``params`` and the caller's ``context``."""
    payload: dict[str, Any] = {"model": model, "params": dict(params)}
    if isinstance(messages, str):
        payload["prompt"] = messages
    else:
        payload["messages"] = list(messages)
    if context:
        payload["context"] = dict(context)
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


class RequestCache:
    """A key -> reply store in one SQLite file, safe to share between runs and threads.

    Every ``put`` is committed before it returns, so a process killed right after a paid request
    still finds the reply on the next run.
    """

    def __init__(self, path: Path, *, env_var: str = "") -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._adopt_legacy_rows()
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            where = f" (or set ${env_var})" if env_var else ""
            raise LLMError(
                f"cannot open the request cache {self.path}: {exc}",
                f"pass --cache PATH to a writable file{where}",
            ) from exc

    def _adopt_legacy_rows(self) -> None:
        found = self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name=?", (_LEGACY_TABLE,)
        ).fetchone()
        if found is not None:
            self._db.execute(
                f"INSERT OR IGNORE INTO replies SELECT key, judge_model, request, reply, created "
                f"FROM {_LEGACY_TABLE}"
            )

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored reply for ``key``, or None."""
        with self._lock:
            row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        reply: dict[str, Any] = json.loads(row[0])
        return reply

    def put(
        self, key: str, model: str, request: Mapping[str, Any], reply: Mapping[str, Any]
    ) -> None:
        """Store (or replace) one reply and commit it."""
        values = (
            key,
            model,
            json.dumps(request, ensure_ascii=False, sort_keys=True),
            json.dumps(reply, ensure_ascii=False, sort_keys=True),
            utc_now(),
        )
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?, ?)", values)
            self._db.commit()

    def count(self) -> int:
        """Number of stored replies."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM replies").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
