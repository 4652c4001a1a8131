"""Samples written for the parity tests: canonical solutions plus wrong (and a few surprising
but right) variants. Their verdicts are not written here: the tests compare with evalplus."""

from __future__ import annotations

from typing import Any

# HumanEval+ tasks of the parity subset (few or cheap tests, plus the deviating HumanEval/32).
HUMANEVAL_TASKS = (
    "HumanEval/0",
    "HumanEval/1",
    "HumanEval/2",
    "HumanEval/6",
    "HumanEval/32",
    "HumanEval/39",
    "HumanEval/41",
    "HumanEval/55",
    "HumanEval/63",
    "HumanEval/75",
    "HumanEval/106",
)

CANONICAL = "<canonical>"
"""Placeholder for the task's canonical body inside a completion."""


# (task, kind, text): kind "completion" is appended to the prompt; "solution" is the whole
# program, where CANONICAL stands for prompt + canonical solution.
def body(*lines: str) -> str:
    """A function body: each line indented by four spaces."""
    return "".join(f"    {line}\n" for line in lines)


HUMANEVAL_VARIANTS: tuple[tuple[str, str, str], ...] = (
    # off by one / wrong values
    (
        "HumanEval/55",
        "completion",
        body("a, b = 0, 1", "for _ in range(n - 1):", "    a, b = b, a + b", "return a"),
    ),
    ("HumanEval/75", "completion", body("return not _canonical(a)")),
    ("HumanEval/106", "completion", body("if n > 50:", "    return []") + CANONICAL),
    ("HumanEval/2", "completion", body("return number % 1.0 + 1e-3")),
    ("HumanEval/32", "completion", body("return 0.0")),
    # right, within evalplus's tolerance or equality
    ("HumanEval/2", "completion", body("return number % 1.0 + 1e-9")),
    ("HumanEval/75", "completion", body("return int(_canonical(a))")),
    # returns None, raises, recursion, reads stdin
    ("HumanEval/63", "completion", body("return None")),
    ("HumanEval/63", "completion", body("raise ValueError('not implemented')")),
    ("HumanEval/55", "completion", body("return fib(n)")),
    ("HumanEval/63", "completion", body("input()", "return 0")),
    # loops forever (inside the function; at import), very slow, slow but in time
    ("HumanEval/39", "completion", body("while True:", "    pass")),
    ("HumanEval/39", "solution", "while True:\n    pass\n" + CANONICAL),
    (
        "HumanEval/41",
        "completion",
        body("total = 0", "for _ in range(n):", "    total += n", "return total"),
    ),
    ("HumanEval/39", "completion", body("import time", "time.sleep(0.2)") + CANONICAL),
    (
        "HumanEval/39",
        "completion",
        body("import time", "if n > 10:", "    time.sleep(3)") + CANONICAL,
    ),
    # prints a lot (Python level, and straight to the file descriptors)
    ("HumanEval/6", "completion", body("print('x' * 100_000)") + CANONICAL),
    (
        "HumanEval/6",
        "completion",
        body("import os", "os.write(1, b'y' * 300_000)", "os.write(2, b'z' * 300_000)") + CANONICAL,
    ),
    # exits
    ("HumanEval/41", "completion", body("import sys", "sys.exit(0)")),
    ("HumanEval/41", "solution", "import sys\nsys.exit(0)\n" + CANONICAL),
    ("HumanEval/63", "completion", body("import os", "os._exit(0)")),
    # writes files
    (
        "HumanEval/75",
        "completion",
        body("with open('f.txt', 'w') as f:", "    f.write('x')") + CANONICAL,
    ),
    (
        "HumanEval/75",
        "completion",
        body("import pathlib", "pathlib.Path('f.txt').write_text('x')") + CANONICAL,
    ),
    # imports something missing (at import; inside the function)
    ("HumanEval/1", "solution", "import not_a_real_module_xyz\n" + CANONICAL),
    ("HumanEval/1", "completion", body("import not_a_real_module_xyz") + CANONICAL),
    # memory and odd return types
    ("HumanEval/106", "completion", body("block = bytearray(6 * 1024 ** 3)", "return []")),
    ("HumanEval/106", "completion", body("import numpy as np", "return np.array(_canonical(n))")),
)


def build_samples(problems: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """JSONL records: every task's canonical solution, then the variants."""
    records = [
        {"task_id": task_id, "solution": problem["prompt"] + problem["canonical_solution"]}
        for task_id, problem in problems.items()
    ]
    for task_id, kind, text in HUMANEVAL_VARIANTS:
        problem = problems[task_id]
        canonical = problem["prompt"] + problem["canonical_solution"]
        helper = _renamed(canonical, problem["entry_point"])
        if kind == "solution":
            records.append({"task_id": task_id, "solution": text.replace(CANONICAL, canonical)})
            continue
        body = text.replace(CANONICAL, problem["canonical_solution"])
        records.append({"task_id": task_id, "solution": helper + problem["prompt"] + body})
    return records


def _renamed(canonical: str, entry_point: str) -> str:
    """The canonical program with its entry point renamed ``_canonical`` (for wrappers)."""
    return canonical.replace(f"def {entry_point}(", "def _canonical(", 1) + "\n\n"


MBPP_VARIANTS: tuple[tuple[str, str], ...] = (
    # set-equality oracle (Mbpp/2): order does not matter, content does
    (
        "Mbpp/2",
        "def similar_elements(a, b):\n" + body("return tuple(sorted(set(a) & set(b))[::-1])"),
    ),
    ("Mbpp/2", "def similar_elements(a, b):\n" + body("return tuple(set(a) | set(b))")),
    # floats: tolerance 1e-6 is enforced when the expected value is a float
    ("Mbpp/14", "def find_Volume(l, b, h):\n" + body("return (l * b * h) // 2")),
    (
        "Mbpp/124",
        "import cmath\ndef angle_complex(a, b):\n" + body("return cmath.phase(a + b) + 1e-9"),
    ),
    (
        "Mbpp/124",
        "import cmath, math\ndef angle_complex(a, b):\n"
        + body("return math.degrees(cmath.phase(a + b))"),
    ),
    # special oracles: Mbpp/295 accepts 0, Mbpp/581 accepts the slant-height formula
    ("Mbpp/295", "def sum_div(number):\n" + body("return 0")),
    ("Mbpp/295", "def sum_div(number):\n" + body("return number")),
    (
        "Mbpp/581",
        "import math\ndef surface_Area(b, h):\n"
        + body("return round(b * b + 2 * b * math.sqrt((b / 2) ** 2 + h * h))"),
    ),
    ("Mbpp/581", "def surface_Area(b, s):\n" + body("return b * s")),
    # output-not-None task: a bool or any non-None object counts as "matched"
    (
        "Mbpp/787",
        "import re\ndef text_match_three(text):\n" + body("return bool(re.search('ab{3}', text))"),
    ),
    ("Mbpp/787", "def text_match_three(text):\n" + body("return 'Found a match!'")),
    ("Mbpp/787", "def text_match_three(text):\n" + body("raise RuntimeError('boom')")),
)


def build_mbpp_samples(problems: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """JSONL records for the MBPP+ fixture: canonical solutions, then the variants."""
    records = [
        {"task_id": task_id, "solution": problem["prompt"] + problem["canonical_solution"]}
        for task_id, problem in problems.items()
    ]
    records += [{"task_id": task_id, "solution": code} for task_id, code in MBPP_VARIANTS]
    return records
