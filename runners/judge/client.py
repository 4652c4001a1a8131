"""Client for any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp, ...).

Bounded concurrency, a per-request timeout, retries with exponential backoff and jitter on 429,
5xx, connection errors, timeouts and malformed replies (honouring ``Retry-After``), token usage
totals, and the persistent judgment cache in front of it all.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import Field

from sandbox.models import FrozenModel

from .cache import JudgmentCache, compute_cache_key
from .errors import (
    JudgeCacheMissError,
    JudgeEndpointError,
    JudgeRequestError,
    JudgeRequestRejectedError,
)

T = TypeVar("T")
Message = Mapping[str, str]
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})


class SamplingSpec(FrozenModel):
    """The request parameters that change the judge's reply (all part of the cache key)."""

    temperature: float = Field(ge=0.0, le=2.0)
    max_tokens: int = Field(ge=1)
    top_p: float | None = Field(None, gt=0.0, le=1.0, description="None: the endpoint's default")

    def params(self) -> dict[str, Any]:
        """The parameters as sent (``top_p`` only when set)."""
        params: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.top_p is not None:
            params["top_p"] = self.top_p
        return params


class JudgeClientSpec(FrozenModel):
    """Where the judge lives and how it is asked (``temperature``/``max_tokens``: the sampling of
    a ``complete`` call that names none; judge protocols always name theirs)."""

    base_url: str = Field(description="endpoint root including /v1, e.g. http://127.0.0.1:8000/v1")
    model: str | None = Field(None, description="judge model; None asks /v1/models")
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
    """One chat completion as the judge returned it."""

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
        if price_input is not None or price_output is not None:
            cost = self.prompt_tokens * (price_input or 0.0) + self.completion_tokens * (
                price_output or 0.0
            )
            data["cost_usd"] = round(cost / 1e6, 6)
        return data


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


def _read_chat_reply(body: Any) -> ChatReply:
    """A ChatReply from a chat-completions body; ValueError if it is not one."""
    try:
        choice = body["choices"][0]
        content = choice["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueError("reply has no choices[0].message") from exc
    usage = body.get("usage") or {}
    return ChatReply(
        text=content if isinstance(content, str) else "",
        served_model=body.get("model"),
        finish_reason=choice.get("finish_reason"),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


def _read_model_ids(body: Any) -> list[str]:
    try:
        return [str(entry["id"]) for entry in body["data"]]
    except (KeyError, TypeError) as exc:
        raise ValueError("reply has no data[].id") from exc


class JudgeClient:
    """Async judge client; use as ``async with JudgeClient(spec, cache) as client``."""

    def __init__(
        self,
        spec: JudgeClientSpec,
        cache: JudgmentCache | None = None,
        *,
        cache_only: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self.spec = spec
        self.cache = cache
        self.cache_only = cache_only
        self.usage = UsageTotals()
        self._model = spec.model
        self._rng = rng or random.Random()
        self._semaphore = asyncio.Semaphore(spec.concurrency)
        self._inflight: dict[str, asyncio.Future[ChatReply]] = {}
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> JudgeClient:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.spec.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        limits = httpx.Limits(max_connections=self.spec.concurrency)
        self._http = httpx.AsyncClient(
            headers=headers, timeout=httpx.Timeout(self.spec.timeout_s), limits=limits
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    @property
    def model(self) -> str:
        """The judge model; call ``resolve_model`` first when the spec names none."""
        if self._model is None:
            raise JudgeEndpointError("the judge model is not resolved", "pass --judge-model NAME")
        return self._model

    async def list_models(self) -> list[str]:
        """Model ids the endpoint serves (``GET /models``)."""
        return await self._send("GET", "/models", None, _read_model_ids, counted=False)

    async def resolve_model(self) -> str:
        """The spec's model, else the single model the endpoint serves."""
        if self._model is not None:
            return self._model
        if self.cache_only:
            raise JudgeEndpointError("--cache-only needs the judge model", "pass --judge-model")
        ids = await self.list_models()
        if len(ids) != 1:
            shown = ", ".join(ids[:8]) + (" ..." if len(ids) > 8 else "")
            raise JudgeEndpointError(
                f"{self.spec.base_url}/models lists {len(ids)} models ({shown or 'none'})",
                "name the judge with --judge-model NAME",
            )
        self._model = ids[0]
        return ids[0]

    async def complete(
        self,
        messages: Sequence[Message],
        sampling: SamplingSpec | None = None,
        key_context: Mapping[str, str] | None = None,
    ) -> ChatReply:
        """The judge's reply to ``messages``: from the cache, or paid for once and cached.

        ``key_context`` (protocol, method, ...) is part of the cache key but not of the request:
        replies obtained under one judging method are never reused by another.
        """
        model = self.model
        params = (sampling or self.spec.default_sampling()).params()
        key = compute_cache_key(model, messages, params, key_context)
        if key in self._inflight:  # the same request is already being paid for
            return await asyncio.shield(self._inflight[key])
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.usage.cache_hits += 1
                return ChatReply.model_validate({**hit, "cached": True})
        if self.cache_only:
            raise JudgeCacheMissError(
                "a judgment is not in the cache", "run without --cache-only to request it"
            )
        future: asyncio.Future[ChatReply] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            reply = await self._request(model, key, list(messages), params)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters, if any, get it through await
            raise
        finally:
            del self._inflight[key]
        future.set_result(reply)
        return reply

    async def _request(
        self, model: str, key: str, messages: list[Message], params: dict[str, Any]
    ) -> ChatReply:
        payload = {"model": model, "messages": messages, **params}
        async with self._semaphore:
            reply = await self._send("POST", "/chat/completions", payload, _read_chat_reply)
            # Cached before the slot is released: a kill after this line never pays again.
            if self.cache is not None:
                self.cache.put(key, model, payload, reply.model_dump(exclude={"cached"}))
        self.usage.add_reply(reply)
        return reply

    async def _send(
        self, method: str, path: str, payload: Any, read: Callable[[Any], T], counted: bool = True
    ) -> T:
        """One call with retries; fatal statuses raise JudgeEndpointError at once.

        ``counted`` calls (chat completions) add to the usage totals; listing models does not.
        """
        if self._http is None:
            raise RuntimeError("JudgeClient used outside 'async with'")
        url = self.spec.base_url.rstrip("/") + path
        problem = ""
        for attempt in range(self.spec.max_retries + 1):
            self.usage.requests += int(counted)
            wait: float | None = None
            try:
                response = await self._http.request(method, url, json=payload)
            except httpx.TimeoutException:
                problem = f"no reply within {self.spec.timeout_s:g}s"
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if status == 200:
                    try:
                        return read(response.json())
                    except ValueError as exc:
                        problem = f"malformed reply ({exc})"
                else:
                    self._raise_if_final(status, url, response)
                    problem = f"HTTP {status}"
                    wait = parse_retry_after(response.headers)
            if attempt == self.spec.max_retries:
                break
            self.usage.retries += int(counted)
            await asyncio.sleep(self._delay(attempt, wait))
        self.usage.failures += int(counted)
        raise JudgeRequestError(
            f"{method} {url}: {problem} after {self.spec.max_retries + 1} attempts",
            "check the endpoint (or raise --timeout/--max-retries) and re-run: "
            "finished judgments are kept and failed ones are retried",
        )

    def _raise_if_final(self, status: int, url: str, response: httpx.Response) -> None:
        if status in RETRYABLE_STATUS or status >= 500:
            return
        detail = response.text[:200].replace("\n", " ")
        if status in (401, 403):
            raise JudgeEndpointError(
                f"{url}: HTTP {status} (not authorised): {detail}",
                f"put a valid API key in ${self.spec.api_key_env} (or choose --api-key-env)",
            )
        if status == 404:
            raise JudgeEndpointError(
                f"{url}: HTTP 404 (no such endpoint or model): {detail}",
                "check --base-url (it ends with /v1) and --judge-model",
            )
        raise JudgeRequestRejectedError(
            f"{url}: HTTP {status}: {detail}",
            "the endpoint rejected this request (often: prompt longer than the judge's context); "
            "use a judge with a longer context or a smaller --max-tokens",
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the server gives one, else exponential backoff with equal jitter."""
        if retry_after is not None:
            return min(retry_after, self.spec.retry_after_max_s)
        ceiling = min(self.spec.backoff_max_s, self.spec.backoff_base_s * 2.0**attempt)
        return ceiling / 2 + self._rng.uniform(0.0, ceiling / 2)
