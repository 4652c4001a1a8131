"""Both protocols end to end through ``sandbox judge`` against a loopback OpenAI-protocol judge:
metrics by hand, follow-ups, failures, resuming, the cache, Bradley-Terry across runs, bad input."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from runners.cli.main import app
from runners.judge.errors import DatasetUnavailableError, JudgeEndpointError
from sandbox.errors import BadInputError, SandboxError

from .conftest import ARENA_ANSWERS, ARENA_QUESTIONS, CliRun, read_records
from .server import Reply, always, last_user, prefer_marker, rating_judge, serve, verdict_text

GOOD = {"ca-001", "ca-003", "ca-004"}  # the fixture answers that carry the judge's marker


@pytest.mark.parametrize(("method", "temperature"), [("paper", 0.2), ("robust", 0.0)])
def test_codearena_end_to_end_metrics_by_hand(
    judge_cli: CliRun, tmp_path: Path, method: str, temperature: float
) -> None:
    with serve(prefer_marker()) as server:
        result, summary = judge_cli(server.url, "codearena", "--method", method)
    assert result.exit_code == 0, result.output
    assert summary is not None
    assert {k: summary[k] for k in ("kind", "protocol", "model", "baseline", "judge_model")} == {
        "kind": "judge",
        "protocol": "codearena",
        "model": "coder-x",
        "baseline": "gpt-4-turbo-2024-04-09",
        "judge_model": "judge-test",  # from /v1/models
    }
    assert (summary["method"], summary["method_rules"]["name"]) == (method, method)
    assert summary["complete"] is True
    m = summary["metrics"]
    assert m["win_rate"]["value"] == 0.5 and m["tie_rate"]["value"] == 0.5
    # GOOD questions: two strong wins (weight 3 each); the others: two ties (weight 1 each)
    assert m["score_arena"]["value"] == pytest.approx((3 * 6 + 3 * 1) / (3 * 6 + 3 * 2))
    assert m["score_paper"]["value"] == pytest.approx((2 * 3 + 3) / (2 * 6))
    assert "score" not in m
    assert m["per_language"]["Python"]["win_rate"]["value"] == 0.5  # ca-001 win, ca-006 tie
    assert m["per_language"]["Rust"]["win_rate"]["value"] == 1.0
    assert m["per_difficulty"]["hard"]["n"] == 2
    assert m["bradley_terry"]["ratings"]["coder-x"]["elo"] > 1000
    assert summary["usage"]["this_run"]["requests"] == 12
    assert summary["provenance"]["judge_params"]["temperature"] == temperature
    assert all(r["temperature"] == temperature for r in server.requests)
    assert summary["provenance"]["statistics"] == {
        "n_resamples": 1000,
        "seed": 0,
        "confidence": 0.95,
    }
    records = read_records(tmp_path / "out")
    assert len(records) == 12 and {r["method"] for r in records} == {method}
    first = next(r for r in records if r["key"] == "codearena|ca-001|1")
    assert (first["player_a"], first["player_b"], first["label"]) == (
        "gpt-4-turbo-2024-04-09",
        "coder-x",
        "B>>A",
    )
    assert first["judgment"] == verdict_text("B>>A") and first["status"] == "ok"
    # the question reached the judge from the Python-literal `messages` of ca-002
    assert any("[1, 2, 10].sort()" in last_user(r) for r in server.requests)


def test_categories_paper_through_codearenas_table_robust_raw(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    with serve(prefer_marker()) as server:
        _, paper = judge_cli(server.url, "codearena", output=tmp_path / "paper")
        _, robust = judge_cli(server.url, "codearena", "--method", "robust")
    assert paper is not None and robust is not None
    tools = "Tools, Environments, and Practices"  # Code Generation and Code Optimization
    assert paper["metrics"]["category_scheme"] == "levels"
    assert paper["metrics"]["per_category"][tools]["n"] == 3
    assert paper["metrics"]["per_subcategory"]["Development Tools and Environments"]["n"] == 2
    assert paper["metrics"]["per_category"]["unmapped"]["n"] == 1  # "Code Debugging"
    assert paper["metrics"]["counts"]["unmapped_task_types"] == 1
    source = paper["method_rules"]["category_table"]
    assert source["repository"].endswith("QwenLM/Qwen2.5-Coder") and len(source["commit"]) == 40
    assert robust["metrics"]["category_scheme"] == "task-type"
    assert robust["metrics"]["per_category"]["code generation"]["n"] == 2
    assert robust["metrics"]["per_category"]["database query"]["tie_rate"]["value"] == 1.0
    assert "per_subcategory" not in robust["metrics"]


def test_codearena_other_baseline(judge_cli: CliRun) -> None:
    with serve(always("A=B")) as server:
        _, summary = judge_cli(server.url, "codearena", "--baseline", "gpt-4o-2024-05-13")
    assert summary is not None and summary["baseline"] == "gpt-4o-2024-05-13"
    assert any("FETCH FIRST 3 ROWS ONLY" in last_user(r) for r in server.requests)


def test_unparsable_verdict_gets_one_followup_then_counts_as_unparsable(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    def behave(payload: dict[str, Any], number: int) -> Reply:
        prompt = payload["messages"][1]["content"]
        if last_user(payload).startswith("Your judgment does not end"):
            return Reply(text="[[A=B]]" if "dedupe" in prompt else "Still thinking.")
        if "dedupe" in prompt or "sort()" in prompt:
            return Reply(text="Both answers are fine; A is a bit clearer.")
        return Reply(text=verdict_text("A=B"))

    with serve(behave) as server:
        result, summary = judge_cli(server.url, "codearena", "--method", "robust")
    assert result.exit_code == 0, result.output
    assert summary is not None
    counts = summary["metrics"]["counts"]
    assert server.chat_count == 12 + 4
    assert (counts["followups"], counts["games_unparsable"], counts["questions_incomplete"]) == (
        4,
        2,
        1,
    )
    assert summary["metrics"]["n"] == 5  # ca-002 is neither a tie nor a loss
    records = {r["key"]: r for r in read_records(tmp_path / "out")}
    assert records["codearena|ca-001|1"]["label"] == "A=B"
    assert records["codearena|ca-001|1"]["followup_judgment"] == "[[A=B]]"
    assert records["codearena|ca-002|2"]["status"] == "unparsable"
    assert records["codearena|ca-002|2"]["problem"] == "no verdict label"


def test_failed_requests_are_reported_then_retried_by_a_rerun(judge_cli: CliRun) -> None:
    healthy = always("A=B")

    def behave(payload: dict[str, Any], number: int) -> Reply:
        if "std::move" in payload["messages"][1]["content"]:
            return Reply(status=503)
        return healthy(payload, number)

    with serve(behave) as server:
        result, summary = judge_cli(server.url, "codearena", "--max-retries", "1")
        assert result.exit_code == 1  # results written, but the run is not complete
        assert summary is not None and summary["complete"] is False
        assert summary["pending_judgments"] == 2
        assert summary["metrics"]["counts"]["games_error"] == 2
        assert server.chat_count == 10 + 2 * 2
        server.behaviour = healthy
        result, summary = judge_cli(server.url)
    assert result.exit_code == 0, result.output
    assert summary is not None and summary["complete"] is True
    assert summary["metrics"]["counts"]["games_error"] == 0
    assert summary["usage"]["this_run"]["requests"] == 2  # only the failed ones again


def test_rerun_resumes_and_cache_alone_recomputes(judge_cli: CliRun, tmp_path: Path) -> None:
    with serve(prefer_marker()) as server:
        _, first = judge_cli(server.url)
        _, again = judge_cli(server.url)
        assert server.chat_count == 12  # the re-run had nothing left to ask
        shutil.rmtree(tmp_path / "out")
        _, rebuilt = judge_cli(server.url)
        assert server.chat_count == 12  # every judgment came back from the cache
    assert first is not None and again is not None and rebuilt is not None
    assert first["metrics"] == again["metrics"] == rebuilt["metrics"]
    assert rebuilt["usage"]["this_run"]["cache_hits"] == 12
    with socket.socket() as probe:  # an endpoint that does not exist: --cache-only never calls it
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    result, cached = judge_cli(
        dead, "codearena", "--cache-only", "--judge-model", "judge-test", output=tmp_path / "o2"
    )
    assert result.exit_code == 0, result.output
    assert cached is not None and cached["metrics"] == first["metrics"]


def test_codal_end_to_end_both_na_conventions(judge_cli: CliRun, tmp_path: Path) -> None:
    ratings: dict[str, int | None] = {
        f"MODEL-ANSWER-{i}:": r for i, r in enumerate([8, 6, 9, None, 7, 5, 4, 6, 10, 3])
    }
    with serve(rating_judge(ratings)) as server:
        result, summary = judge_cli(server.url, "codal", "--method", "robust")
    assert result.exit_code == 0, result.output
    assert summary is not None
    assert (summary["protocol"], summary["baseline"]) == ("codal", "gpt-3.5-turbo")
    assert summary["metrics"]["reference"] == {
        "rule": "baseline",
        "model": "gpt-3.5-turbo",
        "from_dataset": 10,
        "generated": 0,
    }
    m = summary["metrics"]
    per = m["per_preference"]
    assert per["instruction-following"]["mean_na_as_zero"] == 7.0
    assert (per["explanation"]["mean_na_as_zero"], per["explanation"]["mean_na_excluded"]) == (
        4.5,
        9.0,
    )
    assert per["style"]["mean_na_as_zero"] == 6.5  # record 9 matched by its instruction
    assert m["overall"]["na_as_zero"]["value"] == pytest.approx(5.8)
    assert m["overall"]["na_excluded"]["value"] == pytest.approx(6.7)
    assert m["score"] == m["overall"]["na_as_zero"]
    assert m["na_rate"] == pytest.approx(0.1)
    assert server.chat_count == 11  # one follow-up for the unreadable rating
    prompts = [last_user(r) for r in server.requests]
    assert any("Code explanation assessment" in p and "MODEL-ANSWER-3:" in p for p in prompts)
    assert all("by gpt-3.5-turbo" in p for p in prompts if "## Reference response" in p)
    na = next(r for r in read_records(tmp_path / "out") if r["question_id"] == "3")
    assert (na["status"], na["rating"], na["followup"]) == ("na", None, True)


@pytest.mark.parametrize("method", ["paper", "robust"])
def test_codal_reference_choice(judge_cli: CliRun, method: str) -> None:
    with serve(rating_judge({})) as server:
        _, summary = judge_cli(server.url, "codal", "--baseline", "gpt-4-turbo", "--method", method)
    assert summary is not None and summary["baseline"] == "gpt-4-turbo"
    assert summary["metrics"]["reference"]["rule"] == "baseline"
    assert summary["metrics"]["overall"]["na_as_zero"]["value"] == 5.0
    assert all("by gpt-4-turbo" in last_user(r) for r in server.requests)


def test_missing_answers_are_counted_not_judged(judge_cli: CliRun, tmp_path: Path) -> None:
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(ARENA_ANSWERS.read_text().splitlines(keepends=True)[:4]))
    with serve(always("A=B")) as server:
        _, summary = judge_cli(server.url, answers=partial)
    assert summary is not None
    assert summary["missing"]["missing_answer"] == ["ca-005", "ca-006"]
    assert summary["metrics"]["counts"]["planned_judgments"] == 8
    assert server.chat_count == 8


def test_bradley_terry_across_runs(judge_cli: CliRun, tmp_path: Path) -> None:
    strong = tmp_path / "strong.jsonl"
    strong.write_text(
        "".join(
            json.dumps({"id": json.loads(line)["id"], "answer": "GOOD answer"}) + "\n"
            for line in ARENA_QUESTIONS.read_text().splitlines()
        )
    )
    with serve(prefer_marker()) as server:
        judge_cli(server.url, output=tmp_path / "x")
        result, summary = judge_cli(
            server.url,
            "codearena",
            "--compare-with",
            str(tmp_path / "x"),
            answers=strong,
            model="coder-y",
            output=tmp_path / "y",
        )
    assert result.exit_code == 0, result.output
    assert summary is not None
    ratings = summary["metrics"]["bradley_terry"]["ratings"]
    assert set(ratings) == {"coder-x", "coder-y", "gpt-4-turbo-2024-04-09"}
    assert ratings["coder-y"]["elo"] > ratings["coder-x"]["elo"] > 1000
    assert summary["metrics"]["bradley_terry"]["n_battles"] == 24


def test_resuming_into_another_runs_directory_is_refused(judge_cli: CliRun) -> None:
    with serve(always("A=B"), models=("judge-test", "judge-2")) as server:
        judge_cli(server.url, "codearena", "--judge-model", "judge-test")
        result, _ = judge_cli(server.url, "codearena", "--judge-model", "judge-2")
    assert isinstance(result.exception, BadInputError)
    assert "judge_model='judge-test'" in str(result.exception)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (["--baseline", "nobody"], BadInputError, "no 'nobody_response' answers"),
        (["--model", "gpt-4-turbo-2024-04-09"], BadInputError, "is also the baseline"),
    ],
)
def test_bad_options_are_sandbox_errors(
    judge_cli: CliRun, args: list[str], error: type[SandboxError], message: str
) -> None:
    with serve(always("A=B")) as server:
        result, _ = judge_cli(server.url, "codearena", *args)
    assert isinstance(result.exception, error)
    assert message in str(result.exception)


def test_bad_answers_file_names_file_and_line(judge_cli: CliRun, tmp_path: Path) -> None:
    bad = tmp_path / "answers.jsonl"
    bad.write_text('{"id": "ca-001", "answer": "x"}\n{"id": "ca-002"}\n')
    result, _ = judge_cli("http://127.0.0.1:9/v1", answers=bad)
    assert isinstance(result.exception, BadInputError)
    assert f"{bad}:2" in str(result.exception)


def test_hub_dataset_offline_is_a_clear_error(judge_cli: CliRun) -> None:
    result, _ = judge_cli("http://127.0.0.1:9/v1", questions=Path("hf:CSJianYang/CodeArena"))
    assert isinstance(result.exception, DatasetUnavailableError)
    assert "--questions PATH" in str(result.exception)


def test_human_summary_and_progress_bar(tmp_path: Path) -> None:
    with serve(prefer_marker()) as server:
        result = CliRunner().invoke(
            app,
            [
                "judge", "--protocol", "codearena", "--questions", str(ARENA_QUESTIONS),
                "--answers", str(ARENA_ANSWERS), "--model", "coder-x", "--base-url", server.url,
                "--cache", str(tmp_path / "c.sqlite"), "--output", str(tmp_path / "o"),
                "--price-input", "1", "--price-output", "2",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "win 50.0%" in result.stdout and "score_arena 87.5%" in result.stdout
    assert "score_paper 75.0%" in result.stdout and "--method paper" in result.stdout
    assert "the paper's judge was gpt-4o" in result.stdout
    assert "$0.0017" in result.stdout  # 1200 prompt tokens at $1/M + 240 at $2/M
    assert f"results: {tmp_path / 'o'}" in result.stdout
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["details"]["usage"]["this_run"]["cost_usd"] == pytest.approx(0.00168)


def test_endpoint_refusing_mid_run_stops_and_keeps_what_was_judged(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    healthy = always("A=B")

    def behave(payload: dict[str, Any], number: int) -> Reply:
        return healthy(payload, number) if number <= 3 else Reply(status=401)

    with serve(behave) as server:
        result, _ = judge_cli(server.url, "codearena", "--concurrency", "1")
        assert isinstance(result.exception, JudgeEndpointError)
        assert "$OPENAI_API_KEY" in str(result.exception)
        assert server.chat_count == 4  # stopped at the first refusal, no retries
        assert len(read_records(tmp_path / "out")) == 3
        server.behaviour = healthy
        result, summary = judge_cli(server.url, "codearena", "--concurrency", "1")
    assert result.exit_code == 0 and summary is not None
    assert summary["usage"]["this_run"]["requests"] == 9


def test_questions_too_long_are_skipped_when_asked(judge_cli: CliRun) -> None:
    with serve(always("A=B")) as server:
        _, summary = judge_cli(server.url, "codearena", "--max-question-words", "17")
    assert summary is not None
    assert summary["missing"]["too_long"] == ["ca-001", "ca-002", "ca-006"]  # 17, 17, 27 words
    assert summary["metrics"]["counts"]["too_long"] == 3
    assert server.chat_count == 6
