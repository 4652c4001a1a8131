"""known_issues.toml: parsed, filtered by suite, invalid entries rejected with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from runners.multilang.known_issues import known_issues_for, read_known_issues
from sandbox.errors import LanguageSpecError
from sandbox.languages import load_spec

SPEC = 'id = "x"\nname = "X"\nsource_file = "m"\nrun = "true"\nversion_command = "true"\n'


def test_known_issues_are_read_and_filtered_by_suite(tmp_path: Path) -> None:
    (tmp_path / "language.toml").write_text(SPEC)
    (tmp_path / "known_issues.toml").write_text(
        '[[known]]\nsuite = "mceval"\ntask_id = "X/3"\nreason = "upstream test expects 4"\n\n'
        '[[known]]\nsuite = "multipl-e"\ntask_id = "HumanEval_1_f"\nreason = "r"\n'
    )
    issues = known_issues_for(load_spec(tmp_path), "mceval")
    assert list(issues) == ["X/3"]
    assert issues["X/3"].reason == "upstream test expects 4"


def test_absent_file_means_no_known_issues(tmp_path: Path) -> None:
    assert read_known_issues(tmp_path / "known_issues.toml") == []


@pytest.mark.parametrize(
    "body",
    [
        '[[known]]\nsuite = "mceval"\ntask_id = "X/3"\n',
        '[[known]]\nsuite = "mceval"\ntask_id = "X/3"\nreason = ""\n',
        'known = "X/3"\n',
        "[[known]\n",
    ],
)
def test_invalid_entries_are_rejected(tmp_path: Path, body: str) -> None:
    path = tmp_path / "known_issues.toml"
    path.write_text(body)
    with pytest.raises(LanguageSpecError, match=r"known_issues\.toml"):
        read_known_issues(path)
