"""The judge client against a real HTTP server on 127.0.0.1 speaking the OpenAI protocol:
retries (429 with Retry-After, 5xx, timeouts, malformed replies, refused connections), fatal
statuses, bounded concurrency, usage totals and the cache."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from runners.judge.cache import JudgmentCache, compute_cache_key
from runners.judge.client import (
    ChatReply,
    JudgeClient,
    JudgeClientSpec,
    parse_retry_after,
)
from runners.judge.errors import (
    JudgeCacheMissError,
    JudgeEndpointError,
    JudgeRequestError,
)

from .server import Reply, always, serve, verdict_text

MESSAGES = [{"role": "user", "content": "Which answer is better?"}]


def spec(url: str, **overrides: Any) -> JudgeClientSpec:
    values: dict[str, Any] = {
        "base_url": url,
        "model": "judge-test",
        "backoff_base_s": 0.001,
        "backoff_max_s": 0.01,
        "max_retries": 3,
        "timeout_s": 5.0,
    }
    return JudgeClientSpec(**{**values, **overrides})


async def complete_all(
    client_spec: JudgeClientSpec,
    batches: Sequence[list[dict[str, str]]],
    cache: JudgmentCache | None = None,
    **kwargs: Any,
) -> tuple[list[ChatReply], JudgeClient]:
    async with JudgeClient(client_spec, cache, **kwargs) as client:
        replies = await asyncio.gather(*(client.complete(m) for m in batches))
    return list(replies), client


def run_one(client_spec: JudgeClientSpec, **kwargs: Any) -> tuple[ChatReply, JudgeClient]:
    replies, client = asyncio.run(complete_all(client_spec, [MESSAGES], **kwargs))
    return replies[0], client


def test_completion_text_usage_and_parameters_reach_the_server() -> None:
    with serve(always("A=B")) as server:
        reply, client = run_one(spec(server.url, temperature=0.3, max_tokens=77))
    assert reply.text == verdict_text("A=B")
    assert (reply.served_model, reply.prompt_tokens, reply.completion_tokens) == (
        "judge-test",
        100,
        20,
    )
    sent = server.requests[0]
    assert (sent["model"], sent["temperature"], sent["max_tokens"]) == ("judge-test", 0.3, 77)
    assert sent["messages"] == MESSAGES
    usage = client.usage.as_dict(price_input=2.0, price_output=10.0)
    assert usage["requests"] == 1 and usage["total_tokens"] == 120
    assert usage["cost_usd"] == pytest.approx((100 * 2.0 + 20 * 10.0) / 1e6)


def test_api_key_from_the_named_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(always("A=B")) as server:
        run_one(spec(server.url))
        monkeypatch.setenv("MY_JUDGE_KEY", "sk-test-123")
        run_one(spec(server.url, api_key_env="MY_JUDGE_KEY", temperature=0.1))
    assert server.authorization == [None, "Bearer sk-test-123"]


def test_model_resolved_from_v1_models_when_not_given() -> None:
    with serve(always("A=B"), models=("qwen2.5-coder-32b-instruct",)) as server:

        async def resolve() -> str:
            async with JudgeClient(spec(server.url, model=None)) as client:
                return await client.resolve_model()

        assert asyncio.run(resolve()) == "qwen2.5-coder-32b-instruct"


def test_several_served_models_need_an_explicit_judge() -> None:
    with serve(always("A=B"), models=("a", "b")) as server:

        async def resolve() -> str:
            async with JudgeClient(spec(server.url, model=None)) as client:
                return await client.resolve_model()

        with pytest.raises(JudgeEndpointError, match="lists 2 models"):
            asyncio.run(resolve())


def test_429_honours_retry_after_ms_then_succeeds() -> None:
    def behave(payload: dict[str, Any], number: int) -> Reply:
        if number <= 2:
            return Reply(status=429, headers={"retry-after-ms": "150"})
        return Reply(text="done")

    with serve(behave) as server:
        started = time.monotonic()
        reply, client = run_one(spec(server.url))
        elapsed = time.monotonic() - started
    assert reply.text == "done"
    assert server.chat_count == 3 and client.usage.retries == 2
    assert elapsed >= 0.3  # two waits of 150 ms, although the backoff base is 1 ms


def test_429_honours_retry_after_seconds() -> None:
    def behave(payload: dict[str, Any], number: int) -> Reply:
        return Reply(status=429, headers={"Retry-After": "1"}) if number == 1 else Reply(text="ok")

    with serve(behave) as server:
        started = time.monotonic()
        reply, _ = run_one(spec(server.url))
        assert time.monotonic() - started >= 1.0
    assert reply.text == "ok"


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert (
        parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0)
        == 10.0
    )
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_5xx_are_retried_until_success() -> None:
    statuses = {1: 500, 2: 502, 3: 503}

    def behave(payload: dict[str, Any], number: int) -> Reply:
        return Reply(status=statuses[number]) if number in statuses else Reply(text="fine")

    with serve(behave) as server:
        reply, client = run_one(spec(server.url, max_retries=3))
    assert reply.text == "fine" and server.chat_count == 4 and client.usage.retries == 3


def test_5xx_forever_fails_after_max_retries_plus_one_attempts() -> None:
    with serve(lambda p, n: Reply(status=500)) as server:
        with pytest.raises(JudgeRequestError, match="HTTP 500 after 3 attempts"):
            run_one(spec(server.url, max_retries=2))
        assert server.chat_count == 3


def test_timeout_is_retried() -> None:
    def behave(payload: dict[str, Any], number: int) -> Reply:
        return Reply(text="late", delay=1.0) if number == 1 else Reply(text="on time")

    with serve(behave) as server:
        started = time.monotonic()
        reply, client = run_one(spec(server.url, timeout_s=0.2))
        assert time.monotonic() - started < 0.9
    assert reply.text == "on time" and client.usage.retries == 1


def test_timeouts_forever_fail_with_a_clear_error() -> None:
    expected = pytest.raises(JudgeRequestError, match=r"no reply within 0.1s after 2 attempts")
    with serve(lambda p, n: Reply(text="late", delay=0.5)) as server, expected:
        run_one(spec(server.url, timeout_s=0.1, max_retries=1))


def test_malformed_reply_is_retried() -> None:
    def behave(payload: dict[str, Any], number: int) -> Reply:
        return Reply(raw='{"oops": true}') if number == 1 else Reply(text="good")

    with serve(behave) as server:
        reply, _ = run_one(spec(server.url))
    assert reply.text == "good" and server.chat_count == 2


def test_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(JudgeRequestError, match="connection failed"):
        run_one(spec(f"http://127.0.0.1:{port}/v1", max_retries=2))


@pytest.mark.parametrize("status", [401, 403, 404])
def test_fatal_statuses_stop_at_once(status: int) -> None:
    with serve(lambda p, n: Reply(status=status)) as server:
        with pytest.raises(JudgeEndpointError):
            run_one(spec(server.url))
        assert server.chat_count == 1


def test_client_error_is_not_retried() -> None:
    with serve(lambda p, n: Reply(status=400)) as server:
        with pytest.raises(JudgeRequestError, match="HTTP 400"):
            run_one(spec(server.url))
        assert server.chat_count == 1


def test_concurrency_is_bounded() -> None:
    with serve(lambda p, n: Reply(text="slow", delay=0.15)) as server:
        batches = [[{"role": "user", "content": f"q{i}"}] for i in range(9)]
        asyncio.run(complete_all(spec(server.url, concurrency=3), batches))
    assert server.chat_count == 9
    assert 2 <= server.max_in_flight <= 3


def test_cache_prevents_a_repeated_request(tmp_path: Path) -> None:
    cache = JudgmentCache(tmp_path / "cache.sqlite")
    with serve(always("A>B")) as server:
        first, _ = run_one(spec(server.url), cache=cache)
        second, client = run_one(spec(server.url), cache=JudgmentCache(tmp_path / "cache.sqlite"))
    assert server.chat_count == 1
    assert second.cached and not first.cached and second.text == first.text
    assert client.usage.cache_hits == 1 and client.usage.requests == 0


def test_cache_key_covers_model_messages_and_parameters(tmp_path: Path) -> None:
    cache = JudgmentCache(tmp_path / "cache.sqlite")
    with serve(always("A>B")) as server:
        run_one(spec(server.url), cache=cache)
        run_one(spec(server.url, temperature=0.7), cache=cache)
        run_one(spec(server.url, model="other-judge"), cache=cache)
        run_one(spec(server.url, max_tokens=10), cache=cache)
    assert server.chat_count == 4 and cache.count() == 4
    key = compute_cache_key("judge-test", MESSAGES, {"temperature": 0.0, "max_tokens": 4096})
    assert cache.get(key) is not None


def test_identical_concurrent_requests_are_paid_once(tmp_path: Path) -> None:
    with serve(lambda p, n: Reply(text="same", delay=0.1)) as server:
        replies, _ = asyncio.run(
            complete_all(
                spec(server.url), [MESSAGES, MESSAGES, MESSAGES], JudgmentCache(tmp_path / "c")
            )
        )
    assert server.chat_count == 1 and [r.text for r in replies] == ["same"] * 3


def test_cache_only_never_calls_the_endpoint(tmp_path: Path) -> None:
    with serve(always("A=B")) as server:
        with pytest.raises(JudgeCacheMissError):
            run_one(spec(server.url), cache=JudgmentCache(tmp_path / "c"), cache_only=True)
        assert server.chat_count == 0


def test_semaphore_released_after_failures() -> None:
    """A failed request must not hold its slot: with concurrency 1 the next one still runs."""
    lock = threading.Lock()
    seen: list[str] = []

    def behave(payload: dict[str, Any], number: int) -> Reply:
        with lock:
            seen.append(payload["messages"][0]["content"])
        return Reply(status=400) if payload["messages"][0]["content"] == "bad" else Reply(text="ok")

    async def scenario(url: str) -> str:
        async with JudgeClient(spec(url, concurrency=1)) as client:
            with pytest.raises(JudgeRequestError):
                await client.complete([{"role": "user", "content": "bad"}])
            return (await client.complete([{"role": "user", "content": "good"}])).text

    with serve(behave) as server:
        assert asyncio.run(scenario(server.url)) == "ok"
    assert seen == ["bad", "good"]
