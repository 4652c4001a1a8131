"""Per model: the share of answers whose code compiles and the share that runs clean, overall
and per language, with Wilson intervals, from the execution outcomes stored in judgment records.

Over answers whose code was executed (at least one block compiled or ran): ``compile_rate`` is
the share in which no block failed to compile, ``run_clean_rate`` the share in which every
block compiled and, when run, exited 0 within its time limit. ``code_rate`` is the share of all
answers that had code to execute. Answers left unexecuted (no code, no image, an engine
failure) are counted, never scored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from runners.records import MetricValue, make_metric
from runners.stats import compute_wilson_interval

from .models import FAILURES, AnswerExecutionResult, AnswerOutcome, BlockOutcome

SidePlayers = Callable[[Mapping[str, Any]], Mapping[str, str]]
RATES = ("code_rate", "compile_rate", "run_clean_rate")


def wilson(successes: int, n: int) -> dict[str, Any]:
    """``{value, lower, upper, n}`` of a proportion with its 95% Wilson interval."""
    if n == 0:
        return {"value": None, "lower": None, "upper": None, "n": 0}
    interval = compute_wilson_interval(successes, n)
    return {"value": successes / n, "lower": interval.low, "upper": interval.high, "n": n}


def answers_by_player(
    records: Iterable[Mapping[str, Any]], side_players: SidePlayers
) -> dict[str, dict[str, AnswerExecutionResult]]:
    """player -> question id -> the execution of that player's answer (one per question)."""
    found: dict[str, dict[str, AnswerExecutionResult]] = defaultdict(dict)
    for record in records:
        for side, player in side_players(record).items():
            raw = record.get(f"execution_{side}")
            if not isinstance(raw, Mapping):
                continue
            try:
                execution = AnswerExecutionResult.model_validate(raw)
            except ValidationError:
                continue
            found[player][str(record["question_id"])] = execution
    return dict(found)


def summarize_answers(answers: Mapping[str, AnswerExecutionResult]) -> dict[str, Any]:
    """Rates with intervals, outcome counts and the per-language table of one player."""
    executions = list(answers.values())
    executed = [e for e in executions if e.compiles is not None]
    outcomes = Counter(e.outcome.value for e in executions)
    return {
        "answers": len(executions),
        "code_rate": wilson(len(executed), len(executions)),
        "compile_rate": wilson(sum(bool(e.compiles) for e in executed), len(executed)),
        "run_clean_rate": wilson(sum(bool(e.runs_clean) for e in executed), len(executed)),
        "outcomes": {o.value: outcomes.get(o.value, 0) for o in AnswerOutcome},
        "per_language": _per_language(executions),
    }


def _per_language(executions: Iterable[AnswerExecutionResult]) -> dict[str, Any]:
    """An answer counts in each language it has an executed block in."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for execution in executions:
        blocks: dict[str, list[BlockOutcome]] = defaultdict(list)
        for block in execution.executed:
            blocks[str(block.language)].append(block.outcome)
        for language, outcomes in blocks.items():
            counts = tally[language]
            counts[0] += 1
            counts[1] += BlockOutcome.COMPILE_ERROR not in outcomes
            counts[2] += not any(o in FAILURES for o in outcomes)
    return {
        language: {
            "answers": n,
            "compile_rate": wilson(compiles, n),
            "run_clean_rate": wilson(clean, n),
        }
        for language, (n, compiles, clean) in sorted(tally.items())
    }


def summarize_executions(
    records: Iterable[Mapping[str, Any]], side_players: SidePlayers, model: str, baseline: str
) -> dict[str, Any]:
    """The execution table of a judge run: the judged model and the baseline."""
    players = answers_by_player(records, side_players)
    table: dict[str, Any] = {
        role: summarize_answers(players.get(name, {}))
        for role, name in (("model", model), ("baseline", baseline))
    }
    table["sandbox_errors"] = sum(
        e.outcome is AnswerOutcome.SANDBOX_ERROR for p in players.values() for e in p.values()
    )
    return table


def execution_metrics(prefix: str, table: Mapping[str, Any]) -> dict[str, MetricValue]:
    """Gate-named metrics: ``<prefix>.exec.<rate>`` for the judged model,
    ``<prefix>.exec.baseline.<rate>`` for the baseline, ``<prefix>.exec.per_language.<lang>.
    <rate>`` (with ``language`` set) for the judged model per language."""
    out: dict[str, MetricValue] = {}
    for role, head in (("model", f"{prefix}.exec"), ("baseline", f"{prefix}.exec.baseline")):
        for rate in RATES:
            out.update(estimate_metric(f"{head}.{rate}", table[role][rate]))
    for language, row in table["model"]["per_language"].items():
        for rate in ("compile_rate", "run_clean_rate"):
            name = f"{prefix}.exec.per_language.{language}.{rate}"
            out.update(estimate_metric(name, row[rate], language))
    return out


def estimate_metric(
    name: str, estimate: Mapping[str, Any], language: str | None = None
) -> dict[str, MetricValue]:
    """``{name: MetricValue}`` of an estimate ``{value, lower, upper, n}``; empty without value."""
    if estimate["value"] is None:
        return {}
    metric = make_metric(name, estimate["value"], estimate["n"], language)
    return {name: metric.model_copy(update={"low": estimate["lower"], "high": estimate["upper"]})}
