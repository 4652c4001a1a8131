"""The terminal view of an evalplus suite's summary: pass@k as evalplus prints it, counts."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from runners.records import SummaryRecord


def summary_view(summary: SummaryRecord) -> RenderableType:
    """pass@k of the base and plus tests, then the status counts and any deviation."""
    pass_at_k: dict[str, dict[str, float]] = summary.details.get("pass_at_k", {})
    ks = sorted({k for values in pass_at_k.values() for k in values}, key=lambda k: int(k[5:]))
    table = Table(
        title=f"{summary.name}: {summary.model}",
        box=box.SIMPLE_HEAD,
        min_width=48,
        caption=(
            f"{summary.counts.get('samples', 0)} samples over {summary.counts.get('tasks', 0)} "
            "tasks"
        ),
    )
    table.add_column("tests")
    for k in ks:
        table.add_column(k, justify="right")
    for tests, values in pass_at_k.items():
        table.add_row(tests, *(f"{100 * values[k]:.1f}%" if k in values else "-" for k in ks))
    lines: list[RenderableType] = [table]
    for tests, counts in summary.details.get("statuses", {}).items():
        lines.append(Text(f"{tests}: " + ", ".join(f"{v} {k}" for k, v in counts.items())))
    for note in summary.details.get("deviations", []):
        lines.append(Text(f"note: {note}"))
    if not summary.complete:
        errors = summary.counts.get("errors", 0)
        lines.append(Text(f"incomplete: {errors} sandbox errors; re-run resumes", style="red"))
    return Group(*lines)
