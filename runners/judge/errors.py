"""Errors of the LLM-judge protocols; each says what went wrong and how to fix it."""

from __future__ import annotations

from sandbox.errors import SandboxError


class JudgeError(SandboxError):
    """Base of every judge error."""


class JudgeEndpointError(JudgeError):
    """The endpoint refuses every request (bad URL, bad key, unknown model): the run stops."""


class JudgeRequestError(JudgeError):
    """One request failed for good (retries spent, client error); recorded, retried on re-run."""


class JudgeRequestRejectedError(JudgeRequestError):
    """The endpoint refused this one request (a 4xx other than 401/403/404: too long a prompt, a
    degenerate answer it will not process); never retried. The paper method scores it N/A = 0."""


class JudgeCacheMissError(JudgeError):
    """``--cache-only`` was asked and a request is not in the cache."""


class DatasetUnavailableError(JudgeError):
    """Questions could not be loaded (offline, library missing, unknown dataset)."""
