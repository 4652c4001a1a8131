"""CodeArena grounded in execution (``sandbox judge --ground execution``): the same games, methods
and scoring as CodeArena, with what happened when each answer's code was compiled and run shown
to the judge.

The execution reports come after both answers, each in its own labelled section, A's then B's:
swapping the answers (game 2) swaps their reports with them, so the two orders stay symmetric.
The protocol has its own name (``codearena-grounded``) in records, summaries, default output
directories and the cache key (``grounding: execution``), so grounded and plain judgments never
mix.
"""

from __future__ import annotations

from typing import Any

from runners.judge.codearena import CodeArena, GameSpec
from runners.judge.methods import MethodSpec, PromptVariant
from runners.judge.prompts import (
    PAIRWISE_FOLLOWUP,
    PAIRWISE_FOLLOWUP_PAPER,
    PAIRWISE_SYSTEM,
    PAIRWISE_USER,
)
from runners.judge.protocol import JudgeContext, Message, Record, register_protocol
from runners.judge.templates import PromptSet, TemplateRules
from runners.provenance import utc_now

from .models import AnswerOutcome
from .render import render_execution

GROUNDING = "execution"

GROUNDING_NOTE = """\
For each answer you are also shown what happened when the fenced code blocks it contains were \
compiled and, when they are complete programs, run in an isolated sandbox (no network, empty \
standard input, a time limit). Treat this as evidence about correctness: code that does not \
compile, crashes or hangs is a serious defect, unless the failure clearly comes from the \
sandbox (a missing input file, a library that is not installed, no network) or the block is a \
partial snippet meant to be placed in a larger program. Code that runs without error is not \
necessarily correct: still check what it computes."""

GROUNDED_SYSTEM = f"{PAIRWISE_SYSTEM}\n\n{GROUNDING_NOTE}"

GROUNDED_USER = f"""\
{PAIRWISE_USER}

<|The Start of the Execution of Assistant A's Answer|>
{{execution_a}}
<|The End of the Execution of Assistant A's Answer|>

<|The Start of the Execution of Assistant B's Answer|>
{{execution_b}}
<|The End of the Execution of Assistant B's Answer|>"""

_PLACEHOLDERS = frozenset({"question", "answer_a", "answer_b", "execution_a", "execution_b"})


@register_protocol
class CodeArenaGrounded(CodeArena):
    """CodeArena with each answer's execution report in the prompt."""

    name = "codearena-grounded"
    questions_of = "codearena"
    title = "CodeArena grounded in execution"
    grounds = ("codearena", GROUNDING)
    needs_execution = True
    template_rules = TemplateRules(placeholders=_PLACEHOLDERS, required=_PLACEHOLDERS)

    def builtin_prompts(self, variant: PromptVariant) -> PromptSet:
        paper = variant is PromptVariant.PAPER
        return PromptSet.build(
            source=f"builtin:{self.name}-{variant.value}",
            system=GROUNDED_SYSTEM,
            user={"": GROUNDED_USER},
            followup=PAIRWISE_FOLLOWUP_PAPER if paper else PAIRWISE_FOLLOWUP,
        )

    def cache_context(self, method: MethodSpec) -> dict[str, str]:
        return {**super().cache_context(method), "grounding": GROUNDING}

    def describe_method(self, method: MethodSpec) -> dict[str, Any]:
        described = super().describe_method(method)
        described["grounding"] = {
            "name": GROUNDING,
            "shown": "after both answers, one section per answer (A's, then B's)",
            "base_protocol": "codearena",
        }
        return described

    def build_messages(self, item: GameSpec, ctx: JudgeContext) -> list[Message]:
        sides = self.answer_sides(item)
        user = ctx.prompts.user_template().format(
            question=item.question.question,
            answer_a=item.answer_a,
            answer_b=item.answer_b,
            execution_a=render_execution(ctx.execution_of(sides["a"])),
            execution_b=render_execution(ctx.execution_of(sides["b"])),
        )
        return [*ctx.prompts.system_messages(), {"role": "user", "content": user}]

    async def judge(self, item: GameSpec, ctx: JudgeContext) -> Record:
        """As CodeArena, except that a game whose code the engine failed to run is not asked:
        it is an ``error`` (not the answer's fault), retried by the next run."""
        for answer in self.answer_sides(item).values():
            found = ctx.execution_of(answer)
            if found is None or found.outcome is AnswerOutcome.SANDBOX_ERROR:
                return self._not_asked(item, ctx)
        return await super().judge(item, ctx)

    def _not_asked(self, item: GameSpec, ctx: JudgeContext) -> Record:
        return {
            **ctx.identity,
            "key": item.key,
            "question_id": item.question.id,
            "game": item.game,
            "player_a": item.player_a,
            "player_b": item.player_b,
            "model_position": "A" if item.player_a == ctx.identity["model"] else "B",
            "languages": list(item.question.languages),
            "length_a": len(item.answer_a),
            "length_b": len(item.answer_b),
            "created": utc_now(),
            "status": "error",
            "error": "the sandbox failed to execute an answer's code; re-run to retry",
        }
