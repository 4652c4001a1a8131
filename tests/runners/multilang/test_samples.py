"""--samples FILE|DIR: records, numbering, and errors that name file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runners.multilang.samples import load_samples
from sandbox.errors import BadInputError


def _write(path: Path, *records: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_samples_are_numbered_per_task_in_file_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "s.jsonl",
        {"task_id": "Python/1", "language": "python", "completion": "a"},
        {"task_id": "Python/2", "language": "python", "completion": "b"},
        {"task_id": "Python/1", "language": "py", "solution": "c"},
    )
    samples = load_samples(path)
    assert [(s.task_id, s.index, s.full_program) for s in samples] == [
        ("Python/1", 0, False),
        ("Python/2", 0, False),
        ("Python/1", 1, True),
    ]
    assert {s.language for s in samples} == {"python"}
    assert samples[2].source == f"{path}:3"


def test_language_comes_from_the_mceval_task_id(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.jsonl", {"task_id": "Python/7", "completion": "x"})
    assert load_samples(path)[0].language == "python"


def test_unknown_language_is_kept_to_be_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.jsonl", {"task_id": "Swiftish/1", "completion": "x"})
    assert load_samples(path)[0].language == "swiftish"


def test_a_folder_reads_every_jsonl_file(tmp_path: Path) -> None:
    _write(tmp_path / "a.jsonl", {"task_id": "Python/1", "completion": "a"})
    _write(tmp_path / "b.jsonl", {"task_id": "Python/1", "completion": "b"})
    (tmp_path / "notes.txt").write_text("ignored")
    assert [s.index for s in load_samples(tmp_path)] == [0, 1]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"language": "python", "completion": "x"}', "no string 'task_id'"),
        ('{"task_id": "Python/1", "language": "python"}', "neither 'solution' nor 'completion'"),
        ('{"task_id": "Python/1", "completion": 3}', "'completion' must be a string"),
        ('{"task_id": "HumanEval_0_f", "completion": "x"}', "no 'language'"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path / "s.jsonl", {"task_id": "Python/1", "completion": "ok"}, line)
    with pytest.raises(BadInputError, match=message) as caught:
        load_samples(path)
    assert f"{path}:2" in str(caught.value)


def test_missing_path_and_empty_file_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        load_samples(tmp_path / "absent.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(BadInputError, match="no samples"):
        load_samples(tmp_path / "empty.jsonl")
