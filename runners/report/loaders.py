"""Read result directories (``summary.json`` + ``results.jsonl``) into report models.

Every directory is read through the record contract (runners/records.py): the summary is a
``SummaryRecord`` and suite records are ``SampleRecord``s, validated; folders written before
the contract go through the one adapter (runners/legacy.py). A directory holding several
result directories is searched for them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runners.jsonl import iter_jsonl, latest_by_key
from runners.records import SampleRecord, SummaryRecord
from runners.report.schema import LanguageRate, SourceKind, SourceSummary
from runners.results import RESULTS_FILE, SUMMARY_FILE, parse_sample_record, parse_summary
from sandbox.errors import BadInputError

_MAX_DEPTH = 4


@dataclass(frozen=True)
class LoadedSource:
    """A result directory: its summary (contract and report view) and where its records are."""

    summary: SourceSummary
    record: SummaryRecord
    directory: Path
    records_path: Path | None

    def iter_records(self) -> list[dict[str, Any]]:
        """The latest stored record of each key, in first-seen order (a retried sample or
        judgment supersedes its earlier attempt)."""
        if self.records_path is None:
            return []
        records = [r for _, r in iter_jsonl(self.records_path, tolerate_torn_tail=True)]
        return list(latest_by_key(records).values())

    def sample_records(self) -> list[SampleRecord]:
        """The suite records, validated (none for a judge run)."""
        if self.summary.kind is not SourceKind.SUITE:
            return []
        where = str(self.records_path)
        return [parse_sample_record(raw, where) for raw in self.iter_records()]


def find_result_dirs(path: Path) -> list[Path]:
    """``path`` itself if it holds a summary.json, else every such directory below it."""
    if not path.exists():
        raise BadInputError(f"{path}: no such file or directory", "pass a results directory")
    if path.is_file():
        if path.name == SUMMARY_FILE:
            return [path.parent]
        raise BadInputError(f"{path}: not a results directory", "pass the directory itself")
    if (path / SUMMARY_FILE).is_file():
        if _is_generation(path / SUMMARY_FILE):
            raise BadInputError(
                f"{path}: a `sandbox generate` folder (samples, not scores)",
                f"score it first: sandbox run --samples {path}/samples.jsonl "
                f"(or sandbox judge --answers {path}/answers.jsonl)",
            )
        return [path]
    found = sorted(
        p.parent
        for p in path.rglob(SUMMARY_FILE)
        if len(p.relative_to(path).parts) <= _MAX_DEPTH and not _is_generation(p)
    )
    if not found:
        raise BadInputError(
            f"{path}: no {SUMMARY_FILE} in it or below it",
            "pass the --output directory of `sandbox run` or `sandbox judge` (a finished run)",
        )
    return found


def _is_generation(summary: Path) -> bool:
    """A ``sandbox generate`` summary (samples, not scores: nothing to report or gate)."""
    try:
        return json_object(summary).get("kind") == "generation"
    except (OSError, ValueError):
        return False  # unreadable: load_source reports it


def load_sources(paths: list[Path]) -> list[LoadedSource]:
    """Every result directory found under ``paths``, each read once, in a stable order."""
    seen: dict[Path, LoadedSource] = {}
    for path in paths:
        for directory in find_result_dirs(Path(path)):
            key = directory.resolve()
            if key not in seen:
                seen[key] = load_source(directory)
    return list(seen.values())


def load_source(directory: Path) -> LoadedSource:
    """Parse one result directory's summary.json."""
    summary_path = directory / SUMMARY_FILE
    try:
        raw = json_object(summary_path)
    except (OSError, ValueError) as exc:
        raise BadInputError(
            f"{summary_path}: cannot read summary ({exc})", "re-run the command that wrote it"
        ) from exc
    record = parse_summary(raw, str(summary_path))
    records = directory / RESULTS_FILE
    summary = SourceSummary(
        path=str(directory),
        kind=SourceKind(record.kind),
        name=record.name,
        model=record.model,
        metrics=record.metrics,
        languages=language_rates(record),
        samples=_count_lines(records) if records.is_file() else None,
        provenance=source_provenance(record),
    )
    return LoadedSource(
        summary=summary,
        record=record,
        directory=directory,
        records_path=records if records.is_file() else None,
    )


def json_object(path: Path) -> dict[str, Any]:
    """A JSON file holding one object."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def source_provenance(record: SummaryRecord) -> dict[str, Any]:
    """The summary's provenance with the dataset it names."""
    provenance = dict(record.provenance)
    if record.dataset is not None and "dataset" not in provenance:
        provenance["dataset"] = record.dataset.model_dump()
    return provenance


def language_rates(record: SummaryRecord) -> list[LanguageRate]:
    """The per-language pass@1 metrics of a summary, sorted by language."""
    rates = [
        LanguageRate(benchmark=record.name, language=m.language, pass_at_1=m.value, n=m.n)
        for m in record.metrics.values()
        if m.language is not None and m.name.endswith(".pass@1")
    ]
    return sorted(rates, key=lambda r: r.language)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())
