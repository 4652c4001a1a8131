"""``sandbox judge-check``: is the judge right about code? Pairs of answers to the same task,
exactly one of which passes the tests (``pairs``), judged pairwise in both orders as CodeArena
judges, plainly and grounded in execution; validity is how often the verdict prefers the
passing answer (``check_metrics``).

Results follow the project's convention: one record per game appended to ``DIR/results.jsonl``
as it is judged, ``DIR/summary.json`` (a ``SummaryRecord`` whose ``model`` is the judge model, the
thing measured), and a re-run into the same DIR judges only what is missing or failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from runners.jsonl import latest_by_key
from runners.llm.jobs import ProgressHook, run_jobs
from runners.provenance import collect_provenance, utc_now
from runners.records import JudgmentRecord, SummaryRecord
from runners.results import ResultsStore, default_output_dir
from sandbox.errors import BadInputError
from sandbox.executor import Executor
from sandbox.models import FrozenModel

from ..client import JudgeClient
from ..codearena import GameSpec
from ..datasets import ArenaQuestion
from ..methods import MethodName
from ..protocol import JudgeContext, JudgeProtocol, get_protocol, grounded_protocol
from ..records import FINAL_STATUSES
from ..runner import Job
from ..stats import DEFAULT_RESAMPLES
from .check_metrics import PREFIX, check_metrics, count_flips, prefers_passing, summarize_grounding
from .execute import execute_answers, stored_executions
from .models import AnswerExecutionResult, AnswerToRun, ExecSettingsSpec
from .pairs import CheckPairSpec, load_check_sources, make_pairs, render_answer

Grounding = Literal["plain", "execution"]
PLAIN = "plain"


class JudgeCheckSpec(FrozenModel):
    """What ``sandbox judge-check`` compares and how."""

    results: tuple[Path, ...] = Field(min_length=2, description="sandbox run result folders")
    groundings: tuple[Grounding, ...] = ("plain", "execution")
    method: MethodName = MethodName.PAPER
    output: Path | None = None
    limit: int | None = Field(None, ge=1, description="first N pairs")
    execution: ExecSettingsSpec = Field(default_factory=ExecSettingsSpec)
    n_resamples: int = Field(DEFAULT_RESAMPLES, ge=1)
    seed: int = 0


class JudgeCheckRecord(JudgmentRecord):
    """One game of a check: a passing and a failing answer, in one order, under one grounding."""

    grounding: Grounding
    suite: str
    task_id: str
    language: str
    game: int = Field(ge=1, le=2)
    player_a: str
    player_b: str
    passing_position: Literal["A", "B"]
    label: str | None = None
    prefers_passing: bool | None = Field(None, description="None: a tie or no verdict")
    length_a: int
    length_b: int
    execution_a: AnswerExecutionResult | None = None
    execution_b: AnswerExecutionResult | None = None


def protocol_for(grounding: Grounding) -> JudgeProtocol:
    """CodeArena for ``plain``, its variant grounded in ``grounding`` otherwise."""
    base = get_protocol("codearena")
    return base if grounding == PLAIN else grounded_protocol(base.name, grounding)


def plan_games(pair: CheckPairSpec, grounding: Grounding) -> list[GameSpec]:
    """Both orders of one pair: passing answer as A, then as B."""
    question = ArenaQuestion(
        id=pair.key,
        question=pair.question,
        languages=(pair.language,),
        category=pair.suite,
        difficulty="",
        baselines={},
    )
    good = (pair.passing_model, render_answer(pair.language, pair.passing_code))
    bad = (pair.failing_model, render_answer(pair.language, pair.failing_code))
    return [
        GameSpec(
            key=f"{PREFIX}|{grounding}|{pair.key}|{number}",
            question=question,
            game=number,
            player_a=first[0],
            player_b=second[0],
            answer_a=first[1],
            answer_b=second[1],
        )
        for number, (first, second) in enumerate(((good, bad), (bad, good)), start=1)
    ]


def _check_record(
    raw: Mapping[str, Any], item: GameSpec, pair: CheckPairSpec, grounding: Grounding
) -> dict[str, Any]:
    """A CodeArena game record as a check record (who passes, whether the judge agreed)."""
    dropped = {"model_position", "languages", "category", "difficulty"}
    passing = "A" if item.player_a == pair.passing_model else "B"
    record = {k: v for k, v in raw.items() if k not in dropped}
    record.update(
        grounding=grounding,
        suite=pair.suite,
        task_id=pair.task_id,
        language=pair.language,
        passing_position=passing,
        prefers_passing=prefers_passing(raw.get("label"), passing),
    )
    return JudgeCheckRecord.model_validate(record).model_dump(mode="json")


class _Check:
    """The state of one check run: pairs, contexts per grounding, store."""

    def __init__(self, spec: JudgeCheckSpec, client: JudgeClient, judge_model: str) -> None:
        self.spec, self.client, self.judge_model = spec, client, judge_model
        sources = load_check_sources(spec.results)
        self.sources = [(s.directory, s.suite, s.model) for s in sources]
        self.pairs = make_pairs(sources)[: spec.limit]
        if not self.pairs:
            raise BadInputError(
                "no task where exactly one of the runs passes",
                "pass runs of the same suite by models that disagree on some tasks",
            )
        directory = spec.output or default_output_dir(PREFIX, spec.method.value, judge_model)
        self.store = ResultsStore(directory)
        self.existing = latest_by_key(self.store.load_records())

    def context(
        self, grounding: Grounding, executions: Mapping[str, AnswerExecutionResult]
    ) -> tuple[JudgeProtocol, JudgeContext]:
        protocol = protocol_for(grounding)
        method = protocol.method(self.spec.method)
        prompts = protocol.prompts(method, None)
        identity = {
            "protocol": PREFIX,
            "model": self.judge_model,
            "baseline": "tests",
            "judge_model": self.judge_model,
            "method": method.name.value,
            "prompt_sha256": prompts.sha256,
        }
        ctx = JudgeContext(
            self.client, method, prompts, identity, protocol.cache_context(method), executions
        )
        self._check_identity(grounding, identity)
        return protocol, ctx

    def _check_identity(self, grounding: str, identity: Mapping[str, str]) -> None:
        for record in self.existing.values():
            if record.get("grounding") != grounding:
                continue
            for field in ("judge_model", "method", "prompt_sha256"):
                if record.get(field) != identity[field]:
                    raise BadInputError(
                        f"{self.store.directory} holds checks with {field}="
                        f"{record.get(field)!r}, this run has {identity[field]!r}",
                        "use another --output directory (each run resumes only itself)",
                    )

    def answers(self) -> list[AnswerToRun]:
        return [
            AnswerToRun(text=render_answer(p.language, code), languages=(p.language,))
            for p in self.pairs
            for code in (p.passing_code, p.failing_code)
        ]

    def todo(self, item: GameSpec, executed: bool) -> bool:
        record = self.existing.get(item.key)
        if record is None or record.get("status") not in FINAL_STATUSES:
            return True
        return executed and not record.get("execution_a")


async def run_judge_check(
    spec: JudgeCheckSpec,
    client: JudgeClient,
    executor: Executor | None = None,
    progress: ProgressHook | None = None,
) -> tuple[Path, SummaryRecord]:
    """Judge every pair in both orders under each grounding (resuming); write the results."""
    judge_model = await client.resolve_model()
    check = _Check(spec, client, judge_model)
    executions: dict[str, AnswerExecutionResult] = {}
    if "execution" in spec.groundings:
        if executor is None:
            raise BadInputError(
                "the execution grounding needs the sandbox's Docker engine",
                "start Docker, or pass --ground plain",
            )
        answers = check.answers()
        known = stored_executions(check.existing.values(), ["execution_a", "execution_b"])
        todo = [a for a in answers if a.key() not in known]
        executions = {**known, **execute_answers(todo, executor, spec.execution)}
    jobs = []
    for grounding in spec.groundings:
        protocol, ctx = check.context(grounding, executions)
        for pair in check.pairs:
            for item in plan_games(pair, grounding):
                if check.todo(item, bool(executions)):
                    jobs.append(_bind(protocol, ctx, item, pair, grounding))
    total = len(check.pairs) * 2 * len(spec.groundings)
    if progress is not None:
        progress.start(total, total - len(jobs))
    started = utc_now()
    await run_jobs(jobs, check.store, progress)
    summary = summarize_check(check, started)
    check.store.write_summary(summary)
    return check.store.directory, summary


def _bind(
    protocol: JudgeProtocol,
    ctx: JudgeContext,
    item: GameSpec,
    pair: CheckPairSpec,
    grounding: Grounding,
) -> Job:
    async def judged() -> dict[str, Any]:
        raw = await protocol.judge(item, ctx)
        raw.update(protocol.execution_fields(item, ctx))
        return _check_record(raw, item, pair, grounding)

    return judged


def summarize_check(check: _Check, started: str) -> SummaryRecord:
    """``summary.json``: validity per grounding and language, the flips, counts, provenance."""
    spec = check.spec
    latest = latest_by_key(check.store.load_records())
    keys = {
        item.key: grounding
        for grounding in spec.groundings
        for pair in check.pairs
        for item in plan_games(pair, grounding)
    }
    by_grounding: dict[str, list[dict[str, Any]]] = {g: [] for g in spec.groundings}
    for key, grounding in keys.items():
        if key in latest:
            by_grounding[grounding].append(latest[key])
    tables: dict[str, Any] = {
        "groundings": {
            g: summarize_grounding(records, spec.n_resamples, spec.seed)
            for g, records in by_grounding.items()
        }
    }
    if PLAIN in by_grounding and "execution" in by_grounding:
        tables["flips"] = count_flips(by_grounding[PLAIN], by_grounding["execution"])
    pending = sum(latest.get(k, {}).get("status") not in FINAL_STATUSES for k in keys)
    return SummaryRecord(
        kind="judge",
        name=PREFIX,
        model=check.judge_model,
        complete=pending == 0,
        metrics=check_metrics(tables),
        counts={"pairs": len(check.pairs), "games": len(keys), "pending_games": pending},
        details={
            **tables,
            "judge_model": check.judge_model,
            "method": spec.method.value,
            "pairs": _pair_counts(check.pairs),
            "sources": [{"directory": d, "suite": s, "model": m} for d, s, m in check.sources],
            "execution_settings": spec.execution.model_dump(),
        },
        provenance=collect_provenance(
            command="judge-check",
            judge_model=check.judge_model,
            results=[str(p) for p in spec.results],
            statistics={"n_resamples": spec.n_resamples, "seed": spec.seed, "confidence": 0.95},
            started_at=started,
            finished_at=utc_now(),
        ),
    )


def _pair_counts(pairs: Sequence[CheckPairSpec]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pair in pairs:
        name = f"{pair.suite}/{pair.language}"
        counts[name] = counts.get(name, 0) + 1
    return counts
