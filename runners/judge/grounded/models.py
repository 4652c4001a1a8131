"""What happened when the code inside one answer was compiled and run: typed, per block and
per answer, as judgment records store it."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum

from pydantic import Field

from sandbox.models import FrozenModel, Status


class ProgramKind(StrEnum):
    """How a block is executed (docs/judge.md, "Execution of judged answers")."""

    PROGRAM = "program"
    """A complete program: compiled (where the language compiles) and run."""
    FRAGMENT = "fragment"
    """Code without the entry point its language needs (no ``main``): compiled only."""
    SCRIPT = "script"
    """An interpreted language: syntax-checked where the language can, then run."""


class BlockOutcome(StrEnum):
    """How one block ended. Only ``ran`` and ``compiled`` are clean; ``not_run`` and
    ``sandbox_error`` are not the answer's fault and count in no rate."""

    RAN = "ran"
    COMPILED = "compiled"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    NOT_RUN = "not_run"
    SANDBOX_ERROR = "sandbox_error"


FAILURES = frozenset({BlockOutcome.COMPILE_ERROR, BlockOutcome.RUNTIME_ERROR, BlockOutcome.TIMEOUT})
EXECUTED = FAILURES | {BlockOutcome.RAN, BlockOutcome.COMPILED}


class AnswerOutcome(StrEnum):
    """How one answer's code ended, as a whole: its first failing block's outcome, else ``ran``
    (a block ran) or ``compiled`` (fragments only compiled)."""

    NO_CODE = "no_code"
    RAN = "ran"
    COMPILED = "compiled"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    NOT_RUN = "not_run"
    """Blocks, but none in a language that could run here (unknown, no image, shell commands)."""
    SANDBOX_ERROR = "sandbox_error"
    """The engine failed on a block: not the answer's fault; a re-run executes it again."""


class ExecSettingsSpec(FrozenModel):
    """Limits and sizes of answer execution (part of what a grounded prompt shows)."""

    timeout_s: float = Field(10.0, gt=0, description="run time limit per block (x language)")
    memory_mb: int = Field(512, ge=16, description="memory limit per block")
    max_blocks: int = Field(8, ge=1, description="blocks executed per answer; later ones not")
    excerpt_chars: int = Field(400, ge=40, description="output kept per block (and shown)")


class BlockExecutionResult(FrozenModel):
    """One fenced block: which language and why, how it was executed, and how it ended."""

    index: int = Field(ge=0, description="position among the answer's fenced blocks")
    tag: str = Field(description="the fence tag as written")
    language: str | None = Field(None, description="language id the block ran as")
    decided_by: str = Field(description="tag, question, guess, unknown or other-tag")
    program: ProgramKind | None = None
    outcome: BlockOutcome
    exit_code: int | None = None
    engine_status: Status | None = None
    detail: str = Field("", description="one line: why (not run, out of memory, ...)")
    excerpt: str = Field("", description="compiler message, or the output, truncated")
    lines: int = Field(0, ge=0, description="lines of code in the block")


class AnswerExecutionResult(FrozenModel):
    """Every block of one answer, and the answer's outcome as a whole."""

    answer_sha256: str = Field(description="answer_key(): the answer text and its languages")
    outcome: AnswerOutcome
    blocks: list[BlockExecutionResult] = Field(default_factory=list)

    @property
    def executed(self) -> list[BlockExecutionResult]:
        """Blocks that compiled or ran (successfully or not)."""
        return [b for b in self.blocks if b.outcome in EXECUTED]

    @property
    def compiles(self) -> bool | None:
        """No executed block failed to compile (None: nothing executed)."""
        done = self.executed
        return all(b.outcome is not BlockOutcome.COMPILE_ERROR for b in done) if done else None

    @property
    def runs_clean(self) -> bool | None:
        """Every executed block compiled and, when run, exited 0 in time (None: nothing ran)."""
        done = self.executed
        return all(b.outcome not in FAILURES for b in done) if done else None


class AnswerToRun(FrozenModel):
    """An answer whose code is to be executed, with its question's languages (hints for
    untagged blocks)."""

    text: str
    languages: tuple[str, ...] = ()

    def key(self) -> str:
        """What identifies the execution: the text and the hints (the same answer to a
        question in another language may run differently)."""
        blob = json.dumps([self.text, list(self.languages)], ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()
