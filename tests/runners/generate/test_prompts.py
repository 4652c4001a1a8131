"""Every generator's prompt shape and extraction, checked against the benchmark's own code and
data (pure logic: no endpoint)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from runners.generate.base import (
    GenerateRunSpec,
    PromptForm,
    check_sampling,
    get_generator,
    resolve_sampling,
)
from runners.generate.evalplus_prompts import PREFILL
from sandbox.errors import BadInputError

from .conftest import JUDGE_FIXTURES, REPO

HUMANEVAL = REPO / "datasets" / "humanevalplus" / "HumanEvalPlus.jsonl.gz"


def spec(suite: str, **values: Any) -> GenerateRunSpec:
    return GenerateRunSpec(suite=suite, model="m", **values)


def first_record(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return dict(json.loads(handle.readline()))


def first_problem() -> dict[str, Any]:
    return first_record(HUMANEVAL)


def plan(suite: str, **values: Any) -> tuple[Any, list[Any]]:
    generator = get_generator(suite)
    run = spec(suite, **values)
    items = list(generator.plan(run, generator.form(run)).items)
    return generator, items


def test_evalplus_plain_chat_is_exactly_what_evalplus_codegen_sends_and_keeps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``evalplus.codegen --backend openai`` itself, with only its HTTP client replaced: the
    request it sends and the solution it writes equal ours."""
    import evalplus.codegen
    import evalplus.provider.openai

    problem = first_problem()
    answer = f"Sure!\n```python\n{problem['prompt']}{problem['canonical_solution']}\n```\nDone."
    sent: list[dict[str, Any]] = []

    class Client:
        def __init__(self, **kwargs: Any) -> None:
            self.chat = SimpleNamespace(completions=SimpleNamespace(create=self.create))

        def create(self, **kwargs: Any) -> Any:
            sent.append(kwargs)
            message = SimpleNamespace(content=answer)
            return SimpleNamespace(choices=[SimpleNamespace(message=message)])

    monkeypatch.setattr(evalplus.provider.openai.openai, "OpenAI", Client)
    monkeypatch.setattr(
        evalplus.codegen, "get_human_eval_plus", lambda version: {problem["task_id"]: problem}
    )
    written = evalplus.codegen.run_codegen(
        model="m", dataset="humaneval", root=str(tmp_path), backend="openai", greedy=True
    )

    generator, items = plan("humaneval+", limit=1, answer_prefix=False, data=HUMANEVAL)
    run = spec("humaneval+", answer_prefix=False)
    sampling = resolve_sampling(run, generator.defaults(run, PromptForm.CHAT), items[0])
    assert len(sent) == 1 and list(items[0].messages) == sent[0]["messages"]
    assert sampling.params() == {k: sent[0][k] for k in ("temperature", "top_p", "max_tokens")}
    assert items[0].stop == () and items[0].extra == {}
    kept = json.loads(Path(written).read_text().splitlines()[0])
    assert generator.to_output(items[0], answer).fields == kept


def test_evalplus_chat_with_answer_prefix_is_evalplus_raw_chat_prompt() -> None:
    from evalplus.provider.utility import EOS, make_raw_chat_prompt

    class Template:  # a chat template that marks where each turn starts
        chat_template = "t"

        def apply_chat_template(self, messages: list[dict[str, str]], tokenize: bool) -> str:
            return "".join(f"<{m['role']}>{m['content']}" for m in messages)

    _, items = plan("humaneval+", limit=1, data=HUMANEVAL)
    item = items[0]
    from runners.generate.evalplus_prompts import evalplus_prompt_texts

    texts = evalplus_prompt_texts()
    expected = make_raw_chat_prompt(
        first_problem()["prompt"].strip() + "\n", texts.instruction, texts.response, Template()
    )
    rendered = "".join(f"<{m['role']}>{m['content']}" for m in item.messages)
    assert rendered == expected
    assert [m["role"] for m in item.messages] == ["user", "assistant"]
    assert item.messages[1]["content"].endswith("```python\n")
    assert item.stop == (*EOS, "\n```\n") and item.extra == PREFILL


def test_evalplus_completion_prompt_and_stop_strings() -> None:
    from evalplus.provider.utility import EOS, extra_eos_for_direct_completion

    generator, items = plan("humaneval+", limit=1, form=PromptForm.COMPLETION, data=HUMANEVAL)
    problem = first_problem()
    assert items[0].prompt == problem["prompt"].strip() + "\n"
    assert items[0].stop == (*EOS, *extra_eos_for_direct_completion("humaneval"))
    from runners.generate.evalplus_prompts import evalplus_stops

    assert evalplus_stops("mbpp", PromptForm.COMPLETION) == (
        *EOS,
        *extra_eos_for_direct_completion("mbpp"),
    )
    greedy = resolve_sampling(
        spec("humaneval+"), generator.defaults(spec("humaneval+"), PromptForm.COMPLETION), items[0]
    )
    assert (greedy.top_p, greedy.max_tokens) == (1.0, 768)  # evalplus's vLLM decoder, greedy
    # the continuation is cut at the first stop string and joined to the prompt, then sanitized
    body = problem["canonical_solution"].replace("    ", "\t", 1)
    output = generator.to_output(items[0], body + "\ndef unrelated():\n    pass\n")
    solution = output.fields["solution"]
    assert "unrelated" not in solution and "\t" not in solution
    assert solution.startswith(("from", "import", "def")) and problem["entry_point"] in solution
    assert output.extraction == "prompt + completion, evalplus sanitize"


def test_evalplus_chat_answer_goes_through_evalplus_sanitize() -> None:
    from evalplus.sanitize import sanitize

    generator, items = plan("humaneval+", limit=1, answer_prefix=False, data=HUMANEVAL)
    problem = first_problem()
    answer = f"Sure!\n```python\n{problem['prompt']}{problem['canonical_solution']}\n```\nDone."
    output = generator.to_output(items[0], answer)
    assert output.fields == {
        "task_id": problem["task_id"],
        "solution": sanitize(answer, entrypoint=problem["entry_point"]),
    }
    assert "Sure" not in output.fields["solution"]


def test_mceval_asks_the_instruction_and_takes_the_language_block() -> None:
    generator, items = plan("mceval", languages=("python", "html"), limit=1)
    by_language = {item.language: item for item in items}
    record = first_record(REPO / "datasets/mceval/Python.jsonl.gz")
    assert list(by_language["python"].messages) == [
        {"role": "user", "content": record["instruction"]}
    ]
    answer = "Plan first.\n```java\nclass A {}\n```\n```python\ndef f():\n    return 1\n```\n"
    output = generator.to_output(by_language["python"], answer)
    assert output.fields == {
        "task_id": "Python/1",
        "language": "python",
        "solution": "def f():\n    return 1\n",
    }
    assert output.extraction == "first-tagged"
    html = generator.to_output(by_language["html"], "```html\n<h1>Heading level 1</h1>\n```")
    assert html.fields["solution"] == "<h1>Heading level 1</h1>\n"
    # an answer in another language only gives no program (it fails, never runs as Python)
    unparsable = generator.to_output(by_language["python"], "```java\nclass A {}\n```")
    assert unparsable.code is None and unparsable.fields["solution"] == ""
    assert unparsable.extraction == "other-languages-only"


def test_multipl_e_completes_the_prompt_under_its_published_stop_tokens() -> None:
    generator, items = plan("multipl-e", languages=("rust", "python"), limit=1)
    rust = next(i for i in items if i.language == "rust")
    record = first_record(REPO / "datasets/multipl-e-humaneval/humaneval-rs.jsonl.gz")
    assert (rust.prompt, rust.stop) == (record["prompt"], tuple(record["stop_tokens"]))
    python = next(i for i in items if i.language == "python")
    assert python.stop == ("\ndef", "\n#", "\nif", "\nclass")
    output = generator.to_output(rust, "    string.len() as isize\n}\n\nfn main() {}\n")
    assert output.fields == {
        "task_id": record["task_id"],
        "language": "rust",
        "completion": "    string.len() as isize",
    }


def test_judged_protocols_ask_the_question_and_keep_the_answer_whole() -> None:
    generator, items = plan("codearena", data=JUDGE_FIXTURES / "codearena_questions.jsonl")
    assert items[0].task_id == "ca-001" and items[0].language == "Python"
    assert items[0].messages[-1]["content"].startswith("Write a Python function `dedupe(xs)`")
    assert generator.to_output(items[0], "an answer").fields == {
        "id": "ca-001",
        "answer": "an answer",
    }
    _, codal = plan("codal", data=JUDGE_FIXTURES / "codal_questions.jsonl", system="Be brief.")
    assert codal[0].task_id == "0" and codal[0].messages[0] == {
        "role": "system",
        "content": "Be brief.",
    }


def test_sampling_options_and_their_contradictions() -> None:
    generator, items = plan("mceval", languages=("python",), limit=1)
    defaults = generator.defaults(spec("mceval"), PromptForm.CHAT)
    hot = resolve_sampling(spec("mceval", n=5, temperature=0.8), defaults, items[0])
    assert (hot.temperature, hot.top_p, hot.max_tokens) == (0.8, 0.95, 1024)
    mine = resolve_sampling(spec("mceval", top_p=0.5, max_tokens=64), defaults, items[0])
    assert (mine.temperature, mine.top_p, mine.max_tokens) == (0.0, 0.5, 64)
    for bad in (
        {"n": 3},
        {"greedy": True, "n": 2, "temperature": 0.5},
        {"greedy": True, "temperature": 0.5},
    ):
        with pytest.raises(BadInputError):
            check_sampling(spec("mceval", **bad))


def test_forms_and_options_a_benchmark_does_not_have_are_refused() -> None:
    for suite, values, fragment in (
        ("multipl-e", {"form": PromptForm.CHAT}, "multipl-e has no chat prompts"),
        ("mceval", {"form": PromptForm.COMPLETION}, "mceval has no completion prompts"),
        ("humaneval+", {"languages": ("rust",)}, "--lang does not apply"),
        ("codal", {"n": 2, "temperature": 0.5}, "one answer per question"),
    ):
        generator = get_generator(suite)
        run = spec(suite, **values)
        with pytest.raises(BadInputError, match=fragment):
            generator.check_spec(run)
            generator.form(run)
    with pytest.raises(BadInputError, match="nothing to generate for 'nope'"):
        get_generator("nope")


def test_every_suite_the_project_scores_can_be_generated_for() -> None:
    from runners.generate import generator_names
    from runners.judge.protocol import get_protocol, protocol_names
    from runners.suites import suite_names

    question_sets = {get_protocol(n).questions_of or n for n in protocol_names()}
    assert set(suite_names()) | question_sets <= set(generator_names())
