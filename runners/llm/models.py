"""What a request to an OpenAI-compatible endpoint is made of, and what comes back."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from sandbox.models import FrozenModel


class SamplingSpec(FrozenModel):
    """The request parameters that change the reply (all part of the cache key)."""

    temperature: float = Field(ge=0.0, le=2.0)
    max_tokens: int = Field(ge=1)
    top_p: float | None = Field(None, gt=0.0, le=1.0, description="None: the endpoint's default")
    stop: tuple[str, ...] = Field((), description="stop sequences (a completion ends before one)")
    extra: dict[str, Any] = Field(
        default_factory=dict, description="further body fields (e.g. vLLM's continue_final_message)"
    )

    def params(self) -> dict[str, Any]:
        """The parameters as sent (``top_p``, ``stop`` and extras only when set)."""
        params: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.top_p is not None:
            params["top_p"] = self.top_p
        if self.stop:
            params["stop"] = list(self.stop)
        params.update(self.extra)
        return params


class EndpointSpec(FrozenModel):
    """Where the model lives and how it is asked (``temperature``/``max_tokens``: the sampling of
    a call that names none)."""

    base_url: str = Field(description="endpoint root including /v1, e.g. http://127.0.0.1:8000/v1")
    model: str | None = Field(None, description="model name; None asks /v1/models")
    api_key_env: str = Field("OPENAI_API_KEY", description="environment variable with the key")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(4096, ge=1)
    timeout_s: float = Field(120.0, gt=0)
    max_retries: int = Field(6, ge=0)
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(60.0, ge=0)
    retry_after_max_s: float = Field(300.0, ge=0, description="longest Retry-After honoured")
    concurrency: int = Field(4, ge=1)

    def default_sampling(self) -> SamplingSpec:
        """The sampling of a request that names none."""
        return SamplingSpec(temperature=self.temperature, max_tokens=self.max_tokens)


class ChatReply(FrozenModel):
    """One completion (chat or text) as the endpoint returned it."""

    text: str
    served_model: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False


class UsageTotals:
    """Counters for one run (requests sent, cache hits, retries, tokens)."""

    def __init__(self) -> None:
        self.requests = 0
        self.completions = 0
        self.cache_hits = 0
        self.retries = 0
        self.failures = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.served_models: set[str] = set()

    def add_reply(self, reply: ChatReply) -> None:
        self.completions += 1
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        if reply.served_model:
            self.served_models.add(reply.served_model)

    def as_dict(
        self, price_input: float | None = None, price_output: float | None = None
    ) -> dict[str, Any]:
        """Totals; ``cost_usd`` when prices per million tokens are given."""
        data: dict[str, Any] = {
            "requests": self.requests,
            "completions": self.completions,
            "cache_hits": self.cache_hits,
            "retries": self.retries,
            "failed_requests": self.failures,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "served_models": sorted(self.served_models),
        }
        cost = compute_cost(self.prompt_tokens, self.completion_tokens, price_input, price_output)
        if cost is not None:
            data["cost_usd"] = cost
        return data


def compute_cost(
    prompt_tokens: int,
    completion_tokens: int,
    price_input: float | None,
    price_output: float | None,
) -> float | None:
    """USD for the tokens at prices per million tokens; None when no price is given."""
    if price_input is None and price_output is None:
        return None
    cost = prompt_tokens * (price_input or 0.0) + completion_tokens * (price_output or 0.0)
    return round(cost / 1e6, 6)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def read_chat_reply(body: Any) -> ChatReply:
    """A ChatReply from a chat-completions body; ValueError if it is not one."""
    try:
        choice = body["choices"][0]
        content = choice["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueError("reply has no choices[0].message") from exc
    return _reply(body, choice, content)


def read_text_reply(body: Any) -> ChatReply:
    """A ChatReply from a (text) completions body; ValueError if it is not one."""
    try:
        choice = body["choices"][0]
        text = choice["text"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError("reply has no choices[0].text") from exc
    return _reply(body, choice, text)


def _reply(body: Any, choice: Any, text: Any) -> ChatReply:
    usage = body.get("usage") or {}
    return ChatReply(
        text=text if isinstance(text, str) else "",
        served_model=body.get("model"),
        finish_reason=choice.get("finish_reason"),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


def read_model_ids(body: Any) -> list[str]:
    """Model ids of a ``/models`` body; ValueError if it is not one."""
    try:
        return [str(entry["id"]) for entry in body["data"]]
    except (KeyError, TypeError) as exc:
        raise ValueError("reply has no data[].id") from exc
