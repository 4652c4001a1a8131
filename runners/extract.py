"""Code out of a chat answer: which fenced block is the program, and in which language.

One rule for ``sandbox generate`` (the model's answer to a task) and for judged answers
(CodeArena, CODAL): a fenced block (```` ```lang ```` ... ```` ``` ````, or ``~~~``) belongs to a
language when its tag names it (any alias in ``languages/<id>/language.toml``); the program is

1. the **first** block tagged with the wanted language (a model that explains and then shows
   the code usually opens with the solution; later blocks are examples and tests);
2. else the first **untagged** block;
3. else, when the answer has blocks of other languages only, none (a Java answer to a Python
   task is not a Python program);
4. else, with no fence at all, the whole answer (a model that answers with bare code).

McEval's document tasks (HTML, JSON, Markdown: compared with a reference, never executed) are
asked for by their document name; a block tagged ``html``, ``json``, ``markdown`` or ``md``
belongs to them.

HumanEval+/MBPP+ answers are then passed through evalplus's own ``sanitize`` by the suite, as
evalplus does; this module never rewrites code.

Judged answers (``sandbox judge --execute``) run *every* block, each in the language that
:func:`decide_block_language` gives it: its fence tag, else the question's language, else a
guess from the code's unmistakable marks (:func:`guess_language`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.errors import UnknownLanguageError
from sandbox.languages import resolve_language

_FENCE = re.compile(
    r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n"
    r"(?P<body>.*?)"
    r"^(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


DOCUMENT_TAGS = {
    "html": "html",
    "htm": "html",
    "json": "json",
    "markdown": "markdown",
    "md": "markdown",
}
"""Fence tags of McEval's document 'languages' (no language folder: nothing runs them)."""


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block: its tag as written, the language it names (or None), its code."""

    tag: str
    language: str | None
    code: str
    start: int


@dataclass(frozen=True)
class ExtractionResult:
    """What was taken from an answer and why (``rule`` names the step of the module's rule)."""

    code: str | None
    language: str | None
    rule: str
    blocks: int


def find_blocks(answer: str) -> list[CodeBlock]:
    """Every fenced block of ``answer``, in order."""
    blocks = []
    for match in _FENCE.finditer(answer):
        info = match.group("info").strip()
        tag = info.split()[0].strip("{}.") if info else ""
        blocks.append(CodeBlock(tag, language_of_tag(tag), match.group("body"), match.start()))
    return blocks


def language_of_tag(tag: str) -> str | None:
    """The language id a fence tag names (``py`` -> ``python``), or None."""
    if not tag:
        return None
    try:
        return resolve_language(tag).id
    except UnknownLanguageError:
        return None


def extract_code(answer: str, language: str | None) -> ExtractionResult:
    """The program in ``answer`` for ``language`` (a language id or alias, or a document name
    of :data:`DOCUMENT_TAGS`; None: any)."""
    document = DOCUMENT_TAGS.get(language.lower()) if language else None
    wanted = document or (language_of_tag(language) if language else None)
    blocks = find_blocks(answer)
    if not blocks:
        text = answer.strip("\n")
        return ExtractionResult(text + "\n" if text else None, wanted, "no-fence", 0)
    if wanted is not None:
        tagged = [b for b in blocks if _names(b, wanted, document is not None)]
        if tagged:
            return ExtractionResult(tagged[0].code, wanted, "first-tagged", len(blocks))
    else:
        known = [b for b in blocks if b.language is not None]
        if known:
            return ExtractionResult(known[0].code, known[0].language, "first-tagged", len(blocks))
    untagged = [b for b in blocks if not b.tag]
    if untagged:
        return ExtractionResult(untagged[0].code, wanted, "first-untagged", len(blocks))
    return ExtractionResult(None, wanted, "other-languages-only", len(blocks))


def _names(block: CodeBlock, wanted: str, document: bool) -> bool:
    if document:
        return DOCUMENT_TAGS.get(block.tag.lower()) == wanted
    return block.language == wanted


# Marks that name a language beyond doubt, checked in this order (C++ before C: both #include).
# A block that matches none is left without a language rather than guessed wrong.
_GUESSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("php", re.compile(r"<\?php")),
    ("cpp", re.compile(r"#include\s*<(iostream|vector|string|map|algorithm|bits/)|\bstd::")),
    ("c", re.compile(r"#include\s*<\w+\.h>")),
    ("java", re.compile(r"\bpublic\s+(static\s+)?(class|void)\b|\bSystem\.out\.")),
    ("csharp", re.compile(r"\busing\s+System\b|\bConsole\.Write")),
    ("go", re.compile(r"^package\s+\w+\s*$|\bfmt\.Print", re.MULTILINE)),
    ("rust", re.compile(r"\bfn\s+\w+\s*\(|\blet\s+mut\b|\bprintln!")),
    ("javascript", re.compile(r"\bconsole\.log\(|\bfunction\s+\w+\s*\(|=>|\brequire\(")),
    (
        "python",
        re.compile(r"^\s*(def|class)\s+\w+.*:\s*$|^\s*(import|from)\s+\w+|\bprint\(", re.MULTILINE),
    ),
)


def guess_language(code: str) -> str | None:
    """The language ``code`` unmistakably is (by the marks above, in order), or None."""
    for language, marks in _GUESSES:
        if marks.search(code):
            return language
    return None


def decide_block_language(block: CodeBlock, hints: tuple[str, ...]) -> tuple[str | None, str]:
    """(language id or None, how it was decided: ``tag``, ``question``, ``guess``, ``unknown``
    or ``other-tag``). A tag that names no language (``text``, ``output``, ``json``) is not
    overridden: that block is not code in any language we run."""
    if block.language is not None:
        return block.language, "tag"
    if block.tag:
        return None, "other-tag"
    for hint in hints:
        language = language_of_tag(hint)
        if language is not None:
            return language, "question"
    guessed = guess_language(block.code)
    return (guessed, "guess") if guessed is not None else (None, "unknown")


def extract_all(answer: str) -> list[CodeBlock]:
    """Every block that names a known language (an answer may hold several programs)."""
    return [block for block in find_blocks(answer) if block.language is not None]
