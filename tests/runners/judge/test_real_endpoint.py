"""Optional: both protocols against a real model endpoint, when one is named.

    SANDBOX_JUDGE_REAL_URL=http://host:8000/v1 [SANDBOX_JUDGE_REAL_MODEL=name]
    [SANDBOX_JUDGE_REAL_KEY_ENV=OPENAI_API_KEY] pytest tests/judge/test_real_endpoint.py

Skipped otherwise. It checks that the endpoint speaks the protocol and that a real judge's texts
parse (an unparsable verdict is allowed but must be reported as such).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import CliRun, read_records

REAL_URL = os.environ.get("SANDBOX_JUDGE_REAL_URL") or os.environ.get("SANDBOX_JUDGE_BASE_URL")
REAL_MODEL = os.environ.get("SANDBOX_JUDGE_REAL_MODEL")
KEY_ENV = os.environ.get("SANDBOX_JUDGE_REAL_KEY_ENV", "OPENAI_API_KEY")
KEY = os.environ.get(KEY_ENV)

pytestmark = pytest.mark.skipif(
    not REAL_URL, reason="set SANDBOX_JUDGE_REAL_URL (or SANDBOX_JUDGE_BASE_URL) to a real endpoint"
)


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["codearena", "codal"])
def test_real_endpoint_judges_both_protocols(
    judge_cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, protocol: str
) -> None:
    assert REAL_URL is not None
    if KEY:
        monkeypatch.setenv(KEY_ENV, KEY)  # the autouse fixture cleared OPENAI_API_KEY
    extra = ["--api-key-env", KEY_ENV, "--timeout", "300", "--max-tokens", "2048"]
    if REAL_MODEL:
        extra += ["--judge-model", REAL_MODEL]
    result, summary = judge_cli(REAL_URL, protocol, *extra)
    assert summary is not None, result.output
    records = read_records(tmp_path / "out")
    assert records and all(r["status"] in {"ok", "unparsable", "na", "error"} for r in records)
    assert any(r["status"] == "ok" for r in records), "the judge never gave a readable verdict"
    assert summary["usage"]["this_run"]["completion_tokens"] > 0
