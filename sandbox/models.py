"""Frozen data models shared by the engine, the languages and the runners."""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED_ENV = frozenset(
    {"PROGRAM_UID", "PROGRAM_NPROC", "TIMEOUT", "COMPILE_TIMEOUT", "CAP_OUT", "CAP_ERR"}
    | {"REAP_PASSES", "LD_PRELOAD", "LD_AUDIT"}
)
"""Names a request may not set: the launcher's own parameters (which limits do not travel in
the environment) and the loader's injection hooks (code in every process of the phase)."""
Runtime = Literal["runc", "runsc"]
DEFAULT_RUNTIME: Runtime = "runc"
RUNTIMES = frozenset({"runc", "runsc"})
"""OCI runtimes a request may ask for: runc (Docker's default) and runsc (gVisor)."""


class FrozenModel(BaseModel):
    """Base for every spec and result: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    """Verdict of one execution. Only ``ok`` means the program ran to a clean exit."""

    OK = "ok"
    NONZERO_EXIT = "nonzero_exit"
    TIMEOUT = "timeout"
    OOM = "oom"
    OUTPUT_LIMIT = "output_limit"
    COMPILE_ERROR = "compile_error"
    SANDBOX_ERROR = "sandbox_error"
    CRASHED_SANDBOX = "crashed_sandbox"
    """The sample made the engine fail twice while a canary program passed on the same engine
    with the same image and limits: a failure of the sample, never a pass nor "not judged"."""


class LimitsSpec(FrozenModel):
    """Hard limits for one execution. All are on by default."""

    timeout_s: float = Field(10.0, gt=0, description="wall-clock limit of the run phase")
    compile_timeout_s: float = Field(120.0, gt=0, description="wall-clock limit of compilation")
    cpus: float = Field(1.0, gt=0, description="CPU quota (cores)")
    memory_mb: int = Field(512, ge=16, description="memory limit; swap is off")
    pids: int = Field(
        256,
        ge=8,
        description="max processes+threads of the program (the launcher keeps a few of its own)",
    )
    workdir_mb: int = Field(
        256, ge=1, description="size of the writable tmpfs work dir (/work) and /tmp"
    )
    stdout_bytes: int = Field(1 << 20, ge=1, description="stdout kept; more is truncated")
    stderr_bytes: int = Field(256 << 10, ge=1, description="stderr (and compile output) kept")
    runtime: Runtime = Field(
        DEFAULT_RUNTIME, description="OCI runtime: runc (default) or runsc (gVisor)"
    )

    def container_key(self) -> tuple[float, int, int, int, str]:
        """The limits baked into a container at creation (the rest travel with each run)."""
        return (self.cpus, self.memory_mb, self.pids, self.workdir_mb, self.runtime)

    def scaled(self, factor: float) -> LimitsSpec:
        """A copy with the run timeout multiplied by ``factor`` (a language's time factor)."""
        return self.model_copy(update={"timeout_s": self.timeout_s * factor})


class ExecutionRequest(FrozenModel):
    """One program to run: files written into /work, optional compile step, a run command."""

    image: str
    files: dict[str, str] = Field(default_factory=dict)
    run: str
    compile: str | None = None
    stdin: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    limits: LimitsSpec = Field(default_factory=LimitsSpec)
    language: str | None = None
    tag: str | None = Field(None, description="caller's id, echoed back, not part of the key")

    @field_validator("env")
    @classmethod
    def _check_env(cls, env: dict[str, str]) -> dict[str, str]:
        """Names are shell identifiers the launcher does not own; values hold no NUL byte."""
        for name, value in env.items():
            if not ENV_NAME.fullmatch(name):
                raise ValueError(
                    f"environment variable name {name!r} is not a shell identifier "
                    "(fix: use letters, digits and underscores, not starting with a digit)"
                )
            if name in RESERVED_ENV:
                raise ValueError(
                    f"environment variable {name} is reserved by the sandbox "
                    "(fix: set limits through LimitsSpec; rename the variable)"
                )
            if "\0" in value:
                raise ValueError(
                    f"environment variable {name} contains a NUL byte (fix: remove it)"
                )
        return env

    def content_key(self) -> str:
        """Hash of everything that determines the outcome (identical programs run once).

        The default runtime is left out, so that keys made before it existed still match.
        """
        payload = self.model_dump(exclude={"tag"})
        if payload["limits"]["runtime"] == DEFAULT_RUNTIME:
            del payload["limits"]["runtime"]
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()


class ExecutionResult(FrozenModel):
    """What happened. A non-zero exit is data; an engine failure is ``sandbox_error``."""

    schema_version: int = SCHEMA_VERSION
    status: Status
    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    compile_output: str = ""
    compile_exit_code: int | None = None
    compile_time_s: float | None = None
    wall_time_s: float | None = None
    total_time_s: float | None = None
    peak_memory_mb: float | None = None
    image_id: str | None = None
    error: str | None = None
    tag: str | None = None

    @property
    def passed(self) -> bool:
        """True only for a clean, complete run."""
        return self.status is Status.OK
