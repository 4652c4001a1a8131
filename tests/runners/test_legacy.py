"""Result folders written by the code before the record contract are still read, through the
one adapter: report, gate and debug see the same verdicts and metrics as the old summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runners.debug import find_target
from runners.gate import evaluate_gate
from runners.records import EvalplusDetails, ProgramDetails, Verdict
from runners.report.build import load_report
from runners.report.loaders import load_source, load_sources
from runners.report.records import iter_sample_outcomes
from runners.report.schema import SampleStatus, SourceKind
from runners.stats import McNemarMethod

V1 = Path(__file__).parent / "fixtures" / "results-v1"


def _old(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((V1 / name / "summary.json").read_text())
    return data


def test_evalplus_folder_reads_as_the_contract() -> None:
    source = load_source(V1 / "humaneval+")
    assert (source.summary.kind, source.summary.name, source.summary.model) == (
        SourceKind.SUITE,
        "humaneval+",
        "v1-model",
    )
    assert source.summary.metrics["humaneval+.plus.pass@1"].value == 0.5
    assert source.record.dataset is not None
    assert source.record.dataset.hash == "fe585eb4df8c88d844eeb463ea4d0302"
    records = {r.task_id: r for r in source.sample_records()}
    assert records["HumanEval/0"].status is Verdict.PASSED and records["HumanEval/0"].passed
    failing = records["HumanEval/1"]
    assert failing.status is Verdict.FAILED and isinstance(failing.details, EvalplusDetails)
    assert (failing.details.base_status, failing.details.plus_status) == ("fail", "fail")
    assert failing.details.expected is not None


def test_program_suite_folders_read_as_the_contract() -> None:
    mceval = load_source(V1 / "mceval")
    records = mceval.sample_records()
    assert [r.status for r in records] == [Verdict.FAILED, Verdict.FAILED]
    assert all(isinstance(r.details, ProgramDetails) for r in records)
    assert any("no pass marker" in r.detail for r in records)
    assert mceval.summary.metrics["mceval.python.pass@1"].value == 0.0
    assert mceval.summary.languages[0].language == "python"
    multipl_e = load_source(V1 / "multipl-e")
    assert multipl_e.summary.metrics["multipl-e.python.pass@1"].value == 1.0
    assert multipl_e.record.details["mode"] == "canonical"


def test_judge_folders_keep_their_metrics_and_intervals() -> None:
    arena = load_source(V1 / "codearena")
    old = _old("codearena")["metrics"]
    win = arena.summary.metrics["codearena.win_rate"]
    assert win.value == old["win_rate"]["value"]  # type: ignore[index]
    assert win.low == old["win_rate"]["lower"]  # type: ignore[index]
    codal = load_source(V1 / "codal")
    assert codal.summary.kind is SourceKind.JUDGE
    assert "codal.overall.na_as_zero" in codal.summary.metrics


def test_report_gate_and_junit_read_every_old_folder() -> None:
    report = load_report([V1])
    assert {m.model for m in report.models} == {"v1-model", "canonical", "coder-x"}
    outcomes = [o for s in load_sources([V1]) for o in iter_sample_outcomes(s)]
    assert len(outcomes) == 6
    assert sum(o.status is SampleStatus.PASSED for o in outcomes) == 3
    gate = evaluate_gate(
        load_sources([V1 / "humaneval+"]),
        [],
        ["humaneval+.plus.pass@1>=0.5"],
        [],
        level=0.05,
        method=McNemarMethod.MID_P,
        seed=0,
        resamples=100,
    )
    assert gate.passed


@pytest.mark.parametrize(
    ("folder", "task"), [("humaneval+", "HumanEval/1"), ("mceval", "Python/1")]
)
def test_debug_finds_the_failing_sample_of_an_old_folder(folder: str, task: str) -> None:
    target = find_target(V1 / folder, task, None)
    assert not target.record.passed
    assert target.request.image == "sandbox-lang-python:latest"
    assert target.request.files  # blobs read back for evalplus's harness
