"""One generation run end to end: plan the prompts, resume, ask concurrently, record, write the
samples file.

The runner knows no benchmark: it asks the registered ``Generator`` for the prompts and for the
samples-file line of each reply. Each sample's record is appended to ``DIR/results.jsonl`` as
soon as its reply is in, so a crash or Ctrl-C loses nothing paid for; a re-run into the same
DIR asks only for samples without a final record (and even those come from the request cache
when they were paid for before the crash).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runners.llm import (
    ChatReply,
    EndpointError,
    LLMClient,
    RequestFailedError,
    RequestRejectedError,
    SamplingSpec,
    compute_cost,
)
from runners.llm.jobs import ProgressHook, run_jobs
from runners.provenance import collect_provenance, utc_now
from runners.results import ResultsStore, default_output_dir
from sandbox.errors import BadInputError

from .base import (
    GenerateRunSpec,
    Generator,
    PromptForm,
    PromptItem,
    check_sampling,
    get_generator,
    resolve_sampling,
)
from .outputs import count_statuses, first_problems, write_outputs
from .records import FINAL_STATUSES, GenerationRecord, GenerationStatus, GenerationSummary


@dataclass(frozen=True)
class SampleJob:
    """One sample to ask for: the prompt, its number among the task's samples, its sampling."""

    item: PromptItem
    index: int
    sampling: SamplingSpec
    key: str


def sample_key(
    spec: GenerateRunSpec, job_item: PromptItem, index: int, sampling: SamplingSpec
) -> str:
    """Identifies a sample: task, number and a hash of everything that decides the reply (model,
    revision, request, sampling); a changed prompt or parameter is asked again."""
    blob = json.dumps(
        [spec.model, spec.revision, job_item.request(), sampling.params()],
        sort_keys=True,
        ensure_ascii=False,
    )
    digest = hashlib.sha256(blob.encode()).hexdigest()[:16]
    return f"{spec.suite}|{job_item.language}|{job_item.task_id}|{index}|{digest}"


def plan_jobs(
    spec: GenerateRunSpec, generator: Generator
) -> tuple[list[SampleJob], dict[str, str]]:
    """Every sample of the run (``n`` per prompt), and the dataset it came from."""
    form = generator.form(spec)
    plan = generator.plan(spec, form)
    defaults = generator.defaults(spec, form)
    jobs = []
    for item in plan.items:
        sampling = resolve_sampling(spec, defaults, item)
        for index in range(spec.n):
            jobs.append(SampleJob(item, index, sampling, sample_key(spec, item, index, sampling)))
    return jobs, plan.dataset


async def run_generate(
    spec: GenerateRunSpec,
    client: LLMClient,
    progress: ProgressHook | None = None,
    *,
    check_model: bool = True,
) -> tuple[Path, GenerationSummary]:
    """Generate every sample (resuming), write results.jsonl, summary.json, the samples file
    and raw.jsonl; return (DIR, summary). An endpoint that refuses everything (bad URL, key or
    model) stops the run with EndpointError; what was stored stays."""
    generator = get_generator(spec.suite)
    spec = spec.model_copy(update={"suite": generator.name})  # one spelling in keys and records
    generator.check_spec(spec)
    check_sampling(spec)
    jobs, dataset = plan_jobs(spec, generator)
    directory = spec.output or default_output_dir("generate", generator.name, spec.model)
    store = ResultsStore(directory)
    existing = store.latest()
    _check_identity(existing.values(), spec, directory)
    todo = [job for job in jobs if existing.get(job.key, {}).get("status") not in FINAL_STATUSES]
    if progress is not None:
        progress.start(len(jobs), len(jobs) - len(todo))
    started = utc_now()
    if todo:
        if check_model:
            await check_model_served(client, spec.model)
        work = [_bind(generator, spec, client, job) for job in todo]
        await run_jobs(work, store, progress)
    latest = store.latest()
    records = [GenerationRecord.model_validate(latest[j.key]) for j in jobs if j.key in latest]
    complete = len(records) == len(jobs) and all(r.final for r in records)
    samples, raw = write_outputs(directory, generator.output, records, complete)
    summary = _summarize(spec, generator, jobs, records, client, dataset, started)
    summary = summary.model_copy(
        update={
            "complete": complete,
            "samples_file": str(samples) if samples else None,
            "raw_file": str(raw),
        }
    )
    store.write_summary(summary.model_dump(mode="json"))
    return directory, summary


async def check_model_served(client: LLMClient, model: str) -> None:
    """One ``GET /models`` before paying for anything: a wrong URL, a refused key or a model the
    endpoint does not serve is one clear error, not a thousand failed samples."""
    url = client.spec.base_url
    try:
        served = await client.list_models()
    except EndpointError as exc:
        if exc.status == 404:
            return  # no /models on this server: the first request will tell
        raise
    except RequestRejectedError:
        return
    except RequestFailedError as exc:
        raise EndpointError(
            f"cannot reach {url}: {exc.problem}",
            "check --base-url (it ends with /v1) and that the server is running",
        ) from exc
    if model not in served:
        shown = ", ".join(served[:8]) + (" ..." if len(served) > 8 else "")
        raise EndpointError(
            f"{url} does not serve a model named {model!r} (it serves: {shown or 'none'})",
            "pass --model with a served name (or --no-model-check for a server that answers "
            "under any name)",
        )


Job = Callable[[], Awaitable[GenerationRecord]]


def _bind(generator: Generator, spec: GenerateRunSpec, client: LLMClient, job: SampleJob) -> Job:
    async def generate() -> GenerationRecord:
        return await generate_sample(generator, spec, client, job)

    return generate


async def generate_sample(
    generator: Generator, spec: GenerateRunSpec, client: LLMClient, job: SampleJob
) -> GenerationRecord:
    """Ask for one sample; a refused or failed request is recorded, never raised (except an
    endpoint that refuses everything)."""
    item = job.item
    context = {"purpose": "generate", "revision": spec.revision, "sample": str(job.index)}
    base: dict[str, Any] = {
        "key": job.key,
        "suite": generator.name,
        "task_id": item.task_id,
        "sample_index": job.index,
        "language": item.language,
        "model": spec.model,
        "form": item.form,
        "request": {**item.request(), "params": job.sampling.params()},
        "created": utc_now(),
    }
    try:
        reply = await _ask(client, item, job.sampling, context)
    except RequestRejectedError as exc:
        empty = generator.empty_output(item)
        return GenerationRecord(
            **base,
            status=GenerationStatus.REJECTED,
            error=exc.problem,
            context_overflow=exc.context_overflow,
            sample=empty.fields,
            extraction="none: the endpoint refused the request",
        )
    except RequestFailedError as exc:
        return GenerationRecord(**base, status=GenerationStatus.ERROR, error=exc.problem)
    # evalplus's sanitize parses the reply many times over: off the event loop
    output = await asyncio.to_thread(generator.to_output, item, reply.text)
    return GenerationRecord(
        **base,
        status=GenerationStatus.OK,
        raw_answer=reply.text,
        sample=output.fields,
        code=output.code,
        extraction=output.extraction,
        finish_reason=reply.finish_reason,
        truncated=reply.finish_reason == "length",
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        cached=reply.cached,
        served_model=reply.served_model,
    )


async def _ask(
    client: LLMClient, item: PromptItem, sampling: SamplingSpec, context: dict[str, str]
) -> ChatReply:
    if item.form is PromptForm.COMPLETION:
        return await client.complete_text(item.prompt or "", sampling, context)
    return await client.complete(item.messages, sampling, context)


def _check_identity(records: Any, spec: GenerateRunSpec, directory: Path) -> None:
    """Refuse to resume into a folder that holds another model's or suite's generations."""
    for record in records:
        for field, wanted in (("suite", spec.suite), ("model", spec.model)):
            found = record.get(field)
            if found is not None and found != wanted:
                raise BadInputError(
                    f"{directory} holds generations with {field}={found!r}, "
                    f"this run has {field}={wanted!r}",
                    "use another --output directory (each run resumes only itself)",
                )


def _summarize(
    spec: GenerateRunSpec,
    generator: Generator,
    jobs: Sequence[SampleJob],
    records: Sequence[GenerationRecord],
    client: LLMClient,
    dataset: dict[str, str],
    started: str,
) -> GenerationSummary:
    prompt_tokens = sum(r.prompt_tokens for r in records)
    completion_tokens = sum(r.completion_tokens for r in records)
    every: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    cost = compute_cost(prompt_tokens, completion_tokens, spec.price_input, spec.price_output)
    if cost is not None:
        every["cost_usd"] = cost
    first = jobs[0].sampling.params() if jobs else {}
    settings = {
        **spec.model_dump(mode="json", include={"n", "greedy", "system", "revision", "limit"}),
        "form": generator.form(spec).value,
        "answer_prefix": spec.answer_prefix,
        "languages": list(spec.languages),
        "sampling": {k: v for k, v in first.items() if k not in ("stop",)},
        "endpoint": client.spec.base_url,
    }
    return GenerationSummary(
        name=generator.name,
        model=spec.model,
        complete=False,
        counts=dict(count_statuses(records, len(jobs))),
        settings=settings,
        usage={
            "this_run": client.usage.as_dict(spec.price_input, spec.price_output),
            "all_samples": every,
        },
        problems=first_problems(records),
        dataset=dataset,
        provenance=collect_provenance(
            command="generate",
            endpoint=client.spec.base_url,
            served_models=sorted(client.usage.served_models),
            started_at=started,
            finished_at=utc_now(),
        ),
    )
