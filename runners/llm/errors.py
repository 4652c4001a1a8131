"""Errors of the OpenAI-compatible client; each says what went wrong and how to fix it.

The judge and ``sandbox generate`` share them (``runners.judge.errors`` names them for the
judge), so a refused key reads the same whichever command met it.
"""

from __future__ import annotations

import re

from sandbox.errors import SandboxError


class LLMError(SandboxError):
    """Base of every error of the model client."""


class EndpointError(LLMError):
    """The endpoint refuses every request (bad URL, bad key, unknown model): the run stops."""

    def __init__(self, problem: str, fix: str = "", *, status: int | None = None) -> None:
        super().__init__(problem, fix)
        self.status = status


class RequestFailedError(LLMError):
    """One request failed for good (retries spent, client error); recorded, retried on re-run."""


class RequestRejectedError(RequestFailedError):
    """The endpoint refused this one request (a 4xx other than 401/403/404: a prompt longer
    than the model's context, a parameter it does not accept); never retried."""

    def __init__(self, problem: str, fix: str = "", *, status: int = 400, detail: str = "") -> None:
        super().__init__(problem, fix)
        self.status = status
        self.detail = detail

    @property
    def context_overflow(self) -> bool:
        """Whether the endpoint said the prompt (plus the tokens asked for) is too long."""
        return bool(_OVERFLOW.search(self.detail))


class CacheMissError(LLMError):
    """``--cache-only`` was asked and a request is not in the cache."""


# How vLLM, llama.cpp, TGI, OpenAI and others word a prompt longer than the context.
_OVERFLOW = re.compile(
    r"context[ _-]?length|context window|maximum context|max_model_len|too many tokens|"
    r"prompt is too long|exceeds? the (?:model'?s )?(?:maximum|context|limit)|"
    r"input (?:is )?too long|must be <=|n_ctx",
    re.IGNORECASE,
)
