"""The one client for OpenAI-compatible endpoints (chat and text completions), its retries and
backoff, its SQLite request cache and its errors; shared by the judge and ``sandbox generate``."""

from __future__ import annotations

from .cache import RequestCache, cache_path, compute_cache_key
from .client import LLMClient
from .errors import (
    CacheMissError,
    EndpointError,
    LLMError,
    RequestFailedError,
    RequestRejectedError,
)
from .models import ChatReply, EndpointSpec, SamplingSpec, UsageTotals, compute_cost

__all__ = [
    "CacheMissError",
    "ChatReply",
    "EndpointError",
    "EndpointSpec",
    "LLMClient",
    "LLMError",
    "RequestCache",
    "RequestFailedError",
    "RequestRejectedError",
    "SamplingSpec",
    "UsageTotals",
    "cache_path",
    "compute_cache_key",
    "compute_cost",
]
