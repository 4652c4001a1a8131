"""The self-checks of the CodeArena statistics, end to end through ``sandbox judge`` against a
loopback judge: a judge that always ties, the baseline judged against itself, and a judge that
always prefers the first answer. (Bradley-Terry hand-computed values: test_stats.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ARENA_QUESTIONS, CliRun
from .server import always, content_hash_judge, serve


def test_judge_that_always_ties_gives_win_0_tie_100_score_50(judge_cli: CliRun) -> None:
    with serve(always("A=B")) as server:
        result, summary = judge_cli(server.url)
    assert result.exit_code == 0, result.output
    assert summary is not None
    metrics = summary["metrics"]
    assert metrics["win_rate"]["value"] == 0.0
    assert metrics["tie_rate"]["value"] == 1.0
    for score in ("score_paper", "score_arena"):
        assert metrics[score]["value"] == 0.5
        assert metrics[score]["lower"] == metrics[score]["upper"] == 0.5
    assert metrics["position_consistency"]["flip_rate"] == 0.0
    assert metrics["bradley_terry"]["ratings"]["coder-x"]["elo"] == pytest.approx(1000.0)
    assert server.chat_count == 12


def test_baseline_judged_against_itself_gives_50(judge_cli: CliRun, tmp_path: Path) -> None:
    baseline = "gpt-4-turbo-2024-04-09"
    copies = tmp_path / "baseline-answers.jsonl"
    with ARENA_QUESTIONS.open() as questions, copies.open("w") as out:
        for line in questions:
            record = json.loads(line)
            out.write(
                json.dumps({"id": record["id"], "answer": record[f"{baseline}_response"]}) + "\n"
            )
    # The judge's verdict is an arbitrary function of the prompt: with identical answers both
    # orders show the same prompt, so whatever it says must cancel out.
    with serve(content_hash_judge) as server:
        result, summary = judge_cli(server.url, answers=copies, model="baseline-copy")
    assert result.exit_code == 0, result.output
    assert summary is not None
    metrics = summary["metrics"]
    assert metrics["score_arena"]["value"] == metrics["score_paper"]["value"] == 0.5
    assert metrics["win_rate"]["value"] == 0.0 and metrics["tie_rate"]["value"] == 1.0
    assert server.chat_count == 6  # the two identical prompts of a question are paid once


@pytest.mark.parametrize("label", ["A>B", "A>>B"])
def test_judge_that_always_prefers_position_a_flips_every_time(
    judge_cli: CliRun, label: str
) -> None:
    with serve(always(label)) as server:
        result, summary = judge_cli(server.url)
    assert result.exit_code == 0, result.output
    assert summary is not None
    metrics = summary["metrics"]
    assert metrics["position_consistency"]["flip_rate"] == 1.0
    assert metrics["position_consistency"]["first_position_win_rate"] == 1.0
    assert metrics["score_arena"]["value"] == metrics["score_paper"]["value"] == 0.5
    assert metrics["win_rate"]["value"] == 0.0 and metrics["tie_rate"]["value"] == 1.0
