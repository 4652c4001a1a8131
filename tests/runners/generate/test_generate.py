"""``sandbox generate`` against a loopback OpenAI-protocol model that answers from a table:
every suite's prompt shape reaches the server, every reply becomes the samples file that
``sandbox run``/``sandbox judge`` read, and failures are recorded per sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalplus.sanitize import sanitize

from runners.evalplus_suite.datasets import load_problems, resolve_suite
from runners.evalplus_suite.samples import load_samples as load_evalplus_samples
from runners.judge.datasets import load_answers
from runners.multilang.samples import load_samples as load_program_samples
from tests.runners.judge.server import Reply, serve

from .conftest import JUDGE_FIXTURES, GenerateCli, read_jsonl
from .model_server import CANDIDATE, ModelTable, chat_code, completion, context_overflow, plain
from .tables import (
    HUMANEVAL,
    humaneval_chat_table,
    humaneval_completion_table,
    marker,
    right_program,
)

MODELS = (CANDIDATE, "other-model")
ARENA = JUDGE_FIXTURES / "codearena_questions.jsonl"


def test_humaneval_chat_with_answer_prefix_end_to_end(
    generate_cli: GenerateCli, tmp_path: Path
) -> None:
    tasks, table = humaneval_chat_table()
    with serve(ModelTable(table), models=MODELS) as server:
        result, summary = generate_cli(
            server.url, "humaneval+", "--limit", "3", "--data-dir", str(HUMANEVAL)
        )
    assert result.exit_code == 0, result.output
    assert summary is not None and summary["complete"] and summary["kind"] == "generation"
    assert summary["counts"]["ok"] == 3 and summary["counts"]["planned"] == 3
    sent = server.requests[0]
    assert server.paths == ["/v1/chat/completions"] * 3
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant"]
    assert sent["messages"][1]["content"].endswith("```python\n")
    assert sent["continue_final_message"] is True and sent["add_generation_prompt"] is False
    assert "\n```\n" in sent["stop"] and sent["temperature"] == 0.0 and sent["top_p"] == 1.0
    assert sent["max_tokens"] == 768 and sent["model"] == CANDIDATE
    # the samples file is what `sandbox run --suite humaneval+` reads, with the raw answers
    problems, _ = load_problems(resolve_suite("humaneval+"), HUMANEVAL, 3)
    samples = load_evalplus_samples(tmp_path / "out" / "samples.jsonl", problems)
    assert samples.model == CANDIDATE
    by_task = {s.task_id: s for s in samples.samples}
    expected = sanitize(right_program(tasks[0]), entrypoint="has_close_elements")
    assert by_task["HumanEval/0"].code == expected and "sorted_numbers" in expected
    assert by_task["HumanEval/0"].extraction == "evalplus sanitize"
    assert by_task["HumanEval/0"].raw_answer is not None
    assert by_task["HumanEval/0"].raw_answer.endswith("This passes the tests.")
    assert "return None" in by_task["HumanEval/1"].code
    assert "explain the idea" in by_task["HumanEval/2"].code  # evalplus keeps prose: it fails
    raw = read_jsonl(tmp_path / "out" / "raw.jsonl")
    assert [r["task_id"] for r in raw] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]


def test_completion_forms_use_text_completions_and_stop_sequences(
    generate_cli: GenerateCli, tmp_path: Path
) -> None:
    tasks, table = humaneval_completion_table()
    rust = "fn strlen(string: String) -> isize {"
    table[rust] = completion("    string.len() as isize\n}\n\nfn main() {}\n")
    with serve(ModelTable(table), models=MODELS) as server:
        evalplus, _ = generate_cli(
            server.url, "humaneval+", "--completion", "--limit", "2",
            "--data-dir", str(HUMANEVAL), output=tmp_path / "he",
        )  # fmt: skip
        multipl_e, _ = generate_cli(
            server.url, "multipl-e", "--lang", "rust", "--limit", "2", output=tmp_path / "me"
        )
    assert evalplus.exit_code == 0 and multipl_e.exit_code == 0, evalplus.output + multipl_e.output
    assert set(server.paths) == {"/v1/completions"}
    assert server.requests[0]["prompt"] == tasks[0]["prompt"].strip() + "\n"
    assert "\ndef " in server.requests[0]["stop"]
    assert server.requests[2]["stop"] == ["\n}"]
    he = read_jsonl(tmp_path / "he" / "samples.jsonl")
    assert "runaway" not in he[0]["solution"] and he[0]["extraction"].startswith("prompt +")
    me = load_program_samples(tmp_path / "me" / "samples.jsonl")
    assert [s.language for s in me] == ["rust", "rust"] and not me[0].full_program
    strlen = next(s for s in me if s.task_id == "HumanEval_23_strlen")
    assert strlen.code == "    string.len() as isize"


def test_mceval_and_judged_answers_are_the_files_run_and_judge_read(
    generate_cli: GenerateCli, tmp_path: Path
) -> None:
    table = {
        "has_close_elements": chat_code(
            "def has_close_elements(numbers, threshold):\n    return 1"
        ),
        "Heading level 1": chat_code("<h1>Heading level 1</h1>", tag="html"),
        "dedupe": plain("Use a set and a list: GOOD."),
    }
    with serve(ModelTable(table), models=MODELS) as server:
        mceval, _ = generate_cli(
            server.url, "mceval", "--lang", "python", "--lang", "html", "--limit", "1",
            output=tmp_path / "mc",
        )  # fmt: skip
        arena, _ = generate_cli(
            server.url, "codearena", "--data-dir", str(ARENA),
            output=tmp_path / "ca",
        )  # fmt: skip
        codal, summary = generate_cli(
            server.url, "codal", "--data-dir", str(JUDGE_FIXTURES / "codal_questions.jsonl"),
            "--limit", "2", output=tmp_path / "cd",
        )  # fmt: skip
    assert (mceval.exit_code, arena.exit_code, codal.exit_code) == (0, 0, 0), mceval.output
    samples = load_program_samples(tmp_path / "mc" / "samples.jsonl")
    assert [(s.language, s.task_id, s.full_program) for s in samples] == [
        ("python", "Python/1", True),
        ("html", "HTML/1", True),
    ]
    assert samples[1].code == "<h1>Heading level 1</h1>\n"
    answers = load_answers(tmp_path / "ca" / "answers.jsonl")
    assert len(answers.by_id) == 6 and answers.by_id["ca-001"] == "Use a set and a list: GOOD."
    assert summary is not None and summary["counts"]["planned"] == 2
    assert set(load_answers(tmp_path / "cd" / "answers.jsonl").by_id) == {"0", "1"}


def test_a_failed_run_resumes_asking_only_for_what_is_missing(
    generate_cli: GenerateCli, tmp_path: Path
) -> None:
    tasks, table = humaneval_chat_table()
    failing = ModelTable(table, failing={marker(tasks[1]): 10})
    args = ("--limit", "3", "--data-dir", str(HUMANEVAL), "--max-retries", "2")
    with serve(failing, models=MODELS) as server:
        first, summary = generate_cli(server.url, "humaneval+", *args)
        assert first.exit_code == 1 and summary is not None and not summary["complete"]
        assert (
            summary["counts"]["errors"] == 1
            and "HTTP 500 after 3 attempts" in summary["problems"][0]
        )
        assert not (tmp_path / "out" / "samples.jsonl").exists()  # never a partial samples file
        failing.failing.clear()
        asked_before = len(failing.asked)
        second, summary = generate_cli(server.url, "humaneval+", *args)
    assert second.exit_code == 0 and summary is not None and summary["complete"]
    assert failing.asked[asked_before:] == [marker(tasks[1])]  # only the failed sample
    assert summary["usage"]["this_run"]["requests"] == 1
    assert len(read_jsonl(tmp_path / "out" / "samples.jsonl")) == 3


def test_the_request_cache_answers_a_new_output_without_a_request(
    generate_cli: GenerateCli, tmp_path: Path
) -> None:
    _, table = humaneval_chat_table()
    args = ("--limit", "3", "--data-dir", str(HUMANEVAL))
    with serve(ModelTable(table), models=MODELS) as server:
        generate_cli(server.url, "humaneval+", *args, output=tmp_path / "a")
        result, summary = generate_cli(server.url, "humaneval+", *args, output=tmp_path / "b")
        assert server.chat_count == 3
        # a new revision of the model is a new cache namespace: asked again
        generate_cli(server.url, "humaneval+", *args, "--revision", "r2", output=tmp_path / "c")
        assert server.chat_count == 6
    assert result.exit_code == 0 and summary is not None
    assert summary["usage"]["this_run"]["cache_hits"] == 3
    assert summary["usage"]["this_run"]["requests"] == 0
    assert (tmp_path / "a" / "samples.jsonl").read_text() == (
        tmp_path / "b" / "samples.jsonl"
    ).read_text()


def test_n_samples_are_separate_requests_numbered_per_task(
    generate_cli: GenerateCli, tmp_path: Path
) -> None:
    counter = {"n": 0}

    def varied(payload: dict[str, Any], number: int) -> Reply:
        counter["n"] += 1
        return Reply(text=f"```python\ndef has_close_elements(a, b):\n    return {number}\n```")

    with serve(varied, models=MODELS) as server:
        result, _ = generate_cli(
            server.url, "humaneval+", "--limit", "1", "--data-dir", str(HUMANEVAL),
            "--n", "3", "--temperature", "0.8", "--no-answer-prefix",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert server.chat_count == 3 and {r["temperature"] for r in server.requests} == {0.8}
    assert {r["top_p"] for r in server.requests} == {0.95}
    problems, _ = load_problems(resolve_suite("humaneval+"), HUMANEVAL, 1)
    samples = load_evalplus_samples(tmp_path / "out" / "samples.jsonl", problems).samples
    assert [s.index for s in samples] == [0, 1, 2]
    assert len({s.code for s in samples}) == 3


def test_context_overflow_is_recorded_per_sample_and_the_run_goes_on(
    generate_cli: GenerateCli, tmp_path: Path
) -> None:
    tasks, table = humaneval_chat_table()
    table[marker(tasks[1])] = context_overflow()
    with serve(ModelTable(table), models=MODELS) as server:
        result, summary = generate_cli(
            server.url, "humaneval+", "--limit", "3", "--data-dir", str(HUMANEVAL)
        )
        assert server.chat_count == 3  # refused once, never retried
    assert result.exit_code == 0 and summary is not None and summary["complete"]
    assert summary["counts"]["rejected"] == 1 and summary["counts"]["context_overflow"] == 1
    assert "maximum context length" in summary["problems"][0]
    records = {r["task_id"]: r for r in read_jsonl(tmp_path / "out" / "results.jsonl")}
    assert (
        records["HumanEval/1"]["status"] == "rejected"
        and records["HumanEval/1"]["context_overflow"]
    )
    samples = {s["task_id"]: s for s in read_jsonl(tmp_path / "out" / "samples.jsonl")}
    assert samples["HumanEval/1"]["solution"] == ""  # no answer: scored as a failure


def test_slow_replies_time_out_and_are_retried(generate_cli: GenerateCli, tmp_path: Path) -> None:
    tasks, _ = humaneval_chat_table()

    def slow_first(payload: dict[str, Any], number: int) -> Reply:
        code = right_program(tasks[0])
        return Reply(text=f"```python\n{code}```", delay=1.0 if number == 1 else 0.0)

    with serve(slow_first, models=MODELS) as server:
        result, summary = generate_cli(
            server.url, "humaneval+", "--limit", "1", "--data-dir", str(HUMANEVAL),
            "--timeout", "0.3", "--no-answer-prefix",
        )  # fmt: skip
    assert result.exit_code == 0 and summary is not None
    assert server.chat_count == 2 and summary["usage"]["this_run"]["retries"] == 1


def test_usage_tokens_and_cost(generate_cli: GenerateCli) -> None:
    _, table = humaneval_chat_table()
    with serve(ModelTable(table), models=MODELS) as server:
        result, summary = generate_cli(
            server.url, "humaneval+", "--limit", "2", "--data-dir", str(HUMANEVAL),
            "--price-input", "2", "--price-output", "10",
        )  # fmt: skip
    assert result.exit_code == 0 and summary is not None
    every = summary["usage"]["all_samples"]
    assert (every["prompt_tokens"], every["completion_tokens"]) == (200, 40)
    assert every["cost_usd"] == round((200 * 2 + 40 * 10) / 1e6, 6)
    assert summary["usage"]["this_run"]["cost_usd"] == every["cost_usd"]


def test_another_model_never_resumes_into_a_folder(generate_cli: GenerateCli) -> None:
    _, table = humaneval_chat_table()
    args = ("--limit", "1", "--data-dir", str(HUMANEVAL))
    with serve(ModelTable(table), models=MODELS) as server:
        generate_cli(server.url, "humaneval+", *args)
        result, _ = generate_cli(server.url, "humaneval+", *args, model="other-model")
    assert result.exit_code != 0
    assert "holds generations with model='coder-x'" in str(result.exception)
