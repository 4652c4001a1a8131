"""``sandbox eval`` on the judged protocols (no execution needed): a released model's results,
then a candidate's, gated against them; the config's errors; a re-run that asks nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from runners.cli.main import app
from runners.eval.config import load_config
from sandbox.errors import BadInputError
from tests.runners.judge.server import serve

from .conftest import ARENA, CODAL, SERVED, answering_model, base_config, write_config


def run_eval_cli(config: Path, *extra: str) -> tuple[Result, dict[str, Any] | None]:
    result = CliRunner().invoke(app, ["eval", str(config), "--no-progress", "--json", *extra])
    body = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result, body


def protocols(limit: int | None = None) -> list[dict[str, Any]]:
    extra = {"limit": limit} if limit else {}
    return [
        {"name": "codearena", "questions": ARENA, **extra},
        {"name": "codal", "questions": CODAL, **extra},
    ]


def test_candidate_gated_against_the_released_model_and_a_rerun_asks_nothing(
    tmp_path: Path,
) -> None:
    released = answering_model({}, good=False)
    candidate = answering_model({}, good=True)
    with serve(released, models=SERVED) as server:
        old_config = write_config(
            tmp_path / "old.toml",
            {**base_config(server.url, tmp_path / "old", "old-model"), "protocols": protocols()},
        )
        old, old_eval = run_eval_cli(old_config)
        assert old.exit_code == 0, old.output
        assert old_eval is not None and old_eval["reason"] == "no gate rules: nothing blocks"
        server.behaviour = candidate
        rules = {
            "require": ["codal.score>=7"],
            "max_drop": ["codearena.win_rate=2.0", "codal.score=0.5"],
        }
        new_config = write_config(
            tmp_path / "new.toml",
            {
                **base_config(server.url, tmp_path / "new"),
                "protocols": protocols(),
                "baseline": {"results": [tmp_path / "old" / "results"]},
                "gate": rules,
            },
        )
        asked = server.chat_count
        first, verdict = run_eval_cli(new_config)
        assert first.exit_code == 0, first.output
        paid = server.chat_count - asked
        second, again = run_eval_cli(new_config)
        assert server.chat_count - asked == paid  # the re-run asked nothing
        assert server.model_listings == 2 * 2  # only the two first generations checked /models
    assert paid > 0 and second.exit_code == 0
    assert verdict is not None and again is not None
    assert verdict["passed"] and verdict["reason"] == "release may go (3 rules passed)"
    assert [r["passed"] for r in again["gate"]["rules"]] == [True, True, True]
    out = tmp_path / "new"
    for name in ("report.html", "report.md", "report.json", "junit.xml", "gate.json", "eval.json"):
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    assert {m["model"] for m in report["models"]} == {"coder-x", "old-model"}
    steps = [(s["step"], s["name"]) for s in verdict["steps"]]
    assert steps == [
        ("generate", "codearena"),
        ("generate", "codal"),
        ("judge", "codearena"),
        ("judge", "codal"),
    ]


def test_a_worse_candidate_is_blocked_with_exit_1(tmp_path: Path) -> None:
    with serve(answering_model({}, good=True), models=SERVED) as server:
        good = write_config(
            tmp_path / "good.toml",
            {**base_config(server.url, tmp_path / "good", "old-model"), "protocols": protocols()},
        )
        assert run_eval_cli(good)[0].exit_code == 0
        server.behaviour = answering_model({}, good=False)
        worse = write_config(
            tmp_path / "worse.toml",
            {
                **base_config(server.url, tmp_path / "worse"),
                "protocols": protocols(),
                "baseline": {"results": [tmp_path / "good" / "results"]},
                "gate": {"max_drop": ["codal.score=0.5"], "require": ["codearena.win_rate>=0.4"]},
            },
        )
        result, verdict = run_eval_cli(worse)
    assert result.exit_code == 1
    assert verdict is not None and not verdict["passed"]
    assert verdict["reason"].startswith("blocked by ")
    assert "codal.score=0.5" in verdict["reason"]


def test_limit_writes_one_question_subset_for_generation_and_judge(tmp_path: Path) -> None:
    with serve(answering_model({}, good=True), models=SERVED) as server:
        config = write_config(
            tmp_path / "c.toml",
            {**base_config(server.url, tmp_path / "o"), "protocols": protocols(2)},
        )
        result, _ = run_eval_cli(config)
    assert result.exit_code == 0, result.output
    subset = (tmp_path / "o" / "data" / "codal-questions.jsonl").read_text().splitlines()
    assert len(subset) == 2
    answers = (tmp_path / "o" / "generate" / "codal" / "answers.jsonl").read_text().splitlines()
    assert len(answers) == 2
    judged = json.loads((tmp_path / "o" / "results" / "codal" / "summary.json").read_text())
    assert judged["counts"]["questions"] == 2


def test_an_endpoint_refusing_everything_stops_before_scoring(tmp_path: Path) -> None:
    from tests.runners.generate.model_server import ModelTable, context_overflow

    with serve(ModelTable({}, default=context_overflow()), models=SERVED) as server:
        config = write_config(
            tmp_path / "c.toml",
            {**base_config(server.url, tmp_path / "o"), "protocols": protocols(1)},
        )
        result, _ = run_eval_cli(config)
    assert result.exit_code != 0
    assert "the endpoint refused every request for codearena" in str(result.exception)
    assert not (tmp_path / "o" / "results").exists()


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"candidate": {"model": "m", "base_url": "ftp://x"}}, "is not an http(s) URL"),
        ({"candidate": {"model": "m", "base_url": "http://x/v1"}}, "nothing to evaluate"),
        (
            {
                "candidate": {"model": "m", "base_url": "http://x/v1"},
                "protocols": [{"name": "codal"}],
            },
            "need a [judge] table",
        ),
        (
            {
                "candidate": {"model": "m", "base_url": "http://x/v1"},
                "suites": [{"name": "mceval", "limt": 3}],
            },
            "suites.0.limt: Extra inputs are not permitted",
        ),
        (
            {
                "candidate": {"model": "m", "base_url": "http://x/v1"},
                "suites": [{"name": "mceval"}],
                "gate": {"require": ["mceval.pass_rate => 0.5"]},
            },
            "cannot read --require",
        ),
        (
            {
                "candidate": {"model": "m", "base_url": "http://x/v1"},
                "suites": [{"name": "mceval"}],
                "gate": {"max_drop": ["mceval.pass_rate=1"]},
            },
            "gate.max_drop needs [baseline]",
        ),
    ],
)
def test_config_errors_name_the_key_and_the_fix(
    tmp_path: Path, tables: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadInputError, match=pytest.importorskip("re").escape(message)):
        load_config(write_config(tmp_path / "bad.toml", tables))


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "ci"
    folder.mkdir()
    config = load_config(
        write_config(
            folder / "eval.toml",
            {
                "candidate": {"model": "m", "base_url": "http://x/v1"},
                "suites": [{"name": "humaneval+", "data": "data/he.jsonl"}],
                "baseline": {"results": ["released"]},
                "run": {"output": "out"},
            },
        )
    )
    assert config.run.output == folder / "out"
    assert config.suites[0].data == folder / "data" / "he.jsonl"
    assert config.baseline.results == [folder / "released"]


def test_unknown_executor_is_refused_before_anything_runs(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "c.toml",
        {
            "candidate": {"model": "m", "base_url": "http://127.0.0.1:9/v1"},
            "suites": [{"name": "mceval"}],
        },
    )
    result, _ = run_eval_cli(config, "--executor", "warp")
    assert result.exit_code != 0 and "unknown executor 'warp'" in str(result.exception)
