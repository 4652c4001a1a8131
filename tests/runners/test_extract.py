"""Extraction of code from chat answers (pure logic; the language registry is the real one)."""

from __future__ import annotations

from runners.extract import extract_all, extract_code, find_blocks, language_of_tag

ANSWER = """Here is the solution:

```python
def add(a, b):
    return a + b
```

And a test:

```py
assert add(1, 2) == 3
```

In Java it would be:

```java
int add(int a, int b) { return a + b; }
```
"""


def test_first_block_tagged_with_the_language_wins() -> None:
    found = extract_code(ANSWER, "python")
    assert found.code == "def add(a, b):\n    return a + b\n"
    assert (found.language, found.rule, found.blocks) == ("python", "first-tagged", 3)


def test_aliases_name_the_language() -> None:
    assert language_of_tag("py") == "python" and language_of_tag("C++") == "cpp"
    assert language_of_tag("") is None and language_of_tag("not-a-language") is None
    assert extract_code(ANSWER, "Java").code == "int add(int a, int b) { return a + b; }\n"


def test_untagged_block_then_other_languages_only() -> None:
    untagged = "Sure:\n```\nprint(1)\n```\n"
    assert extract_code(untagged, "python").rule == "first-untagged"
    only_java = "```java\nclass A {}\n```\n"
    found = extract_code(only_java, "python")
    assert found.code is None and found.rule == "other-languages-only"


def test_bare_code_is_the_program_and_empty_is_nothing() -> None:
    assert extract_code("def f():\n    return 1", "python").code == "def f():\n    return 1\n"
    assert extract_code("", "python").code is None


def test_tilde_fences_info_strings_and_any_language() -> None:
    answer = "~~~ {.rust}\nfn main() {}\n~~~\n"
    assert find_blocks(answer)[0].language == "rust"
    found = extract_code(answer, None)
    assert (found.language, found.code) == ("rust", "fn main() {}\n")
    assert [b.language for b in extract_all(ANSWER)] == ["python", "python", "java"]


def test_document_tasks_take_their_document_block() -> None:
    answer = "Here:\n```html\n<h1>Heading level 1</h1>\n```\nOr as Markdown:\n```md\n# H\n```\n"
    found = extract_code(answer, "html")
    assert (found.code, found.language, found.rule) == (
        "<h1>Heading level 1</h1>\n",
        "html",
        "first-tagged",
    )
    assert extract_code(answer, "markdown").code == "# H\n"
    assert extract_code('```json\n{"a": 1}\n```', "json").code == '{"a": 1}\n'
    # a document block never answers a program task, nor a program block a document task
    assert extract_code("```html\n<p>x</p>\n```", "python").code is None
    assert extract_code("```python\nprint(1)\n```", "json").code is None
