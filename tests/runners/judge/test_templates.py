"""``--judge-prompt FILE``: a user's own prompt per protocol, read and counted exactly as the
built-in one, its hash recorded; bad files are one-line errors naming the problem."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from runners.judge.codal import Codal
from runners.judge.codearena import CodeArena
from runners.judge.methods import MethodName
from runners.judge.templates import load_prompt_file
from sandbox.errors import BadInputError

from .conftest import CliRun, read_records
from .server import Reply, last_user, prefer_marker, serve

ARENA_TEMPLATE = '''\
system = "Judge two answers. End with [[A>B]] or the like."
user = """QUESTION: {question}
FIRST: {answer_a}
SECOND: {answer_b}
(literal braces: {{x}})"""
'''


def test_a_codearena_prompt_file_is_sent_and_counted_like_the_builtin(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    template = tmp_path / "arena.toml"
    template.write_text(ARENA_TEMPLATE)
    marker = prefer_marker()

    def behave(payload: dict[str, Any], number: int) -> Reply:
        # the loopback helpers find answers between the built-in markers: translate
        user = last_user(payload)
        a = user.split("FIRST: ", 1)[1].split("\nSECOND: ", 1)[0]
        b = user.split("\nSECOND: ", 1)[1].split("\n(literal", 1)[0]
        shaped = {"messages": [payload["messages"][0], {"role": "user", "content": (
            "<|The Start of Assistant A's Answer|>" + a + "<|The End of Assistant A's Answer|>"
            "<|The Start of Assistant B's Answer|>" + b + "<|The End of Assistant B's Answer|>"
        )}]}  # fmt: skip
        return marker(shaped, number)

    with serve(behave) as server:
        result, summary = judge_cli(server.url, "codearena", "--judge-prompt", str(template))
    assert result.exit_code == 0, result.output
    assert summary is not None
    first = server.requests[0]["messages"]
    assert first[0] == {
        "role": "system",
        "content": "Judge two answers. End with [[A>B]] or the like.",
    }
    assert first[1]["content"].startswith("QUESTION: ") and first[1]["content"].endswith("{x})")
    # the same parsing and aggregation as with the built-in prompt (test_protocols' numbers)
    assert summary["metrics"]["win_rate"]["value"] == 0.5
    assert summary["metrics"]["score_paper"]["value"] == pytest.approx(0.75)
    prompt = summary["prompt"]
    assert prompt["source"] == str(template)
    assert prompt["file_sha256"] == hashlib.sha256(template.read_bytes()).hexdigest()
    assert summary["provenance"]["judge_prompt_sha256"] == prompt["sha256"]
    assert {r["prompt_sha256"] for r in read_records(tmp_path / "out")} == {prompt["sha256"]}
    # another prompt into the same directory is another run: refused
    template.write_text(ARENA_TEMPLATE.replace("QUESTION", "Q"))
    with serve(behave) as server:
        result, _ = judge_cli(server.url, "codearena", "--judge-prompt", str(template))
    assert isinstance(result.exception, BadInputError)
    assert "prompt_sha256" in str(result.exception)


def test_a_codal_prompt_file_with_one_template_per_preference(
    judge_cli: CliRun, tmp_path: Path
) -> None:
    template = tmp_path / "codal.toml"
    lines = ["[user]"]
    for preference in (
        "instruction-following",
        "explanation",
        "complexity",
        "readability",
        "style",
    ):
        lines.append(
            f'{preference} = "PREF={preference} {{criteria}} I={{instruction}} '
            f'R={{reference}} A={{response}}"'
        )
    template.write_text("\n".join(lines) + "\n")

    def behave(payload: dict[str, Any], number: int) -> Reply:
        return Reply(text="Rating: 4")

    with serve(behave) as server:
        result, summary = judge_cli(
            server.url, "codal", "--method", "robust", "--judge-prompt", str(template)
        )
    assert result.exit_code == 0, result.output
    assert summary is not None and summary["metrics"]["overall"]["na_as_zero"]["value"] == 4.0
    prompts = [r["messages"] for r in server.requests]
    assert all(len(m) == 1 for m in prompts)  # no system message in the file: none is sent
    style = next(m[0]["content"] for m in prompts if "MODEL-ANSWER-8:" in m[0]["content"])
    assert style.startswith("PREF=style - Readability:")  # {criteria}: the method's rubric
    assert "R=Reference answer 8 by gpt-3.5-turbo." in style


@pytest.mark.parametrize(
    ("protocol", "text", "message"),
    [
        ("codearena", 'user = "{question} {answer_a}"', "the template lacks {answer_b}"),
        ("codearena", 'user = "{question} {answer_a} {answer_b} {score}"', "unknown placeholder"),
        ("codearena", 'user = "{question} {answer_a} {answer_b} {"', "not a valid template"),
        ("codearena", 'user = "{question!r} {answer_a} {answer_b}"', "not a plain name"),
        ("codearena", 'system = "x"', "no 'user' template"),
        ("codearena", 'user = "{question} {answer_a} {answer_b}"\nmodel = "x"', "unknown key"),
        ("codearena", "user = [", "not valid TOML"),
        ("codal", '[user]\nstyle = "{instruction} {reference} {response}"', "the user table has"),
        ("codearena", '[user]\nx = "{question} {answer_a} {answer_b}"', "one string"),
        ("codearena", 'user = "{question} {answer_a} {answer_b}"\nreference = "x"', "not used"),
    ],
)
def test_bad_prompt_files_are_one_line_errors(
    tmp_path: Path, protocol: str, text: str, message: str
) -> None:
    path = tmp_path / "prompt.toml"
    path.write_text(text)
    judged = CodeArena() if protocol == "codearena" else Codal()
    method = judged.method(MethodName.PAPER)
    with pytest.raises(BadInputError) as caught:
        load_prompt_file(path, judged.template_rules, judged.builtin_prompts(method.prompt))
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_prompt_file_through_the_cli(judge_cli: CliRun, tmp_path: Path) -> None:
    result, _ = judge_cli(
        "http://127.0.0.1:9/v1", "codearena", "--judge-prompt", str(tmp_path / "nope.toml")
    )
    assert isinstance(result.exception, BadInputError)
    assert "no such prompt file" in str(result.exception)


def test_builtin_prompt_hash_tracks_the_wording() -> None:
    arena = CodeArena()
    paper, robust = (arena.builtin_prompts(arena.method(m).prompt) for m in MethodName)
    assert paper.sha256 != robust.sha256  # the follow-up differs
    assert paper.sha256 == arena.builtin_prompts(arena.method(MethodName.PAPER).prompt).sha256
