"""HumanEval(+) and MBPP(+) prompts exactly as evalplus 0.3.1's code generator asks them.

Three forms, all evalplus's own:

* ``--chat`` (answer prefix, the default): the chat prompt of evalplus's vLLM/HF providers
  (``evalplus.provider.utility.make_raw_chat_prompt``): the instruction and the task in the user
  turn, and the assistant turn opened with the answer prefix and a ```` ```python ```` fence, which
  the model continues (vLLM's ``continue_final_message``); stop strings ``EOS + ["\\n```\\n"]``.
* ``--chat --no-answer-prefix``: what ``evalplus.codegen --backend openai`` sends: evalplus's
  system message and the instruction with the task in a ```` ```python ```` block, top_p 0.95.
* ``--completion`` (base models): the task's prompt, stripped, plus a newline, continued under
  evalplus's stop strings (``EOS + extra_eos_for_direct_completion``); the program is
  prompt + completion.

Every reply then goes through evalplus's ``sanitize`` with the task's entry point, as
``evalplus.codegen`` does. The instruction and answer prefixes and the system message are local
values inside evalplus's functions, so they are read from evalplus's installed source, never
copied.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from runners.evalplus_suite.datasets import load_problems, resolve_suite
from runners.evalplus_suite.payload import check_evalplus_version
from sandbox.errors import SandboxError

from .base import (
    GenerateRunSpec,
    GenerationPlan,
    Generator,
    OutputResult,
    PromptForm,
    PromptItem,
    SamplingDefaults,
    register_generator,
    system_messages,
    trim_at_stop,
)

PREFILL = {"continue_final_message": True, "add_generation_prompt": False}
"""vLLM's request fields that make the model continue the assistant turn it is given."""
FENCE_STOP = "\n```\n"
_TURN = "\x00-sandbox-turn-\x00"


@dataclass(frozen=True)
class EvalplusPromptTexts:
    """evalplus's instruction prefix, answer prefix and OpenAI system message."""

    instruction: str
    response: str
    system: str


@functools.cache
def evalplus_prompt_texts() -> EvalplusPromptTexts:
    """The prefixes ``evalplus.codegen.run_codegen`` sets and the system message of
    ``evalplus.gen.util.openai_request.make_request``, read from evalplus's source."""
    check_evalplus_version()
    codegen = _string_assignments("evalplus.codegen", "run_codegen")
    request = _string_assignments("evalplus.gen.util.openai_request", "make_request")
    try:
        return EvalplusPromptTexts(
            codegen["instruction_prefix"], codegen["response_prefix"], request["system_msg"]
        )
    except KeyError as exc:
        raise SandboxError(
            f"evalplus's prompt {exc} was not found in its source",
            "install evalplus==0.3.1 (pip install 'evalplus==0.3.1')",
        ) from exc


def _string_assignments(module: str, function: str) -> dict[str, str]:
    """The first string assigned to each name in ``module.function`` (not imported: read)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise SandboxError(f"{module} is not installed", "pip install 'evalplus==0.3.1'")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for statement in ast.walk(node):
                if (
                    isinstance(statement, ast.Assign)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    for target in statement.targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, statement.value.value)
    return found


class _TurnJoiner:
    """Stands in for a tokenizer's chat template in evalplus's ``make_raw_chat_prompt``: it
    joins the turns with a marker, so that the user turn and the opened answer come back apart."""

    chat_template = "turns"

    def apply_chat_template(self, messages: list[dict[str, str]], tokenize: bool = False) -> str:
        return _TURN.join(message["content"] for message in messages)


def prefixed_chat_turns(task_prompt: str) -> tuple[str, str]:
    """(user turn, opened assistant turn) of evalplus's chat prompt, built by evalplus itself."""
    from evalplus.provider.utility import make_raw_chat_prompt

    texts = evalplus_prompt_texts()
    joined = make_raw_chat_prompt(task_prompt, texts.instruction, texts.response, _TurnJoiner())
    user, _, answer = joined.partition(_TURN)
    return user, answer


def evalplus_stops(dataset: str, form: PromptForm) -> tuple[str, ...]:
    """evalplus's stop strings: EOS plus the fence (chat) or the dataset's (completion)."""
    from evalplus.provider.utility import EOS, extra_eos_for_direct_completion

    extra = extra_eos_for_direct_completion(dataset) if form is PromptForm.COMPLETION else []
    return (*EOS, *(extra or [FENCE_STOP]))


class EvalplusGenerator(Generator):
    """A suite of evalplus's (the name picks the dataset)."""

    forms = (PromptForm.CHAT, PromptForm.COMPLETION)
    dataset_name: ClassVar[str]

    def defaults(self, spec: GenerateRunSpec, form: PromptForm) -> SamplingDefaults:
        # evalplus's decoders: 768 new tokens; vLLM/HF sample at top_p 0.95 and decode greedily
        # at 1.0, its OpenAI backend always sends 0.95.
        plain_chat = form is PromptForm.CHAT and not spec.answer_prefix
        return SamplingDefaults(
            top_p_sampling=0.95, top_p_greedy=0.95 if plain_chat else 1.0, max_tokens=768
        )

    def plan(self, spec: GenerateRunSpec, form: PromptForm) -> GenerationPlan:
        suite = resolve_suite(self.name)
        problems, info = load_problems(suite, spec.data, spec.limit)
        items = [
            self._item(spec, form, task_id, problem, suite.dataset)
            for task_id, problem in problems.items()
        ]
        dataset = {"name": info.name, "version": info.version, "hash": info.hash}
        return GenerationPlan(items=items, dataset={**dataset, "path": info.path})

    def _item(
        self,
        spec: GenerateRunSpec,
        form: PromptForm,
        task_id: str,
        problem: dict[str, Any],
        dataset: str,
    ) -> PromptItem:
        prompt = problem["prompt"].strip() + "\n"  # as evalplus.codegen hands it to a model
        data = {"prompt": prompt, "entry_point": problem["entry_point"], "form": form}
        if form is PromptForm.COMPLETION:
            stop = evalplus_stops(dataset, form)
            return PromptItem(task_id, "python", form, prompt=prompt, stop=stop, data=data)
        if not spec.answer_prefix:
            texts = evalplus_prompt_texts()
            user = texts.instruction + f"\n```python\n{prompt.strip()}\n```"
            messages = (*system_messages(spec, texts.system), {"role": "user", "content": user})
            return PromptItem(task_id, "python", form, messages=messages, data=data)
        user, answer = prefixed_chat_turns(prompt)
        messages = (
            *system_messages(spec, None),
            {"role": "user", "content": user},
            {"role": "assistant", "content": answer},
        )
        data["prefill"] = True
        stop = evalplus_stops(dataset, form)
        return PromptItem(
            task_id, "python", form, messages=messages, stop=stop, extra=PREFILL, data=data
        )

    def to_output(self, item: PromptItem, text: str) -> OutputResult:
        from evalplus.sanitize import sanitize

        data = item.data
        direct = data["form"] is PromptForm.COMPLETION
        if direct or data.get("prefill"):
            # evalplus's vLLM/HF decoders: cut at the first stop string, tabs as four spaces
            text = trim_at_stop(text, item.stop).replace("\t", "    ")
        solution = data["prompt"] + text if direct else text
        sanitized = sanitize(solution, entrypoint=data["entry_point"])
        rule = "prompt + completion, evalplus sanitize" if direct else "evalplus sanitize"
        return OutputResult(
            fields={"task_id": item.task_id, "solution": sanitized},
            code=sanitized or None,
            extraction=rule,
        )


@register_generator
class HumanEvalPlusGenerator(EvalplusGenerator):
    name = "humaneval+"


@register_generator
class HumanEvalGenerator(EvalplusGenerator):
    name = "humaneval"


@register_generator
class MbppPlusGenerator(EvalplusGenerator):
    name = "mbpp+"


@register_generator
class MbppGenerator(EvalplusGenerator):
    name = "mbpp"
