"""``--method paper`` against ``--method robust``, end to end through ``sandbox judge`` against a
loopback OpenAI-protocol judge: each parsing, follow-up, failure and aggregation rule, with the
numbers of both methods computed by hand, so that they differ exactly where the rules say."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runners.judge.prompts import PAIRWISE_FOLLOWUP, PAIRWISE_FOLLOWUP_PAPER

from .conftest import ARENA_ANSWERS, ARENA_QUESTIONS, CliRun, read_records
from .server import (
    OWN_ANSWER,
    Behaviour,
    Reply,
    answers_of,
    is_reference_request,
    last_user,
    rating_judge,
    serve,
    verdict_text,
)

MODEL_ANSWERS = {
    json.loads(line)["id"]: json.loads(line)["answer"]
    for line in ARENA_ANSWERS.read_text().splitlines()
}
MARKERS = {"ca-001": "dedupe", "ca-002": "sort()", "ca-003": "std::move"}


def game_of(payload: dict[str, Any]) -> tuple[str | None, int]:
    """(question id by its marker, game: 1 when the model's answer is B, else 2)."""
    prompt = str(payload["messages"][1]["content"])
    question = next((q for q, marker in MARKERS.items() if marker in prompt), None)
    a, _ = answers_of(payload)
    return question, 2 if a in {v.strip() for v in MODEL_ANSWERS.values()} else 1


def arena_script(
    first: dict[tuple[str, int], str | int], followup: str = "[[A=B]]"
) -> tuple[Behaviour, list[str]]:
    """A judge that replies ``first[(question, game)]`` (text, or an HTTP status), ``followup``
    to any follow-up, and a tie elsewhere; the follow-up texts it received are collected."""
    followups: list[str] = []

    def behave(payload: dict[str, Any], number: int) -> Reply:
        if any(m["role"] == "assistant" for m in payload["messages"]):
            followups.append(last_user(payload))
            return Reply(text=followup)
        scripted = first.get(game_of(payload), verdict_text("A=B"))
        if isinstance(scripted, int):
            return Reply(status=scripted)
        return Reply(text=scripted)

    return behave, followups


def both(
    judge_cli: CliRun, tmp_path: Path, behave: Callable[[], tuple[Behaviour, list[str]]], *args: str
) -> dict[str, tuple[Any, dict[str, Any], list[str], list[dict[str, Any]]]]:
    """The same judge behaviour under each method, each into its own directory."""
    runs = {}
    for method in ("paper", "robust"):
        behaviour, followups = behave()
        with serve(behaviour) as server:
            result, summary = judge_cli(
                server.url, *args, "--method", method, output=tmp_path / method
            )
        assert summary is not None, result.output
        runs[method] = (result, summary, followups, server.requests)
    return runs


def test_conflicting_labels_are_no_verdict_under_paper_a_followup_under_robust(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    conflicting = "At first [[B>A]], but on reflection A is better: [[A>B]]."
    runs = both(
        judge_cli,
        tmp_path,
        lambda: arena_script({("ca-001", 1): conflicting}, followup="[[B>>A]]"),
        "codearena",
    )
    _, paper, paper_followups, _ = runs["paper"]
    m = paper["metrics"]
    assert paper_followups == []  # the released judge asks again only when there is no label
    assert (m["counts"]["games_no_verdict"], m["n"]) == (1, 6)  # 0 points; the question counts
    assert (m["win_rate"]["value"], m["tie_rate"]["value"]) == (0.0, 1.0)
    assert m["score_paper"]["value"] == 0.5
    assert m["score_arena"]["value"] == 0.5 and m["score_arena"]["n"] == 6
    record = next(r for r in read_records(tmp_path / "paper") if r["key"] == "codearena|ca-001|1")
    assert (record["status"], record["label"]) == ("no_verdict", None)
    assert record["problem"] == "conflicting verdict labels: B>A, A>B"

    _, robust, robust_followups, _ = runs["robust"]
    m = robust["metrics"]
    assert robust_followups == [PAIRWISE_FOLLOWUP]
    assert (m["win_rate"]["value"], m["tie_rate"]["value"], m["n"]) == (1 / 6, 5 / 6, 6)
    assert m["score_paper"]["value"] == pytest.approx((2 * 1 + 5) / 12)
    assert m["score_arena"]["value"] == pytest.approx((3 + 11 * 0.5) / (3 + 11))


def test_mirrored_spellings_conflict_under_paper_agree_under_robust(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    mirrored = "Assistant B is better: [[B>A]], i.e. [[A<B]]."
    runs = both(judge_cli, tmp_path, lambda: arena_script({("ca-002", 1): mirrored}), "codearena")
    assert runs["paper"][1]["metrics"]["win_rate"]["value"] == 0.0  # no verdict: a tie
    assert runs["paper"][1]["metrics"]["counts"]["games_no_verdict"] == 1
    assert runs["robust"][1]["metrics"]["win_rate"]["value"] == pytest.approx(1 / 6)
    assert runs["robust"][2] == []  # one verdict, two spellings: nothing to ask


def test_no_label_continues_under_paper_and_reads_the_joined_replies(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    # "[[ B>A ]]" has spaces: the released pattern does not see it, the robust one does.
    spaced = "Assistant B is slightly better. [[ B>A ]]"
    runs = both(
        judge_cli, tmp_path, lambda: arena_script({("ca-003", 1): spaced}, "[[B>>A]]"), "codearena"
    )
    _, paper, followups, _ = runs["paper"]
    assert followups == [PAIRWISE_FOLLOWUP_PAPER]
    assert paper["metrics"]["win_rate"]["value"] == pytest.approx(1 / 6)  # +2 from the follow-up
    record = next(r for r in read_records(tmp_path / "paper") if r["key"] == "codearena|ca-003|1")
    assert (record["label"], record["followup_judgment"]) == ("B>>A", "[[B>>A]]")
    _, robust, followups, _ = runs["robust"]
    assert followups == []
    assert robust["metrics"]["win_rate"]["value"] == pytest.approx(1 / 6)  # +1, read at once
    record = next(r for r in read_records(tmp_path / "robust") if r["key"] == "codearena|ca-003|1")
    assert (record["label"], record["followup"]) == ("B>A", False)


def test_a_rejected_request_is_no_verdict_under_paper_an_error_under_robust(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    runs = both(judge_cli, tmp_path, lambda: arena_script({("ca-003", 1): 400}), "codearena")
    result, paper, _, _ = runs["paper"]
    assert result.exit_code == 0 and paper["complete"] is True
    m = paper["metrics"]
    assert (m["counts"]["rejected"], m["counts"]["games_no_verdict"], m["n"]) == (1, 1, 6)
    assert paper["warnings"] == []
    record = next(r for r in read_records(tmp_path / "paper") if r["key"] == "codearena|ca-003|1")
    assert (record["status"], record["rejected"]) == ("no_verdict", True)
    assert "HTTP 400" in record["error"]

    result, robust, _, requests = runs["robust"]
    assert result.exit_code == 1 and robust["complete"] is False
    m = robust["metrics"]
    assert (m["counts"]["games_error"], m["counts"]["questions_incomplete"], m["n"]) == (1, 1, 5)
    assert len(requests) == 12  # a 400 is not retried


def test_requests_use_each_methods_sampling(judge_cli: CliRun, tmp_path: Path) -> None:
    runs = both(judge_cli, tmp_path, lambda: arena_script({}), "codearena")
    paper_params = {(r["temperature"], r["max_tokens"], r.get("top_p")) for r in runs["paper"][3]}
    robust_params = {(r["temperature"], r["max_tokens"], r.get("top_p")) for r in runs["robust"][3]}
    assert paper_params == {(0.2, 16384, None)}
    assert robust_params == {(0.0, 4096, None)}
    override = both(
        judge_cli, tmp_path / "o", lambda: arena_script({}), "codearena", "--temperature", "0.5"
    )
    assert {r["temperature"] for r in override["paper"][3]} == {0.5}


def test_the_word_filter_is_on_under_paper_only(judge_cli: CliRun, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    lines = ARENA_QUESTIONS.read_text().splitlines()
    long = json.loads(lines[3])
    long["messages"][0]["content"] += " word" * 1024
    questions.write_text("\n".join([*lines[:3], json.dumps(long), *lines[4:]]) + "\n")
    runs = {}
    for method in ("paper", "robust"):
        behaviour, _ = arena_script({})
        with serve(behaviour) as server:
            _, summary = judge_cli(
                server.url,
                "codearena",
                "--method",
                method,
                questions=questions,
                output=tmp_path / method,
            )
        assert summary is not None
        runs[method] = summary
    assert runs["paper"]["missing"]["too_long"] == ["ca-004"]
    assert runs["paper"]["metrics"]["counts"]["max_question_words"] == 1024
    assert runs["robust"]["missing"]["too_long"] == []


# --- CODAL-Bench ------------------------------------------------------------------------------


def codal_script(grading: Callable[[str], Reply]) -> Behaviour:
    """The judge answers reference requests with its own answer, gradings with ``grading``."""

    def behave(payload: dict[str, Any], number: int) -> Reply:
        if is_reference_request(payload):
            return Reply(text=f"{OWN_ANSWER}: the judge's answer.")
        return grading(last_user(payload))

    return behave


def run_codal(
    judge_cli: CliRun, tmp_path: Path, behaviour: Behaviour, method: str, *extra: str
) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    with serve(behaviour, models=("judge-test", "gpt-4-turbo")) as server:
        result, summary = judge_cli(
            server.url,
            "codal",
            "--method",
            method,
            "--judge-model",
            "judge-test",
            *extra,
            output=tmp_path / method,
        )
    assert summary is not None, result.output
    return result, summary, server.requests


def test_markdown_rating_is_na_under_paper_and_8_under_robust(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    behaviour = codal_script(lambda prompt: Reply(text="Rationale: good.\n**Rating:** 8"))
    _, paper, paper_requests = run_codal(judge_cli, tmp_path, behaviour, "paper")
    _, robust, robust_requests = run_codal(judge_cli, tmp_path, behaviour, "robust")
    assert paper["metrics"]["overall"]["na_as_zero"]["value"] == 0.0
    assert paper["metrics"]["overall"]["na_excluded"]["value"] is None
    assert paper["metrics"]["na_rate"] == 1.0
    assert paper["metrics"]["counts"]["followups"] == 0
    assert len(paper_requests) == 10 + 10  # the judge's own references, then the gradings
    assert robust["metrics"]["overall"]["na_as_zero"]["value"] == 8.0
    assert robust["metrics"]["na_rate"] == 0.0
    assert len(robust_requests) == 10
    na = next(r for r in read_records(tmp_path / "paper") if r["question_id"] == "0")
    assert (na["status"], na["rating"]) == ("na", None)


def test_paper_reads_the_first_rating_robust_asks_again(judge_cli: CliRun, tmp_path: Path) -> None:
    def grading(prompt: str) -> Reply:
        if "Reply with only the final rating" in prompt:
            return Reply(text="Rating: 6")
        return Reply(text="Rating: 3 at first sight.\nRationale: better than it looked.\nRating: 9")

    _, paper, _ = run_codal(judge_cli, tmp_path, codal_script(grading), "paper")
    _, robust, requests = run_codal(judge_cli, tmp_path, codal_script(grading), "robust")
    assert paper["metrics"]["overall"]["na_as_zero"]["value"] == 3.0
    assert robust["metrics"]["overall"]["na_as_zero"]["value"] == 6.0
    assert robust["metrics"]["counts"]["followups"] == 10 and len(requests) == 20


def test_a_rejected_grading_is_na_zero_under_paper_an_error_under_robust(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    ratings: dict[str, int | None] = {f"MODEL-ANSWER-{i}:": 6 for i in range(10)}
    healthy = rating_judge(ratings)

    def behave(payload: dict[str, Any], number: int) -> Reply:
        if "MODEL-ANSWER-3:" in last_user(payload):  # a degenerate answer the API refuses
            return Reply(status=400)
        return healthy(payload, number)

    result, paper, _ = run_codal(judge_cli, tmp_path, behave, "paper")
    assert result.exit_code == 0 and paper["complete"] is True
    explanation = paper["metrics"]["per_preference"]["explanation"]
    assert (explanation["mean_na_as_zero"], explanation["n_na"], explanation["n_error"]) == (
        3.0,
        1,
        0,
    )
    assert paper["metrics"]["counts"]["rejected"] == 1
    record = next(r for r in read_records(tmp_path / "paper") if r["question_id"] == "3")
    assert (record["status"], record["rejected"]) == ("na", True)

    result, robust, _ = run_codal(judge_cli, tmp_path, behave, "robust")
    assert result.exit_code == 1 and robust["complete"] is False
    explanation = robust["metrics"]["per_preference"]["explanation"]
    assert (explanation["mean_na_as_zero"], explanation["n_na"], explanation["n_error"]) == (
        6.0,
        0,
        1,
    )


def test_every_request_rejected_is_a_warning_not_a_score(judge_cli: CliRun, tmp_path: Path) -> None:
    behaviour = codal_script(lambda prompt: Reply(status=400))
    result, paper, _ = run_codal(judge_cli, tmp_path, behaviour, "paper")
    assert result.exit_code == 1
    assert paper["complete"] is True and len(paper["warnings"]) == 1
    assert "--max-tokens" in paper["warnings"][0]


def test_paper_reference_is_the_judges_own_answer(judge_cli: CliRun, tmp_path: Path) -> None:
    behaviour = codal_script(lambda prompt: Reply(text="Rationale: fine.\nRating: 7"))
    _, generated, requests = run_codal(judge_cli, tmp_path, behaviour, "paper")
    assert generated["baseline"] == "judge-test"
    assert generated["metrics"]["reference"] == {
        "rule": "judge",
        "model": "judge-test",
        "from_dataset": 0,
        "generated": 10,
    }
    references = [r for r in requests if is_reference_request(r)]
    gradings = [r for r in requests if not is_reference_request(r)]
    assert len(references) == len(gradings) == 10
    # the principle of the preference before the instruction, no system message
    assert all([m["role"] for m in r["messages"]] == ["user"] for r in references)
    first = next(last_user(r) for r in references if "reverses a string" in last_user(r))
    assert first.index("instructions exactly") < first.index("reverses a string")
    assert all(OWN_ANSWER in last_user(r) for r in gradings)
    # a re-run pays for nothing: the references come back from the cache
    with serve(behaviour, models=("judge-test",)) as server:
        _, again = judge_cli(
            server.url, "codal", "--judge-model", "judge-test", output=tmp_path / "again"
        )
        assert server.chat_count == 0
    assert again is not None and again["metrics"]["overall"] == generated["metrics"]["overall"]

    # a judge whose answers the questions hold: they are the reference, nothing is generated
    with serve(behaviour, models=("judge-test", "gpt-4-turbo")) as server:
        _, dataset = judge_cli(
            server.url, "codal", "--judge-model", "gpt-4-turbo", output=tmp_path / "dataset"
        )
    assert dataset is not None and dataset["metrics"]["reference"]["from_dataset"] == 10
    assert server.chat_count == 10
    assert all("by gpt-4-turbo" in last_user(r) for r in server.requests)


def test_paper_rubric_has_four_instruction_criteria_and_a_low_example(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    behaviour = codal_script(lambda prompt: Reply(text="Rating: 5"))
    _, _, paper = run_codal(judge_cli, tmp_path, behaviour, "paper")
    _, _, robust = run_codal(judge_cli, tmp_path, behaviour, "robust")

    def instruction_prompt(requests: list[dict[str, Any]]) -> str:
        return next(last_user(r) for r in requests if "MODEL-ANSWER-0:" in last_user(r))

    paper_prompt, robust_prompt = instruction_prompt(paper), instruction_prompt(robust)
    criteria = paper_prompt.split("Evaluation criteria:\n", 1)[1].split("\n\n", 1)[0]
    assert criteria.count("\n- ") == 3 and "Necessity" in criteria  # four criteria
    assert "Rating: 2/10" in paper_prompt
    assert "Rating: 2/10" not in robust_prompt and "Necessity" not in robust_prompt
    assert {(r["temperature"], r["top_p"], r["max_tokens"]) for r in paper} == {(0.8, 0.8, 1024)}
    assert {(r["temperature"], r.get("top_p"), r["max_tokens"]) for r in robust} == {
        (0.0, None, 4096)
    }
