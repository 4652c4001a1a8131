"""Persistent judgment cache (SQLite): a re-run or a crash never pays twice for one request.

The key is a hash of the judge model, the full message list, the sampling parameters and the
judging method that asked, so a different prompt, temperature, judge or method is a different
entry. Each entry keeps the request and the
reply in full: every judgment can be recomputed from the cache alone.
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

from .errors import JudgeError

CACHE_ENV = "SANDBOX_JUDGE_CACHE"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS judgments (
    key TEXT PRIMARY KEY,
    judge_model TEXT NOT NULL,
    request TEXT NOT NULL,
    reply TEXT NOT NULL,
    created TEXT NOT NULL
)
"""


def default_cache_path() -> Path:
    """``$SANDBOX_JUDGE_CACHE`` (a file), else ``judge.sqlite`` under the project's cache root
    (``sandbox.files.cache_root``)."""
    explicit = os.environ.get(CACHE_ENV)
    return Path(explicit) if explicit else cache_root() / "judge.sqlite"


def compute_cache_key(
    judge_model: str,
    messages: Sequence[Mapping[str, str]],
    params: Mapping[str, Any],
    context: Mapping[str, str] | None = None,
) -> str:
    """Stable hash of everything that determines the judge's reply, plus ``context`` (the
    protocol and judging method that asked) when given."""
    payload: dict[str, Any] = {
        "model": judge_model,
        "messages": list(messages),
        "params": dict(params),
    }
    if context:
        payload["context"] = dict(context)
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


class JudgmentCache:
    """A key -> reply store in one SQLite file, safe to share between runs and threads.

    Every ``put`` is committed before it returns, so a process killed right after a paid request
    still finds the reply on the next run.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise JudgeError(
                f"cannot open the judgment cache {self.path}: {exc}",
                "pass --cache PATH to a writable file (or set $SANDBOX_JUDGE_CACHE)",
            ) from exc

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored reply for ``key``, or None."""
        with self._lock:
            row = self._db.execute("SELECT reply FROM judgments WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        reply: dict[str, Any] = json.loads(row[0])
        return reply

    def put(
        self, key: str, judge_model: str, request: Mapping[str, Any], reply: Mapping[str, Any]
    ) -> None:
        """Store (or replace) one reply and commit it."""
        values = (
            key,
            judge_model,
            json.dumps(request, ensure_ascii=False, sort_keys=True),
            json.dumps(reply, ensure_ascii=False, sort_keys=True),
            utc_now(),
        )
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO judgments VALUES (?, ?, ?, ?, ?)", values)
            self._db.commit()

    def count(self) -> int:
        """Number of stored replies."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM judgments").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
