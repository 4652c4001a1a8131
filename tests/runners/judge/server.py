"""A real HTTP server on 127.0.0.1 speaking the OpenAI protocol (/v1/models, /v1/chat/completions,
/v1/completions), scripted per test by a *behaviour*: a function of the request (and its
number) to a Reply. A text-completion request is recorded like a chat request (its payload has
``prompt`` instead of ``messages``; ``paths`` says which endpoint each request hit).

It records every chat request, which ones it answered (by a hash of their messages), and the
highest number of requests in flight at once.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

A_START, A_END = "<|The Start of Assistant A's Answer|>", "<|The End of Assistant A's Answer|>"
B_START, B_END = "<|The Start of Assistant B's Answer|>", "<|The End of Assistant B's Answer|>"


@dataclass
class Reply:
    """What the server answers to one chat request."""

    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    block: threading.Event | None = None  # hold the reply until the test sets the event
    raw: str | None = None  # a body sent as is (malformed replies)
    usage: tuple[int, int] = (100, 20)
    finish_reason: str = "stop"


Behaviour = Callable[[dict[str, Any], int], Reply]


def messages_hash(messages: list[dict[str, str]] | str) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()


class _QuietServer(ThreadingHTTPServer):
    """Does not wait for hung handlers on close, nor print a client's disconnect (timeouts)."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class JudgeServer:
    """Start with ``serve(behaviour)``; ``url`` is the base URL ending in /v1."""

    def __init__(self, behaviour: Behaviour, models: tuple[str, ...] = ("judge-test",)) -> None:
        self.behaviour = behaviour
        self.models = models
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.model_listings = 0
        self.answered: list[str] = []
        self.authorization: list[str | None] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def chat_count(self) -> int:
        with self.lock:
            return len(self.requests)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    with server.lock:
                        server.model_listings += 1
                    data = [{"id": m, "object": "model", "owned_by": "test"} for m in server.models]
                    self._send(200, json.dumps({"object": "list", "data": data}))
                else:
                    self._send(404, json.dumps({"error": {"message": "not found"}}))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                if self.path not in ("/v1/chat/completions", "/v1/completions"):
                    self._send(404, json.dumps({"error": {"message": "not found"}}))
                    return
                with server.lock:
                    server.requests.append(payload)
                    server.paths.append(self.path)
                    server.authorization.append(self.headers.get("Authorization"))
                    number = len(server.requests)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._answer(payload, number)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def _answer(self, payload: dict[str, Any], number: int) -> None:
                reply = server.behaviour(payload, number)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.block is not None:
                    reply.block.wait(30)
                    return  # the client that sent it is gone: never counts as answered
                if reply.raw is not None:
                    self._send(reply.status, reply.raw, reply.headers)
                    return
                if reply.status != 200:
                    error = {"error": {"message": f"scripted {reply.status}"}}
                    self._send(reply.status, json.dumps(error), reply.headers)
                    return
                chat = "messages" in payload
                choice: dict[str, Any] = {"index": 0, "finish_reason": reply.finish_reason}
                if chat:
                    choice["message"] = {"role": "assistant", "content": reply.text}
                else:
                    choice["text"] = reply.text
                body = {
                    "id": f"chatcmpl-{number}",
                    "object": "chat.completion" if chat else "text_completion",
                    "model": payload.get("model"),
                    "choices": [choice],
                    "usage": {
                        "prompt_tokens": reply.usage[0],
                        "completion_tokens": reply.usage[1],
                        "total_tokens": sum(reply.usage),
                    },
                }
                self._send(200, json.dumps(body), reply.headers)
                with server.lock:
                    server.answered.append(
                        messages_hash(payload.get("messages", payload.get("prompt")))
                    )

        return Handler

    def answered_hashes(self) -> list[str]:
        with self.lock:
            return list(self.answered)


@contextmanager
def serve(behaviour: Behaviour, models: tuple[str, ...] = ("judge-test",)) -> Iterator[JudgeServer]:
    """A running server for the duration of the block."""
    server = JudgeServer(behaviour, models)
    thread = threading.Thread(target=server.httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


# --- behaviours -------------------------------------------------------------------------------


def last_user(payload: dict[str, Any]) -> str:
    return str([m for m in payload["messages"] if m["role"] == "user"][-1]["content"])


def answers_of(payload: dict[str, Any]) -> tuple[str, str]:
    """Assistant A's and B's answers from a pairwise prompt."""
    text = str(payload["messages"][1]["content"])
    a = text.split(A_START, 1)[1].split(A_END, 1)[0]
    b = text.split(B_START, 1)[1].split(B_END, 1)[0]
    return a.strip(), b.strip()


def verdict_text(label: str) -> str:
    """A judge reply in the Arena-Hard style: its own answer with code, then the label."""
    return (
        "My own answer:\n\n```python\ndef solve(xs):\n    return [[x] for x in xs]\n```\n\n"
        "Assistant A's answer is correct but verbose; Assistant B's answer is shorter. "
        f"Both are relevant.\n\nMy final verdict is: [[{label}]]"
    )


def always(label: str) -> Behaviour:
    return lambda payload, number: Reply(text=verdict_text(label))


def prefer_marker(marker: str = "GOOD") -> Behaviour:
    """Prefers (strongly) the answer containing ``marker``; a tie when both or neither do."""

    def behave(payload: dict[str, Any], number: int) -> Reply:
        a, b = answers_of(payload)
        if (marker in a) == (marker in b):
            return Reply(text=verdict_text("A=B"))
        return Reply(text=verdict_text("A>>B" if marker in a else "B>>A"))

    return behave


def content_hash_judge(payload: dict[str, Any], number: int) -> Reply:
    """An arbitrary but deterministic verdict: a function of the prompt text only."""
    digest = hashlib.sha256(payload["messages"][1]["content"].encode()).digest()
    return Reply(text=verdict_text(("A>>B", "A>B", "A=B", "B>A", "B>>A")[digest[0] % 5]))


OWN_ANSWER = "JUDGE-OWN-ANSWER"


def is_reference_request(payload: dict[str, Any]) -> bool:
    """A request for the judge's own answer (paper CODAL), not a grading or its follow-up."""
    first_user = next(m for m in payload["messages"] if m["role"] == "user")
    return "Assistant's response" not in str(first_user["content"])


def rating_judge(ratings: dict[str, int | None]) -> Behaviour:
    """CODAL grader: the rating of the first key found in the prompt; None -> no rating line.
    Asked for its own answer to an instruction, it answers ``JUDGE-OWN-ANSWER <n>``."""

    def behave(payload: dict[str, Any], number: int) -> Reply:
        prompt = last_user(payload)
        if is_reference_request(payload):  # the paper method's reference: the judge's own answer
            return Reply(text=f"{OWN_ANSWER} {number}: a reference written by the judge.")
        if "Reply with only the final rating" in prompt:
            return Reply(text="I cannot decide.")
        for marker, rating in ratings.items():
            if marker in prompt:
                if rating is None:
                    return Reply(text="Rationale: the response is fine overall.")
                return Reply(text=f"Rationale: clear and correct.\nRating: {rating}/10")
        return Reply(text="Rationale: adequate.\nRating: 5")

    return behave


EXEC_A = ("<|The Start of the Execution of Assistant A's Answer|>", "<|The End of the Execution")
EXEC_B = ("<|The Start of the Execution of Assistant B's Answer|>", "<|The End of the Execution")


def executions_of(payload: dict[str, Any]) -> tuple[str, str] | None:
    """The execution reports of A and B in a grounded prompt; None in a plain one."""
    text = last_user(payload)
    if EXEC_A[0] not in text:
        return None
    a = text.split(EXEC_A[0], 1)[1].split(EXEC_A[1], 1)[0]
    b = text.split(EXEC_B[0], 1)[1].split(EXEC_B[1], 1)[0]
    return a, b


def prefer_clean_execution(payload: dict[str, Any], number: int) -> Reply:
    """Prefers the answer whose shown execution did not fail; without execution reports (a
    plain prompt) its choice ignores the answers: always A."""
    shown = executions_of(payload)
    if shown is None:
        return Reply(text=verdict_text("A>B"))
    failed = [any(w in s for w in ("compile error", "runtime error", "timeout")) for s in shown]
    if failed[0] == failed[1]:
        return Reply(text=verdict_text("A=B"))
    return Reply(text=verdict_text("B>>A" if failed[0] else "A>>B"))
