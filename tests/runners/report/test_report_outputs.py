"""Report loading and every output format: schema-valid JSON and JUnit, Markdown, HTML."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from runners.report.build import load_report
from runners.report.loaders import load_sources
from runners.report.records import iter_sample_outcomes
from runners.report.render_html import render_html
from runners.report.render_junit import render_junit
from runners.report.render_text import render_json, render_markdown
from runners.report.schema import REPORT_SCHEMA_VERSION, SampleStatus, export_json_schema
from sandbox.errors import BadInputError
from sandbox.models import Status

from .resultdirs import STATIC, write_suite_dir

JUNIT_XSD = STATIC / "junit.xsd"


@pytest.fixture(scope="module")
def report_json(fixtures_root: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(render_json(load_report([fixtures_root])))
    return data


def test_report_reads_every_kind_per_model(
    report_json: dict[str, object], fixtures_root: Path
) -> None:
    models = {m["model"]: m for m in report_json["models"]}  # type: ignore[attr-defined]
    assert sorted(models) == ["coder-a", "coder-b"]
    a = models["coder-a"]["metrics"]
    # Values come from the summaries; 6 of 8 HumanEval+ tasks pass plus for coder-a.
    assert a["humaneval+.plus.pass@1"]["value"] == pytest.approx(0.75)
    assert a["mceval.rust.pass@1"]["value"] == pytest.approx(0.5)
    assert a["codearena.win_rate"]["value"] == pytest.approx(0.5)
    assert a["codal.score"]["value"] == pytest.approx(112 / 15)
    # A language that could not run is left out, not counted as zero.
    assert "mceval.haskell.pass@1" not in a
    # Intervals: Wilson from the records where the summary has none (6/8 -> [0.409, 0.929]).
    assert a["humaneval+.plus.pass@1"]["low"] == pytest.approx(0.4093, abs=1e-3)
    assert a["humaneval+.plus.pass@1"]["high"] == pytest.approx(0.9285, abs=1e-3)
    # ... and the judge's own bootstrap interval is kept as written.
    summary = json.loads((fixtures_root / "coder-a/codearena/summary.json").read_text())
    assert a["codearena.win_rate"]["low"] == summary["details"]["metrics"]["win_rate"]["lower"]


def test_report_json_is_valid_against_exported_schema(report_json: dict[str, object]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = export_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report_json, schema)
    assert report_json["schema_version"] == REPORT_SCHEMA_VERSION
    broken = {**report_json, "models": [{"model": "x", "metrics": {"m": {"value": "high"}}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_report_carries_provenance_of_every_source(report_json: dict[str, object]) -> None:
    sources = report_json["sources"]
    assert len(sources) == 9  # type: ignore[arg-type]
    for source in sources:  # type: ignore[attr-defined]
        assert source["provenance"]["tool_version"] == "0.1.0"
    judges = [s for s in sources if s["kind"] == "judge"]  # type: ignore[attr-defined]
    assert all(s["provenance"]["judge_model"] == "judge-7b" for s in judges)
    assert report_json["provenance"]["tool"] == "sandbox"  # type: ignore[index]


def _junit_samples(paths: list[Path]) -> list[object]:
    return [s for src in load_sources(paths) for s in iter_sample_outcomes(src)]


def test_junit_is_schema_valid_with_one_case_per_sample(fixtures_root: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    samples = _junit_samples([fixtures_root])
    text = render_junit(samples, timestamp="2025-01-01T00:00:00+00:00", hostname="h")  # type: ignore[arg-type]
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    schema.validate(text)
    records = sum(
        len((d / "results.jsonl").read_text().splitlines())
        for d in fixtures_root.glob("*/*")
        if d.name in {"humaneval+", "mbpp+", "mceval"}
    )
    assert text.count("<testcase ") == records == len(samples)
    assert 'name="HumanEval/3#0"' in text and "expected: 6" in text


def test_junit_marks_sandbox_errors_as_errors_and_strips_control_chars(tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    directory = write_suite_dir(
        tmp_path / "run",
        "m",
        {"T/1": [(True, True)], "T/2": [(False, False)]},
        statuses={"T/2": Status.SANDBOX_ERROR},
    )
    lines = (directory / "results.jsonl").read_text().splitlines()
    record = json.loads(lines[1])
    record["result"].update(error="engine went away", stderr="bad\x00byte\x1b")
    (directory / "results.jsonl").write_text(lines[0] + "\n" + json.dumps(record) + "\n")
    samples = _junit_samples([directory])
    statuses = [s.status for s in samples]  # type: ignore[attr-defined]
    assert statuses == [SampleStatus.PASSED, SampleStatus.ERROR]
    text = render_junit(samples)  # type: ignore[arg-type]
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(text)
    assert '<error message="base: error, plus: error (sandbox_error): engine went away"' in text
    assert "\x00" not in text and 'errors="1"' in text


def test_markdown_has_a_table_per_section(fixtures_root: Path) -> None:
    text = render_markdown(load_report([fixtures_root]))
    for title in ("Correctness", "Per-language pass@1", "CodeArena", "CODAL-Bench", "Provenance"):
        assert f"## {title}" in text or title in text
    assert "| coder-a | 100.0% [67.6, 100.0] | 75.0% [40.9, 92.9] |" in text


def test_loader_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"no summary\.json"):
        load_report([tmp_path])
    (tmp_path / "summary.json").write_text('{"kind": "mystery"}')
    with pytest.raises(BadInputError, match="unknown result kind"):
        load_report([tmp_path])


def test_superseded_records_are_not_counted_twice(tmp_path: Path) -> None:
    directory = write_suite_dir(tmp_path / "run", "m", {"T/1": [(False, False)]})
    first = json.loads((directory / "results.jsonl").read_text())
    retried = {**first, "status": "passed", "passed": True}
    with (directory / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(retried) + "\n")
    samples = _junit_samples([directory])
    assert [s.status for s in samples] == [SampleStatus.PASSED]  # type: ignore[attr-defined]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    _chromium() is None, reason="needs Debian's chromium (apt-get install chromium)"
)
def test_html_renders_tables_and_plots_in_headless_chromium(
    tmp_path: Path, fixtures_root: Path
) -> None:
    html = render_html(load_report([fixtures_root]))
    for forbidden in ("<script", "http://", "https://", "<link", "@import", "src="):
        # The only URL allowed is the SVG namespace, which loads nothing.
        assert forbidden not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    command = [
        str(_chromium()),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,2000",
    ]
    dom = subprocess.run(
        [*command, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    assert dom.count("<table") >= 5  # correctness, languages, two judges, provenance
    assert 'id="plot-languages"' in dom and 'id="plot-correctness-alignment"' in dom
    assert dom.count('class="bar"') == 6  # 3 languages x 2 models
    assert dom.count('class="point"') == 2
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*command, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a page was painted
