"""The judge's view of the shared OpenAI-compatible client (``runners.llm``).

There is one client, one retry/backoff and one request cache in the project; the judge names
its model with ``--judge-model``, and its calls always name their sampling.
"""

from __future__ import annotations

from typing import ClassVar

from runners.llm.client import RETRYABLE_STATUS, LLMClient, Message
from runners.llm.models import (
    ChatReply,
    EndpointSpec,
    SamplingSpec,
    UsageTotals,
    parse_retry_after,
)

JudgeClientSpec = EndpointSpec
"""Where the judge lives and how it is asked."""


class JudgeClient(LLMClient):
    """The client as the judge uses it; use as ``async with JudgeClient(spec, cache)``."""

    model_option: ClassVar[str] = "--judge-model"


__all__ = [
    "RETRYABLE_STATUS",
    "ChatReply",
    "JudgeClient",
    "JudgeClientSpec",
    "Message",
    "SamplingSpec",
    "UsageTotals",
    "parse_retry_after",
]
