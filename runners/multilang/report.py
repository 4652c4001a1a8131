"""Rich tables of a suite summary: one row per language, then what failed and why."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from runners.records import SummaryRecord
from sandbox.images import short_version

_STATE_STYLE = {"ready": "green", "unavailable": "dim", "not_built": "yellow"}


def summary_table(summary: SummaryRecord) -> Table:
    """Per-language table: counts, pass rate, pass@k, toolchain; skipped rows say why."""
    details = summary.details
    ks = _ks(details["languages"]) if details["mode"] == "samples" else []
    what = summary.model if details["mode"] == "samples" else "canonical solutions"
    table = Table(
        title=f"{summary.name}: {what}", caption=_CAPTION, box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("language", no_wrap=True)
    for name in ("n", "pass", "fail", "xfail", "t/o", "err", "rate", *ks):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    table.add_column("version / note", overflow="fold", ratio=1)
    for language, m in sorted(details["languages"].items(), key=lambda item: item[0].lower()):
        table.add_row(*_row(language, m, ks))
    totals = details["totals"]
    table.add_section()
    table.add_row(
        Text("all", style="bold"),
        str(totals["samples"]),
        str(totals["passed"]),
        str(totals["failed"]),
        str(totals["expected_failures"]),
        str(totals["timeouts"]),
        str(totals["errors"]),
        _rate(totals["pass_rate"]),
        *("" for _ in ks),
        f"{totals['languages_counted']} languages run, {totals['languages_skipped']} skipped",
    )
    return table


_CAPTION = (
    "n samples; fail includes xfail (expected failures: known issues); "
    "t/o timeouts and err sandbox errors are never passes"
)


def _ks(languages: dict[str, Any]) -> list[str]:
    found: set[str] = set()
    for m in languages.values():
        found.update(m.get("pass_at_k", {}))
    return sorted(found, key=lambda k: int(k.split("@")[1]))


def _row(language: str, m: dict[str, Any], ks: list[str]) -> list[RenderableType]:
    if not m["counted"]:
        style = _STATE_STYLE.get(m["state"], "yellow")
        skipped = Text(f"skipped: {m['detail'] or m['state']}", style=style)
        return [Text(language, style=style), *("" for _ in range(7 + len(ks))), skipped]
    rate_style = "green" if m.get("meets_bar", m["unexpected_failures"] == 0) else "red"
    note = ", ".join(part for part in (short_version(m["toolchain"]), m["detail"]) if part)
    if m["incomplete"]:
        note = f"{m['incomplete']} not run yet (re-run resumes); {note}"
    return [
        language,
        str(m["samples"]),
        str(m["passed"]),
        str(m["failed"]),
        str(m["expected_failures"]),
        str(m["timeouts"]),
        str(m["errors"]),
        Text(_rate(m["pass_rate"]), style=rate_style),
        *(_rate(m["pass_at_k"].get(k)) for k in ks),
        note,
    ]


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def failure_notes(summary: SummaryRecord) -> RenderableType:
    """Expected failures with their reasons, stale known issues, unexpected failures."""
    lines: list[Text] = []
    for language, m in sorted(summary.details["languages"].items()):
        for task, reason in sorted(m.get("expected_failure_tasks", {}).items()):
            lines.append(Text(f"  {task}: expected failure: {reason}", style="dim"))
        for task in m.get("known_issue_passing_tasks", []):
            lines.append(Text(f"  {task}: known issue now passes (stale entry in {language}?)"))
        for task, verdict in sorted(m.get("unexpected_failure_tasks", {}).items()):
            lines.append(Text(f"  {task}: {verdict}", style="red"))
    if not lines:
        return Text("")
    return Group(Text("Failures and known issues:", style="bold"), *lines)


def summary_view(summary: SummaryRecord) -> RenderableType:
    """The table, then the list of failures (canonical mode) and expected failures."""
    parts: list[RenderableType] = [summary_table(summary), failure_notes(summary)]
    out = summary.provenance.get("output")
    if out:
        parts.append(Text(f"results: {out}/results.jsonl, summary: {out}/summary.json"))
    return Group(*parts)
