"""The judge's request cache: the shared SQLite cache (``runners.llm.cache``) in its own file,
``judge.sqlite`` under the project's cache root (``$SANDBOX_JUDGE_CACHE`` names another)."""

from __future__ import annotations

from pathlib import Path

from runners.llm.cache import RequestCache, cache_path, compute_cache_key

CACHE_ENV = "SANDBOX_JUDGE_CACHE"


class JudgmentCache(RequestCache):
    """The judge's replies; a file that cannot be opened names ``$SANDBOX_JUDGE_CACHE``."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, env_var=CACHE_ENV)


def default_cache_path() -> Path:
    """``$SANDBOX_JUDGE_CACHE`` (a file), else ``judge.sqlite`` under the project's cache root
    (``sandbox.files.cache_root``)."""
    return cache_path(CACHE_ENV, "judge.sqlite")


__all__ = ["CACHE_ENV", "JudgmentCache", "compute_cache_key", "default_cache_path"]
