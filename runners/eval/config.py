"""``sandbox eval``'s configuration: one TOML file names the candidate and its endpoint, the
suites and protocols, the judge, the baseline results and the gate rules.

Relative paths in the file are relative to the file's own folder, so a config and its data
travel together. ``${NAME}`` in a string is the environment variable NAME (CI passes the
endpoint and the revision that way; a variable that is not set is an error). Every table is
validated (unknown keys are errors) and the gate rules are parsed before anything runs, so that
a typo costs no request. See docs/generate.md.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from runners.gate import parse_max_drop, parse_require
from runners.generate.base import PromptForm
from runners.judge.methods import MethodName
from sandbox.errors import BadInputError
from sandbox.models import FrozenModel


class EndpointConfigSpec(FrozenModel):
    """An OpenAI-compatible endpoint and the model asked there."""

    model: str | None = None
    base_url: str
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = Field(4, ge=1)
    timeout: float = Field(300.0, gt=0, description="seconds per request")
    max_retries: int = Field(6, ge=0)
    retry_base_delay: float = Field(1.0, ge=0)

    @model_validator(mode="after")
    def _url(self) -> EndpointConfigSpec:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url {self.base_url!r} is not an http(s) URL")
        return self


class CandidateSpec(EndpointConfigSpec):
    """The model under evaluation (``model`` is its name at the endpoint and in the results)."""

    model: str
    revision: str = Field("", description="a new checkpoint under an old name: new cache keys")
    model_check: bool = True
    price_input: float | None = Field(None, ge=0)
    price_output: float | None = Field(None, ge=0)


class SamplingConfigSpec(FrozenModel):
    """Generation settings; ``None``: the benchmark's own."""

    n: int | None = Field(None, ge=1)
    greedy: bool | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1)
    system: str | None = None


class SuiteEntrySpec(SamplingConfigSpec):
    """One suite: generated, then executed and scored by ``sandbox run``'s driver."""

    name: str
    form: PromptForm | None = None
    answer_prefix: bool = True
    limit: int | None = Field(None, ge=1)
    languages: list[str] = Field(default_factory=list)
    data: Path | None = None
    timeout: float | None = Field(None, gt=0, description="execution time limit (McEval, ...)")
    k: list[int] = Field(default_factory=lambda: [1, 10, 100])


class ProtocolEntrySpec(SamplingConfigSpec):
    """One judge protocol: answers generated, then judged."""

    name: str
    questions: Path | None = Field(None, description="local file; None: the hub dataset")
    method: MethodName = MethodName.PAPER
    baseline: str | None = Field(None, description="the baseline's answers (<NAME>_response)")
    limit: int | None = Field(None, ge=1, description="first N questions")


class GateConfigSpec(FrozenModel):
    """``sandbox gate``'s rules and test settings."""

    require: list[str] = Field(default_factory=list)
    max_drop: list[str] = Field(default_factory=list)
    level: float = Field(0.05, gt=0.0, lt=1.0)
    test: str = Field("mid-p", pattern="^(mid-p|exact)$")
    seed: int = 0
    resamples: int = Field(10_000, ge=100)


class RunConfigSpec(FrozenModel):
    """Where results go and what executes them."""

    output: Path = Path("results/eval")
    executor: str = "local"
    workers: int | None = Field(None, ge=1)
    generate_cache: Path | None = Field(None, description="None: OUTPUT/cache/generate.sqlite")
    judge_cache: Path | None = Field(None, description="None: the judge's usual cache")
    report: list[str] = Field(default_factory=lambda: ["html", "markdown", "json", "junit"])


class BaselineSpec(FrozenModel):
    """The released model's result directories (from an earlier ``sandbox eval`` or run)."""

    results: list[Path] = Field(default_factory=list)


class EvalConfigSpec(FrozenModel):
    """The whole file."""

    candidate: CandidateSpec
    generation: SamplingConfigSpec = Field(default_factory=SamplingConfigSpec)
    suites: list[SuiteEntrySpec] = Field(default_factory=list)
    protocols: list[ProtocolEntrySpec] = Field(default_factory=list)
    judge: EndpointConfigSpec | None = None
    baseline: BaselineSpec = Field(default_factory=BaselineSpec)
    gate: GateConfigSpec = Field(default_factory=GateConfigSpec)
    run: RunConfigSpec = Field(default_factory=RunConfigSpec)

    @model_validator(mode="after")
    def _consistent(self) -> EvalConfigSpec:
        names = [s.name.lower() for s in self.suites] + [p.name.lower() for p in self.protocols]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} named twice")
        if not names:
            raise ValueError("no [[suites]] and no [[protocols]]: nothing to evaluate")
        if self.protocols and self.judge is None:
            raise ValueError("[[protocols]] need a [judge] table (base_url, model)")
        if self.gate.max_drop and not self.baseline.results:
            raise ValueError("gate.max_drop needs [baseline] results = [DIR, ...]")
        return self


def load_config(path: Path) -> EvalConfigSpec:
    """The config at ``path``, validated, its relative paths resolved against its folder and
    its gate rules parsed; BadInputError naming the file and the key otherwise."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})", "check the path") from exc
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(f"{path}: not valid TOML ({exc})", "fix the file") from exc
    try:
        config = EvalConfigSpec.model_validate(expand_variables(raw, path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise BadInputError(
            f"{path}: {where}: {first['msg']}", "see docs/generate.md for the config keys"
        ) from exc
    for rule in config.gate.require:
        parse_require(rule)
    for rule in config.gate.max_drop:
        parse_max_drop(rule)
    return resolve_paths(config, path.parent)


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_variables(value: Any, path: Path) -> Any:
    """``value`` with every ``${NAME}`` in its strings replaced by the environment's NAME."""
    if isinstance(value, dict):
        return {key: expand_variables(item, path) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_variables(item, path) for item in value]
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise BadInputError(
                f"{path}: ${{{name}}} is used but the environment variable {name} is not set",
                f"export {name}=... before running (or write the value in the file)",
            )
        return os.environ[name]

    return _VARIABLE.sub(lookup, value)


def resolve_paths(config: EvalConfigSpec, root: Path) -> EvalConfigSpec:
    """Every relative path of ``config`` made relative to ``root`` (the config's folder)."""

    def fix(value: Path | None) -> Path | None:
        if value is None or value.is_absolute():
            return value
        return Path(os.path.normpath(root / value))

    def fixed(model: FrozenModel, fields: tuple[str, ...]) -> Any:
        return model.model_copy(update={f: fix(getattr(model, f)) for f in fields})

    run = fixed(config.run, ("output", "generate_cache", "judge_cache"))
    return config.model_copy(
        update={
            "suites": [fixed(s, ("data",)) for s in config.suites],
            "protocols": [fixed(p, ("questions",)) for p in config.protocols],
            "baseline": BaselineSpec(results=[fix(p) or p for p in config.baseline.results]),
            "run": run,
        }
    )
