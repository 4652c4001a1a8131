"""The output-directory convention shared by every command that produces results.

``DIR/results.jsonl`` holds one record per sample or judgment (the contract in
:mod:`runners.records`), appended and flushed as soon as it is known, so an interrupted run
loses nothing; ``DIR/summary.json`` is written atomically at the end. A re-run into the same
DIR skips the records whose key is already final.

A record's ``request`` keeps every file the execution needs, so that ``sandbox debug`` can
re-create it. Files of at least ``BLOB_MIN_BYTES`` (test harnesses, HumanEval+'s expected
outputs: megabytes, the same for every sample of a task) are stored once, content-addressed,
under ``DIR/blobs/``; the request names them in ``file_blobs`` and ``hydrate_request`` puts
them back.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from runners.jsonl import iter_jsonl, latest_by_key
from runners.records import SampleRecord, SummaryRecord
from sandbox.errors import BadInputError
from sandbox.files import write_atomic

RESULTS_FILE = "results.jsonl"
SUMMARY_FILE = "summary.json"
BLOB_DIR = "blobs"
BLOB_MIN_BYTES = 4096
FILE_BLOBS = "file_blobs"


def default_output_dir(command: str, *parts: str) -> Path:
    """Deterministic default under ``results/`` so that re-running the same command resumes."""
    safe = [p.replace("/", "_").replace(" ", "_") for p in parts if p]
    return Path("results", command, *safe)


class ResultsStore:
    """Append-only JSONL records plus an atomically written summary in one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self.directory.mkdir(parents=True, exist_ok=True)

    @property
    def results_path(self) -> Path:
        return self.directory / RESULTS_FILE

    @property
    def summary_path(self) -> Path:
        return self.directory / SUMMARY_FILE

    def load_records(self) -> list[dict[str, Any]]:
        """Records on disk, as stored; a torn last line (crash mid-write) is dropped and the
        file rewritten without it, so the next append starts on a fresh line."""
        if not self.results_path.exists():
            return []
        records = [r for _, r in iter_jsonl(self.results_path, tolerate_torn_tail=True)]
        text = self.results_path.read_bytes()
        if (text and not text.endswith(b"\n")) or len(records) < _count_lines(text):
            self._rewrite(records)
        return records

    def latest(self) -> dict[str, dict[str, Any]]:
        """The last stored record of each key (a retried sample supersedes its attempt)."""
        return latest_by_key(self.load_records())

    def append(self, record: BaseModel | Mapping[str, Any]) -> None:
        """Append one record and flush it to disk before returning (thread-safe)."""
        raw = record.model_dump(mode="json") if isinstance(record, BaseModel) else dict(record)
        line = json.dumps(self._externalise_files(raw), ensure_ascii=False, sort_keys=True)
        with self._lock, self.results_path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def write_summary(self, summary: SummaryRecord | Mapping[str, Any]) -> None:
        """Write ``summary.json`` atomically."""
        raw = summary.model_dump(mode="json") if isinstance(summary, BaseModel) else summary
        text = json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        write_atomic(self.summary_path, text)

    def read_summary(self) -> dict[str, Any] | None:
        """``summary.json`` as stored, or None before the first run finished."""
        if not self.summary_path.exists():
            return None
        data: dict[str, Any] = json.loads(self.summary_path.read_text(encoding="utf-8"))
        return data

    def _externalise_files(self, record: dict[str, Any]) -> dict[str, Any]:
        """Move the request's large files to ``DIR/blobs/`` (written before the record)."""
        request = record.get("request")
        files = request.get("files") if isinstance(request, dict) else None
        if not isinstance(request, dict) or not isinstance(files, dict):
            return record
        large = {n: c for n, c in files.items() if isinstance(c, str) and len(c) >= BLOB_MIN_BYTES}
        if not large:
            return record
        blobs = {name: self._write_blob(content) for name, content in large.items()}
        kept = {n: c for n, c in files.items() if n not in large}
        return {**record, "request": {**request, "files": kept, FILE_BLOBS: blobs}}

    def _write_blob(self, content: str) -> str:
        data = content.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / BLOB_DIR / digest
        if not path.exists():
            write_atomic(path, data)
        return digest

    def _rewrite(self, records: Iterable[Mapping[str, Any]]) -> None:
        lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
        write_atomic(self.results_path, lines)


def _count_lines(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip())


def parse_sample_record(raw: Mapping[str, Any], where: str) -> SampleRecord:
    """A stored suite record as the contract's model (schema 1 through the adapter)."""
    from runners.legacy import upgrade_sample

    try:
        if int(raw.get("schema_version") or 1) < 2 or raw.get("kind") != "sample":
            return upgrade_sample(raw)
        return SampleRecord.model_validate(raw)
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise BadInputError(
            f"{where}: a record does not match the results schema ({_first_error(exc)})",
            "re-run the command that wrote it with this version of sandbox",
        ) from exc


def parse_summary(raw: Mapping[str, Any], where: str) -> SummaryRecord:
    """A stored ``summary.json`` as the contract's model (schema 1 through the adapter)."""
    from runners.legacy import upgrade_summary

    try:
        if int(raw.get("schema_version") or 1) < 2 or "name" not in raw:
            return upgrade_summary(raw)
        return SummaryRecord.model_validate(raw)
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise BadInputError(
            f"{where}: the summary does not match the results schema ({_first_error(exc)})",
            "re-run the command that wrote it with this version of sandbox",
        ) from exc


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def hydrate_request(raw: Mapping[str, Any], directory: Path) -> dict[str, Any]:
    """A stored request with its externalised files read back from ``directory/blobs``."""
    blobs = raw.get(FILE_BLOBS) or {}
    request = {k: v for k, v in raw.items() if k != FILE_BLOBS}
    files = dict(request.get("files") or {})
    for name, digest in blobs.items():
        path = Path(directory) / BLOB_DIR / str(digest)
        try:
            files[name] = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BadInputError(
                f"{path}: stored file {name!r} of the request is missing ({exc.strerror})",
                "keep the results directory whole (results.jsonl with blobs/), or re-run",
            ) from exc
    request["files"] = files
    return request
