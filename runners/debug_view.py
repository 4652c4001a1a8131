"""What ``sandbox debug`` tells the person debugging, in order: the sample's verdict in the
suite's words, the failing test, the program as the model wrote it with the failing line
marked, then the error output. Pure functions of a record; the CLI draws them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from runners.records import EvalplusDetails, ProgramDetails, SampleRecord, Verdict
from sandbox.models import ExecutionRequest

_VERDICT_WORDS = {
    Verdict.PASSED: "PASSED",
    Verdict.FAILED: "FAILED",
    Verdict.TIMEOUT: "TIMED OUT",
    Verdict.ERROR: "NOT JUDGED (sandbox error)",
}


@dataclass(frozen=True)
class ProgramView:
    """A program file with the model's lines and the failing line (1-based, None if unknown)."""

    name: str
    text: str
    failing_line: int | None
    model_lines: tuple[int, int] | None


def verdict_lines(record: SampleRecord) -> list[str]:
    """The verdict first, then how each part of the suite's tests went."""
    head = f"{_VERDICT_WORDS[record.status]}: {record.suite} {record.task_id}"
    lines = [f"{head} sample {record.sample_index} ({record.model}, {record.language})"]
    details = record.details
    if isinstance(details, EvalplusDetails):
        for split in ("base", "plus"):
            status = details.base_status if split == "base" else details.plus_status
            if status is None:
                continue
            counts = details.tests.get(split, {})
            ran = f" ({counts['passed']}/{counts['total']} inputs passed)" if counts else ""
            lines.append(f"  {split} tests: {status}{ran}")
        if details.note:
            lines.append(f"  note: {details.note}")
    elif isinstance(details, ProgramDetails):
        lines.append(f"  {details.check}: {record.detail}")
        if details.known_issue:
            lines.append(f"  known issue of the dataset: {details.known_issue}")
    return lines


def program_view(record: SampleRecord, request: ExecutionRequest) -> ProgramView:
    """The program the model wrote (evalplus: the solution; program suites: the source file
    that ran, with the model's lines located in it)."""
    details = record.details
    if isinstance(details, EvalplusDetails):
        line = (details.first_failure or {}).get("line")
        return ProgramView("solution.py", details.solution, _int(line), None)
    source_name = _source_file(request)
    text = request.files.get(source_name, "")
    code = details.code if isinstance(details, ProgramDetails) else ""
    return ProgramView(source_name, text, _failing_line(record, source_name), _span(text, code))


def answer_view(record: SampleRecord) -> tuple[str, str] | None:
    """``(title, the model's whole reply)`` when the sample came from ``sandbox generate``: what
    the program shown was extracted from, and by which rule."""
    details = record.details
    if details.raw_answer is None:
        return None
    rule = details.extraction or "unknown rule"
    return f"the model's answer (code taken by: {rule})", details.raw_answer


def error_text(record: SampleRecord) -> str:
    """The traceback (evalplus: the solution's frames), else compile output or stderr."""
    details = record.details
    if isinstance(details, EvalplusDetails):
        failure = details.first_failure or {}
        frames = "\n".join(str(f) for f in failure.get("frames", []))
        exception = str(failure.get("exception") or "")
        return "\n".join(part for part in (frames, exception, details.stderr.strip()) if part)
    result = record.result
    if result is None:
        return ""
    parts = (result.compile_output, result.stderr, result.error or "")
    return "\n".join(part.rstrip() for part in parts if part.strip())


def _source_file(request: ExecutionRequest) -> str:
    for name in request.files:
        if name in (request.run + " " + (request.compile or "")):
            return name
    return next(iter(request.files), "")


def _span(text: str, code: str) -> tuple[int, int] | None:
    """First and last line of ``code`` inside ``text`` (1-based), if it is there verbatim."""
    stripped = code.strip("\n")
    start = text.find(stripped) if stripped else -1
    if start < 0:
        return None
    first = text.count("\n", 0, start) + 1
    return first, first + stripped.count("\n")


def _failing_line(record: SampleRecord, source_name: str) -> int | None:
    """The last line of ``source_name`` that the compiler or the traceback points at."""
    if record.result is None or not source_name:
        return None
    text = record.result.compile_output + "\n" + record.result.stderr
    name = re.escape(source_name)
    pattern = re.compile(rf'{name}"?(?:, line |:|\()(\d+)')
    found = pattern.findall(text)
    return int(found[-1]) if found else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None
