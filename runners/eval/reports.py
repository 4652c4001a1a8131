"""The files ``sandbox eval`` leaves for people and CI: the report in each asked format and the
JUnit file (one test case per candidate sample)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from runners.provenance import collect_provenance, utc_now
from runners.report.build import load_report
from runners.report.loaders import load_sources
from runners.report.records import iter_sample_outcomes
from runners.report.render_html import render_html
from runners.report.render_junit import render_junit
from runners.report.render_text import render_json, render_markdown
from sandbox.errors import BadInputError
from sandbox.files import write_atomic

FILE_NAMES = {
    "html": "report.html",
    "markdown": "report.md",
    "json": "report.json",
    "junit": "junit.xml",
}


def check_formats(formats: Sequence[str]) -> None:
    """Refuse an unknown report format before anything runs."""
    unknown = [f for f in formats if f not in FILE_NAMES]
    if unknown:
        raise BadInputError(
            f"unknown report format {', '.join(unknown)}", f"use: {', '.join(FILE_NAMES)}"
        )


def write_reports(
    output: Path, candidate: Path, baseline: Sequence[Path], formats: Sequence[str]
) -> dict[str, str]:
    """Each format's file under ``output`` (candidate and baseline side by side; JUnit: the
    candidate's samples); returns format -> path."""
    written: dict[str, str] = {}
    wanted = [f for f in formats if f != "junit"]
    if wanted:
        report = load_report([candidate, *baseline])
        renderers = {"html": render_html, "markdown": render_markdown, "json": render_json}
        for fmt in wanted:
            path = output / FILE_NAMES[fmt]
            write_atomic(path, renderers[fmt](report))
            written[fmt] = str(path)
    if "junit" in formats:
        samples = [s for source in load_sources([candidate]) for s in iter_sample_outcomes(source)]
        info = collect_provenance()
        text = render_junit(
            samples,
            timestamp=utc_now(),
            hostname=str(info["host"]),
            properties={"tool_version": info["tool_version"]},
        )
        path = output / FILE_NAMES["junit"]
        write_atomic(path, text)
        written["junit"] = str(path)
    return written
