"""Execution grounding, pure logic: which block runs as what, outcomes, what the judge is shown,
the rates by hand, judge-check validity and flips (the language registry is the real one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runners.extract import decide_block_language, find_blocks, guess_language
from runners.judge.grounded.check_metrics import count_flips, summarize_grounding
from runners.judge.grounded.execute import answer_outcome, excerpt
from runners.judge.grounded.metrics import execution_metrics, summarize_executions, wilson
from runners.judge.grounded.models import (
    AnswerExecutionResult,
    AnswerOutcome,
    BlockExecutionResult,
    BlockOutcome,
    ExecSettingsSpec,
    ProgramKind,
)
from runners.judge.grounded.programs import build_request, classify_program, plan_block
from runners.judge.grounded.render import NO_CODE, render_execution
from runners.stats import compute_wilson_interval
from sandbox.languages import resolve_language


def block(outcome: BlockOutcome, language: str = "python", index: int = 0) -> BlockExecutionResult:
    return BlockExecutionResult(
        index=index, tag=language, language=language, decided_by="tag", outcome=outcome
    )


def answer(*blocks: BlockExecutionResult, key: str = "k") -> AnswerExecutionResult:
    return AnswerExecutionResult(
        answer_sha256=key, outcome=answer_outcome(blocks), blocks=list(blocks)
    )


def test_block_language_tag_then_question_then_guess() -> None:
    tagged, untagged, text = find_blocks("```cpp\nint x;\n```\n```\nx = 1\n```\n```text\nhi\n```\n")
    assert decide_block_language(tagged, ("python",)) == ("cpp", "tag")
    assert decide_block_language(untagged, ("Python",)) == ("python", "question")
    assert decide_block_language(untagged, ("English",)) == (None, "unknown")
    assert decide_block_language(text, ("python",)) == (None, "other-tag")
    (guessed,) = find_blocks("```\n#include <stdio.h>\nint main(void) { return 0; }\n```\n")
    assert decide_block_language(guessed, ()) == ("c", "guess")


def test_guesses_are_only_unmistakable_marks() -> None:
    assert guess_language("#include <iostream>\nint main() {}") == "cpp"
    assert guess_language("public class A { }") == "java"
    assert guess_language("package main\n\nfunc main() {}") == "go"
    assert guess_language("def f(x):\n    return x") == "python"
    assert guess_language("Hello, world") is None


@pytest.mark.parametrize(
    ("language", "code", "kind"),
    [
        ("python", "def f():\n    return 1\n", ProgramKind.SCRIPT),
        ("c", "int main(void) { return 0; }\n", ProgramKind.PROGRAM),
        ("c", "int twice(int x) { return 2 * x; }\n", ProgramKind.FRAGMENT),
        ("cpp", "#include <vector>\nstd::vector<int> v;\n", ProgramKind.FRAGMENT),
        ("java", "class A { public static void main(String[] a) {} }", ProgramKind.PROGRAM),
        ("rust", "fn add(a: i32) -> i32 { a }", ProgramKind.FRAGMENT),
        ("swift", "func f() -> Int { 1 }", ProgramKind.PROGRAM),  # top-level code is its main
    ],
)
def test_program_kind(language: str, code: str, kind: ProgramKind) -> None:
    assert classify_program(resolve_language(language), code) is kind


def test_requests_compile_only_fragments_and_syntax_check_scripts() -> None:
    settings = ExecSettingsSpec(timeout_s=3)
    c = resolve_language("c")
    fragment = build_request(c, "int f(void);\n", ProgramKind.FRAGMENT, settings)
    assert fragment.compile == "gcc -std=gnu17 -fsyntax-only main.c" and fragment.run == "true"
    program = build_request(c, "int main(void){}\n", ProgramKind.PROGRAM, settings)
    assert program.compile == "gcc -std=gnu17 -o main main.c -lm" and program.run == "./main"
    script = build_request(resolve_language("python"), "x = 1\n", ProgramKind.SCRIPT, settings)
    assert script.compile == "python3 -I -m py_compile main.py" and script.limits.timeout_s == 3
    java = build_request(
        resolve_language("java"), "public class Foo {}\n", ProgramKind.FRAGMENT, settings
    )
    assert (
        "Foo.java" in java.files and java.compile is not None and java.compile.endswith("Foo.java")
    )


def test_blocks_that_are_not_run_say_why() -> None:
    settings = ExecSettingsSpec(max_blocks=1)
    blocks = find_blocks(
        "```python\nx = 1\n```\n```bash\npip install numpy\n```\n```json\n{}\n```\n"
    )
    ready = lambda spec: True  # noqa: E731
    _, first = plan_block(0, blocks[0], ("python",), ExecSettingsSpec(), ready)
    assert first is not None
    shell, request = plan_block(1, blocks[1], ("python",), ExecSettingsSpec(), ready)
    assert request is None and "commands for the reader" in shell.detail
    _, request = plan_block(1, blocks[1], ("shell",), ExecSettingsSpec(), ready)
    assert request is not None  # a shell question runs its shell blocks
    json_block, request = plan_block(2, blocks[2], ("python",), ExecSettingsSpec(), ready)
    assert request is None and json_block.decided_by == "other-tag"
    late, request = plan_block(1, blocks[0], ("python",), settings, ready)
    assert request is None and "first 1 blocks" in late.detail
    missing, request = plan_block(0, blocks[0], ("python",), settings, lambda spec: False)
    assert request is None and "no image" in missing.detail


def test_answer_outcome_is_the_first_failure_else_clean_else_not_run() -> None:
    assert answer_outcome([]) is AnswerOutcome.NO_CODE
    ran, bad = block(BlockOutcome.RAN), block(BlockOutcome.RUNTIME_ERROR, index=1)
    compile_error = block(BlockOutcome.COMPILE_ERROR, index=2)
    assert answer_outcome([ran, bad, compile_error]) is AnswerOutcome.RUNTIME_ERROR
    assert answer_outcome([block(BlockOutcome.COMPILED), ran]) is AnswerOutcome.RAN
    assert answer_outcome([block(BlockOutcome.NOT_RUN)]) is AnswerOutcome.NOT_RUN
    assert answer_outcome([ran, block(BlockOutcome.SANDBOX_ERROR)]) is AnswerOutcome.SANDBOX_ERROR
    mixed = answer(ran, bad)
    assert mixed.compiles is True and mixed.runs_clean is False
    assert answer(block(BlockOutcome.NOT_RUN)).compiles is None


def test_excerpt_keeps_head_and_tail() -> None:
    text = "A" * 100 + "B" * 100
    cut = excerpt(text, 60)
    assert len(cut) == 60 and cut.startswith("A") and cut.endswith("B") and "[...]" in cut
    assert excerpt("short\n", 60) == "short"


def test_rendering_is_the_same_layout_for_any_answer() -> None:
    assert render_execution(None) == NO_CODE == render_execution(answer())
    failing = block(BlockOutcome.COMPILE_ERROR).model_copy(
        update={"excerpt": "main.c:1: error: expected ';'", "program": ProgramKind.PROGRAM}
    )
    text = render_execution(answer(failing))
    assert "compile error" in text and "    | main.c:1: error: expected ';'" in text
    not_run = BlockExecutionResult(
        index=0, tag="text", decided_by="other-tag", outcome=BlockOutcome.NOT_RUN, detail="why"
    )
    assert "```text: not run (why)" in render_execution(answer(not_run))


def records_for(
    executions: dict[str, tuple[AnswerExecutionResult, AnswerExecutionResult]],
) -> list[dict[str, Any]]:
    """One game per question: A is the model, B the baseline."""
    return [
        {
            "question_id": q,
            "player_a": "m",
            "player_b": "base",
            "execution_a": a.model_dump(mode="json"),
            "execution_b": b.model_dump(mode="json"),
        }
        for q, (a, b) in executions.items()
    ]


def test_rates_by_hand_with_wilson_intervals() -> None:
    ran, compiled = block(BlockOutcome.RAN), block(BlockOutcome.COMPILED, "c")
    runtime, compile_error = (
        block(BlockOutcome.RUNTIME_ERROR),
        block(BlockOutcome.COMPILE_ERROR, "c"),
    )
    none = answer()
    records = records_for(
        {
            "1": (answer(ran), none),
            "2": (answer(runtime), none),
            "3": (answer(compile_error), none),
            "4": (answer(compiled, ran), none),
            "5": (none, none),
        }
    )
    table = summarize_executions(
        records, lambda r: {"a": r["player_a"], "b": r["player_b"]}, "m", "base"
    )
    model = table["model"]
    assert model["answers"] == 5 and model["code_rate"]["value"] == 4 / 5
    assert model["compile_rate"]["value"] == 3 / 4 and model["run_clean_rate"]["value"] == 2 / 4
    expected = compute_wilson_interval(3, 4)
    assert (model["compile_rate"]["lower"], model["compile_rate"]["upper"]) == (
        expected.low,
        expected.high,
    )
    assert model["per_language"]["c"]["compile_rate"]["value"] == 1 / 2
    assert model["per_language"]["python"]["run_clean_rate"]["value"] == 2 / 3
    assert (
        table["baseline"]["compile_rate"]["n"] == 0
        and table["baseline"]["outcomes"]["no_code"] == 5
    )
    metrics = execution_metrics("codearena", table)
    assert metrics["codearena.exec.compile_rate"].value == 0.75
    assert metrics["codearena.exec.compile_rate"].kind.value == "rate"
    assert metrics["codearena.exec.per_language.c.compile_rate"].language == "c"
    assert "codearena.exec.baseline.compile_rate" not in metrics  # nothing executed: no value
    assert wilson(0, 0)["value"] is None


def game(
    pair: str, number: int, label: str | None, passing: str, status: str = "ok"
) -> dict[str, Any]:
    from runners.judge.grounded.check_metrics import prefers_passing

    return {
        "question_id": pair,
        "game": number,
        "label": label,
        "status": status,
        "language": "python",
        "passing_position": passing,
        "prefers_passing": prefers_passing(label, passing),
    }


def test_validity_of_a_position_biased_judge_is_one_half() -> None:
    records = [g for p in "abcd" for g in (game(p, 1, "A>B", "A"), game(p, 2, "A>B", "B"))]
    table = summarize_grounding(records, 1000, 0)
    assert table["n"] == 4 and table["validity_rate"]["value"] == 0.5
    assert table["validity_rate"]["lower"] == table["validity_rate"]["upper"] == 0.5


def test_validity_by_hand_ties_and_incomplete_pairs() -> None:
    records = [
        game("a", 1, "A>>B", "A"),
        game("a", 2, "B>A", "B"),  # both prefer passing: 1
        game("b", 1, "A=B", "A"),
        game("b", 2, "A>B", "B"),  # tie, failing: 0
        game("c", 1, "A>B", "A"),
        game("c", 2, None, "B", "error"),  # incomplete: left out
    ]
    table = summarize_grounding(records, 1000, 0)
    assert table["n"] == 2 and table["validity_rate"]["value"] == 0.5
    assert table["prefers_failing_rate"]["value"] == 0.25 and table["tie_rate"]["value"] == 0.25
    assert table["pairs_both_orders_passing"] == 1 and table["games_error"] == 1


def test_flips_count_changed_sides_and_their_direction() -> None:
    plain = [game("a", 1, "A>B", "B"), game("a", 2, "A>B", "A"), game("b", 1, "A=B", "A")]
    grounded = [game("a", 1, "B>A", "B"), game("a", 2, "A>>B", "A"), game("b", 1, "B>A", "A")]
    flips = count_flips(plain, grounded)
    assert (flips["games_compared"], flips["changed"]) == (3, 2)
    assert (flips["to_passing"], flips["to_failing"]) == (1, 1)


def test_suites_give_each_task_prompt(data_dir: Path) -> None:
    from runners.records import DatasetRef, SummaryRecord
    from runners.suites import find_suite

    def summary(name: str, path: Path) -> SummaryRecord:
        ref = DatasetRef(name=name, path=str(path), hash="-")
        return SummaryRecord(kind="suite", name=name, model="m", complete=True, dataset=ref)

    humaneval = find_suite("humaneval+")
    mceval = find_suite("mceval")
    assert humaneval is not None and mceval is not None
    shipped = data_dir / "humanevalplus" / "HumanEvalPlus.jsonl.gz"
    prompts = humaneval.task_prompts(summary("humaneval+", shipped))
    assert len(prompts) == 164 and "def has_close_elements" in prompts[("python", "HumanEval/0")]
    programs = mceval.task_prompts(summary("mceval", data_dir / "mceval"))
    assert "def has_close_elements" in programs[("python", "Python/1")]


def test_grounded_protocol_is_its_own_name_prompt_and_cache_key() -> None:
    from runners.judge.methods import MethodName
    from runners.judge.protocol import get_protocol, grounded_protocol

    plain, grounded = get_protocol("codearena"), grounded_protocol("codearena", "execution")
    assert grounded.name == "codearena-grounded" and grounded.needs_execution
    method = grounded.method(MethodName.PAPER)
    assert grounded.cache_context(method) == {
        "protocol": "codearena-grounded",
        "method": "paper",
        "grounding": "execution",
    }
    assert plain.cache_context(method) == {"protocol": "codearena", "method": "paper"}
    prompts, base = grounded.prompts(method, None), plain.prompts(method, None)
    assert prompts.sha256 != base.sha256 and prompts.source == "builtin:codearena-grounded-paper"
    assert {"execution_a", "execution_b"} <= grounded.template_rules.required
    assert prompts.user[""].index("{answer_b}") < prompts.user[""].index("{execution_a}")
