"""How each block of a judged answer is executed: its language, whether it is a complete
program, and the execution request that compiles (and runs) it under the usual limits.

The rule, per language (docs/judge.md, "Execution of judged answers"):

- interpreted languages (no compile step in ``language.toml``) run every block as a **script**:
  top-level statements run, a block of definitions only runs to a clean exit (which shows it
  parses and its imports resolve). Where the language has a syntax check (``SYNTAX_CHECKS``)
  it runs first as the compile step, so that a syntax error is a compile error;
- compiled languages that need an entry point (``ENTRY_POINTS``: C, C++, Java, Go, Rust, ...)
  run a block as a **program** when it has one (a ``main``) and compile it only, as a
  **fragment**, when it has none (``COMPILE_ONLY``: the compiler's syntax/type check, or the
  language's own compile step where that needs no entry point);
- other compiled languages (Swift, TypeScript, OCaml, Pascal, ...) compile and run every block.

The tables are data keyed by language id; a language missing from them gets the defaults above.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from runners.extract import CodeBlock, decide_block_language
from sandbox.errors import UnknownLanguageError
from sandbox.languages import LanguageSpec, resolve_language
from sandbox.models import ExecutionRequest, LimitsSpec

from .models import BlockExecutionResult, BlockOutcome, ExecSettingsSpec, ProgramKind

_C_MAIN = re.compile(r"\b(int|void)\s+main\s*\(|^main\s*\(", re.MULTILINE)

ENTRY_POINTS: dict[str, re.Pattern[str]] = {
    "c": _C_MAIN,
    "cpp": _C_MAIN,
    "objective-c": _C_MAIN,
    "d": _C_MAIN,
    "go": re.compile(r"^\s*func\s+main\s*\(\s*\)", re.MULTILINE),
    "rust": re.compile(r"\bfn\s+main\s*\("),
    "java": re.compile(r"\bstatic\s+void\s+main\s*\("),
    "csharp": re.compile(r"\bstatic\s+(async\s+)?[\w<>]+\s+Main\s*\("),
    "kotlin": re.compile(r"\bfun\s+main\s*\("),
    "scala": re.compile(r"\bdef\s+main\s*\(|\bextends\s+App\b|@main\b"),
    "haskell": re.compile(r"^main\s*(::|=)", re.MULTILINE),
    "fortran": re.compile(r"^\s*program\s+\w+", re.MULTILINE | re.IGNORECASE),
}
"""What makes a block a complete program in a language whose build needs an entry point."""

OWN_COMPILE = "{compile}"
COMPILE_ONLY: dict[str, str] = {
    "c": "gcc -std=gnu17 -fsyntax-only {source}",
    "cpp": "g++ -std=gnu++17 -fsyntax-only {source}",
    "objective-c": "gcc $(gnustep-config --objc-flags) -fsyntax-only {source}",
    "d": "gdc -fsyntax-only {source}",
    "go": "go vet {source}",
    "rust": OWN_COMPILE + " --crate-type lib --emit=metadata",
    "java": OWN_COMPILE,
    "csharp": OWN_COMPILE + " -target:library",
    "kotlin": OWN_COMPILE,
    "scala": OWN_COMPILE,
    "haskell": "ghc -ignore-dot-ghci -outputdir /tmp/ghc-build -e 'return ()' {source}",
    "fortran": "gfortran -fsyntax-only {source}",
}
"""How a fragment is compiled without an entry point (``{compile}``: the language's own step)."""

SYNTAX_CHECKS: dict[str, str] = {
    "python": "python3 -I -m py_compile {source}",
    "javascript": "node --check {source}",
    "ruby": "ruby -c {source}",
    "perl": "perl -c {source}",
    "php": "php -l {source}",
    "shell": "bash -n {source}",
    "lua": "luac5.4 -p {source}",
}
"""The compile step of a script: a syntax check, so that a syntax error is a compile error."""

COMMAND_LANGUAGES = frozenset({"shell"})
"""Blocks in these languages are usually commands for the reader (``pip install``, ``gcc
main.c``), run only when the question itself is in that language."""

DONE = "true"
"""The run command of a fragment: nothing runs after the compile step."""


def classify_program(language: LanguageSpec, code: str) -> ProgramKind:
    """Whether ``code`` is run as a script, a complete program, or compiled only."""
    if not language.is_compiled:
        return ProgramKind.SCRIPT
    entry = ENTRY_POINTS.get(language.id)
    if entry is None or entry.search(code):
        return ProgramKind.PROGRAM
    return ProgramKind.FRAGMENT


def build_request(
    language: LanguageSpec, code: str, kind: ProgramKind, settings: ExecSettingsSpec
) -> ExecutionRequest:
    """The request executing ``code`` as ``kind`` in the language's image under the limits."""
    limits = LimitsSpec(timeout_s=settings.timeout_s, memory_mb=settings.memory_mb)
    request = language.make_request(code, limits=limits)
    source = next(iter(request.files))  # the one file, named as the language (rewrite) wants
    if kind is ProgramKind.FRAGMENT:
        command = COMPILE_ONLY[language.id].replace(OWN_COMPILE, request.compile or "")
        compile_only = command.replace("{source}", source)
        return request.model_copy(update={"compile": compile_only, "run": DONE})
    if kind is ProgramKind.SCRIPT and language.id in SYNTAX_CHECKS:
        check = SYNTAX_CHECKS[language.id].replace("{source}", source)
        return request.model_copy(update={"compile": check})
    return request


PlannedBlock = tuple[BlockExecutionResult, ExecutionRequest | None]


def plan_block(
    index: int,
    block: CodeBlock,
    hints: tuple[str, ...],
    settings: ExecSettingsSpec,
    ready: Callable[[LanguageSpec], bool],
) -> PlannedBlock:
    """The block's language and program kind and the request to run, or why it is not run
    (then the result is final and the request None)."""
    language_id, decided_by = decide_block_language(block, hints)
    pending = BlockExecutionResult(
        index=index,
        tag=block.tag,
        language=language_id,
        decided_by=decided_by,
        outcome=BlockOutcome.NOT_RUN,
        lines=len(block.code.splitlines()),
    )
    reason = _not_run_reason(index, block, language_id, decided_by, hints, settings)
    spec = _spec(language_id) if reason is None else None
    if reason is None and (spec is None or not ready(spec)):
        reason = f"no image for {language_id} on this engine (sandbox images build {language_id})"
    if reason is not None or spec is None:
        return pending.model_copy(update={"detail": reason or ""}), None
    kind = classify_program(spec, block.code)
    request = build_request(spec, block.code, kind, settings)
    return pending.model_copy(update={"program": kind, "language": spec.id}), request


def _not_run_reason(
    index: int,
    block: CodeBlock,
    language: str | None,
    decided_by: str,
    hints: tuple[str, ...],
    settings: ExecSettingsSpec,
) -> str | None:
    if index >= settings.max_blocks:
        return f"only the first {settings.max_blocks} blocks of an answer are executed"
    if not block.code.strip():
        return "empty block"
    if language is None:
        if decided_by == "other-tag":
            return f"the tag {block.tag!r} names no language the sandbox runs"
        return "untagged, no question language, and no unmistakable mark of a language"
    if language in COMMAND_LANGUAGES and language not in _hint_ids(hints):
        return f"{language} commands for the reader (run only when the question is in {language})"
    return None


def _hint_ids(hints: tuple[str, ...]) -> set[str]:
    ids = set()
    for hint in hints:
        spec = _spec(hint)
        if spec is not None:
            ids.add(spec.id)
    return ids


def _spec(name: str | None) -> LanguageSpec | None:
    if not name:
        return None
    try:
        return resolve_language(name)
    except UnknownLanguageError:
        return None
