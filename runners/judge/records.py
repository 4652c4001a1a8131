"""Judgment records: the fields every protocol shares, and reading them back on resume."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sandbox.errors import BadInputError

from .client import ChatReply

# Statuses of a judgment record. Only "error" is retried by a re-run: an unparsable verdict, no
# verdict or an N/A rating is the judge's (cached) answer, or a rejection, and would come back.
FINAL_STATUSES = frozenset({"ok", "unparsable", "no_verdict", "na"})
IDENTITY_FIELDS = ("protocol", "model", "baseline", "judge_model", "method", "prompt_sha256")
# Records written before judging methods existed were judged the robust way.
_LEGACY_VALUES = {"method": "robust"}


def reply_fields(replies: Sequence[ChatReply]) -> dict[str, Any]:
    """The judge's text(s) and token counts for a record (first reply, then the follow-up)."""
    return {
        "judgment": replies[0].text if replies else None,
        "followup_judgment": replies[1].text if len(replies) > 1 else None,
        "followup": len(replies) > 1,
        "prompt_tokens": sum(r.prompt_tokens for r in replies),
        "completion_tokens": sum(r.completion_tokens for r in replies),
        "cached": bool(replies) and all(r.cached for r in replies),
        "served_model": replies[-1].served_model if replies else None,
    }


def check_identity(
    records: Iterable[Mapping[str, Any]], identity: Mapping[str, str], directory: str
) -> None:
    """Refuse to resume into a directory that holds another run's judgments."""
    for record in records:
        for field in IDENTITY_FIELDS:
            found = record.get(field, _LEGACY_VALUES.get(field))
            if found is not None and found != identity[field]:
                raise BadInputError(
                    f"{directory} holds judgments with {field}={found!r}, "
                    f"this run has {field}={identity[field]!r}",
                    "use another --output directory (each run resumes only itself)",
                )
