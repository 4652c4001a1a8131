"""Execution requests for the in-container harness, and the events it answers with."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from runners.evalplus_suite.payload import encode_blob, harness_files, harness_source
from sandbox.languages import LanguageSpec, resolve_language
from sandbox.models import ExecutionRequest, LimitsSpec

MEMORY_MB = 4608
"""evalplus caps each check at 4 GiB of address space (RLIMIT_AS); the container leaves room
for that plus the harness, so the sample meets evalplus's limit, not a smaller one."""


def python_language() -> LanguageSpec:
    """The sandbox's Python language (its image, run command and limits)."""
    return resolve_language("python")


def harness_fingerprint() -> str:
    """Changes whenever the harness or the shipped evalplus modules change."""
    digest = hashlib.sha256(harness_source().encode())
    for name, text in sorted(harness_files().items()):
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()[:16]


def build_request(
    payload: dict[str, Any], limits: LimitsSpec, tag: str, extra: dict[str, str] | None = None
) -> ExecutionRequest:
    """The harness with ``payload`` (and optional extra files) as one sandboxed execution."""
    files = {**harness_files(), "task.b64": encode_blob(payload), **(extra or {})}
    return python_language().make_request(
        harness_source(), limits=limits, extra_files=files, tag=tag
    )


def parse_events(stdout: str) -> list[dict[str, Any]]:
    """The harness's JSON lines; a torn last line (killed mid-write) is dropped."""
    events: list[dict[str, Any]] = []
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and isinstance(event.get("event"), str):
            events.append(event)
    return events
