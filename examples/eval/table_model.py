"""A stand-in model for trying ``sandbox eval`` without a GPU: a loopback OpenAI-compatible
server (``/v1/models``, ``/v1/chat/completions``, ``/v1/completions``) that answers from a
table built from the datasets shipped in ``datasets/``.

* As the candidate (``--model``, default ``demo-coder``) it answers HumanEval+, McEval (Python)
  and MultiPL-E (Python) tasks with the reference solution, except every third task, which gets
  a wrong one; any other question gets a short prose answer.
* As the judge (``--judge``, default ``demo-judge``) it calls CodeArena games a tie and grades
  CODAL answers 7/10.

    python examples/eval/table_model.py --port 8765 &
    sandbox eval examples/eval/loopback.toml

It is a demo and a smoke test, not a model: the numbers it produces mean nothing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "datasets"


def read_gz(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def build_table() -> dict[str, tuple[str, str]]:
    """``def <entry point>(`` -> (whole program, continuation of the prompt)."""
    table: dict[str, tuple[str, str]] = {}
    sources = (
        (DATA / "humanevalplus" / "HumanEvalPlus.jsonl.gz", "entry_point"),
        (DATA / "mceval" / "Python.jsonl.gz", "entry_point"),
    )
    for path, field in sources:
        for number, task in enumerate(read_gz(path)):
            body = task["canonical_solution"]
            if number % 3 == 2:  # every third task: a wrong answer
                body = "    return None\n"
            table.setdefault(f"def {task[field]}(", (task["prompt"] + body, body))
    return table


class Model:
    """Answers by the first table marker found in the request."""

    def __init__(self, candidate: str, judge: str) -> None:
        self.candidate, self.judge = candidate, judge
        self.table = build_table()

    def reply(self, payload: dict[str, Any]) -> str:
        if payload.get("model") == self.judge:
            return self.judge_reply(payload)
        text = payload.get("prompt") or "\n".join(
            str(m.get("content", "")) for m in payload.get("messages", [])
        )
        for marker, (program, continuation) in self.table.items():
            if marker in text:
                if "prompt" in payload:
                    return continuation
                if payload["messages"][-1].get("role") == "assistant":  # evalplus answer prefix
                    return program + "\n```\n"
                return f"Here is a solution.\n\n```python\n{program}\n```\n"
        return "Use a dictionary keyed by the item; it keeps the first occurrence in order."

    def judge_reply(self, payload: dict[str, Any]) -> str:
        text = "".join(str(m.get("content", "")) for m in payload.get("messages", []))
        if "Assistant A" in text:
            return "Both answers are comparable.\n\nMy final verdict is: [[A=B]]"
        return "Rationale: correct and clear enough.\nRating: 7"


def serve(port: int, model: Model, quiet: bool) -> None:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            if not quiet:  # one line per request: a re-run of `sandbox eval` shows none
                print(f"table_model: {self.command} {self.path}", file=sys.stderr, flush=True)

        def send_json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                names = (model.candidate, model.judge)
                self.send_json(200, {"object": "list", "data": [{"id": n} for n in names]})
            else:
                self.send_json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if self.path not in ("/v1/chat/completions", "/v1/completions"):
                self.send_json(404, {"error": {"message": "not found"}})
                return
            text = model.reply(payload)
            for stop in payload.get("stop") or []:  # as a server honouring `stop` does
                text = text.split(stop, 1)[0]
            choice: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
            if "messages" in payload:
                choice["message"] = {"role": "assistant", "content": text}
            else:
                choice["text"] = text
            usage = {"prompt_tokens": 100, "completion_tokens": max(1, len(text) // 4)}
            self.send_json(
                200, {"model": payload.get("model"), "choices": [choice], "usage": usage}
            )

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--model", default="demo-coder")
    parser.add_argument("--judge", default="demo-judge")
    parser.add_argument("--quiet", action="store_true", help="no line per request")
    args = parser.parse_args()
    serve(args.port, Model(args.model, args.judge), args.quiet)


if __name__ == "__main__":
    main()
