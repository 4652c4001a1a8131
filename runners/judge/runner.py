"""One judge run end to end: load inputs, plan judgments, resume, judge concurrently, summarise.

The runner knows no protocol: it asks the registered ``JudgeProtocol`` for each step. Records are
appended to ``DIR/results.jsonl`` as each judgment finishes; a re-run into the same DIR judges
only what is missing or failed (earlier replies come from the cache), then rewrites
``DIR/summary.json`` from all records.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from runners.jsonl import latest_by_key
from runners.llm.jobs import ProgressHook, run_jobs
from runners.provenance import collect_provenance, utc_now
from runners.records import SummaryRecord, metrics_from_tree
from runners.results import ResultsStore, default_output_dir
from sandbox.errors import BadInputError
from sandbox.executor import Executor

from .client import JudgeClient
from .datasets import load_answers
from .grounded.execute import count_requests, execute_answers, stored_executions
from .grounded.metrics import execution_metrics, summarize_executions
from .grounded.models import AnswerExecutionResult, AnswerOutcome
from .protocol import JudgeContext, JudgeProtocol, JudgeRunSpec, Plan, get_protocol
from .records import FINAL_STATUSES, check_identity

__all__ = ["JudgeRunSpec", "ProgressHook", "run_judge"]

Job = Callable[[], Awaitable[dict[str, Any]]]


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _bind(protocol: JudgeProtocol, item: Any, ctx: JudgeContext) -> Job:
    async def judged() -> dict[str, Any]:
        record = await protocol.judge(item, ctx)
        record.update(protocol.execution_fields(item, ctx))
        return protocol.record_model.model_validate(record).model_dump(mode="json")

    return judged


def executing(protocol: JudgeProtocol, spec: JudgeRunSpec) -> bool:
    """Whether this run executes the answers' code (``--execute``, or a grounded protocol)."""
    return spec.execute or protocol.needs_execution


async def _execute(
    protocol: JudgeProtocol,
    plan: Plan,
    spec: JudgeRunSpec,
    stored: Mapping[str, Any],
    executor: Executor | None,
    progress: ProgressHook | None,
) -> dict[str, AnswerExecutionResult]:
    """Every planned answer's execution: reused from stored records, else run now."""
    if not executing(protocol, spec):
        return {}
    if not protocol.executes_answers:
        raise BadInputError(
            f"the {protocol.name} protocol does not execute answers", "drop --execute"
        )
    if executor is None:
        raise BadInputError(
            "executing answers needs the sandbox's Docker engine",
            "start Docker (sandbox doctor), or drop --execute / --ground",
        )
    sides = [protocol.answer_sides(item) for item in plan.items]
    answers = [answer for per_item in sides for answer in per_item.values()]
    fields = sorted({f"execution_{side}" for per_item in sides for side in per_item})
    known = stored_executions(stored.values(), fields)
    todo = [a for a in answers if a.key() not in known]
    if progress is not None:
        progress.start(count_requests(todo), 0)
    advance = progress.advance if progress is not None else None
    ran = await asyncio.to_thread(execute_answers, todo, executor, spec.execution, advance)
    return {**known, **ran}


def _needs_judging(
    record: Mapping[str, Any] | None, item: Any, protocol: JudgeProtocol, execute: bool
) -> bool:
    """Not final yet, or final but without (a valid) execution of each of its answers."""
    if record is None or record.get("status") not in FINAL_STATUSES:
        return True
    if not execute:
        return False
    for side in protocol.answer_sides(item):
        found = record.get(f"execution_{side}")
        if not isinstance(found, Mapping) or found.get("outcome") == AnswerOutcome.SANDBOX_ERROR:
            return True  # judged again from the cache, with the execution attached
    return False


async def run_judge(
    spec: JudgeRunSpec,
    client: JudgeClient,
    progress: ProgressHook | None = None,
    executor: Executor | None = None,
    exec_progress: ProgressHook | None = None,
) -> tuple[Path, SummaryRecord]:
    """Judge every answer (resuming), write results.jsonl + summary.json; return (DIR, summary).

    With ``spec.execute`` (or a grounded protocol) the code of every answer first runs through
    ``executor``, and each record carries what happened."""
    protocol = get_protocol(spec.protocol)
    method = protocol.method(spec.method).with_sampling(
        spec.temperature, spec.top_p, spec.max_tokens
    )
    prompts = protocol.prompts(method, spec.judge_prompt)
    answers = load_answers(spec.answers)
    questions = protocol.load_questions(spec.questions)
    judge_model = await client.resolve_model()
    plan = protocol.plan(spec, method, questions, answers, judge_model)
    identity = {
        "protocol": protocol.name,
        "model": spec.model,
        "baseline": plan.baseline,
        "judge_model": judge_model,
        "method": method.name.value,
        "prompt_sha256": prompts.sha256,
    }
    directory = spec.output or default_output_dir(
        "judge", protocol.name, method.name.value, spec.model, judge_model
    )
    store = ResultsStore(directory)
    existing = latest_by_key(store.load_records())
    check_identity(existing.values(), identity, str(directory))
    executions = await _execute(protocol, plan, spec, existing, executor, exec_progress)
    ctx = JudgeContext(
        client, method, prompts, identity, protocol.cache_context(method), executions
    )
    execute = executing(protocol, spec)
    jobs = [
        _bind(protocol, item, ctx)
        for item in plan.items
        if _needs_judging(existing.get(item.key), item, protocol, execute)
    ]
    if progress is not None:
        progress.start(len(plan.keys), len(plan.keys) - len(jobs))
    started = utc_now()
    await run_jobs(jobs, store, progress)
    summary = _summarize(spec, protocol, plan, ctx, store, started)
    store.write_summary(summary)
    return directory, summary


def _summarize(
    spec: JudgeRunSpec,
    protocol: JudgeProtocol,
    plan: Plan,
    ctx: JudgeContext,
    store: ResultsStore,
    started: str,
) -> SummaryRecord:
    latest = latest_by_key(store.load_records())
    records = [latest[k] for k in plan.keys if k in latest]
    metrics = protocol.summarize(records, plan, spec, ctx)
    gate_metrics = metrics_from_tree(protocol.name, metrics)
    execution: dict[str, Any] = {}
    if executing(protocol, spec):
        table = summarize_executions(records, protocol.side_players, spec.model, plan.baseline)
        execution = {"settings": spec.execution.model_dump(), **table}
        gate_metrics.update(execution_metrics(protocol.name, table))
    metrics["counts"].update(
        questions=plan.n_questions,
        planned_judgments=len(plan.keys),
        missing_answers=len(plan.missing["missing_answer"]),
        missing_baseline=len(plan.missing["missing_baseline"]),
        too_long=len(plan.missing.get("too_long", [])),
    )
    client = ctx.client
    judge_params = {
        **client.spec.model_dump(exclude={"model", "api_key_env", "temperature", "max_tokens"}),
        **ctx.method.sampling.params(),
        "api_key_env": client.spec.api_key_env,
    }
    pending = [k for k in plan.keys if latest.get(k, {}).get("status") not in FINAL_STATUSES]
    stats = {"n_resamples": spec.n_resamples, "seed": spec.seed}
    details = {
        **ctx.identity,
        "method_rules": protocol.describe_method(ctx.method),
        "prompt": {
            "source": ctx.prompts.source,
            "sha256": ctx.prompts.sha256,
            "file_sha256": ctx.prompts.file_sha256,
        },
        "pending_judgments": len(pending),
        "warnings": protocol.warnings(metrics),
        "missing": plan.missing,
        "metrics": metrics,
        **({"execution": execution} if execution else {}),
        "usage": {
            "this_run": client.usage.as_dict(spec.price_input, spec.price_output),
            "all_judgments": {
                "prompt_tokens": sum(int(r.get("prompt_tokens") or 0) for r in records),
                "completion_tokens": sum(int(r.get("completion_tokens") or 0) for r in records),
            },
        },
    }
    return SummaryRecord(
        kind="judge",
        name=protocol.name,
        model=spec.model,
        complete=not pending and not execution.get("sandbox_errors"),
        metrics=gate_metrics,
        counts={k: v for k, v in metrics["counts"].items() if isinstance(v, int)},
        details=details,
        provenance=collect_provenance(
            command="judge",
            judge_model=ctx.identity["judge_model"],
            judge_params=judge_params,
            judge_method=ctx.method.name.value,
            judge_prompt=ctx.prompts.source,
            judge_prompt_sha256=ctx.prompts.sha256,
            served_models=sorted(client.usage.served_models),
            questions=spec.questions or "hub",
            questions_sha256=_sha256(Path(spec.questions)) if spec.questions else None,
            answers=str(spec.answers),
            answers_sha256=_sha256(spec.answers),
            compare_with=[str(p) for p in spec.compare_with],
            statistics={**stats, "confidence": 0.95},
            started_at=started,
            finished_at=utc_now(),
        ),
    )
