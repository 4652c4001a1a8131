"""Questions (CodeArena, CODAL-Bench) and model answers, from a local file or the Hugging Face hub.

Local files: JSON Lines (one record a line), a JSON list, or Parquet (needs ``pyarrow``). The hub
is read through ``datasets`` (or ``huggingface_hub``) only when installed and online; otherwise a
DatasetUnavailableError says how to get the file.
"""

from __future__ import annotations

import ast
import json
from importlib import import_module
from pathlib import Path
from typing import Any, TypeVar

from runners.jsonl import iter_jsonl
from sandbox.errors import BadInputError
from sandbox.models import FrozenModel

from .errors import DatasetUnavailableError
from .prompts import PREFERENCES, normalize_preference

CODEARENA_HUB = "CSJianYang/CodeArena"
CODAL_HUB = "coseal/codal-bench"
RESPONSE_SUFFIX = "_response"
ANSWER_FIELDS = ("answer", "response", "output", "completion", "generation", "content")

Row = tuple[str, dict[str, Any]]  # (origin "file:line", record)


class ArenaQuestion(FrozenModel):
    """One CodeArena question with its baseline answers (model name -> text)."""

    id: str
    question: str
    languages: tuple[str, ...]
    category: str
    difficulty: str
    baselines: dict[str, str]


class CodalQuestion(FrozenModel):
    """One CODAL-Bench instruction with its reference answers (model name -> text)."""

    id: str
    instruction: str
    preference: str
    references: dict[str, str]


Q = TypeVar("Q", ArenaQuestion, CodalQuestion)


class AnswerSet(FrozenModel):
    """A model's answers, by question id and (for CODAL-Bench) by instruction text."""

    by_id: dict[str, str]
    by_instruction: dict[str, str]

    def find(self, question_id: str, instruction: str | None = None) -> str | None:
        if question_id in self.by_id:
            return self.by_id[question_id]
        return self.by_instruction.get(instruction) if instruction is not None else None


def read_rows(source: str, default_hub: str) -> list[Row]:
    """Records of a local file, or of a hub dataset (``hf:owner/name`` or a missing path)."""
    path = Path(source)
    if path.is_file():
        return _read_local(path)
    if source.startswith("hf:") or (not path.exists() and source.count("/") == 1):
        return _read_hub(source.removeprefix("hf:") or default_hub)
    raise BadInputError(
        f"{source}: no such file", f"pass --questions PATH to a local file or hf:{default_hub}"
    )


def _read_local(path: Path) -> list[Row]:
    if path.suffix == ".parquet":
        return _read_parquet(path)
    if path.suffix == ".json":
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInputError(
                f"{path}:{exc.lineno}: invalid JSON ({exc.msg})", "fix the file"
            ) from exc
        if not isinstance(data, list):
            raise BadInputError(f"{path}: expected a JSON list of records", "fix the file")
        return [(f"{path}:item {i}", _as_record(r, f"{path}:item {i}")) for i, r in enumerate(data)]
    rows: list[Row] = [(f"{path}:{number}", record) for number, record in iter_jsonl(path)]
    if not rows:
        raise BadInputError(f"{path}: no records", "pass a JSON Lines file with one record a line")
    return rows


def _as_record(value: Any, origin: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInputError(f"{origin}: expected a JSON object", "fix the record")
    return value


def _read_parquet(path: Path) -> list[Row]:
    try:
        parquet = import_module("pyarrow.parquet")
    except ImportError as exc:
        raise DatasetUnavailableError(
            f"{path}: reading Parquet needs pyarrow", "pip install pyarrow, or convert to JSONL"
        ) from exc
    records = parquet.read_table(path).to_pylist()
    return [(f"{path}:row {i}", dict(r)) for i, r in enumerate(records)]


def _read_hub(repo_id: str, split: str = "test") -> list[Row]:
    """Rows of a hub dataset through ``datasets``; a clear error when it cannot be reached."""
    fix = f"download the dataset file from the hub ({repo_id}) and pass --questions PATH"
    try:
        hub_datasets = import_module("datasets")
    except ImportError as exc:
        raise DatasetUnavailableError(
            f"reading {repo_id} from the Hugging Face hub needs the 'datasets' package",
            f"pip install datasets (and be online), or {fix}",
        ) from exc
    try:
        table = hub_datasets.load_dataset(repo_id, split=split)
    except (OSError, ValueError, ConnectionError) as exc:
        raise DatasetUnavailableError(
            f"cannot load {repo_id} from the Hugging Face hub ({type(exc).__name__}: {exc})",
            f"check the connection, or {fix}",
        ) from exc
    return [(f"hf:{repo_id}:row {i}", dict(r)) for i, r in enumerate(table)]


def _responses(record: dict[str, Any]) -> dict[str, str]:
    return {
        key.removesuffix(RESPONSE_SUFFIX): value
        for key, value in record.items()
        if key.endswith(RESPONSE_SUFFIX) and isinstance(value, str)
    }


def _first_user_turn(record: dict[str, Any], origin: str) -> str:
    messages = record.get("messages")
    if isinstance(messages, str):  # the hub card shows messages as a Python-literal string
        try:
            messages = json.loads(messages)
        except json.JSONDecodeError:
            try:
                messages = ast.literal_eval(messages)
            except (ValueError, SyntaxError) as exc:
                raise BadInputError(
                    f"{origin}: 'messages' is neither JSON nor a list literal", "fix the record"
                ) from exc
    if isinstance(messages, list):
        for turn in messages:
            if isinstance(turn, dict) and turn.get("role") == "user":
                return str(turn.get("content", ""))
    if isinstance(record.get("question"), str):
        return str(record["question"])
    raise BadInputError(f"{origin}: no user turn in 'messages'", "give messages=[{role,content}]")


def _as_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if str(v))
    return ()


def _category(record: dict[str, Any]) -> str:
    meta = record.get("meta")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError:
            meta = None
    task_types: tuple[str, ...] = ()
    if isinstance(meta, dict) and isinstance(meta.get("parsed"), dict):
        task_types = _as_tuple(meta["parsed"].get("task_type"))
    task_types = task_types or _as_tuple(record.get("category") or record.get("task_type"))
    # CodeArena's own grouping lower-cases task types and reads '-' as a space.
    return task_types[0].replace("-", " ").strip().lower() if task_types else "unknown"


def load_codearena(source: str | None) -> list[ArenaQuestion]:
    """CodeArena questions: id, messages, programming_language, difficulty, <model>_response."""
    questions = []
    for index, (origin, record) in enumerate(
        read_rows(source or f"hf:{CODEARENA_HUB}", CODEARENA_HUB)
    ):
        questions.append(
            ArenaQuestion(
                id=str(record.get("id", index)),
                question=_first_user_turn(record, origin),
                languages=_as_tuple(record.get("programming_language")) or ("unknown",),
                category=_category(record),
                difficulty=str(record.get("difficulty") or "unknown"),
                baselines=_responses(record),
            )
        )
    return _unique(questions, source or CODEARENA_HUB)


def load_codal(source: str | None) -> list[CodalQuestion]:
    """CODAL-Bench records: instruction, preference, <model>_response (id = row index if none)."""
    questions = []
    for index, (origin, record) in enumerate(read_rows(source or f"hf:{CODAL_HUB}", CODAL_HUB)):
        instruction = record.get("instruction")
        preference = normalize_preference(str(record.get("preference", "")))
        if not isinstance(instruction, str) or preference is None:
            raise BadInputError(
                f"{origin}: needs 'instruction' and 'preference' (one of {', '.join(PREFERENCES)})",
                "fix the record",
            )
        questions.append(
            CodalQuestion(
                id=str(record.get("id", index)),
                instruction=instruction,
                preference=preference,
                references=_responses(record),
            )
        )
    return _unique(questions, source or CODAL_HUB)


def _unique(questions: list[Q], source: str) -> list[Q]:
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise BadInputError(f"{source}: question id {question.id!r} repeats", "make ids unique")
        seen.add(question.id)
    return questions


def load_answers(path: Path) -> AnswerSet:
    """A model's answers: JSONL with ``id`` (or ``instruction``) and the text under one of
    ANSWER_FIELDS."""
    if not path.is_file():
        raise BadInputError(f"{path}: no such answers file", "pass --answers FILE (JSONL)")
    by_id: dict[str, str] = {}
    by_instruction: dict[str, str] = {}
    for origin, record in _read_local(path):
        text = next((record[f] for f in ANSWER_FIELDS if isinstance(record.get(f), str)), None)
        key = record.get("id", record.get("question_id"))
        if text is None or (key is None and not isinstance(record.get("instruction"), str)):
            raise BadInputError(
                f"{origin}: an answer needs 'id' (or 'instruction') and a text field",
                f"name the text one of: {', '.join(ANSWER_FIELDS)}",
            )
        if key is not None:
            if str(key) in by_id:
                raise BadInputError(f"{origin}: answer id {key!r} repeats", "keep one answer each")
            by_id[str(key)] = text
        if isinstance(record.get("instruction"), str):
            by_instruction[record["instruction"]] = text
    return AnswerSet(by_id=by_id, by_instruction=by_instruction)


def choose_reference(available: set[str], requested: str | None, preferred: str) -> str:
    """The baseline (reference) model: the one requested, else the protocol default, else the
    only one present."""
    if requested is not None:
        if requested not in available:
            raise BadInputError(
                f"no '{requested}{RESPONSE_SUFFIX}' answers in the questions "
                f"(found: {', '.join(sorted(available)) or 'none'})",
                "pass --baseline with one of the names found",
            )
        return requested
    if preferred in available:
        return preferred
    if len(available) == 1:
        return next(iter(available))
    raise BadInputError(
        "the questions hold no single obvious baseline "
        f"(found: {', '.join(sorted(available)) or 'none'})",
        "pass --baseline NAME (the part before _response)",
    )
