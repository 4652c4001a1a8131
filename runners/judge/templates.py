"""Prompt sets: the built-in prompts of a method, or a user's own (``--judge-prompt FILE``).

A prompt file is TOML::

    system = "..."            # optional: sent as is as the system message (none if absent)
    user = "... {question} ..."   # the user message, a template (see each protocol's placeholders)
    followup = "..."          # optional: the follow-up turn, sent as is (default: the method's)
    reference = "..."         # CODAL only, optional: asks the judge for its own reference answer

``user`` may also be a table with one template per case (CODAL: one per coding preference).
Templates use Python's ``str.format`` fields: ``{name}`` is a placeholder, ``{{`` and ``}}`` are
literal braces. The set's SHA-256 (over every text it holds) and the file's are recorded in the
results.
"""

from __future__ import annotations

import hashlib
import json
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field

from sandbox.errors import BadInputError
from sandbox.models import FrozenModel

_FIX = "see 'Your own prompt' in docs/judge.md"
_KEYS = frozenset({"system", "user", "followup", "reference"})


class PromptSet(FrozenModel):
    """Everything a protocol sends the judge, apart from the questions and answers."""

    source: str = Field(description="builtin:<protocol>-<variant>, or the prompt file's path")
    system: str | None
    user: dict[str, str] = Field(description='templates by case; "" applies to every case')
    followup: str
    reference: str | None = None
    rubrics: dict[str, dict[str, str]] = Field(default_factory=dict)
    principles: dict[str, str] = Field(default_factory=dict)
    sha256: str
    file_sha256: str | None = Field(None, description="the prompt file's bytes, when from a file")

    @classmethod
    def build(cls, **fields: Any) -> PromptSet:
        """A prompt set with its hash computed over every text (where it came from excluded)."""
        content = {k: v for k, v in fields.items() if k not in {"source", "file_sha256"}}
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
        return cls(**fields, sha256=hashlib.sha256(blob).hexdigest())

    def user_template(self, case: str = "") -> str:
        """The user template of ``case`` (the common one when the case has none)."""
        return self.user.get(case) or self.user[""]

    def system_messages(self) -> list[dict[str, str]]:
        """The system message, if the set has one."""
        return [{"role": "system", "content": self.system}] if self.system is not None else []


class TemplateRules(FrozenModel):
    """What a protocol accepts in a prompt file."""

    placeholders: frozenset[str]
    required: frozenset[str]
    cases: tuple[str, ...] = ()
    reference_placeholders: frozenset[str] = frozenset()


def placeholder_names(template: str, where: str) -> set[str]:
    """The ``{name}`` fields of a template; a BadInputError for a malformed one."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise BadInputError(
            f"{where}: not a valid template ({exc})", "write a literal { or } as {{ or }}"
        ) from exc
    names: set[str] = set()
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise BadInputError(
                f"{where}: placeholder {{{name}}} is not a plain name",
                "use placeholders such as {question}, without index, format or conversion",
            )
        names.add(name)
    return names


def _check_template(
    template: Any, where: str, allowed: frozenset[str], required: frozenset[str]
) -> str:
    if not isinstance(template, str):
        raise BadInputError(f"{where}: expected a string", _FIX)
    names = placeholder_names(template, where)
    if unknown := sorted(names - allowed):
        raise BadInputError(
            f"{where}: unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}",
            f"use only {', '.join('{' + n + '}' for n in sorted(allowed))}",
        )
    if missing := sorted(required - names):
        raise BadInputError(
            f"{where}: the template lacks {', '.join('{' + n + '}' for n in missing)}",
            "the judge would not see what it must judge; add the placeholder(s)",
        )
    return template


def _user_templates(value: Any, path: Path, rules: TemplateRules) -> dict[str, str]:
    if not isinstance(value, Mapping):
        check = _check_template(value, f"{path}: user", rules.placeholders, rules.required)
        return {"": check}
    if not rules.cases:
        raise BadInputError(f"{path}: user must be one string for this protocol", _FIX)
    if sorted(value) != sorted(rules.cases):
        raise BadInputError(
            f"{path}: the user table has {', '.join(sorted(value)) or 'no keys'}",
            f"give one template for each of: {', '.join(rules.cases)} (or one string for all)",
        )
    return {
        case: _check_template(
            value[case], f"{path}: user.{case}", rules.placeholders, rules.required
        )
        for case in rules.cases
    }


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        blob = path.read_bytes()
        return tomllib.loads(blob.decode("utf-8")), hashlib.sha256(blob).hexdigest()
    except FileNotFoundError as exc:
        raise BadInputError(f"{path}: no such prompt file", "pass --judge-prompt FILE") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read the prompt file ({exc})", _FIX) from exc
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(f"{path}: not valid TOML ({exc})", _FIX) from exc


def load_prompt_file(path: Path, rules: TemplateRules, defaults: PromptSet) -> PromptSet:
    """A user's prompt set; what the file leaves out (follow-up, reference prompt, rubric texts)
    comes from ``defaults``, the method's built-in set."""
    data, file_sha256 = _read_toml(path)
    if unknown := sorted(set(data) - _KEYS):
        raise BadInputError(f"{path}: unknown key(s) {', '.join(unknown)}", _FIX)
    if "user" not in data:
        raise BadInputError(f"{path}: no 'user' template", _FIX)
    for key in ("system", "followup"):
        if key in data and not isinstance(data[key], str):
            raise BadInputError(f"{path}: {key}: expected a string", _FIX)
    reference = defaults.reference
    if "reference" in data:
        if not rules.reference_placeholders:
            raise BadInputError(f"{path}: 'reference' is not used by this protocol", _FIX)
        reference = _check_template(
            data["reference"],
            f"{path}: reference",
            rules.reference_placeholders,
            frozenset({"instruction"}),
        )
    return PromptSet.build(
        source=str(path),
        file_sha256=file_sha256,
        system=data.get("system"),
        user=_user_templates(data["user"], path, rules),
        followup=data.get("followup", defaults.followup),
        reference=reference,
        rubrics=defaults.rubrics,
        principles=defaults.principles,
    )
