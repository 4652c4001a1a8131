"""The results directory convention: append, resume, torn lines, atomic summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from runners.passk import estimate_pass_at_k, summarize_pass_at_k
from runners.results import BLOB_DIR, BLOB_MIN_BYTES, FILE_BLOBS, ResultsStore, hydrate_request
from sandbox.errors import BadInputError


def test_append_and_resume(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.append({"key": "a", "v": 1})
    store.append({"key": "b", "v": 2})
    assert set(ResultsStore(tmp_path).latest()) == {"a", "b"}


def test_torn_last_line_is_dropped(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.append({"key": "a"})
    with store.results_path.open("a") as handle:
        handle.write('{"key": "b", "v"')
    assert [r["key"] for r in store.load_records()] == ["a"]
    store.append({"key": "c"})
    assert set(store.latest()) == {"a", "c"}


def test_damaged_middle_line_names_file_and_line(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.results_path.write_text('{"key": "a"}\nnot json\n{"key": "b"}\n')
    with pytest.raises(BadInputError, match=r"results.jsonl:2"):
        store.load_records()


def test_summary_is_atomic(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.write_summary({"x": 1})
    assert store.read_summary() == {"x": 1}
    assert not list(tmp_path.glob("*.tmp"))


def test_pass_at_k_known_values() -> None:
    assert estimate_pass_at_k(10, 0, 1) == 0.0
    assert estimate_pass_at_k(10, 10, 5) == 1.0
    assert estimate_pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert estimate_pass_at_k(5, 2, 2) == pytest.approx(1 - 3 / 10)
    summary = summarize_pass_at_k({"a": (10, 3), "b": (10, 0)}, ks=(1, 10, 100))
    assert summary == {"pass@1": pytest.approx(0.15), "pass@10": pytest.approx(0.5)}


def test_large_request_files_are_stored_once_and_read_back(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    expected = "x" * BLOB_MIN_BYTES  # e.g. HumanEval+'s expected outputs, shared by samples
    for sample in range(3):
        files = {"main.py": f"print({sample})", "expected.b64": expected}
        store.append({"key": str(sample), "request": {"image": "i", "files": files}})
    assert len(list((tmp_path / BLOB_DIR).iterdir())) == 1
    assert store.results_path.stat().st_size < BLOB_MIN_BYTES
    records = store.load_records()
    assert "expected.b64" not in records[1]["request"]["files"]
    request = hydrate_request(records[1]["request"], tmp_path)
    assert request["files"] == {"main.py": "print(1)", "expected.b64": expected}
    assert FILE_BLOBS not in request


def test_a_missing_blob_is_bad_input(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.append({"key": "0", "request": {"files": {"big": "y" * BLOB_MIN_BYTES}}})
    for blob in (tmp_path / BLOB_DIR).iterdir():
        blob.unlink()
    with pytest.raises(BadInputError, match="stored file 'big'"):
        hydrate_request(store.load_records()[0]["request"], tmp_path)
