"""Turn what the launcher and the engine observed into one verdict.

Order of precedence, worst first: the sandbox failed (``sandbox_error``), the program ran out
of time (``timeout``) or memory (``oom``), printed too much (``output_limit``), did not compile
(``compile_error``), exited non-zero (``nonzero_exit``); only a clean exit is ``ok``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.models import ExecutionRequest, ExecutionResult, Status

MAGIC = b"SBX1\n"
KILL_BY_TIMEOUT = 137
TIMEOUT_EXIT = 124
TIME_TOLERANCE = 0.97
"""A KILL near the deadline is the in-container timeout firing, not the program."""
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


def _phase_timed_out(rc: int | None, ns: int | None, limit_s: float) -> bool:
    if rc == TIMEOUT_EXIT:
        return True
    return rc == KILL_BY_TIMEOUT and ns is not None and ns >= limit_s * 1e9 * TIME_TOLERANCE


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
    oom = meta.get("oom_kill", 0) > 0 or bool(state.get("OOMKilled"))
    if "compile_rc" in meta and meta["compile_rc"] != 0:
        return _compile_failure(meta, limits.compile_timeout_s, oom, fields)
    if "run_rc" not in meta:
        return ExecutionResult(
            status=Status.SANDBOX_ERROR, error="launcher skipped the run", **fields
        )
    rc = meta["run_rc"]
    # the shell reports death by signal N as 128+N (N <= 64); 193..255 are plain exit codes
    exit_code, signal = (None, rc - 128) if 128 < rc <= 128 + 64 else (rc, None)
    fields.update(exit_code=exit_code, signal=signal)
    if _phase_timed_out(rc, meta.get("run_ns"), limits.timeout_s):
        return ExecutionResult(status=Status.TIMEOUT, **{**fields, "exit_code": None, "signal": 9})
    if oom and signal == 9:
        return ExecutionResult(status=Status.OOM, **fields)
    if out_cut or err_cut:
        return ExecutionResult(status=Status.OUTPUT_LIMIT, **fields)
    status = Status.OK if rc == 0 else Status.NONZERO_EXIT
    return ExecutionResult(status=status, **fields)


def _compile_failure(
    meta: dict[str, int], limit_s: float, oom: bool, fields: dict[str, Any]
) -> ExecutionResult:
    rc = meta["compile_rc"]
    if _phase_timed_out(rc, meta.get("compile_ns"), limit_s):
        note = f"compilation exceeded {limit_s:g} s"
        return ExecutionResult(status=Status.TIMEOUT, error=note, **fields)
    if oom and rc == KILL_BY_TIMEOUT:
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
