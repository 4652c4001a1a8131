"""CODAL-Bench protocol: each answer graded 1-10 against a reference, under the rubric of the
record's coding preference (instruction-following, explanation, complexity, readability, style).

A rating that cannot be read after one follow-up is N/A. Scores are reported both with N/A as 0
(as the original CODAL-Bench scripts do) and with N/A excluded; a request that failed is an
error, never an N/A, and is retried on the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from runners.provenance import utc_now
from runners.stats import resample_counts
from sandbox.models import FrozenModel

from .client import ChatReply, JudgeClient
from .datasets import AnswerSet, CodalQuestion
from .errors import JudgeRequestError
from .parsing import parse_rating
from .prompts import GRADING_FOLLOWUP, PREFERENCES, build_grading_messages
from .records import reply_fields
from .stats import Estimate, percentile_interval

PROTOCOL = "codal"
DEFAULT_REFERENCE = "gpt-3.5-turbo"


class GradingSpec(FrozenModel):
    """One grading to make."""

    key: str
    question: CodalQuestion
    reference: str
    answer: str


def plan_gradings(
    questions: Sequence[CodalQuestion], answers: AnswerSet, reference_model: str
) -> tuple[list[GradingSpec], dict[str, list[str]]]:
    """A grading for every record with a model answer and a reference answer."""
    specs: list[GradingSpec] = []
    missing: dict[str, list[str]] = {"missing_answer": [], "missing_baseline": []}
    for question in questions:
        answer = answers.find(question.id, question.instruction)
        reference = question.references.get(reference_model)
        if answer is None:
            missing["missing_answer"].append(question.id)
        elif reference is None:
            missing["missing_baseline"].append(question.id)
        else:
            key = f"{PROTOCOL}|{question.id}"
            specs.append(
                GradingSpec(key=key, question=question, reference=reference, answer=answer)
            )
    return specs, missing


async def grade_answer(
    client: JudgeClient, spec: GradingSpec, identity: Mapping[str, str]
) -> dict[str, Any]:
    """One grading record: ``ok`` with a rating, ``na`` (unreadable) or ``error``."""
    q = spec.question
    record: dict[str, Any] = {
        **identity,
        "key": spec.key,
        "question_id": q.id,
        "preference": q.preference,
        "length_answer": len(spec.answer),
        "length_reference": len(spec.reference),
        "created": utc_now(),
    }
    messages = build_grading_messages(q.preference, q.instruction, spec.reference, spec.answer)
    replies: list[ChatReply] = []
    try:
        replies.append(await client.complete(messages))
        parsed = parse_rating(replies[0].text)
        if parsed.rating is None:
            followup = [
                *messages,
                {"role": "assistant", "content": replies[0].text},
                {"role": "user", "content": GRADING_FOLLOWUP},
            ]
            replies.append(await client.complete(followup))
            parsed = parse_rating(replies[1].text)
    except JudgeRequestError as exc:
        return {**record, **reply_fields(replies), "status": "error", "error": str(exc)}
    return {
        **record,
        **reply_fields(replies),
        "status": "ok" if parsed.rating is not None else "na",
        "rating": parsed.rating,
        "problem": parsed.problem,
    }


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
