"""CodeArena and CODAL-Bench: the model's chat answer to each question, for the judge.

The question (CodeArena: the first user turn; CODAL-Bench: the instruction) is the one user
turn; the answer is kept whole, as the judge reads it (``runners.judge.datasets.load_answers``:
``id`` + ``answer``). Questions come from ``--data`` (a local file) or the hub, through the
judge's own loaders.
"""

from __future__ import annotations

from runners.judge.datasets import load_codal, load_codearena

from .base import (
    GenerateRunSpec,
    GenerationPlan,
    Generator,
    OutputKind,
    OutputResult,
    PromptForm,
    PromptItem,
    SamplingDefaults,
    register_generator,
    system_messages,
)


class AnswerGenerator(Generator):
    """Chat answers to a protocol's questions."""

    forms = (PromptForm.CHAT,)
    output = OutputKind.ANSWERS

    def why_forms(self) -> str:
        return f"{self.name}'s questions are answered in a chat"

    def defaults(self, spec: GenerateRunSpec, form: PromptForm) -> SamplingDefaults:
        return SamplingDefaults(top_p_sampling=None, top_p_greedy=None, max_tokens=4096)

    def to_output(self, item: PromptItem, text: str) -> OutputResult:
        return OutputResult(
            fields={"id": item.task_id, "answer": text},
            code=text if text.strip() else None,
            extraction="whole answer",
        )


@register_generator
class CodeArenaGenerator(AnswerGenerator):
    name = "codearena"

    def plan(self, spec: GenerateRunSpec, form: PromptForm) -> GenerationPlan:
        source = str(spec.data) if spec.data else None
        questions = load_codearena(source)[: spec.limit or None]
        items = [
            PromptItem(
                q.id,
                q.languages[0],
                form,
                (*system_messages(spec, None), {"role": "user", "content": q.question}),
            )
            for q in questions
        ]
        return GenerationPlan(items=items, dataset={"name": "codearena", "path": source or "hub"})


@register_generator
class CodalGenerator(AnswerGenerator):
    name = "codal"

    def plan(self, spec: GenerateRunSpec, form: PromptForm) -> GenerationPlan:
        source = str(spec.data) if spec.data else None
        questions = load_codal(source)[: spec.limit or None]
        items = [
            PromptItem(
                q.id,
                q.preference,
                form,
                (*system_messages(spec, None), {"role": "user", "content": q.instruction}),
            )
            for q in questions
        ]
        return GenerationPlan(items=items, dataset={"name": "codal", "path": source or "hub"})
