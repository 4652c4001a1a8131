"""What an operator meets: one clear line and exit code 2 for a wrong URL, a model the endpoint
does not serve or a refused key (through the installed entry point, in a real process); and a
run killed mid-way that resumes without asking for a finished sample again."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.runners.judge.server import Reply, serve

from .conftest import REPO, read_jsonl
from .model_server import CANDIDATE, ModelTable
from .tables import HUMANEVAL, humaneval_chat_table

ENTRY = "from runners.cli.main import run_app; run_app()"


def generate_args(url: str, tmp_path: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-c", ENTRY, "generate", "--suite", "humaneval+", "--model", CANDIDATE,
        "--base-url", url, "--limit", "3", "--data-dir", str(HUMANEVAL),
        "--output", str(tmp_path / "out"), "--cache", str(tmp_path / "cache.sqlite"),
        "--retry-base-delay", "0.001", "--max-retries", "1", "--no-progress", *extra,
    ]  # fmt: skip


def run_cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_wrong_url_is_one_line(tmp_path: Path) -> None:
    line = one_error_line(run_cli(generate_args(f"http://127.0.0.1:{free_port()}/v1", tmp_path)))
    assert "cannot reach http://127.0.0.1:" in line and "connection failed" in line
    assert "check --base-url" in line


def test_a_model_the_endpoint_does_not_serve_is_one_line(tmp_path: Path) -> None:
    _, table = humaneval_chat_table()
    with serve(ModelTable(table), models=("someone-else",)) as server:
        line = one_error_line(run_cli(generate_args(server.url, tmp_path)))
        assert server.chat_count == 0  # nothing was paid for
    assert f"does not serve a model named '{CANDIDATE}' (it serves: someone-else)" in line
    assert "--no-model-check" in line


def test_a_refused_key_is_one_line(tmp_path: Path) -> None:
    with serve(lambda payload, number: Reply(status=401), models=(CANDIDATE,)) as server:
        args = generate_args(server.url, tmp_path, "--no-model-check", "--concurrency", "1")
        line = one_error_line(run_cli(args))
        assert server.chat_count == 1  # a refused key is never retried
    assert "HTTP 401 (not authorised)" in line and "$OPENAI_API_KEY" in line


def test_killed_run_resumes_without_asking_a_finished_sample_again(tmp_path: Path) -> None:
    _, table = humaneval_chat_table()
    healthy = ModelTable(table)
    gate = threading.Event()

    def until_killed(payload: dict[str, Any], number: int) -> Reply:
        return healthy(payload, number) if number <= 2 else Reply(block=gate)

    args = generate_args("", tmp_path, "--concurrency", "1")
    with serve(until_killed, models=(CANDIDATE,)) as server:
        args[args.index("--base-url") + 1] = server.url
        process = subprocess.Popen(
            args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 60
            results = tmp_path / "out" / "results.jsonl"

            def stored() -> int:
                return len(read_jsonl(results)) if results.is_file() else 0

            # the third request is in flight once the second reply is in; its record is
            # appended a moment later, so wait for both before killing the run
            while (server.chat_count < 3 or stored() < 2) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server.chat_count == 3, "the run never reached the blocked request"
        finally:
            process.kill()
            process.wait()
            gate.set()
        assert len(read_jsonl(tmp_path / "out" / "results.jsonl")) == 2
        server.behaviour = healthy
        done = run_cli(args)
    assert done.returncode == 0, done.stderr
    repeats = [h for h, n in Counter(server.answered_hashes()).items() if n > 1]
    assert repeats == [], "a sample already answered was asked again"
    assert len(read_jsonl(tmp_path / "out" / "samples.jsonl")) == 3
