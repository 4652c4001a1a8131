"""The shared client and cache beyond what the judge's tests cover: text completions, stop
sequences and extra body fields reaching the server and the cache key, a judge cache written
before the cache was shared, and telling a context overflow from another refusal."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from runners.llm import (
    EndpointSpec,
    LLMClient,
    RequestCache,
    RequestRejectedError,
    SamplingSpec,
    compute_cache_key,
)
from tests.runners.judge.server import Reply, serve

MESSAGES = [{"role": "user", "content": "hi"}]


def spec(url: str) -> EndpointSpec:
    return EndpointSpec(base_url=url, model="m", backoff_base_s=0.001, max_retries=1)


def test_text_completion_with_stop_and_extras_is_sent_and_cached(tmp_path: Path) -> None:
    sampling = SamplingSpec(
        temperature=0.0, max_tokens=9, stop=("\n}",), extra={"continue_final_message": True}
    )

    async def ask(url: str, cache: RequestCache) -> list[str]:
        async with LLMClient(spec(url), cache) as client:
            first = await client.complete_text("fn f() {", sampling)
            again = await client.complete_text("fn f() {", sampling)
            chat = await client.complete(MESSAGES, sampling)
        return [first.text, again.text, chat.text, str(again.cached)]

    with serve(lambda payload, number: Reply(text=f"reply {number}")) as server:
        texts = asyncio.run(ask(server.url, RequestCache(tmp_path / "c.sqlite")))
    assert texts == ["reply 1", "reply 1", "reply 2", "True"]
    assert server.paths == ["/v1/completions", "/v1/chat/completions"]
    sent = server.requests[0]
    assert (sent["prompt"], sent["stop"], sent["max_tokens"]) == ("fn f() {", ["\n}"], 9)
    assert sent["continue_final_message"] is True and "messages" not in sent


def test_cache_key_separates_prompt_from_messages_and_covers_stop_and_extras() -> None:
    params = SamplingSpec(temperature=0.0, max_tokens=5).params()
    keys = {
        compute_cache_key("m", "hi", params),
        compute_cache_key("m", MESSAGES, params),
        compute_cache_key("m", MESSAGES, {**params, "stop": ["x"]}),
        compute_cache_key("m", MESSAGES, {**params, "add_generation_prompt": False}),
        compute_cache_key("m", MESSAGES, params, {"sample": "1"}),
    }
    assert len(keys) == 5
    # the judge's keys are unchanged by the new optional fields (its caches stay valid)
    assert SamplingSpec(temperature=0.0, max_tokens=5).params() == {
        "temperature": 0.0,
        "max_tokens": 5,
    }


def test_a_judge_cache_written_before_sharing_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "judge.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE judgments (key TEXT PRIMARY KEY, judge_model TEXT NOT NULL, "
        "request TEXT NOT NULL, reply TEXT NOT NULL, created TEXT NOT NULL)"
    )
    db.execute("INSERT INTO judgments VALUES ('k1', 'j', '{}', '{\"text\": \"old\"}', 'then')")
    db.commit()
    db.close()
    cache = RequestCache(path)
    assert cache.get("k1") == {"text": "old"} and cache.count() == 1
    cache.put("k2", "j", {}, {"text": "new"})
    cache.close()
    assert RequestCache(path).count() == 2


@pytest.mark.parametrize(
    ("detail", "overflow"),
    [
        ("This model's maximum context length is 2048 tokens.", True),
        ("the request exceeds the available context size (n_ctx)", True),
        ("Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096", True),
        ("Unrecognized request argument supplied: continue_final_message", False),
    ],
)
def test_context_overflow_is_told_from_other_refusals(detail: str, overflow: bool) -> None:
    error = RequestRejectedError("HTTP 400", detail=detail)
    assert error.context_overflow is overflow
