"""Turn what the launcher and the engine observed into one verdict.

Order of precedence, worst first: the sandbox failed (``sandbox_error``), the program ran out
of time (``timeout``) or memory (``oom``), printed too much (``output_limit``), did not compile
(``compile_error``), exited non-zero (``nonzero_exit``); only a clean exit is ``ok``.

``timeout`` and ``oom`` come only from what the launcher and the cgroup saw, never from an exit
code the program chose: a phase timed out when its timer fired while the program was alive, or
when it ran (until its last process was gone) for at least its limit; it ran out of memory when
the container's memory cgroup OOM-killed a process during the phase. A program that exits 124
or 137 by itself gets ``nonzero_exit`` with that exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.models import ExecutionRequest, ExecutionResult, Status

MAGIC = b"SBX1\n"
LAUNCHER_EXITS = {
    94: "the launcher could not hand /work to the program's user",
    95: "the image lacks setpriv (util-linux); rebuild it on the sandbox base image",
    96: "the payload did not unpack in the container",
    97: "the container has no /work",
}
"""Container exit codes of ``launcher.sh`` (and the boot command) that mean it never ran."""


@dataclass
class LauncherReport:
    """The launcher's framed report: key=value meta plus captured streams."""

    meta: dict[str, int] = field(default_factory=dict)
    compile: bytes = b""
    stdout: bytes = b""
    stderr: bytes = b""


def parse_launcher_output(data: bytes) -> LauncherReport | None:
    """Parse ``SBX1`` framed sections; ``None`` if the report is missing or torn."""
    if not data.startswith(MAGIC):  # the launcher's stdout carries nothing but the report
        return None
    offset = len(MAGIC)
    sections: dict[str, bytes] = {}
    while offset < len(data):
        newline = data.find(b"\n", offset)
        if newline < 0:
            return None
        try:
            name, size_text = data[offset:newline].decode().split(" ")
            size = int(size_text)
        except ValueError:
            return None
        body = data[newline + 1 : newline + 1 + size]
        if len(body) != size:
            return None
        sections[name] = body
        offset = newline + 1 + size
    if "meta" not in sections:
        return None
    meta = {}
    for line in sections["meta"].decode(errors="replace").splitlines():
        key, _, value = line.partition("=")
        if value.lstrip("-").isdigit():
            meta[key] = int(value)
    return LauncherReport(
        meta=meta,
        compile=sections.get("compile", b""),
        stdout=sections.get("stdout", b""),
        stderr=sections.get("stderr", b""),
    )


def decode_output(data: bytes, cap: int) -> tuple[str, bool]:
    """Keep the first ``cap`` bytes, decoded safely from any bytes; flag truncation."""
    return data[:cap].decode("utf-8", errors="replace"), len(data) > cap


def _phase_timed_out(meta: dict[str, int], phase: str, limit_s: float) -> bool:
    """The phase's timer fired, or the phase lasted its limit: never the exit code."""
    ns = meta.get(f"{phase}_ns")
    return meta.get(f"{phase}_expired", 0) > 0 or (ns is not None and ns >= limit_s * 1e9)


def _exit_and_signal(rc: int) -> tuple[int | None, int | None]:
    """The shell reports death by signal N as 128+N (N <= 64); 193..255 are plain exit codes.
    (An exit(137) reads as signal 9 too: data for the reader, never a verdict.)"""
    return (None, rc - 128) if 128 < rc <= 128 + 64 else (rc, None)


def decide_result(
    request: ExecutionRequest,
    report: LauncherReport | None,
    *,
    host_timed_out: bool,
    overflow: bool,
    state: dict[str, Any],
    launcher_stderr: bytes,
    total_time_s: float,
    image_id: str | None,
) -> ExecutionResult:
    """The verdict for one execution (see the module docstring for the precedence)."""
    common: dict[str, Any] = {
        "tag": request.tag,
        "total_time_s": round(total_time_s, 4),
        "image_id": image_id,
    }
    if report is None:
        return _without_report(request, host_timed_out, overflow, state, launcher_stderr, common)
    limits = request.limits
    meta = report.meta
    compile_output, _ = decode_output(report.compile, limits.stderr_bytes)
    stdout, out_cut = decode_output(report.stdout, limits.stdout_bytes)
    stderr, err_cut = decode_output(report.stderr, limits.stderr_bytes)
    peak = meta.get("peak_bytes")
    fields: dict[str, Any] = {
        **common,
        "stdout": stdout,
        "stderr": stderr,
        "stdout_truncated": out_cut,
        "stderr_truncated": err_cut,
        "compile_output": compile_output,
        "compile_exit_code": meta.get("compile_rc"),
        "compile_time_s": _seconds(meta.get("compile_ns")),
        "wall_time_s": _seconds(meta.get("run_ns")),
        "peak_memory_mb": round(peak / 2**20, 2) if peak is not None else None,
    }
    for phase in ("compile", "run"):
        if meta.get(f"{phase}_unreaped", 0) > 0:
            note = f"processes of the program survived the clean-up of its {phase} phase"
            return ExecutionResult(status=Status.SANDBOX_ERROR, error=note, **fields)
    if "compile_rc" in meta and meta["compile_rc"] != 0:
        return _compile_failure(meta, limits.compile_timeout_s, fields)
    if "run_rc" not in meta:
        return ExecutionResult(
            status=Status.SANDBOX_ERROR, error="launcher skipped the run", **fields
        )
    exit_code, signal = _exit_and_signal(meta["run_rc"])
    fields.update(exit_code=exit_code, signal=signal)
    if _phase_timed_out(meta, "run", limits.timeout_s):
        note = f"ran past its {limits.timeout_s:g} s limit"
        return ExecutionResult(status=Status.TIMEOUT, error=note, **fields)
    if meta.get("run_oom_kills", 0) > 0:
        note = f"the memory cgroup OOM-killed {meta['run_oom_kills']} process(es)"
        return ExecutionResult(status=Status.OOM, error=note, **fields)
    if out_cut or err_cut:
        return ExecutionResult(status=Status.OUTPUT_LIMIT, **fields)
    status = Status.OK if meta["run_rc"] == 0 else Status.NONZERO_EXIT
    return ExecutionResult(status=status, **fields)


def _compile_failure(
    meta: dict[str, int], limit_s: float, fields: dict[str, Any]
) -> ExecutionResult:
    if _phase_timed_out(meta, "compile", limit_s):
        note = f"compilation exceeded {limit_s:g} s"
        return ExecutionResult(status=Status.TIMEOUT, error=note, **fields)
    if meta.get("compile_oom_kills", 0) > 0:
        return ExecutionResult(status=Status.OOM, error="compiler ran out of memory", **fields)
    return ExecutionResult(status=Status.COMPILE_ERROR, **fields)


def _without_report(
    request: ExecutionRequest,
    host_timed_out: bool,
    overflow: bool,
    state: dict[str, Any],
    launcher_stderr: bytes,
    common: dict[str, Any],
) -> ExecutionResult:
    """No parsable report: decide from what the host saw. Never a pass."""
    if host_timed_out:
        note = "killed by the host-side deadline (in-container timeout did not fire)"
        return ExecutionResult(status=Status.TIMEOUT, error=note, signal=9, **common)
    if state.get("OOMKilled"):
        return ExecutionResult(status=Status.OOM, error="container was OOM-killed", **common)
    detail = launcher_stderr.decode("utf-8", errors="replace").strip()[-500:]
    exit_code = state.get("ExitCode")
    reason = "report exceeded its byte budget" if overflow else "no report from the launcher"
    if not overflow and exit_code in LAUNCHER_EXITS:
        reason = LAUNCHER_EXITS[exit_code]
    message = f"{reason} (container exit code {exit_code}){': ' + detail if detail else ''}"
    return ExecutionResult(status=Status.SANDBOX_ERROR, error=message, **common)


def _seconds(ns: int | None) -> float | None:
    return round(ns / 1e9, 4) if ns is not None else None
