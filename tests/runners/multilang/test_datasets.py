"""Reading McEval and MultiPL-E: language mapping, AWK data files, document references."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from runners.data import default_data_root, shipped_data_dir
from runners.jsonl import open_text, read_jsonl
from runners.multilang.datasets import derive_entry_point, load_mceval, load_multipl_e, suite_dir
from runners.multilang.models import CheckKind, SuiteName
from sandbox.errors import BadInputError

REPO = Path(__file__).resolve().parents[3]
MULTIPL_E_ALIASES = {
    "cpp": "cpp", "csharp": "cs", "d": "d", "go": "go", "java": "java", "julia": "jl",
    "javascript": "js", "lua": "lua", "ocaml": "ocaml", "php": "php", "perl": "pl",
    "python": "python", "r": "r", "ruby": "rb", "racket": "rkt", "rust": "rs",
    "scala": "scala", "shell": "sh", "swift": "swift", "typescript": "ts",
}  # fmt: skip


def _language(add: Callable[[str, str], Path], language_id: str, aliases: list[str]) -> None:
    add(
        language_id,
        f'name = "{language_id}"\naliases = {json.dumps(aliases)}\nsource_file = "m"\n'
        'run = "true"\nversion_command = "true"\n',
    )


def test_mceval_documents_and_awk(data_dir: Path) -> None:
    data = load_mceval(data_dir)
    html = {t.task_id: t for t in data.tasks["html"]}
    assert len(html) == 50
    assert html["HTML/1"].check is CheckKind.HTML
    assert html["HTML/1"].reference == (data_dir / "mceval/HTML/1.html").read_bytes().decode()
    assert html["HTML/1"].canonical == html["HTML/1"].reference
    assert {t.check for t in data.tasks["json"]} == {CheckKind.JSON}
    assert {t.check for t in data.tasks["markdown"]} == {CheckKind.MARKDOWN}


def test_awk_tasks_compare_outputs_and_ship_their_data(
    data_dir: Path, fake_registry: Callable[[str, str], Path]
) -> None:
    _language(fake_registry, "awk", ["AWK", "gawk"])
    _language(fake_registry, "commonlisp", ["Common Lisp"])
    data = load_mceval(data_dir)
    awk = {t.task_id: t for t in data.tasks["awk"]}
    assert len(awk) == 50
    task = awk["AWK/3"]
    assert task.check is CheckKind.OUTPUT_MATCH
    assert task.prompt == "" and task.test == ""
    assert "data/AWK/9_1.txt" in (task.canonical or "")
    assert task.files["data/AWK/9_1.txt"] == (data_dir / "mceval/AWK/9_1.txt").read_text()
    lisp = data.tasks["commonlisp"][0]
    assert lisp.check is CheckKind.EXECUTE
    assert "data/Common Lisp/file.txt" in lisp.files
    assert "Python" in data.unresolved  # no python folder in this registry: reported


def test_multipl_e_file_names_map_through_aliases(
    data_dir: Path, fake_registry: Callable[[str, str], Path]
) -> None:
    for language_id, alias in MULTIPL_E_ALIASES.items():
        _language(fake_registry, language_id, [alias])
    data = load_multipl_e(data_dir)
    assert data.unresolved == {}
    assert set(data.tasks) == set(MULTIPL_E_ALIASES)
    go = {t.task_id: t for t in data.tasks["go"]}
    assert go["HumanEval_23_strlen"].entry_point == "strlen"
    assert "func TestStrlen" in go["HumanEval_23_strlen"].test
    ocaml = {t.task_id: t for t in data.tasks["ocaml"]}
    assert "assert" in ocaml["HumanEval_0_has_close_elements"].test
    python = data.tasks["python"]
    assert len(python) == 164 and all(t.canonical for t in python)


def test_entry_points_match_humaneval(data_dir: Path) -> None:
    with gzip.open(data_dir / "humaneval/HumanEval.jsonl.gz", "rt") as handle:
        originals = {r["task_id"]: r["entry_point"] for r in map(json.loads, handle)}
    records = read_jsonl(data_dir / "multipl-e-humaneval/humaneval-python.jsonl.gz")
    for record in records:
        want = originals[record["task_id"].replace("Python/", "HumanEval/")]
        assert derive_entry_point(record) == want, record["task_id"]
    assert derive_entry_point({"name": "HumanEval_0_has_close_elements"}) == "has_close_elements"


def test_a_folder_without_data_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no mceval data"):
        suite_dir(SuiteName.MCEVAL, tmp_path)


def test_a_malformed_dataset_line_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "Python.jsonl").write_text('{"task_id": "Python/1"}\nnot json\n')
    with pytest.raises(BadInputError, match=r"Python\.jsonl:2"):
        load_mceval(tmp_path)


def test_shipped_files_match_the_manifest(data_dir: Path) -> None:
    """datasets/ holds the upstream files unchanged: every decompressed file's SHA-256 is the
    one recorded when it was copied, and nothing unlisted was added."""
    manifest = {}
    for line in (data_dir / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split("  ", 1)
        manifest[name] = digest
    on_disk = {
        p.relative_to(data_dir).as_posix()
        for p in data_dir.rglob("*")
        if p.is_file() and p.name not in {"README.md", "MANIFEST.sha256"}
    }
    assert on_disk == set(manifest)
    for name, digest in manifest.items():
        assert hashlib.sha256(open_text(data_dir / name).encode()).hexdigest() == digest, name


def test_humanevalplus_is_evalplus_v0_1_10(data_dir: Path) -> None:
    text = open_text(data_dir / "humanevalplus" / "HumanEvalPlus.jsonl.gz")
    assert hashlib.md5(text.encode()).hexdigest() == "fe585eb4df8c88d844eeb463ea4d0302"


def test_the_default_data_is_the_shipped_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANDBOX_DATA_DIR", raising=False)
    assert default_data_root() == shipped_data_dir() == REPO / "datasets"
    data = load_mceval()
    assert sum(len(tasks) for tasks in data.tasks.values()) + sum(data.unresolved.values()) == 2007
    assert len(load_multipl_e().tasks) >= 19
