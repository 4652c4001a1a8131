"""A judge summary for people: the protocol's headline lines, then failures, usage and where the
results are (``sandbox judge`` prints it; ``--json`` prints the summary itself)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .protocol import JudgeProtocol


def percent(estimate: Mapping[str, Any] | None) -> str:
    """``75.0% [40.9, 92.9]`` for a rate estimate; ``n/a`` without a value."""
    if not estimate or estimate.get("value") is None:
        return "n/a"
    text = f"{100 * estimate['value']:.1f}%"
    if estimate.get("lower") is not None:
        text += f" [{100 * estimate['lower']:.1f}, {100 * estimate['upper']:.1f}]"
    return text


def number(estimate: Mapping[str, Any] | None) -> str:
    """``7.80 [7.20, 8.40]`` for a score estimate; ``n/a`` without a value."""
    if not estimate or estimate.get("value") is None:
        return "n/a"
    text = f"{estimate['value']:.2f}"
    if estimate.get("lower") is not None:
        text += f" [{estimate['lower']:.2f}, {estimate['upper']:.2f}]"
    return text


def rate(value: float | None) -> str:
    """A bare fraction as a percentage; ``n/a`` for None."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def execution_lines(summary: Mapping[str, Any]) -> list[str]:
    """The answers' compile and clean-run rates, model and baseline (when they were executed)."""
    table = summary.get("execution")
    if not table:
        return []
    lines = []
    for role in ("model", "baseline"):
        row = table[role]
        lines.append(
            f"code of {summary[role]}: compiles {percent(row['compile_rate'])}, runs clean "
            f"{percent(row['run_clean_rate'])} (of {row['compile_rate']['n']} answers with code "
            f"executed; {row['answers']} answers, no code {row['outcomes']['no_code']})"
        )
    if table.get("sandbox_errors"):
        lines.append(
            f"{table['sandbox_errors']} answers hit a sandbox failure: re-run to execute them"
        )
    return lines


def format_summary(protocol: JudgeProtocol, summary: Mapping[str, Any], directory: Path) -> str:
    """A few human lines: headline metrics, failures, usage, warnings and where the results are."""
    counts, usage = summary["metrics"]["counts"], summary["usage"]["this_run"]
    rules = summary["method_rules"]
    lines = [
        f"judge {summary['protocol']} --method {summary['method']}: model={summary['model']} "
        f"baseline={summary['baseline']} judge={summary['judge_model']} "
        f"prompt={summary['prompt']['source']} ({summary['prompt']['sha256'][:12]})",
        *protocol.summary_lines(summary),
        f"missing answers {counts['missing_answers']}, missing baseline "
        f"{counts['missing_baseline']}, too long {counts['too_long']}",
        *execution_lines(summary),
    ]
    paper_judge = rules.get("paper_judge_model")
    if paper_judge and paper_judge != summary["judge_model"]:
        lines.append(f"note: the paper's judge was {paper_judge}; this run's is another model")
    cost = f", ${usage['cost_usd']:.4f}" if "cost_usd" in usage else ""
    lines.append(
        f"usage: {usage['requests']} requests, {usage['cache_hits']} cache hits, "
        f"{usage['retries']} retries, {usage['prompt_tokens']} prompt + "
        f"{usage['completion_tokens']} completion tokens{cost}"
    )
    lines += [f"warning: {text}" for text in summary.get("warnings", [])]
    if not summary["complete"]:
        lines.append(
            f"{summary['pending_judgments']} judgments failed: re-run the same command to retry"
        )
    lines.append(f"results: {directory}")
    return "\n".join(lines)
