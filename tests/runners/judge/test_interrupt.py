"""A judge run killed mid-way (SIGKILL, in a real process) resumes from the cache and the
results file without repeating a single answered request; and the installed entry point turns
a bad input into one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .conftest import ARENA_ANSWERS, ARENA_QUESTIONS, CliRun, read_records
from .server import Reply, prefer_marker, serve

REPO = Path(__file__).resolve().parents[3]
ENTRY = "from runners.cli.main import run_app; run_app()"


def cli_args(url: str, tmp_path: Path) -> list[str]:
    return [
        "judge", "--protocol", "codearena", "--questions", str(ARENA_QUESTIONS),
        "--answers", str(ARENA_ANSWERS), "--model", "coder-x", "--base-url", url,
        "--cache", str(tmp_path / "cache.sqlite"), "--output", str(tmp_path / "out"),
        "--concurrency", "1", "--no-progress", "--json",
    ]  # fmt: skip


def test_killed_run_resumes_without_repeating_a_request(judge_cli: CliRun, tmp_path: Path) -> None:
    healthy = prefer_marker()
    gate = threading.Event()
    answer_first = 5

    def until_killed(payload: dict[str, Any], number: int) -> Reply:
        return healthy(payload, number) if number <= answer_first else Reply(block=gate)

    with serve(until_killed) as server:
        process = subprocess.Popen(
            [sys.executable, "-c", ENTRY, *cli_args(server.url, tmp_path)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while server.chat_count <= answer_first and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server.chat_count == answer_first + 1, (
                "the run never reached the blocked request"
            )
        finally:
            process.kill()
            process.wait()
            gate.set()
        killed_records = read_records(tmp_path / "out") if (tmp_path / "out").exists() else []
        assert len(killed_records) <= answer_first
        assert not (tmp_path / "out" / "summary.json").exists()

        server.behaviour = healthy
        result, summary = judge_cli(server.url, "codearena", "--concurrency", "1")

    assert result.exit_code == 0, result.output
    assert summary is not None and summary["complete"] is True
    assert summary["metrics"]["win_rate"]["value"] == 0.5
    repeats = [h for h, n in Counter(server.answered_hashes()).items() if n > 1]
    assert repeats == [], "a request the judge had already answered was sent again"
    assert len(server.answered_hashes()) == 12
    # the blocked request was never answered, so the re-run asked it again: 12 - 5 requests
    assert summary["usage"]["this_run"]["requests"] == 12 - answer_first
    assert summary["usage"]["this_run"]["cache_hits"] == answer_first - len(killed_records)
    assert len({r["key"] for r in read_records(tmp_path / "out")}) == 12


def test_entry_point_prints_one_line_and_exits_2_on_bad_input(tmp_path: Path) -> None:
    args = cli_args("http://127.0.0.1:9/v1", tmp_path)
    args[args.index("--answers") + 1] = str(tmp_path / "missing.jsonl")
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'missing.jsonl'}: no such answers file "
        "(fix: pass --answers FILE (JSONL))"
    ]
