"""What the judge is shown of an answer's execution: compact, truncated, the same layout for
both answers, and built from the stored result alone (a resumed run shows the same text).

Timings and memory are left out on purpose: they vary between runs of the same program, and
the prompt (hence the cache key) must not.
"""

from __future__ import annotations

from .models import AnswerExecutionResult, AnswerOutcome, BlockExecutionResult, BlockOutcome

_HOW = {
    "tag": "fence tag",
    "question": "the question's language",
    "guess": "guessed from the code",
}
_OUTCOME = {
    BlockOutcome.RAN: "ran",
    BlockOutcome.COMPILED: "compiled (not run: no entry point)",
    BlockOutcome.COMPILE_ERROR: "compile error",
    BlockOutcome.RUNTIME_ERROR: "runtime error",
    BlockOutcome.TIMEOUT: "timeout",
    BlockOutcome.NOT_RUN: "not run",
    BlockOutcome.SANDBOX_ERROR: "not run (sandbox failure, not the answer's fault)",
}
_LABEL = {
    BlockOutcome.RAN: "output",
    BlockOutcome.COMPILE_ERROR: "compiler",
    BlockOutcome.RUNTIME_ERROR: "output",
    BlockOutcome.TIMEOUT: "output",
}
NO_CODE = "The answer contains no fenced code block: nothing was compiled or run."


def render_execution(execution: AnswerExecutionResult | None) -> str:
    """The execution report of one answer, for the judge."""
    if execution is None or execution.outcome is AnswerOutcome.NO_CODE:
        return NO_CODE
    executed = len(execution.executed)
    lines = [f"{len(execution.blocks)} code block(s), {executed} compiled or run:"]
    for block in execution.blocks:
        lines += render_block(block)
    return "\n".join(lines)


def render_block(block: BlockExecutionResult) -> list[str]:
    """One block: its language and why, what was done, how it ended, and its output."""
    where = f"[{block.index + 1}]"
    if block.language is None:
        tag = f"```{block.tag}" if block.tag else "untagged"
        return [f"{where} {tag}: not run ({block.detail})"]
    how = _HOW.get(block.decided_by, block.decided_by)
    head = f"{where} {block.language} ({how}, {block.lines} lines)"
    if block.program is not None:
        head += f" as a {block.program.value}"
    head += f": {_OUTCOME[block.outcome]}"
    if (
        block.outcome in (BlockOutcome.RAN, BlockOutcome.RUNTIME_ERROR)
        and block.exit_code is not None
    ):
        head += f", exit code {block.exit_code}"
    if block.detail:
        head += f" ({block.detail})"
    lines = [head]
    label = _LABEL.get(block.outcome)
    if label is not None:
        if block.excerpt:
            lines.append(f"    {label}:")
            lines += [f"    | {line}" for line in block.excerpt.splitlines()]
        elif block.outcome is BlockOutcome.RAN:
            lines.append("    (no output)")
    return lines
