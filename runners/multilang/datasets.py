"""Read McEval and MultiPL-E HumanEval tasks from their published JSONL files.

Dataset language names (``C#.jsonl``, ``humaneval-rkt.jsonl``) map to language ids through
the aliases in each ``language.toml``; a dataset language without a folder is reported, not
dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runners.data import default_data_root
from runners.jsonl import find_jsonl, jsonl_stem, read_jsonl
from runners.multilang.models import CheckKind, SuiteName, TaskSpec
from sandbox.errors import BadInputError, UnknownLanguageError
from sandbox.languages import resolve_language

SUITE_FOLDERS = {SuiteName.MCEVAL: "mceval", SuiteName.MULTIPL_E: "multipl-e-humaneval"}
COMPARISON_LANGUAGES = {
    "html": CheckKind.HTML,
    "json": CheckKind.JSON,
    "markdown": CheckKind.MARKDOWN,
}
"""McEval's document 'languages': judged by comparison with a reference file, not executed."""
REFERENCE_SUFFIX = {CheckKind.HTML: ".html", CheckKind.JSON: ".json", CheckKind.MARKDOWN: ".md"}
_MULTIPL_E_FILE = re.compile(r"^humaneval-(.+)$")
_PY_DEF = re.compile(r"^def\s+(\w+)\s*\(", re.MULTILINE)


@dataclass
class SuiteData:
    """Tasks grouped by language id, plus dataset languages that no folder claims."""

    suite: SuiteName
    root: Path
    tasks: dict[str, list[TaskSpec]] = field(default_factory=dict)
    unresolved: dict[str, int] = field(default_factory=dict)


def suite_dir(suite: SuiteName, data_dir: Path | None = None) -> Path:
    """The suite's folder: ``data_dir`` itself or its suite subfolder."""
    base = data_dir or default_data_root()
    folder = base / SUITE_FOLDERS[suite]
    path = folder if folder.is_dir() else base
    if not path.is_dir() or not find_jsonl(path):
        raise BadInputError(
            f"no {suite.value} data (*.jsonl or *.jsonl.gz) in {path}",
            f"pass --data-dir pointing at the folder holding {SUITE_FOLDERS[suite]}/",
        )
    return path


def resolve_dataset_language(*names: str) -> str | None:
    """The first of ``names`` that a language folder claims, as a language id."""
    for name in names:
        if not name:
            continue
        if name.lower() in COMPARISON_LANGUAGES:
            return name.lower()
        try:
            return resolve_language(name).id
        except UnknownLanguageError:
            continue
    return None


def load_mceval(data_dir: Path | None = None) -> SuiteData:
    """Every McEval generation task, grouped by language id."""
    root = suite_dir(SuiteName.MCEVAL, data_dir)
    data = SuiteData(SuiteName.MCEVAL, root)
    for path in find_jsonl(root):
        stem = jsonl_stem(path)
        language = resolve_dataset_language(stem)
        records = read_jsonl(path)
        if language is None:
            data.unresolved[stem] = len(records)
            continue
        files = _data_files(root / stem) if language not in COMPARISON_LANGUAGES else {}
        tasks = [_mceval_task(root, language, record, files) for record in records]
        data.tasks.setdefault(language, []).extend(tasks)
    return data


def _mceval_task(
    root: Path, language: str, record: dict[str, Any], files: dict[str, str]
) -> TaskSpec:
    task_id = str(record["task_id"])
    check = COMPARISON_LANGUAGES.get(language)
    if check is not None:
        reference = read_reference(root, task_id, check)
        return TaskSpec(
            suite=SuiteName.MCEVAL,
            language=language,
            task_id=task_id,
            prompt="",
            canonical=reference,
            check=check,
            reference=reference,
            instruction=str(record.get("instruction") or ""),
        )
    output_match = "test" not in record
    return TaskSpec(
        suite=SuiteName.MCEVAL,
        language=language,
        task_id=task_id,
        # AWK's prompt is prose and its program is the command line alone, as in McEval.
        prompt="" if output_match else str(record.get("prompt", "")),
        canonical=record.get("canonical_solution"),
        test=str(record.get("test", "")),
        entry_point=str(record.get("entry_point", "")),
        check=CheckKind.OUTPUT_MATCH if output_match else CheckKind.EXECUTE,
        files=files,
        instruction=str(record.get("instruction") or ""),
    )


def read_reference(root: Path, task_id: str, check: CheckKind) -> str:
    """McEval's reference document for an HTML/JSON/Markdown task (``HTML/3`` -> HTML/3.html)."""
    folder, _, number = task_id.partition("/")
    path = root / folder / (number.split("-")[0] + REFERENCE_SUFFIX[check])
    try:
        return read_text_exact(path)
    except OSError as exc:
        raise BadInputError(
            f"{path}: reference file of {task_id} is missing ({exc.strerror})",
            "use a complete copy of McEval's data/ folder",
        ) from exc


def read_text_exact(path: Path) -> str:
    """A file's text with its line endings untouched (McEval compares bytes)."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{path}: not UTF-8 ({exc.reason})", "re-encode it as UTF-8") from exc


def _data_files(folder: Path) -> dict[str, str]:
    """Files a language's programs read (McEval's data/AWK/...), shipped as data/<folder>/..."""
    if not folder.is_dir():
        return {}
    return {
        f"data/{folder.name}/{path.name}": read_text_exact(path)
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def load_multipl_e(data_dir: Path | None = None) -> SuiteData:
    """Every MultiPL-E HumanEval task (``humaneval-<lang>.jsonl``), grouped by language id."""
    root = suite_dir(SuiteName.MULTIPL_E, data_dir)
    data = SuiteData(SuiteName.MULTIPL_E, root)
    for path in find_jsonl(root, "humaneval-*"):
        match = _MULTIPL_E_FILE.match(jsonl_stem(path))
        short = match.group(1) if match else jsonl_stem(path)
        records = read_jsonl(path)
        field_name = str(records[0].get("language", "")) if records else ""
        language = resolve_dataset_language(short, field_name, field_name.split("_")[0])
        if language is None:
            data.unresolved[short] = len(records)
            continue
        tasks = [_multipl_e_task(language, record) for record in records]
        data.tasks.setdefault(language, []).extend(tasks)
    return data


def _multipl_e_task(language: str, record: dict[str, Any]) -> TaskSpec:
    task_id = str(record.get("task_id") or record.get("name"))
    test = record.get("tests") or record.get("test") or ""
    return TaskSpec(
        suite=SuiteName.MULTIPL_E,
        language=language,
        task_id=task_id,
        prompt=str(record.get("prompt", "")),
        canonical=record.get("canonical_solution"),
        test=str(test),
        entry_point=str(record.get("entry_point") or derive_entry_point(record)),
        stop_tokens=tuple(str(t) for t in record.get("stop_tokens") or ()),
    )


def derive_entry_point(record: dict[str, Any]) -> str:
    """The function under test: ``HumanEval_23_strlen`` -> ``strlen``; else the last ``def``."""
    name = str(record.get("name") or record.get("task_id") or "")
    if name.startswith("HumanEval_") and name.count("_") >= 2:
        return name.split("_", 2)[2]
    defs = _PY_DEF.findall(str(record.get("declaration") or record.get("prompt") or ""))
    return defs[-1] if defs else ""
