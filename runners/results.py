"""The output-directory convention shared by every command that produces results.

``DIR/results.jsonl`` holds one JSON record per sample or judgment, appended as soon as it
is known (so an interrupted run loses nothing); ``DIR/summary.json`` is written atomically at
the end. A re-run into the same DIR skips the records whose key is already present.

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

from sandbox.errors import BadInputError

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

    def __init__(self, directory: Path, key_field: str = "key") -> None:
        self.directory = Path(directory)
        self.key_field = key_field
        self._lock = threading.Lock()
        self.directory.mkdir(parents=True, exist_ok=True)

    @property
    def results_path(self) -> Path:
        return self.directory / RESULTS_FILE

    @property
    def summary_path(self) -> Path:
        return self.directory / SUMMARY_FILE

    def load_records(self) -> list[dict[str, Any]]:
        """Records already on disk; a torn last line (crash mid-write) is dropped and rewritten."""
        if not self.results_path.exists():
            return []
        records: list[dict[str, Any]] = []
        lines = self.results_path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                if number == len(lines):
                    self._rewrite(records)
                    break
                raise BadInputError(
                    f"{self.results_path}:{number}: not valid JSON ({exc.msg})",
                    "remove the damaged line or use a fresh --output directory",
                ) from exc
        return records

    def done_keys(self) -> set[str]:
        """Keys of the records already stored (what a resumed run skips)."""
        return {str(r[self.key_field]) for r in self.load_records() if self.key_field in r}

    def append(self, record: Mapping[str, Any]) -> None:
        """Append one record and flush it to disk before returning (thread-safe)."""
        record = self._externalise_files(record)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock, self.results_path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def _externalise_files(self, record: Mapping[str, Any]) -> Mapping[str, Any]:
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
            path.parent.mkdir(exist_ok=True)
            tmp = path.with_name(f".{digest}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return digest

    def write_summary(self, summary: Mapping[str, Any]) -> None:
        """Write ``summary.json`` atomically."""
        tmp = self.summary_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
        os.replace(tmp, self.summary_path)

    def read_summary(self) -> dict[str, Any] | None:
        if not self.summary_path.exists():
            return None
        data: dict[str, Any] = json.loads(self.summary_path.read_text(encoding="utf-8"))
        return data

    def _rewrite(self, records: Iterable[Mapping[str, Any]]) -> None:
        tmp = self.results_path.with_suffix(".jsonl.tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        os.replace(tmp, self.results_path)


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
