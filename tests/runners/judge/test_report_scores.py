"""The judge's two CodeArena scores as the report and the gate read them, from result
directories written by ``sandbox judge`` itself under each method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runners.gate import GateInputError, evaluate_gate
from runners.report.build import build_report
from runners.report.loaders import load_sources
from runners.report.paired import collect_task_values
from runners.report.tables import build_tables

from .conftest import CliRun
from .server import Reply, prefer_marker, serve


def judge_both(judge_cli: CliRun, tmp_path: Path) -> dict[str, Path]:
    """coder-x judged under each method; the std::move question's first game is rejected."""
    healthy = prefer_marker()

    def behave(payload: dict[str, Any], number: int) -> Reply:
        prompt = str(payload["messages"][1]["content"])
        a_start = prompt.index("<|The Start of Assistant A's Answer|>")
        if "std::move" in prompt and "GOOD" not in prompt[a_start : a_start + 60]:
            return Reply(status=400)
        return healthy(payload, number)

    dirs = {}
    for method in ("paper", "robust"):
        with serve(behave) as server:
            judge_cli(server.url, "codearena", "--method", method, output=tmp_path / method)
        dirs[method] = tmp_path / method
    return dirs


def test_report_and_gate_list_both_scores(judge_cli: CliRun, tmp_path: Path) -> None:
    dirs = judge_both(judge_cli, tmp_path)
    paper, robust = (load_sources([dirs[m]])[0] for m in ("paper", "robust"))
    for source in (paper, robust):
        names = set(source.summary.metrics)
        assert {"codearena.score_paper", "codearena.score_arena"} <= names
        assert "codearena.score" not in names
    assert (
        paper.summary.provenance["judge_method"],
        robust.summary.provenance["judge_method"],
    ) == (
        "paper",
        "robust",
    )
    table = next(t for t in build_tables(build_report([paper])) if "CodeArena" in t.title)
    assert table.header[:6] == ["model", "win_rate", "tie_rate", "loss_rate", "score_paper",
                                "score_arena"]  # fmt: skip

    # per question, as each method counts: the rejected game is 0 points under paper (its
    # question counts: 0 + 2, a win), and leaves its question out under robust
    paper_wins = collect_task_values(paper, "codearena.win_rate")
    robust_wins = collect_task_values(robust, "codearena.win_rate")
    assert paper_wins is not None and robust_wins is not None
    assert (len(paper_wins.per_task), len(robust_wins.per_task)) == (6, 5)
    for source in (paper, robust):
        values = collect_task_values(source, "codearena.score_paper")
        assert values is not None
        mean = sum(v[0] for v in values.per_task.values()) / len(values.per_task)
        assert mean == pytest.approx(source.summary.metrics["codearena.score_paper"].value)
    # GOOD answers win strongly, the others tie: 3 wins + 3 ties, or 2 + 3 without std::move
    assert paper.summary.metrics["codearena.score_paper"].value == pytest.approx((2 * 3 + 3) / 12)
    assert robust.summary.metrics["codearena.score_paper"].value == pytest.approx((2 * 2 + 3) / 10)

    gate = evaluate_gate(
        [paper], [], ["codearena.score_paper>=0.6", "codearena.score_arena>=0.6"], []
    )
    assert gate.passed and len(gate.rules) == 2
    with pytest.raises(GateInputError) as caught:
        evaluate_gate([paper], [], ["codearena.score>=0.5"], [])
    assert "codearena.score_paper" in str(caught.value)
    assert "codearena.score_arena" in str(caught.value)
