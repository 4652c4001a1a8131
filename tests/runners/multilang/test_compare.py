"""McEval's comparisons for HTML, JSON, Markdown and AWK output."""

from __future__ import annotations

from pathlib import Path

import pytest

from runners.multilang.compare import compare_documents, compare_outputs
from runners.multilang.datasets import load_mceval
from runners.multilang.models import CheckKind


def test_json_compares_values_not_text() -> None:
    ok, _ = compare_documents(
        CheckKind.JSON, '{"b": [1, 2], "a": "x"}', '{\n "a": "x",\n "b": [1,2]}'
    )
    assert ok
    assert not compare_documents(CheckKind.JSON, '{"a": 1}', '{"a": 2}')[0]
    assert not compare_documents(CheckKind.JSON, '{"a": 1', '{"a": 1}')[0]
    assert not compare_documents(CheckKind.JSON, '{"a": 1}', '{"a": true}')[0]
    assert not compare_documents(CheckKind.JSON, "[1, 2]", "[2, 1]")[0]


def test_html_ignores_layout_but_not_content() -> None:
    reference = "<html><body><h1>Title</h1><p>Some text</p></body></html>"
    relaid = "<html>\n  <body>\n    <h1>Title</h1>\n    <p>Some text</p>\n  </body>\n</html>\n"
    assert compare_documents(CheckKind.HTML, relaid, reference)[0]
    assert not compare_documents(CheckKind.HTML, reference.replace("Title", "Other"), reference)[0]
    assert not compare_documents(CheckKind.HTML, reference.replace("h1", "h2"), reference)[0]


def test_markdown_and_awk_output_are_byte_exact() -> None:
    assert compare_documents(CheckKind.MARKDOWN, "# T\n", "# T\n")[0]
    assert not compare_documents(CheckKind.MARKDOWN, "# T", "# T\n")[0]
    assert not compare_documents(CheckKind.MARKDOWN, "# T\r\n", "# T\n")[0]
    assert compare_outputs("a\nb\n", "a\nb\n")[0]
    same, detail = compare_outputs("a\nc\n", "a\nb\n")
    assert not same and "line 2" in detail


@pytest.mark.parametrize("language", ["html", "json", "markdown"])
def test_every_reference_matches_itself_and_not_another(data_dir: Path, language: str) -> None:
    tasks = load_mceval(data_dir).tasks[language]
    for task in tasks:
        assert compare_documents(task.check, task.reference or "", task.reference or "")[0]
    distinct = [t for t in tasks[1:] if t.reference != tasks[0].reference]
    assert distinct
    assert not compare_documents(
        tasks[0].check, distinct[0].reference or "", tasks[0].reference or ""
    )[0]
