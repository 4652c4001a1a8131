"""CodeArena's metrics from judgment records, under either judging method.

Per question, as CodeArena scores it: the two games' points for the model (+2 ``>>``, +1 ``>``,
0 ``=``) are summed; > 0 is a win, 0 a tie, < 0 a loss. Under ``paper`` a game without a verdict
(no label, conflicting or unrecognised labels, a rejected request) adds 0 points and its question
still counts; under ``robust`` such a question is "incomplete" and left out of the rates.

Two scores, never one name for both: ``score_paper`` = (2W + T) / 2N over questions, CodeArena's
own ``score``; ``score_arena`` = (W + T/2) / N over parsed games, a ``>>`` game weighted 3, as
Arena-Hard scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .bradley_terry import fit_bradley_terry
from .categories import UNMAPPED, category_levels
from .datasets import ArenaQuestion
from .methods import CategoryRule, NoVerdictRule
from .stats import (
    PairGame,
    arena_score,
    bootstrap_mean,
    measure_length_bias,
    measure_position_consistency,
    points_for,
    win_tie_rates,
)

NO_VERDICT = "no_verdict"


def games_from_records(records: Iterable[Mapping[str, Any]]) -> list[PairGame]:
    """The games with a verdict among judgment records."""
    return [
        PairGame(
            question_id=str(r["question_id"]),
            player_a=r["player_a"],
            player_b=r["player_b"],
            label=r["label"],
            length_a=int(r.get("length_a", 0)),
            length_b=int(r.get("length_b", 0)),
        )
        for r in records
        if r.get("status") == "ok" and r.get("label")
    ]


def question_points(
    records: Iterable[Mapping[str, Any]], model: str, rule: NoVerdictRule
) -> dict[str, int]:
    """Summed points of each question whose two games count under ``rule``."""
    counted = {"ok", NO_VERDICT} if rule is NoVerdictRule.ZERO_POINTS else {"ok"}
    games: dict[str, dict[str, int]] = defaultdict(dict)
    for record in records:
        if record.get("status") not in counted:
            continue
        points = 0
        if record.get("status") == "ok" and record.get("label"):
            game = PairGame(
                question_id=str(record["question_id"]),
                player_a=record["player_a"],
                player_b=record["player_b"],
                label=record["label"],
            )
            points = points_for(game, model)
        games[str(record["question_id"])][str(record.get("game", record.get("key")))] = points
    return {q: sum(p.values()) for q, p in games.items() if len(p) == 2}


def paper_outcome(points: int) -> float:
    """A question's share of CodeArena's score: 1 win, 0.5 tie, 0 loss."""
    return 1.0 if points > 0 else 0.5 if points == 0 else 0.0


def _group_metrics(
    games: Sequence[PairGame], points: Mapping[str, int], model: str, resamples: int, seed: int
) -> dict[str, Any]:
    rates = win_tie_rates(points, n_resamples=resamples, seed=seed)
    outcomes = [paper_outcome(points[q]) for q in sorted(points)]
    return {
        "n": len(points),
        **{name: estimate.model_dump() for name, estimate in rates.items()},
        "score_paper": bootstrap_mean(outcomes, n_resamples=resamples, seed=seed).model_dump(),
        "score_arena": arena_score(games, model, n_resamples=resamples, seed=seed).model_dump(),
    }


def _grouped(
    games: Sequence[PairGame],
    points: Mapping[str, int],
    groups: Mapping[str, Sequence[str]],
    model: str,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """Metrics per group; ``groups`` maps a question id to the groups it belongs to."""
    members: dict[str, set[str]] = defaultdict(set)
    for qid, names in groups.items():
        for name in names:
            members[name].add(qid)
    return {
        name: _group_metrics(
            [g for g in games if g.question_id in ids],
            {q: p for q, p in points.items() if q in ids},
            model,
            resamples,
            seed,
        )
        for name, ids in sorted(members.items())
    }


def _groups_of(
    records: Sequence[Mapping[str, Any]], questions: Sequence[ArenaQuestion], field: str
) -> dict[str, list[str]]:
    """Question id -> its groups for ``field``, from the records (else from the questions)."""
    known = {q.id: q for q in questions}
    groups: dict[str, list[str]] = {}
    for record in records:
        qid = str(record["question_id"])
        value = record.get(field)
        if value is None and qid in known:
            value = getattr(known[qid], field)
        if value is not None:
            groups[qid] = (
                [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            )
    return groups


def _category_groups(
    task_types: Mapping[str, Sequence[str]], rule: CategoryRule
) -> dict[str, dict[str, list[str]]]:
    """``per_category`` (and ``per_subcategory`` through CodeArena's table) groupings."""
    if rule is CategoryRule.TASK_TYPE:
        return {"per_category": {q: list(t) for q, t in task_types.items()}}
    levels = {q: category_levels(t[0]) for q, t in task_types.items() if t}
    return {
        "per_category": {q: [main] for q, (main, _) in levels.items()},
        "per_subcategory": {q: [sub] for q, (_, sub) in levels.items()},
    }


def _counts(records: Sequence[Mapping[str, Any]], points: Mapping[str, int]) -> dict[str, int]:
    statuses = [r.get("status") for r in records]
    judged = {str(r["question_id"]) for r in records}
    return {
        "questions_judged": len(judged),
        "questions_complete": len(points),
        "questions_incomplete": len(judged) - len(points),
        "games": len(records),
        "games_ok": statuses.count("ok"),
        "games_unparsable": statuses.count("unparsable"),
        "games_no_verdict": statuses.count(NO_VERDICT),
        "games_error": statuses.count("error"),
        "rejected": sum(bool(r.get("rejected")) for r in records),
        "finished": len(records) - statuses.count("error"),
        "followups": sum(bool(r.get("followup")) for r in records),
    }


def summarize_games(
    records: Sequence[Mapping[str, Any]],
    questions: Sequence[ArenaQuestion],
    model: str,
    baseline: str,
    *,
    extra_battles: Sequence[PairGame] = (),
    n_resamples: int,
    seed: int,
    no_verdict: NoVerdictRule = NoVerdictRule.INCOMPLETE,
    categories: CategoryRule = CategoryRule.TASK_TYPE,
) -> dict[str, Any]:
    """CodeArena metrics from the latest record of each judgment (groups from the records, or
    from ``questions`` for records that lack them); the defaults are the robust method's rules."""
    games = games_from_records(records)
    points = question_points(records, model, no_verdict)
    kw = {"resamples": n_resamples, "seed": seed}
    task_types = _groups_of(records, questions, "category")
    grouped = {
        name: _grouped(games, points, groups, model, **kw)
        for name, groups in {
            "per_language": _groups_of(records, questions, "languages"),
            **_category_groups(task_types, categories),
            "per_difficulty": _groups_of(records, questions, "difficulty"),
        }.items()
    }
    counts = _counts(records, points)
    if categories is CategoryRule.LEVELS:
        counts["unmapped_task_types"] = sum(
            category_levels(t[0])[0] == UNMAPPED for t in task_types.values() if t
        )
    return {
        **_group_metrics(games, points, model, n_resamples, seed),
        "category_scheme": categories.value,
        **grouped,
        "position_consistency": measure_position_consistency(games),
        "length_bias": measure_length_bias(games),
        "bradley_terry": fit_bradley_terry(
            [*games, *extra_battles], baseline, n_resamples=n_resamples, seed=seed
        ),
        "counts": counts,
    }
