"""Execution of judged answers in the real images (a compiled and an interpreted language), and
`sandbox judge --execute` / `--ground execution` end to end against a loopback judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from runners.judge.grounded.execute import execute_answers
from runners.judge.grounded.models import AnswerOutcome, AnswerToRun, BlockOutcome, ExecSettingsSpec
from runners.report.build import load_report
from runners.report.loaders import load_source
from runners.report.paired import collect_task_values
from runners.report.tables import build_tables
from sandbox.executor import Executor
from tests.runners.helpers import CountingExecutor

from .conftest import FIXTURES, CliRun, read_records
from .server import EXEC_A, EXEC_B, last_user, prefer_clean_execution, prefer_marker, serve

pytestmark = pytest.mark.docker

CODE_ANSWERS = FIXTURES / "codearena_answers_code.jsonl"
SETTINGS = ExecSettingsSpec(timeout_s=2)


def fenced(language: str, code: str) -> str:
    return f"Here it is:\n\n```{language}\n{code}```\n\nDone."


CASES = {
    "py-ran": (fenced("python", "print(6 * 7)\n"), ("Python",)),
    "py-syntax": (fenced("python", "def f(:\n    return 1\n"), ("Python",)),
    "py-raises": (fenced("python", "print('before')\n1 / 0\n"), ("Python",)),
    "py-loops": (fenced("python", "while True:\n    pass\n"), ("Python",)),
    "c-ran": (fenced("c", '#include <stdio.h>\nint main(void) { puts("7"); return 0; }\n'), ()),
    "c-fragment": (fenced("c", "int twice(int x) { return 2 * x; }\n"), ()),
    "c-broken": (fenced("c", "int main(void) { return undefined_name; }\n"), ()),
    "c-untagged": ("```\nint main(void) { return 3; }\n```\n", ("C",)),
    "cpp-exit": (
        fenced("cpp", "#include <vector>\nint main() { std::vector<int> v; return 4; }\n"),
        (),
    ),
    "prose": ("Use a dictionary; no code needed.", ("Python",)),
}


def test_each_block_compiles_and_runs_in_its_image(executor: Executor) -> None:
    answers = {
        name: AnswerToRun(text=text, languages=hints) for name, (text, hints) in CASES.items()
    }
    counting = CountingExecutor(executor)
    found = execute_answers([*answers.values(), answers["py-ran"]], counting, SETTINGS)
    assert counting.ran == len(CASES) - 1  # distinct requests run once; prose has no code
    got = {name: found[a.key()] for name, a in answers.items()}
    ran = got["py-ran"].blocks[0]
    assert (ran.outcome, ran.exit_code, ran.excerpt, ran.language) == (
        BlockOutcome.RAN,
        0,
        "42",
        "python",
    )
    syntax = got["py-syntax"].blocks[0]
    assert syntax.outcome is BlockOutcome.COMPILE_ERROR and "SyntaxError" in syntax.excerpt
    raises = got["py-raises"].blocks[0]
    assert raises.outcome is BlockOutcome.RUNTIME_ERROR and raises.exit_code == 1
    assert "before" in raises.excerpt and "ZeroDivisionError" in raises.excerpt
    assert got["py-loops"].outcome is AnswerOutcome.TIMEOUT
    c_ran = got["c-ran"].blocks[0]
    assert (c_ran.outcome, c_ran.excerpt, c_ran.program.value) == (BlockOutcome.RAN, "7", "program")
    assert got["c-fragment"].outcome is AnswerOutcome.COMPILED
    assert got["c-fragment"].compiles is True and got["c-fragment"].runs_clean is True
    broken = got["c-broken"].blocks[0]
    assert broken.outcome is BlockOutcome.COMPILE_ERROR and "undefined_name" in broken.excerpt
    untagged = got["c-untagged"].blocks[0]
    assert (untagged.language, untagged.decided_by, untagged.exit_code) == ("c", "question", 3)
    assert untagged.outcome is BlockOutcome.RUNTIME_ERROR
    assert got["cpp-exit"].blocks[0].exit_code == 4
    assert got["prose"].outcome is AnswerOutcome.NO_CODE and got["prose"].compiles is None


def test_judge_execute_records_every_answer_and_rates(judge_cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "plain"
    with serve(prefer_marker()) as server:
        result, summary = judge_cli(
            server.url, "codearena", "--execute", output=out, answers=CODE_ANSWERS
        )
        assert result.exit_code == 0, result.output
        asked = server.chat_count
        records = read_records(out)
        assert len(records) == 12 and all(r["execution_a"] and r["execution_b"] for r in records)
        mine = {
            r["question_id"]: r["execution_b" if r["model_position"] == "B" else "execution_a"]
            for r in records
        }
        outcomes = {q: e["outcome"] for q, e in mine.items()}
        assert outcomes == {
            "ca-001": "ran",
            "ca-002": "compile_error",
            "ca-003": "ran",
            "ca-004": "compiled",
            "ca-005": "ran",
            "ca-006": "runtime_error",
        }
        assert mine["ca-001"]["blocks"][0]["excerpt"] == "[3, 1, 2]"
        assert mine["ca-005"]["blocks"][0]["decided_by"] == "question"
        assert summary is not None
        gate = summary["gate_metrics"]
        compile_rate = gate["codearena.exec.compile_rate"]
        assert (compile_rate["value"], compile_rate["n"]) == (5 / 6, 6)
        assert compile_rate["low"] < 5 / 6 < compile_rate["high"]
        assert gate["codearena.exec.run_clean_rate"]["value"] == 4 / 6
        assert gate["codearena.exec.per_language.go.run_clean_rate"]["language"] == "go"
        assert "codearena.exec.baseline.compile_rate" in gate
        # a re-run asks nothing and executes nothing new: the records stay as they are
        again, _ = judge_cli(server.url, "codearena", "--execute", output=out, answers=CODE_ANSWERS)
        assert again.exit_code == 0 and server.chat_count == asked
        assert len(read_records(out)) == 12


def test_plain_run_gains_executions_from_the_cache(judge_cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "plain"
    with serve(prefer_marker()) as server:
        judge_cli(server.url, "codearena", output=out, answers=CODE_ANSWERS)
        assert not any(r.get("execution_a") for r in read_records(out))
        asked = server.chat_count
        result, _ = judge_cli(
            server.url, "codearena", "--execute", output=out, answers=CODE_ANSWERS
        )
        assert result.exit_code == 0 and server.chat_count == asked  # judged again from cache
        latest = {r["key"]: r for r in read_records(out)}
        assert len(latest) == 12 and all(r["execution_a"] for r in latest.values())


def test_grounded_protocol_end_to_end(judge_cli: CliRun, tmp_path: Path) -> None:
    plain, grounded = tmp_path / "plain", tmp_path / "grounded"
    with serve(prefer_clean_execution) as server:
        judge_cli(server.url, "codearena", "--execute", output=plain, answers=CODE_ANSWERS)
        assert server.chat_count == 12
        result, summary = judge_cli(
            server.url, "codearena", "--ground", "execution", output=grounded, answers=CODE_ANSWERS
        )
        assert result.exit_code == 0, result.output
        assert server.chat_count == 24  # its own cache keys: nothing reused from the plain run
        prompts = {}
        for payload in server.requests[12:]:
            text = last_user(payload)
            assert EXEC_A[0] in text and EXEC_B[0] in text
            question = text.split("<|User Prompt|>", 1)[1].split("<|The Start", 1)[0]
            a = text.split(EXEC_A[0], 1)[1].split(EXEC_A[1], 1)[0]
            b = text.split(EXEC_B[0], 1)[1].split(EXEC_B[1], 1)[0]
            prompts.setdefault(question, []).append((a, b))
        for games in prompts.values():  # the two orders swap the reports with the answers
            assert len(games) == 2 and games[0] == games[1][::-1]
    assert summary is not None and summary["protocol"] == "codearena-grounded"
    assert summary["method_rules"]["grounding"]["name"] == "execution"
    records = read_records(grounded)
    assert {r["protocol"] for r in records} == {"codearena-grounded"}
    assert any("compile error" in str(p) for p in prompts.values())
    paired = collect_task_values(load_source(grounded), "codearena-grounded.win_rate")
    assert paired is not None and len(paired.per_task) == 6  # the gate's paired tests apply
    report = load_report([plain, grounded])
    changed = report.models[0].metrics["codearena-grounded.vs_plain.changed_rate"]
    assert changed.n == 12 and changed.value > 0
    titles = {t.title: t for t in build_tables(report)}
    plain_table = titles["Alignment: CodeArena (pairwise against the baseline answer)"]
    assert "code compiles" in plain_table.header and "code runs clean" in plain_table.header
    row = plain_table.rows[0]
    assert row[plain_table.header.index("code compiles")].startswith("83.3% [")
    languages = titles["Judged answers and judge validity per language"]
    cells = {tuple(r[:2]): r[2] for r in languages.rows}
    assert cells[("codearena.exec.compile_rate", "javascript")] == "0.0% [0.0, 79.3]"
    assert cells[("codearena.exec.run_clean_rate", "python")].startswith("100.0% [20.7, ")


def test_execute_is_refused_where_it_does_not_apply(judge_cli: CliRun, tmp_path: Path) -> None:
    with serve(prefer_marker()) as server:
        result, _ = judge_cli(server.url, "codal", "--execute", output=tmp_path / "codal")
        assert "does not execute answers" in str(result.exception)
        result, _ = judge_cli(server.url, "codal", "--ground", "execution")
        assert "no codal protocol grounded in 'execution'" in str(result.exception)
        assert server.chat_count == 0
