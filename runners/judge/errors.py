"""Errors of the LLM-judge protocols; each says what went wrong and how to fix it.

The endpoint's errors are the shared client's (``runners.llm.errors``), under the names the
judge has always used.
"""

from __future__ import annotations

from runners.llm.errors import (
    CacheMissError,
    EndpointError,
    RequestFailedError,
    RequestRejectedError,
)
from sandbox.errors import SandboxError


class JudgeError(SandboxError):
    """Base of the judge's own errors (its data)."""


JudgeEndpointError = EndpointError
"""The endpoint refuses every request (bad URL, bad key, unknown model): the run stops."""
JudgeRequestError = RequestFailedError
"""One request failed for good (retries spent, client error); recorded, retried on re-run."""
JudgeRequestRejectedError = RequestRejectedError
"""The endpoint refused this one request (a 4xx other than 401/403/404); never retried. The
paper method scores it N/A = 0."""
JudgeCacheMissError = CacheMissError
"""``--cache-only`` was asked and a request is not in the cache."""


class DatasetUnavailableError(JudgeError):
    """Questions could not be loaded (offline, library missing, unknown dataset)."""
