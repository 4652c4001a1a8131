"""Everything known to be wrong with the suites' data, for ``sandbox languages --issues``:
canonical solutions that fail for a known reason (``languages/<id>/known_issues.toml``) and the
opt-in data patches (``runners/multilang/patches/``)."""

from __future__ import annotations

from runners.multilang.data_patches import load_patches
from runners.multilang.known_issues import KNOWN_ISSUES_FILE, read_known_issues
from sandbox.languages import load_registry
from sandbox.models import FrozenModel


class IssueRowResult(FrozenModel):
    """One known issue (one task) or one data patch (one edit of one or more tasks)."""

    kind: str  # "known issue" | "data patch"
    language: str
    suite: str
    tasks: tuple[str, ...]
    reason: str
    effect: str


def list_issues() -> list[IssueRowResult]:
    """Known issues of every language folder, then every data patch."""
    rows = [
        IssueRowResult(
            kind="known issue",
            language=spec.id,
            suite=entry.suite,
            tasks=(entry.task_id,),
            reason=entry.reason,
            effect="counted as a failure, shown as xfail",
        )
        for spec in load_registry().values()
        for entry in read_known_issues(spec.directory / KNOWN_ISSUES_FILE)
    ]
    rows += [
        IssueRowResult(
            kind="data patch",
            language=patch.language,
            suite=patch.suite,
            tasks=patch.tasks,
            reason=patch.reason,
            effect=f"{patch.field} patched with --fix-known-data-bugs",
        )
        for patch in load_patches()
    ]
    return rows
