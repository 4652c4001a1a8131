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
from runners.report.loaders import find_result_dirs
from sandbox.errors import BadInputError
from tests.runners.generate.model_server import plain
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
    # `sandbox report`/`gate` over the whole folder read the scores, never the generations
    found = find_result_dirs(tmp_path / "o")
    assert [p.relative_to(tmp_path / "o").as_posix() for p in found] == [
        "results/codal",
        "results/codearena",
    ]
    with pytest.raises(BadInputError, match="a `sandbox generate` folder"):
        find_result_dirs(tmp_path / "o" / "generate" / "codal")


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


def test_failed_generation_blocks_then_a_rerun_finishes_only_that(tmp_path: Path) -> None:
    model = answering_model({"dedupe": plain("GOOD: use dict.fromkeys.")}, good=True)
    model.failing["dedupe"] = 100
    with serve(model, models=SERVED) as server:
        config = write_config(
            tmp_path / "c.toml",
            {
                **base_config(server.url, tmp_path / "o"),
                "candidate": {
                    "model": "coder-x",
                    "base_url": server.url,
                    "retry_base_delay": 0.001,
                    "max_retries": 1,
                },
                "protocols": protocols(2),
                "gate": {"require": ["codearena.win_rate>=0.5"]},
            },
        )
        blocked, verdict = run_eval_cli(config)
        assert blocked.exit_code == 1, blocked.output
        assert verdict is not None and verdict["reason"].startswith("blocked: unfinished")
        assert "generate codearena" in verdict["reason"] and verdict["gate"] is None
        assert [s["name"] for s in verdict["steps"] if s["step"] == "judge"] == ["codal"]
        model.failing.clear()
        before = list(model.asked)
        done, verdict = run_eval_cli(config)
    assert done.exit_code == 0, done.output
    assert verdict is not None and verdict["passed"]
    assert model.asked[len(before) :] == ["dedupe"]  # only the failed sample was asked again


def test_environment_variables_fill_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(
        tmp_path / "c.toml",
        {
            "candidate": {"model": "m", "base_url": "${MODEL_URL}", "revision": "${REV}"},
            "suites": [{"name": "mceval", "system": "costs $5, not ${NOPE"}],
        },
    )
    with pytest.raises(BadInputError, match="environment variable MODEL_URL is not set"):
        load_config(path)
    monkeypatch.setenv("MODEL_URL", "http://10.0.0.7:8000/v1")
    monkeypatch.setenv("REV", "abc123")
    config = load_config(path)
    assert (config.candidate.base_url, config.candidate.revision) == (
        "http://10.0.0.7:8000/v1",
        "abc123",
    )
    assert config.suites[0].system == "costs $5, not ${NOPE"


def test_the_example_configs_load(monkeypatch: pytest.MonkeyPatch) -> None:
    examples = Path(__file__).resolve().parents[3] / "examples" / "eval"
    demo = load_config(examples / "loopback.toml")
    assert demo.run.output == examples.parents[1] / "results" / "eval" / "demo"
    assert all(p.questions is not None and p.questions.is_file() for p in demo.protocols)
    monkeypatch.setenv("CANDIDATE_URL", "http://gpu:8000/v1")
    monkeypatch.setenv("CANDIDATE_REVISION", "r1")
    release = load_config(examples / "release.toml")
    assert [s.name for s in release.suites] == ["humaneval+", "mbpp+", "mceval", "multipl-e"]
    assert release.generation.greedy and release.gate.max_drop
