"""A generation run with its client and cache opened and closed around it (the CLI and
``sandbox eval`` both start runs this way)."""

from __future__ import annotations

from pathlib import Path

from runners.llm import EndpointSpec, LLMClient, RequestCache, cache_path
from sandbox.progress import ProgressReporter

from .base import GenerateRunSpec
from .records import GenerationSummary
from .runner import run_generate

CACHE_ENV = "SANDBOX_GENERATE_CACHE"


def default_generate_cache() -> Path:
    """``$SANDBOX_GENERATE_CACHE`` (a file), else ``generate.sqlite`` under the cache root."""
    return cache_path(CACHE_ENV, "generate.sqlite")


async def generate_with_endpoint(
    spec: GenerateRunSpec,
    endpoint: EndpointSpec,
    cache: Path | None,
    reporter: ProgressReporter,
    *,
    check_model: bool = True,
) -> tuple[Path, GenerationSummary]:
    """Run ``spec`` against ``endpoint`` with the request cache at ``cache`` (None: no cache)."""
    request_cache = RequestCache(cache, env_var=CACHE_ENV) if cache is not None else None
    try:
        async with LLMClient(endpoint, request_cache) as client:
            task = reporter.task(f"generate {spec.suite}")
            return await run_generate(spec, client, task, check_model=check_model)
    finally:
        if request_cache is not None:
            request_cache.close()
