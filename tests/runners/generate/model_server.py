"""A loopback model that answers from a table, on the OpenAI-protocol server of the judge tests
(``tests/runners/judge/server.py``: a real HTTP server on 127.0.0.1).

A *table* maps a marker (text that occurs in the request: a task's prompt, an instruction, a
question) to what the model does for it: a right answer, a wrong one, an unparsable one, a slow
one, a failing one. Each answer is shaped like the request asks: a chat answer with a fenced
block, the continuation of an evalplus answer prefix, or the continuation of a completion
prompt. Requests to the judge model (in ``sandbox eval`` tests) go to ``judge``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.runners.judge.server import Behaviour, Reply

CANDIDATE = "coder-x"
JUDGE = "judge-test"
OVERFLOW_MESSAGE = (
    "This model's maximum context length is 2048 tokens. However, you requested 4096 tokens."
)


def request_text(payload: dict[str, Any]) -> str:
    """Everything the request says (user turns, or the completion prompt)."""
    if "prompt" in payload:
        return str(payload["prompt"])
    return "\n".join(str(m.get("content", "")) for m in payload.get("messages", []))


def is_prefilled(payload: dict[str, Any]) -> bool:
    """An evalplus answer-prefix request: the model continues an opened assistant turn."""
    messages = payload.get("messages") or []
    return bool(messages) and messages[-1].get("role") == "assistant"


Answer = Callable[[dict[str, Any]], Reply]


def chat_code(code: str, tag: str = "python", prose: str = "Here is my solution.") -> Answer:
    """A chat answer holding ``code`` in a fence tagged ``tag``; to an evalplus answer-prefix
    request, the continuation of its opened python fence (then its closing fence and prose)."""

    def answer(payload: dict[str, Any]) -> Reply:
        if is_prefilled(payload):
            return Reply(text=f"{code.rstrip()}\n```\n\nThis passes the tests.")
        return Reply(text=f"{prose}\n\n```{tag}\n{code.rstrip()}\n```\n\nIt runs in O(n).")

    return answer


def completion(text: str) -> Answer:
    """A base model's continuation of the prompt."""
    return lambda payload: Reply(text=text)


def plain(text: str, **reply: Any) -> Answer:
    """A fixed reply (prose, a status, a delay...)."""
    return lambda payload: Reply(text=text, **reply)


def slow(answer: Answer, seconds: float) -> Answer:
    """``answer``, after ``seconds``."""

    def delayed(payload: dict[str, Any]) -> Reply:
        reply = answer(payload)
        reply.delay = seconds
        return reply

    return delayed


def context_overflow() -> Answer:
    """vLLM's 400 for a prompt longer than the model's context."""
    body = json.dumps({"object": "error", "message": OVERFLOW_MESSAGE, "code": 400})
    return lambda payload: Reply(status=400, raw=body)


@dataclass
class ModelTable:
    """Answers by marker; the first marker found in the request decides. ``failing`` markers
    answer HTTP 500 until their count of failures is spent."""

    answers: dict[str, Answer]
    default: Answer = field(default_factory=lambda: plain("I do not know."))
    judge: Behaviour | None = None
    failing: dict[str, int] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def __call__(self, payload: dict[str, Any], number: int) -> Reply:
        if payload.get("model") == JUDGE and self.judge is not None:
            return self.judge(payload, number)
        text = request_text(payload)
        for marker, answer in self.answers.items():
            if marker in text:
                self.asked.append(marker)
                if self.failing.get(marker, 0) > 0:
                    self.failing[marker] -= 1
                    return Reply(status=500)
                return answer(payload)
        return self.default(payload)
