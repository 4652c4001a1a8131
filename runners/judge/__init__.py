"""LLM-judge preference protocols: CodeArena (pairwise vs a baseline) and CODAL-Bench (1-10
grades) as registered ``JudgeProtocol`` objects, each under a ``paper`` and a ``robust`` judging
method; an OpenAI-compatible judge client with a persistent cache, and honest statistics."""

from __future__ import annotations

from .bradley_terry import fit_bradley_terry
from .cache import JudgmentCache, default_cache_path
from .client import ChatReply, JudgeClient, JudgeClientSpec, SamplingSpec
from .errors import (
    DatasetUnavailableError,
    JudgeCacheMissError,
    JudgeEndpointError,
    JudgeError,
    JudgeRequestError,
    JudgeRequestRejectedError,
)
from .methods import MethodName, MethodSpec
from .protocol import JudgeProtocol, JudgeRunSpec, get_protocol, protocol_names, register_protocol
from .runner import run_judge

__all__ = [
    "ChatReply",
    "DatasetUnavailableError",
    "JudgeCacheMissError",
    "JudgeClient",
    "JudgeClientSpec",
    "JudgeEndpointError",
    "JudgeError",
    "JudgeProtocol",
    "JudgeRequestError",
    "JudgeRequestRejectedError",
    "JudgeRunSpec",
    "JudgmentCache",
    "MethodName",
    "MethodSpec",
    "SamplingSpec",
    "default_cache_path",
    "fit_bradley_terry",
    "get_protocol",
    "protocol_names",
    "register_protocol",
    "run_judge",
]
