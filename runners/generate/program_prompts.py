"""McEval and MultiPL-E prompts, as each benchmark's own inference code asks them.

* McEval (``--chat``): the record's ``instruction`` as the one user turn (McEval's
  ``inference_vllm.py`` applies the model's chat template to exactly that), greedy with top_p 0.95
  and 1,024 new tokens. The program is the code block of the task's language
  (``runners.extract``), a whole program replacing the prompt (a ``solution``).
* MultiPL-E (``--completion``): the record's ``prompt`` continued under the record's own
  ``stop_tokens`` (MultiPL-E publishes them per language), top_p 0.95, 512 new tokens; the
  program is prompt + completion + tests (a ``completion``). The shipped Python file is
  HumanEval-X's and carries no stop tokens; MultiPL-E's own Python ones are used for it.
"""

from __future__ import annotations

from runners.extract import extract_code
from runners.multilang.datasets import SuiteData, load_mceval, load_multipl_e
from runners.multilang.models import TaskSpec
from runners.multilang.plan import select_languages
from sandbox.errors import BadInputError

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

MULTIPL_E_PYTHON_STOPS = ("\ndef", "\n#", "\nif", "\nclass")
"""MultiPL-E's stop tokens for Python (its humaneval_to_py translator)."""


def chosen_tasks(data: SuiteData, spec: GenerateRunSpec) -> list[TaskSpec]:
    """The tasks of the languages asked for (every language with tasks by default), the first
    ``spec.limit`` of each."""
    names = list(spec.languages) or None
    languages = [lang for lang in select_languages(data, names) if lang in data.tasks]
    if not languages:
        raise BadInputError(
            f"{data.suite.value} has no tasks in {', '.join(spec.languages)}",
            "see `sandbox languages` for the languages of each suite",
        )
    return [task for lang in languages for task in data.tasks[lang][: spec.limit or None]]


@register_generator
class McEvalGenerator(Generator):
    """McEval's generation task: an instruction per task, answered in a chat."""

    name = "mceval"
    forms = (PromptForm.CHAT,)
    takes_languages = True

    def why_forms(self) -> str:
        return "McEval's generation task is an instruction to an instruct model"

    def defaults(self, spec: GenerateRunSpec, form: PromptForm) -> SamplingDefaults:
        return SamplingDefaults(top_p_sampling=0.95, top_p_greedy=0.95, max_tokens=1024)

    def plan(self, spec: GenerateRunSpec, form: PromptForm) -> GenerationPlan:
        data = load_mceval(spec.data)
        items = []
        for task in chosen_tasks(data, spec):
            user = {"role": "user", "content": task.instruction or task.prompt}
            messages = (*system_messages(spec, None), user)
            items.append(PromptItem(task.task_id, task.language, form, messages, data=task))
        return GenerationPlan(items=items, dataset={"name": "mceval", "path": str(data.root)})

    def to_output(self, item: PromptItem, text: str) -> OutputResult:
        found = extract_code(text, item.language)
        fields = {"task_id": item.task_id, "language": item.language, "solution": found.code or ""}
        return OutputResult(fields=fields, code=found.code, extraction=found.rule)


@register_generator
class MultiplEGenerator(Generator):
    """MultiPL-E HumanEval: each language's prompt, completed by a base model."""

    name = "multipl-e"
    forms = (PromptForm.COMPLETION,)
    takes_languages = True

    def why_forms(self) -> str:
        return "MultiPL-E's prompts end inside the function, for a base model to complete"

    def defaults(self, spec: GenerateRunSpec, form: PromptForm) -> SamplingDefaults:
        return SamplingDefaults(top_p_sampling=0.95, top_p_greedy=0.95, max_tokens=512)

    def plan(self, spec: GenerateRunSpec, form: PromptForm) -> GenerationPlan:
        data = load_multipl_e(spec.data)
        items = []
        for task in chosen_tasks(data, spec):
            stop = task.stop_tokens or (MULTIPL_E_PYTHON_STOPS if task.language == "python" else ())
            items.append(
                PromptItem(task.task_id, task.language, form, prompt=task.prompt, stop=stop)
            )
        return GenerationPlan(items=items, dataset={"name": "multipl-e", "path": str(data.root)})

    def to_output(self, item: PromptItem, text: str) -> OutputResult:
        completion = trim_at_stop(text, item.stop)
        fields = {"task_id": item.task_id, "language": item.language, "completion": completion}
        return OutputResult(
            fields=fields, code=completion or None, extraction="completion cut at a stop token"
        )
