"""CodeArena protocol: each answer judged against a baseline answer, in both orders.

Game 1 shows the baseline as assistant A and the model as B; game 2 swaps them. The per-question
scoring and both scores are in ``arena_metrics``; the two methods' rules are ``METHODS`` below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from runners.jsonl import latest_by_key
from runners.provenance import utc_now
from runners.records import JudgmentRecord
from runners.results import ResultsStore
from sandbox.errors import BadInputError
from sandbox.models import FrozenModel

from .arena_metrics import NO_VERDICT, games_from_records, summarize_games
from .categories import levels_source
from .client import SamplingSpec
from .datasets import AnswerSet, ArenaQuestion, choose_reference, load_codearena
from .grounded.models import AnswerExecutionResult, AnswerToRun
from .methods import (
    CategoryRule,
    FollowupRule,
    MethodName,
    MethodSpec,
    NoVerdictRule,
    ParsingRule,
    PromptVariant,
    RejectionRule,
)
from .parsing import VerdictParse, parse_pairwise_verdict, parse_pairwise_verdict_paper
from .prompts import PAIRWISE_FOLLOWUP, PAIRWISE_FOLLOWUP_PAPER, PAIRWISE_SYSTEM, PAIRWISE_USER
from .protocol import (
    JudgeContext,
    JudgeProtocol,
    JudgeRunSpec,
    Message,
    Plan,
    Record,
    converse,
    register_protocol,
)
from .records import reply_fields
from .stats import PairGame
from .summary_text import percent, rate
from .templates import PromptSet, TemplateRules

__all__ = ["CodeArena", "games_from_records", "summarize_games"]

PROTOCOL = "codearena"
DEFAULT_BASELINE = "gpt-4-turbo-2024-04-09"

METHODS = {
    MethodName.PAPER: MethodSpec(
        name=MethodName.PAPER,
        source="QwenLM/Qwen2.5-Coder qwencoder-eval/instruct/CodeArena/judge_models.py",
        sampling=SamplingSpec(temperature=0.2, max_tokens=16384),
        parsing=ParsingRule.PAPER,
        followup=FollowupRule.NO_LABEL,
        rejection=RejectionRule.NA_ZERO,
        prompt=PromptVariant.PAPER,
        no_verdict=NoVerdictRule.ZERO_POINTS,
        categories=CategoryRule.LEVELS,
        max_question_words=1024,
        paper_judge_model="gpt-4o",
    ),
    MethodName.ROBUST: MethodSpec(
        name=MethodName.ROBUST,
        source="this project: consistent labels, one follow-up, failures excluded",
        sampling=SamplingSpec(temperature=0.0, max_tokens=4096),
        parsing=ParsingRule.CONSISTENT,
        followup=FollowupRule.UNREADABLE,
        rejection=RejectionRule.ERROR,
        prompt=PromptVariant.ROBUST,
    ),
}


class GameSpec(FrozenModel):
    """One judgment to make: a question, the answers in positions A and B, who wrote them."""

    key: str
    question: ArenaQuestion
    game: int
    player_a: str
    player_b: str
    answer_a: str
    answer_b: str


def plan_games(
    questions: Sequence[ArenaQuestion],
    answers: AnswerSet,
    model: str,
    baseline: str,
    max_question_words: int | None = None,
) -> tuple[list[GameSpec], dict[str, list[str]]]:
    """Both games of every question that has a model answer and a baseline answer.

    Also returns the ids left out: ``missing_answer``, ``missing_baseline`` and ``too_long``
    (questions of ``max_question_words`` words or more, which CodeArena's own script skips).
    """
    games: list[GameSpec] = []
    missing: dict[str, list[str]] = {"missing_answer": [], "missing_baseline": [], "too_long": []}
    for question in questions:
        if max_question_words is not None and len(question.question.split()) >= max_question_words:
            missing["too_long"].append(question.id)
            continue
        answer = answers.find(question.id)
        reference = question.baselines.get(baseline)
        if answer is None:
            missing["missing_answer"].append(question.id)
            continue
        if reference is None:
            missing["missing_baseline"].append(question.id)
            continue
        orders = ((baseline, reference, model, answer), (model, answer, baseline, reference))
        for number, (name_a, text_a, name_b, text_b) in enumerate(orders, start=1):
            games.append(
                GameSpec(
                    key=f"{PROTOCOL}|{question.id}|{number}",
                    question=question,
                    game=number,
                    player_a=name_a,
                    player_b=name_b,
                    answer_a=text_a,
                    answer_b=text_b,
                )
            )
    return games, missing


def load_compare_battles(
    directories: Sequence[Path], model: str, baseline: str, identity: Mapping[str, str]
) -> list[PairGame]:
    """Battles of other CodeArena runs (same judge, baseline and method) for Bradley-Terry."""
    records: list[dict[str, Any]] = []
    wanted = {
        "protocol": PROTOCOL,
        "baseline": baseline,
        "judge_model": identity["judge_model"],
        "method": identity["method"],
    }
    for directory in directories:
        if not (directory / "results.jsonl").is_file():
            raise BadInputError(
                f"{directory}: no results.jsonl", "pass --compare-with DIR of a judge run"
            )
        for record in latest_by_key(ResultsStore(directory).load_records()).values():
            for field, value in wanted.items():
                found = record.get(field, MethodName.ROBUST.value if field == "method" else None)
                if found != value:
                    raise BadInputError(
                        f"{directory}: {field}={found!r}, this run has {value!r}",
                        "compare only CodeArena runs with the same judge, baseline and method",
                    )
            if record.get("model") != model:
                records.append(record)
    return games_from_records(records)


class CodeArenaJudgmentRecord(JudgmentRecord):
    """One CodeArena game: who was A and B, the question's data, the label read."""

    game: int = Field(ge=1, le=2)
    player_a: str
    player_b: str
    model_position: Literal["A", "B"]
    languages: list[str] = Field(default_factory=list)
    category: str | None = None
    difficulty: str | None = None
    length_a: int
    length_b: int
    label: str | None = None
    execution_a: AnswerExecutionResult | None = None
    """What happened when the code in A's answer ran (``--execute``, grounded protocols)."""
    execution_b: AnswerExecutionResult | None = None


@register_protocol
class CodeArena(JudgeProtocol):
    """Pairwise judging against a baseline answer, both orders (CodeArena, Arena-Hard style)."""

    name = PROTOCOL
    record_model = CodeArenaJudgmentRecord
    executes_answers = True
    title = "CodeArena"
    methods = METHODS
    template_rules = TemplateRules(
        placeholders=frozenset({"question", "answer_a", "answer_b"}),
        required=frozenset({"question", "answer_a", "answer_b"}),
    )

    def builtin_prompts(self, variant: PromptVariant) -> PromptSet:
        paper = variant is PromptVariant.PAPER
        return PromptSet.build(
            source=f"builtin:{PROTOCOL}-{variant.value}",
            system=PAIRWISE_SYSTEM,
            user={"": PAIRWISE_USER},
            followup=PAIRWISE_FOLLOWUP_PAPER if paper else PAIRWISE_FOLLOWUP,
        )

    def describe_method(self, method: MethodSpec) -> dict[str, Any]:
        described = super().describe_method(method)
        if method.categories is CategoryRule.LEVELS:
            described["category_table"] = levels_source()
        return described

    def load_questions(self, source: str | None) -> list[ArenaQuestion]:
        return load_codearena(source)

    def answer_sides(self, item: GameSpec) -> dict[str, AnswerToRun]:
        hints = tuple(item.question.languages)
        return {
            "a": AnswerToRun(text=item.answer_a, languages=hints),
            "b": AnswerToRun(text=item.answer_b, languages=hints),
        }

    def side_players(self, record: Mapping[str, Any]) -> dict[str, str]:
        return {"a": str(record["player_a"]), "b": str(record["player_b"])}

    def plan(
        self,
        spec: JudgeRunSpec,
        method: MethodSpec,
        questions: Sequence[ArenaQuestion],
        answers: AnswerSet,
        judge_model: str,
    ) -> Plan:
        available = {name for q in questions for name in q.baselines}
        baseline = choose_reference(available, spec.baseline, DEFAULT_BASELINE)
        if spec.model == baseline:
            raise BadInputError(
                f"--model {spec.model!r} is also the baseline", "give the judged model another name"
            )
        words = spec.max_question_words or method.max_question_words
        games, missing = plan_games(questions, answers, spec.model, baseline, words)
        return Plan(
            items=games,
            keys=tuple(g.key for g in games),
            missing=missing,
            n_questions=len(questions),
            baseline=baseline,
            data={"questions": questions, "max_question_words": words},
        )

    def build_messages(self, item: GameSpec, ctx: JudgeContext) -> list[Message]:
        user = ctx.prompts.user_template().format(
            question=item.question.question, answer_a=item.answer_a, answer_b=item.answer_b
        )
        return [*ctx.prompts.system_messages(), {"role": "user", "content": user}]

    def parse(self, text: str, method: MethodSpec) -> VerdictParse:
        """The verdict of a reply, read as ``method`` reads it."""
        if method.parsing is ParsingRule.PAPER:
            return parse_pairwise_verdict_paper(text)
        return parse_pairwise_verdict(text)

    async def judge(self, item: GameSpec, ctx: JudgeContext) -> Record:
        record: Record = {
            **ctx.identity,
            "key": item.key,
            "question_id": item.question.id,
            "game": item.game,
            "player_a": item.player_a,
            "player_b": item.player_b,
            "model_position": "A" if item.player_a == ctx.identity["model"] else "B",
            "languages": list(item.question.languages),
            "category": item.question.category,
            "difficulty": item.question.difficulty,
            "length_a": len(item.answer_a),
            "length_b": len(item.answer_b),
            "created": utc_now(),
        }
        talk = await converse(
            ctx,
            self.build_messages(item, ctx),
            lambda text: self.parse(text, ctx.method),
            unreadable=lambda verdict: verdict.label is None,
            no_label=lambda verdict: verdict.found == 0,
        )
        record.update(reply_fields(talk.replies))
        if talk.error is not None and not talk.rejected:
            return {**record, "status": "error", "error": talk.error}
        if talk.rejected or talk.reading is None:
            problem = "the endpoint rejected the request"
            return {
                **record,
                "status": NO_VERDICT,
                "label": None,
                "rejected": True,
                "error": talk.error,
                "problem": problem,
            }
        verdict = talk.reading
        zero = ctx.method.no_verdict is NoVerdictRule.ZERO_POINTS
        status = "ok" if verdict.label is not None else NO_VERDICT if zero else "unparsable"
        return {**record, "status": status, "label": verdict.label, "problem": verdict.problem}

    def summarize(
        self,
        records: Sequence[Mapping[str, Any]],
        plan: Plan,
        spec: JudgeRunSpec,
        ctx: JudgeContext,
    ) -> dict[str, Any]:
        extra = load_compare_battles(spec.compare_with, spec.model, plan.baseline, ctx.identity)
        metrics = summarize_games(
            records,
            plan.data["questions"],
            spec.model,
            plan.baseline,
            extra_battles=extra,
            n_resamples=spec.n_resamples,
            seed=spec.seed,
            no_verdict=ctx.method.no_verdict,
            categories=ctx.method.categories,
        )
        metrics["counts"]["max_question_words"] = plan.data["max_question_words"]
        return metrics

    def summary_lines(self, summary: Mapping[str, Any]) -> list[str]:
        m = summary["metrics"]
        counts, pos = m["counts"], m["position_consistency"]
        lines = [
            f"win {percent(m['win_rate'])}  tie {percent(m['tie_rate'])}  "
            f"({counts['questions_complete']} questions, 95% CI)",
            f"score_paper {percent(m['score_paper'])} ((2W+T)/2N, CodeArena's score); "
            f"score_arena {percent(m['score_arena'])} (Arena-Hard: games, >> weighted 3)",
            f"no verdict {counts['games_no_verdict']} (of which rejected {counts['rejected']}), "
            f"unparsable {counts['games_unparsable']}, failed {counts['games_error']}, "
            f"incomplete questions {counts['questions_incomplete']}",
            f"position flips {rate(pos['flip_rate'])}, first answer wins "
            f"{rate(pos['first_position_win_rate'])}, longer answer wins "
            f"{rate(m['length_bias']['longer_wins_rate'])}",
        ]
        elo = m["bradley_terry"]["ratings"].get(summary["model"])
        if elo:
            lines.append(
                f"Elo {elo['elo']:.0f} [{elo['lower']:.0f}, {elo['upper']:.0f}] (baseline 1000)"
            )
        return lines
