"""One client for any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, TGI, ...), used by
the judge and by ``sandbox generate``.

Bounded concurrency, a per-request timeout, retries with exponential backoff and jitter on 429,
5xx, connection errors, timeouts and malformed replies (honouring ``Retry-After``), token usage
totals, and the persistent request cache in front of it all. Chat completions
(``/chat/completions``) and text completions (``/completions``, for base models) go through the
same path.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Self, TypeVar

import httpx

from .cache import RequestCache, compute_cache_key
from .errors import CacheMissError, EndpointError, RequestFailedError, RequestRejectedError
from .models import (
    ChatReply,
    EndpointSpec,
    SamplingSpec,
    UsageTotals,
    parse_retry_after,
    read_chat_reply,
    read_model_ids,
    read_text_reply,
)

T = TypeVar("T")
Message = Mapping[str, str]
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})


class LLMClient:
    """Async client; use as ``async with LLMClient(spec, cache) as client``.

    ``model_option`` names the command-line option that sets the model, for the fixes that
    error messages carry (the judge's is ``--judge-model``).
    """

    model_option: ClassVar[str] = "--model"

    def __init__(
        self,
        spec: EndpointSpec,
        cache: RequestCache | None = None,
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

    async def __aenter__(self) -> Self:
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
        """The model; call ``resolve_model`` first when the spec names none."""
        if self._model is None:
            raise EndpointError("the model is not resolved", f"pass {self.model_option} NAME")
        return self._model

    async def list_models(self) -> list[str]:
        """Model ids the endpoint serves (``GET /models``)."""
        return await self._send("GET", "/models", None, read_model_ids, counted=False)

    async def resolve_model(self) -> str:
        """The spec's model, else the single model the endpoint serves."""
        if self._model is not None:
            return self._model
        if self.cache_only:
            raise EndpointError("--cache-only needs the model", f"pass {self.model_option}")
        ids = await self.list_models()
        if len(ids) != 1:
            shown = ", ".join(ids[:8]) + (" ..." if len(ids) > 8 else "")
            raise EndpointError(
                f"{self.spec.base_url}/models lists {len(ids)} models ({shown or 'none'})",
                f"name the model with {self.model_option} NAME",
            )
        self._model = ids[0]
        return ids[0]

    async def complete(
        self,
        messages: Sequence[Message],
        sampling: SamplingSpec | None = None,
        key_context: Mapping[str, str] | None = None,
    ) -> ChatReply:
        """The reply to chat ``messages``: from the cache, or paid for once and cached.

        ``key_context`` (protocol, method, sample number, ...) is part of the cache key but not
        of the request: replies obtained for one purpose are never reused by another.
        """
        chosen = sampling or self.spec.default_sampling()
        body = {"messages": list(messages), **chosen.params()}
        key = compute_cache_key(self.model, list(messages), chosen.params(), key_context)
        return await self._cached(key, "/chat/completions", body, read_chat_reply)

    async def complete_text(
        self,
        prompt: str,
        sampling: SamplingSpec | None = None,
        key_context: Mapping[str, str] | None = None,
    ) -> ChatReply:
        """The continuation of ``prompt`` (``/completions``, a base model), cached likewise."""
        chosen = sampling or self.spec.default_sampling()
        body = {"prompt": prompt, **chosen.params()}
        key = compute_cache_key(self.model, prompt, chosen.params(), key_context)
        return await self._cached(key, "/completions", body, read_text_reply)

    async def _cached(
        self, key: str, path: str, body: dict[str, Any], read: Callable[[Any], ChatReply]
    ) -> ChatReply:
        if key in self._inflight:  # the same request is already being paid for
            return await asyncio.shield(self._inflight[key])
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.usage.cache_hits += 1
                return ChatReply.model_validate({**hit, "cached": True})
        if self.cache_only:
            raise CacheMissError(
                "a request is not in the cache", "run without --cache-only to send it"
            )
        future: asyncio.Future[ChatReply] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            reply = await self._request(key, path, {"model": self.model, **body}, read)
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
        self, key: str, path: str, payload: dict[str, Any], read: Callable[[Any], ChatReply]
    ) -> ChatReply:
        async with self._semaphore:
            reply = await self._send("POST", path, payload, read)
            # Cached before the slot is released: a kill after this line never pays again.
            if self.cache is not None:
                model = str(payload["model"])
                self.cache.put(key, model, payload, reply.model_dump(exclude={"cached"}))
        self.usage.add_reply(reply)
        return reply

    async def _send(
        self, method: str, path: str, payload: Any, read: Callable[[Any], T], counted: bool = True
    ) -> T:
        """One call with retries; fatal statuses raise EndpointError at once.

        ``counted`` calls (completions) add to the usage totals; listing models does not.
        """
        if self._http is None:
            raise RuntimeError("LLMClient used outside 'async with'")
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
        raise RequestFailedError(
            f"{method} {url}: {problem} after {self.spec.max_retries + 1} attempts",
            "check the endpoint (or raise --timeout/--max-retries) and re-run: "
            "finished work is kept and failed requests are retried",
        )

    def _raise_if_final(self, status: int, url: str, response: httpx.Response) -> None:
        if status in RETRYABLE_STATUS or status >= 500:
            return
        detail = response.text[:300].replace("\n", " ")
        if status in (401, 403):
            raise EndpointError(
                f"{url}: HTTP {status} (not authorised): {detail}",
                f"put a valid API key in ${self.spec.api_key_env} (or choose --api-key-env)",
                status=status,
            )
        if status == 404:
            raise EndpointError(
                f"{url}: HTTP 404 (no such endpoint or model): {detail}",
                f"check --base-url (it ends with /v1) and {self.model_option}",
                status=status,
            )
        raise RequestRejectedError(
            f"{url}: HTTP {status}: {detail}",
            "the endpoint rejected this request (often: prompt longer than the model's "
            "context); use a model with a longer context or a smaller --max-tokens",
            status=status,
            detail=detail,
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the server gives one, else exponential backoff with equal jitter."""
        if retry_after is not None:
            return min(retry_after, self.spec.retry_after_max_s)
        ceiling = min(self.spec.backoff_max_s, self.spec.backoff_base_s * 2.0**attempt)
        return ceiling / 2 + self._rng.uniform(0.0, ceiling / 2)
