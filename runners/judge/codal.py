"""CODAL-Bench protocol: each answer graded against a reference answer, under the rubric of the
record's coding preference (instruction-following, explanation, complexity, readability, style).

Under ``paper`` the reference is the judge's own answer (the questions' ``<judge>_response``, else
the judge is asked for it once, with a principle for the preference before the instruction, and
the reply is cached like any other); the first ``Rating: N`` is read and anything else, a request
the endpoint rejects included, is N/A. Under ``robust`` the reference is ``--baseline``'s answer,
an unreadable rating gets one follow-up, and a failed request is an error left out of every mean.
Scores are reported with N/A as 0 (the paper's convention) and with N/A excluded.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from runners.provenance import utc_now
from runners.records import JudgmentRecord
from runners.stats import resample_counts
from sandbox.errors import BadInputError
from sandbox.models import FrozenModel

from .client import SamplingSpec
from .datasets import AnswerSet, CodalQuestion, choose_reference, load_codal
from .errors import JudgeRequestError
from .methods import (
    FollowupRule,
    MethodName,
    MethodSpec,
    ParsingRule,
    PromptVariant,
    ReferenceRule,
    RejectionRule,
)
from .parsing import RatingParse, parse_rating, parse_rating_paper
from .prompts import (
    GRADING_FOLLOWUP,
    GRADING_SYSTEM,
    GRADING_SYSTEM_PAPER,
    GRADING_USER,
    GRADING_USER_PAPER,
    PAPER_RUBRICS,
    PREFERENCES,
    PRINCIPLES,
    REFERENCE_USER,
    RUBRICS,
    format_rubrics,
)
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
from .stats import Estimate, percentile_interval
from .summary_text import number, rate
from .templates import PromptSet, TemplateRules

PROTOCOL = "codal"
DEFAULT_REFERENCE = "gpt-3.5-turbo"

METHODS = {
    MethodName.PAPER: MethodSpec(
        name=MethodName.PAPER,
        source="martin-wey/CodeUltraFeedback src/evaluate/generate_ratings.py, "
        "src/utils/config.py (sampling), src/evaluate/show_results.py (N/A as 0)",
        sampling=SamplingSpec(temperature=0.8, top_p=0.8, max_tokens=1024),
        parsing=ParsingRule.PAPER,
        followup=FollowupRule.NEVER,
        rejection=RejectionRule.NA_ZERO,
        prompt=PromptVariant.PAPER,
        reference=ReferenceRule.JUDGE,
    ),
    MethodName.ROBUST: MethodSpec(
        name=MethodName.ROBUST,
        source="this project: consistent ratings, one follow-up, failures excluded",
        sampling=SamplingSpec(temperature=0.0, max_tokens=4096),
        parsing=ParsingRule.CONSISTENT,
        followup=FollowupRule.UNREADABLE,
        rejection=RejectionRule.ERROR,
        prompt=PromptVariant.ROBUST,
        reference=ReferenceRule.BASELINE,
    ),
}


class GradingSpec(FrozenModel):
    """One grading to make; ``reference`` None: the judge writes it first."""

    key: str
    question: CodalQuestion
    reference: str | None
    reference_source: str
    answer: str


def plan_gradings(
    questions: Sequence[CodalQuestion],
    answers: AnswerSet,
    reference_model: str,
    generate_missing: bool = False,
) -> tuple[list[GradingSpec], dict[str, list[str]]]:
    """A grading for every record with a model answer and a reference answer (or, with
    ``generate_missing``, a reference the judge will write)."""
    specs: list[GradingSpec] = []
    missing: dict[str, list[str]] = {"missing_answer": [], "missing_baseline": []}
    for question in questions:
        answer = answers.find(question.id, question.instruction)
        reference = question.references.get(reference_model)
        if answer is None:
            missing["missing_answer"].append(question.id)
        elif reference is None and not generate_missing:
            missing["missing_baseline"].append(question.id)
        else:
            specs.append(
                GradingSpec(
                    key=f"{PROTOCOL}|{question.id}",
                    question=question,
                    reference=reference,
                    reference_source="generated" if reference is None else "dataset",
                    answer=answer,
                )
            )
    return specs, missing


def bootstrap_macro_mean(
    groups: Mapping[str, Sequence[float]], *, n_resamples: int, seed: int
) -> Estimate:
    """Mean of the per-group means (the original's "overall"), resampling within each group."""
    filled = {name: np.asarray(v, dtype=np.float64) for name, v in groups.items() if len(v)}
    if not filled:
        return Estimate(value=None, lower=None, upper=None, n=0)
    boot = np.zeros(n_resamples)
    for offset, name in enumerate(sorted(filled)):
        values = filled[name]
        counts = resample_counts(values.size, n_resamples, seed + offset)
        boot += (counts @ values) / values.size
    boot /= len(filled)
    lower, upper = percentile_interval(boot)
    value = float(np.mean([v.mean() for v in filled.values()]))
    return Estimate(value=value, lower=lower, upper=upper, n=sum(v.size for v in filled.values()))


def summarize_gradings(
    records: Sequence[Mapping[str, Any]], *, n_resamples: int, seed: int
) -> dict[str, Any]:
    """Per-preference means, the overall score under both N/A conventions, and the N/A rate."""
    as_zero: dict[str, list[float]] = defaultdict(list)
    excluded: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for record in records:
        preference = str(record["preference"])
        if record.get("status") == "ok":
            as_zero[preference].append(float(record["rating"]))
            excluded[preference].append(float(record["rating"]))
        elif record.get("status") == "na":
            as_zero[preference].append(0.0)
        else:
            errors[preference] += 1
    per_preference = {}
    for preference in [p for p in PREFERENCES if p in as_zero or p in errors]:
        graded, rated = as_zero[preference], excluded[preference]
        per_preference[preference] = {
            "n": len(graded),
            "n_na": len(graded) - len(rated),
            "n_error": errors[preference],
            "na_rate": (len(graded) - len(rated)) / len(graded) if graded else None,
            "mean_na_as_zero": float(np.mean(graded)) if graded else None,
            "mean_na_excluded": float(np.mean(rated)) if rated else None,
        }
    overall_zero = bootstrap_macro_mean(as_zero, n_resamples=n_resamples, seed=seed)
    overall_excluded = bootstrap_macro_mean(excluded, n_resamples=n_resamples, seed=seed)
    n_graded = sum(len(v) for v in as_zero.values())
    n_na = n_graded - sum(len(v) for v in excluded.values())
    return {
        "score": overall_zero.model_dump(),
        "overall": {
            "na_as_zero": overall_zero.model_dump(),
            "na_excluded": overall_excluded.model_dump(),
        },
        "na_rate": n_na / n_graded if n_graded else None,
        "per_preference": per_preference,
        "counts": {
            "graded": n_graded,
            "na": n_na,
            "errors": sum(errors.values()),
            "followups": sum(bool(r.get("followup")) for r in records),
        },
    }


class CodalJudgmentRecord(JudgmentRecord):
    """One CODAL-Bench grading: the preference, the reference used and the rating read."""

    preference: str
    length_answer: int
    reference_source: str | None = None
    length_reference: int | None = None
    reference_sha256: str | None = None
    rating: float | None = None


@register_protocol
class Codal(JudgeProtocol):
    """Reference-guided single grading, 1-10, per coding preference (CODAL-Bench)."""

    name = PROTOCOL
    record_model = CodalJudgmentRecord
    title = "CODAL-Bench"
    methods = METHODS
    template_rules = TemplateRules(
        placeholders=frozenset(
            {"instruction", "reference", "response", "title", "criteria", "preference"}
        ),
        required=frozenset({"instruction", "reference", "response"}),
        cases=PREFERENCES,
        reference_placeholders=frozenset({"instruction", "principle", "preference"}),
    )

    def builtin_prompts(self, variant: PromptVariant) -> PromptSet:
        paper = variant is PromptVariant.PAPER
        return PromptSet.build(
            source=f"builtin:{PROTOCOL}-{variant.value}",
            system=GRADING_SYSTEM_PAPER if paper else GRADING_SYSTEM,
            user={"": GRADING_USER_PAPER if paper else GRADING_USER},
            followup=GRADING_FOLLOWUP,
            reference=REFERENCE_USER,
            rubrics=format_rubrics(PAPER_RUBRICS if paper else RUBRICS),
            principles=PRINCIPLES,
        )

    def load_questions(self, source: str | None) -> list[CodalQuestion]:
        return load_codal(source)

    def plan(
        self,
        spec: JudgeRunSpec,
        method: MethodSpec,
        questions: Sequence[CodalQuestion],
        answers: AnswerSet,
        judge_model: str,
    ) -> Plan:
        own = method.reference is ReferenceRule.JUDGE and spec.baseline is None
        if own:
            reference = judge_model
        else:
            available = {name for q in questions for name in q.references}
            reference = choose_reference(available, spec.baseline, DEFAULT_REFERENCE)
            if spec.model == reference:
                raise BadInputError(
                    f"--model {spec.model!r} is also the baseline",
                    "give the judged model another name",
                )
        gradings, missing = plan_gradings(questions, answers, reference, generate_missing=own)
        return Plan(
            items=gradings,
            keys=tuple(g.key for g in gradings),
            missing=missing,
            n_questions=len(questions),
            baseline=reference,
            data={"reference_rule": (ReferenceRule.JUDGE if own else ReferenceRule.BASELINE)},
        )

    def build_messages(self, item: GradingSpec, ctx: JudgeContext) -> list[Message]:
        preference = item.question.preference
        rubric = ctx.prompts.rubrics.get(preference, {})
        user = ctx.prompts.user_template(preference).format(
            title=rubric.get("title", preference),
            criteria=rubric.get("criteria", ""),
            preference=preference,
            instruction=item.question.instruction,
            reference=item.reference,
            response=item.answer,
        )
        return [*ctx.prompts.system_messages(), {"role": "user", "content": user}]

    def reference_messages(self, item: GradingSpec, ctx: JudgeContext) -> list[Message]:
        """The request for the judge's own answer to the instruction (the paper's reference)."""
        template = ctx.prompts.reference or REFERENCE_USER
        preference = item.question.preference
        user = template.format(
            principle=ctx.prompts.principles.get(preference, ""),
            preference=preference,
            instruction=item.question.instruction,
        )
        return [{"role": "user", "content": user}]

    def parse(self, text: str, method: MethodSpec) -> RatingParse:
        """The rating of a reply, read as ``method`` reads it."""
        if method.parsing is ParsingRule.PAPER:
            return parse_rating_paper(text)
        return parse_rating(text)

    async def judge(self, item: GradingSpec, ctx: JudgeContext) -> Record:
        q = item.question
        record: Record = {
            **ctx.identity,
            "key": item.key,
            "question_id": q.id,
            "preference": q.preference,
            "length_answer": len(item.answer),
            "reference_source": item.reference_source,
            "created": utc_now(),
        }
        extra_tokens = (0, 0)
        if item.reference is None:
            try:
                written = await ctx.ask(self.reference_messages(item, ctx))
            except JudgeRequestError as exc:
                problem = "the judge's own reference answer could not be obtained"
                return {**record, "status": "error", "problem": problem, "error": str(exc)}
            item = item.model_copy(update={"reference": written.text})
            extra_tokens = (written.prompt_tokens, written.completion_tokens)
        reference = item.reference or ""
        record["length_reference"] = len(reference)
        record["reference_sha256"] = hashlib.sha256(reference.encode()).hexdigest()
        talk = await converse(
            ctx,
            self.build_messages(item, ctx),
            lambda text: self.parse(text, ctx.method),
            unreadable=lambda parsed: parsed.rating is None,
            no_label=lambda parsed: parsed.rating is None,
        )
        record.update(reply_fields(talk.replies))
        record["prompt_tokens"] += extra_tokens[0]
        record["completion_tokens"] += extra_tokens[1]
        if talk.error is not None and not talk.rejected:
            return {**record, "status": "error", "error": talk.error}
        if talk.rejected or talk.reading is None:
            problem = "the endpoint rejected the request"
            return {
                **record,
                "status": "na",
                "rating": None,
                "rejected": True,
                "error": talk.error,
                "problem": problem,
            }
        parsed = talk.reading
        status = "ok" if parsed.rating is not None else "na"
        return {**record, "status": status, "rating": parsed.rating, "problem": parsed.problem}

    def summarize(
        self,
        records: Sequence[Mapping[str, Any]],
        plan: Plan,
        spec: JudgeRunSpec,
        ctx: JudgeContext,
    ) -> dict[str, Any]:
        metrics = summarize_gradings(records, n_resamples=spec.n_resamples, seed=spec.seed)
        sources = [r.get("reference_source") for r in records if r.get("status") != "error"]
        metrics["reference"] = {
            "rule": plan.data["reference_rule"].value,
            "model": plan.baseline,
            "from_dataset": sources.count("dataset"),
            "generated": sources.count("generated"),
        }
        metrics["counts"].update(
            rejected=sum(bool(r.get("rejected")) for r in records),
            finished=sum(r.get("status") != "error" for r in records),
        )
        return metrics

    def summary_lines(self, summary: Mapping[str, Any]) -> list[str]:
        m = summary["metrics"]
        ref = m["reference"]
        return [
            f"score {number(m['overall']['na_as_zero'])} (N/A as 0), "
            f"{number(m['overall']['na_excluded'])} (N/A excluded); N/A rate {rate(m['na_rate'])}",
            "per preference: "
            + ", ".join(
                f"{name} {v['mean_na_as_zero']:.2f}" if v["mean_na_as_zero"] is not None else name
                for name, v in m["per_preference"].items()
            ),
            f"reference: {ref['rule']} ({ref['model']}): {ref['from_dataset']} from the "
            f"questions, {ref['generated']} written by the judge",
            f"failed gradings {m['counts']['errors']}, rejected (N/A) {m['counts']['rejected']}",
        ]
