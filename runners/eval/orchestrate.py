"""``sandbox eval`` end to end: generate, run, judge, report, gate.

Every step writes into its own folder under the output directory and resumes there, so a
re-run of the same config asks the model nothing, executes nothing and judges nothing that is
already done; it only rewrites the summaries, the report and the decision:

    OUTPUT/generate/<suite or protocol>/   samples.jsonl or answers.jsonl, raw.jsonl, records
    OUTPUT/results/<suite or protocol>/    scored results (what report and gate read)
    OUTPUT/report.html, report.md, report.json, junit.xml, gate.json, eval.json
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import Field

from runners.gate import GateResult, evaluate_gate
from runners.generate.base import GenerateRunSpec, OutputKind, get_generator
from runners.generate.outputs import SAMPLES_FILES
from runners.generate.records import GenerationSummary
from runners.generate.session import generate_with_endpoint
from runners.judge.cache import JudgmentCache, default_cache_path
from runners.judge.client import JudgeClient, JudgeClientSpec
from runners.judge.datasets import read_rows
from runners.judge.runner import run_judge
from runners.llm import EndpointSpec
from runners.provenance import collect_provenance, utc_now
from runners.report.loaders import load_sources
from runners.results import ResultsStore
from runners.stats import McNemarMethod
from runners.suites import get_suite
from runners.suites.base import SuiteRunSpec
from runners.suites.driver import run_suite
from sandbox.errors import BadInputError, SandboxError
from sandbox.executor import Executor
from sandbox.files import write_atomic
from sandbox.models import FrozenModel
from sandbox.progress import ProgressReporter

from .config import EvalConfigSpec, ProtocolEntrySpec, SamplingConfigSpec, SuiteEntrySpec
from .executors import open_executor
from .reports import check_formats, write_reports


class EvalStepError(SandboxError):
    """A step cannot give results worth scoring (every request refused, nothing generated)."""


class EvalStepResult(FrozenModel):
    """One step: what it was, where its results are, whether it is whole, and its time."""

    step: str
    name: str
    directory: str
    complete: bool
    detail: str = ""
    seconds: float = 0.0


class EvalResult(FrozenModel):
    """The evaluation: its steps, the reports, and the release decision with its reason."""

    model: str
    output: str
    steps: list[EvalStepResult] = Field(default_factory=list)
    reports: dict[str, str] = Field(default_factory=dict)
    gate: GateResult | None = None
    passed: bool
    reason: str
    provenance: dict[str, Any] = Field(default_factory=dict)


def run_eval(
    config: EvalConfigSpec,
    *,
    executor: Executor | None = None,
    progress: ProgressReporter | None = None,
) -> EvalResult:
    """Generate, run, judge, report and gate as ``config`` says; return the decision.

    ``executor`` replaces the one ``[run] executor`` names (made on first use either way).
    """
    check_formats(config.run.report)
    reporter = progress or ProgressReporter(enabled=False)
    out = config.run.output
    steps: list[EvalStepResult] = []
    started = utc_now()
    for entry in [*config.suites, *config.protocols]:
        steps.append(_timed(_generate, config, entry, reporter))
    generated = {s.name for s in steps if s.complete}
    chosen = executor or open_executor(config.run.executor, config.run.workers)
    try:
        for suite_entry in config.suites:
            if suite_entry.name in generated:
                steps.append(_timed(_run, config, suite_entry, chosen, reporter))
    finally:
        if executor is None:
            chosen.close()
    for protocol_entry in config.protocols:
        if protocol_entry.name in generated:
            steps.append(_timed(_judge, config, protocol_entry, reporter))
    results = out / "results"
    reports = (
        write_reports(out, results, config.baseline.results, config.run.report)
        if results.is_dir()
        else {}
    )
    gate, passed, reason = _decide(config, results, steps)
    outcome = EvalResult(
        model=config.candidate.model,
        output=str(out),
        steps=steps,
        reports=reports,
        gate=gate,
        passed=passed,
        reason=reason,
        provenance=collect_provenance(command="eval", started_at=started, finished_at=utc_now()),
    )
    write_atomic(out / "eval.json", outcome.model_dump_json(indent=2) + "\n")
    if gate is not None:
        write_atomic(out / "gate.json", gate.model_dump_json(indent=2) + "\n")
    return outcome


def _timed(step: Callable[..., EvalStepResult], *args: Any) -> EvalStepResult:
    began = time.monotonic()
    result = step(*args)
    return result.model_copy(update={"seconds": round(time.monotonic() - began, 2)})


def _sampling(config: EvalConfigSpec, entry: SamplingConfigSpec) -> dict[str, Any]:
    """The entry's sampling, else the ``[generation]`` defaults, else the benchmark's."""
    keys = SamplingConfigSpec.model_fields
    merged = {k: getattr(entry, k) for k in keys if getattr(entry, k) is not None}
    defaults = {k: getattr(config.generation, k) for k in keys}
    return {**{k: v for k, v in defaults.items() if v is not None}, **merged}


def generation_spec(
    config: EvalConfigSpec, entry: SuiteEntrySpec | ProtocolEntrySpec
) -> GenerateRunSpec:
    """What ``sandbox generate`` is asked for one suite or protocol of the config."""
    candidate = config.candidate
    common: dict[str, Any] = {
        "suite": entry.name,
        "model": candidate.model,
        "output": config.run.output / "generate" / entry.name,
        "revision": candidate.revision,
        "price_input": candidate.price_input,
        "price_output": candidate.price_output,
        **_sampling(config, entry),
    }
    if isinstance(entry, SuiteEntrySpec):
        return GenerateRunSpec(
            **common,
            form=entry.form,
            answer_prefix=entry.answer_prefix,
            limit=entry.limit,
            languages=tuple(entry.languages),
            data=entry.data,
        )
    return GenerateRunSpec(**common, data=questions_file(config, entry))


def questions_file(config: EvalConfigSpec, entry: ProtocolEntrySpec) -> Path | None:
    """The protocol's questions; with ``limit``, the first N written beside the results, so
    that generation and the judge see the same questions."""
    if entry.limit is None:
        return entry.questions
    if entry.questions is None:
        raise BadInputError(
            f"protocols {entry.name}: limit needs a local questions file", "set questions = PATH"
        )
    rows = read_rows(str(entry.questions), "")[: entry.limit]
    target = config.run.output / "data" / f"{entry.name}-questions.jsonl"
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for _, r in rows)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        write_atomic(target, text)
    return target


def _generate(
    config: EvalConfigSpec, entry: SuiteEntrySpec | ProtocolEntrySpec, reporter: ProgressReporter
) -> EvalStepResult:
    spec = generation_spec(config, entry)
    candidate = config.candidate
    endpoint = EndpointSpec(
        base_url=candidate.base_url,
        model=candidate.model,
        api_key_env=candidate.api_key_env,
        timeout_s=candidate.timeout,
        max_retries=candidate.max_retries,
        backoff_base_s=candidate.retry_base_delay,
        concurrency=candidate.concurrency,
    )
    cache = config.run.generate_cache or config.run.output / "cache" / "generate.sqlite"
    reporter.say(f"[eval] generate {entry.name} with {candidate.model}")
    directory, summary = asyncio.run(
        generate_with_endpoint(spec, endpoint, cache, reporter, check_model=candidate.model_check)
    )
    _require_usable(entry.name, summary)
    counts = summary.counts
    usage = summary.usage.get("this_run", {})
    detail = (
        f"{counts.get('ok', 0)} answered, {counts.get('rejected', 0)} refused, "
        f"{counts.get('errors', 0)} failed; {usage.get('requests', 0)} requests, "
        f"{usage.get('cache_hits', 0)} from the cache, "
        f"{summary.usage.get('all_samples', {}).get('total_tokens', 0)} tokens in all"
    )
    if not summary.complete:
        first = summary.problems[0] if summary.problems else "no detail"
        detail = f"{detail} (first failure: {first})"
    return EvalStepResult(
        step="generate",
        name=entry.name,
        directory=str(directory),
        complete=summary.complete,
        detail=detail,
    )


def _require_usable(name: str, summary: GenerationSummary) -> None:
    """An endpoint that refused every sample is a set-up problem, not the model's score: stop
    before anything is scored. (Samples that failed for good leave the step unfinished: the
    decision is then 'blocked, re-run to resume'.)"""
    counts = summary.counts
    first = summary.problems[0] if summary.problems else "no detail"
    if counts.get("planned") and counts.get("rejected") == counts.get("planned"):
        raise EvalStepError(
            f"the endpoint refused every request for {name} (first: {first})",
            "check the model's context length and max_tokens, or set answer_prefix = false "
            "for an endpoint that cannot continue an assistant turn",
        )


def _run(
    config: EvalConfigSpec, entry: SuiteEntrySpec, executor: Executor, reporter: ProgressReporter
) -> EvalStepResult:
    suite = get_suite(entry.name)
    samples_name = SAMPLES_FILES[get_generator(entry.name).output]
    options = {"timeout_s": entry.timeout, "ks": tuple(sorted(set(entry.k)))}
    spec = SuiteRunSpec(
        suite=entry.name,
        model=config.candidate.model,
        samples=config.run.output / "generate" / entry.name / samples_name,
        output=config.run.output / "results" / entry.name,
        languages=tuple(entry.languages),
        limit=entry.limit,
        data=entry.data,
        workers=config.run.workers,
        options={
            k: v for k, v in options.items() if v is not None and k in suite.Options.model_fields
        },
    )
    reporter.say(f"[eval] run {entry.name}")
    store = ResultsStore(config.run.output / "results" / entry.name)
    before = len(store.load_records())
    summary = run_suite(spec, executor=executor, progress=reporter)
    scored = len(store.load_records()) - before
    pending = {k: v for k, v in summary.counts.items() if k in ("errors", "incomplete") and v}
    notes = [f"{scored} samples scored this run", *(f"{k} {v}" for k, v in pending.items())]
    return EvalStepResult(
        step="run",
        name=entry.name,
        directory=str(spec.output),
        complete=summary.complete,
        detail="; ".join(notes),
    )


def _judge(
    config: EvalConfigSpec, entry: ProtocolEntrySpec, reporter: ProgressReporter
) -> EvalStepResult:
    from runners.judge.protocol import JudgeRunSpec

    judge = config.judge
    if judge is None:  # the config's validator requires it with protocols
        raise BadInputError("[[protocols]] need a [judge] table", "add [judge] base_url, model")
    questions = questions_file(config, entry)
    run = JudgeRunSpec(
        protocol=entry.name,
        method=entry.method,
        answers=config.run.output / "generate" / entry.name / SAMPLES_FILES[OutputKind.ANSWERS],
        model=config.candidate.model,
        questions=str(questions) if questions else None,
        baseline=entry.baseline,
        output=config.run.output / "results" / entry.name,
    )
    client_spec = JudgeClientSpec(
        base_url=judge.base_url,
        model=judge.model,
        api_key_env=judge.api_key_env,
        timeout_s=judge.timeout,
        max_retries=judge.max_retries,
        backoff_base_s=judge.retry_base_delay,
        concurrency=judge.concurrency,
    )
    cache = JudgmentCache(config.run.judge_cache or default_cache_path())
    reporter.say(f"[eval] judge {entry.name}")

    async def judged() -> tuple[Path, Any]:
        async with JudgeClient(client_spec, cache) as client:
            return await run_judge(run, client, reporter.task(f"judge {entry.name}"))

    try:
        directory, summary = asyncio.run(judged())
    finally:
        cache.close()
    pending = summary.details.get("pending_judgments", 0)
    usage = summary.details.get("usage", {}).get("this_run", {})
    notes = [f"{usage.get('requests', 0)} judge requests this run"]
    if pending:
        notes.append(f"{pending} judgments failed")
    return EvalStepResult(
        step="judge",
        name=entry.name,
        directory=str(directory),
        complete=summary.complete,
        detail="; ".join(notes),
    )


def _decide(
    config: EvalConfigSpec, results: Path, steps: list[EvalStepResult]
) -> tuple[GateResult | None, bool, str]:
    """The gate's decision; unfinished results block (a sandbox error is never a pass)."""
    unfinished = [f"{s.step} {s.name} ({s.detail})" for s in steps if not s.complete]
    if unfinished:
        return None, False, f"blocked: unfinished, re-run to resume: {'; '.join(unfinished)}"
    rules = config.gate
    gate = None
    if rules.require or rules.max_drop:
        gate = evaluate_gate(
            load_sources([results]),
            load_sources(list(config.baseline.results)),
            rules.require,
            rules.max_drop,
            level=rules.level,
            method=McNemarMethod(rules.test),
            seed=rules.seed,
            resamples=rules.resamples,
        )
    if gate is None:
        return None, True, "no gate rules: nothing blocks"
    failed = [r.rule for r in gate.rules if not r.passed]
    if failed:
        return gate, False, f"blocked by {', '.join(failed)}"
    return gate, True, f"release may go ({len(gate.rules)} rules passed)"
