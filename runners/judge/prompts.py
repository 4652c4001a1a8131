"""Built-in judge prompts: Arena-Hard-style pairwise comparison and CODAL-style reference-guided
grading (each protocol assembles them into a PromptSet per method).

Written for this project in the structure of the published protocols (the pairwise judge answers
the prompt itself first and ends with one of five labels; the grader rates 1-10 against a
reference under a rubric for one coding preference); none of it is the released wording. The
``paper`` sets follow the released prompts' content (four instruction-following criteria, an
output example rated 2/10, a follow-up that asks the pairwise judge to continue); the ``robust``
sets are the project's earlier prompts, unchanged. Changing any text here changes the prompt's
hash and the cache key, so earlier judgments are not reused for a different prompt.
"""

from __future__ import annotations

PAIRWISE_SYSTEM = """\
You are an impartial judge of the answers two AI assistants gave to the user prompt shown below. \
You will see assistant A's answer and assistant B's answer; decide which one is better.

Begin by writing your own answer to the prompt, before you judge either assistant's answer.

Then compare both assistants' answers with yours. Point out and correct any mistakes or \
inaccurate information.

Next judge whether each answer is helpful, relevant and concise. Helpful: it responds correctly to \
the prompt or follows its instructions; when the prompt is ambiguous or open to several \
readings, asking the user for clarification is better than answering on assumptions. Relevant: \
every part of the answer bears on what was asked. Concise: clear, neither verbose nor excessive.

Then weigh creativity and novelty where they matter, and note any important information missing \
from either answer that would help the user.

After your explanation, you must end with exactly one of these labels as your final verdict:

1. Assistant A is much better: [[A>>B]]
2. Assistant A is slightly better: [[A>B]]
3. Tie, about the same: [[A=B]]
4. Assistant B is slightly better: [[B>A]]
5. Assistant B is much better: [[B>>A]]

Example of a final line: "My final verdict is tie: [[A=B]]"."""

PAIRWISE_USER = """\
<|User Prompt|>
{question}

<|The Start of Assistant A's Answer|>
{answer_a}
<|The End of Assistant A's Answer|>

<|The Start of Assistant B's Answer|>
{answer_b}
<|The End of Assistant B's Answer|>"""

PAIRWISE_FOLLOWUP_PAPER = (
    "Continue your judgment and end it with your final verdict label: one of [[A>>B]], [[A>B]], "
    "[[A=B]], [[B>A]], [[B>>A]]."
)

PAIRWISE_FOLLOWUP = (
    "Your judgment does not end with exactly one final verdict label. Reply with only the final "
    "verdict label: one of [[A>>B]], [[A>B]], [[A=B]], [[B>A]], [[B>>A]]."
)

GRADING_SYSTEM = """\
You are an impartial judge of the quality of an AI assistant's response to the user instruction \
shown below. You are given a reference response and the assistant's response. Compare the \
assistant's response with the reference response and judge it only by the evaluation criteria \
given. Be as objective as possible. Do not answer the instruction yourself: give a short \
rationale, then rate the assistant's response from 1 to 10 on a last line of the form \
"Rating: N"."""

GRADING_USER = """\
# {title} assessment

Evaluation criteria:
{criteria}

## Instruction
{instruction}

## Reference response
{reference}

## Assistant's response
{response}

## Output format
Rationale: <your rationale, in short sentences>
Rating: <a whole number from 1 to 10>"""

GRADING_SYSTEM_PAPER = """\
You are an impartial judge of the quality of an AI assistant's response to the user instruction \
shown below. You are given a reference response and the assistant's response. Start by comparing \
the assistant's response with the reference response. Your overall assessment should reflect the \
evaluation criteria given. Be as objective as possible. After your rationale, rate the \
assistant's response from 1 to 10. Do not answer the instruction yourself: give only your \
rationale followed by the rating."""

GRADING_USER_PAPER = """\
# {title} assessment

Evaluation criteria:
{criteria}

## Output format

### Instruction
<the instruction>

### Reference response
<the reference response>

### Assistant's response
<the assistant's response>

### Output
Rationale: <why this rating, in short sentences>
Rating: <the rating of the assistant's response>

---

## Example of an output
Rationale: <two or three short sentences on the assistant's response>
Rating: 2/10

---

## To assess

### Instruction
{instruction}

### Reference response
{reference}

### Assistant's response
{response}

### Output"""

GRADING_FOLLOWUP = (
    "Your assessment does not end with exactly one rating. Reply with only the final rating, "
    "as 'Rating: N' with N a whole number from 1 to 10."
)

PREFERENCES = ("instruction-following", "explanation", "complexity", "readability", "style")

RUBRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "instruction-following": (
        "Instruction following",
        (
            "Precision: does the response keep to the specifics of the instruction?",
            "Deviations: does it depart from the instruction only when strictly necessary or "
            "when the user asks for it, and does it justify any departure?",
            "Fit: does it meet the needs and expectations the user stated?",
        ),
    ),
    "explanation": (
        "Code explanation",
        (
            "Clarity: is the explanation easy to follow?",
            "Depth: does it cover the logic, the structure and the design decisions of the code?",
            "Relevance: does it bear on the purpose and the design of the code?",
            "Accessibility: can readers with different technical backgrounds understand it?",
        ),
    ),
    "complexity": (
        "Code complexity and efficiency",
        (
            "Time efficiency: does the code keep computation time low?",
            "Resource efficiency: does it use memory and CPU with care?",
            "Algorithms: are the chosen algorithms correct and efficient for the task?",
            "Optimisation: is the code optimised without giving up correctness?",
        ),
    ),
    "readability": (
        "Code readability",
        (
            "Clarity: are the code and its comments and documentation easy to understand?",
            "Conciseness: are the comments brief yet informative?",
            "Relevance: do the comments explain the code's logic, goals and behaviour?",
            "Comprehensibility: can readers of varying experience see what the code does and how?",
        ),
    ),
    "style": (
        "Coding style",
        (
            "Readability: is the code easy to read?",
            "Maintainability: is it easy to change and extend?",
            "Efficiency: does it do its work efficiently?",
            "Idiom: does it follow the conventions of its programming language?",
        ),
    ),
}

# The paper's instruction-following rubric has a fourth criterion (deviations made only when
# necessary); the other four rubrics already have four criteria each.
PAPER_RUBRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    **RUBRICS,
    "instruction-following": (
        "Instruction following",
        (
            "Precision: does the response keep to the specifics of the instruction?",
            "Justified deviations: when it departs from the instruction, is the departure "
            "justified by a critical need or by an explicit request of the user?",
            "Fit: how well does it meet the needs and expectations the user stated?",
            "Necessity: are departures made only when absolutely necessary or when the user "
            "asks for them?",
        ),
    ),
}

# What the answer to a CODAL instruction is asked to favour when the judge writes its own
# reference (the paper's answers were generated with such a principle before the instruction).
PRINCIPLES = {
    "instruction-following": "Follow the user's instructions exactly; depart from them only "
    "when it is strictly necessary or when the user asks for it.",
    "explanation": "Explain your code in detail and accessibly: its logic, its structure and "
    "the reasons for its design, so that the user understands what it does and why.",
    "complexity": "Favour time and resource efficiency: choose correct algorithms that keep "
    "computation time and memory use low.",
    "readability": "Make your code easy to understand, with brief, clear comments and "
    "documentation that explain its logic, purpose and behaviour.",
    "style": "Write idiomatic code that follows the conventions of its language, balancing "
    "readability, maintainability and efficiency.",
}

REFERENCE_USER = "{principle}\n\n{instruction}"

_PREFERENCE_ALIASES = {
    "instruction-following": "instruction-following",
    "instruction": "instruction-following",
    "explanation": "explanation",
    "code-explanation": "explanation",
    "complexity": "complexity",
    "code-complexity": "complexity",
    "code-complexity-and-efficiency": "complexity",
    "efficiency": "complexity",
    "readability": "readability",
    "code-readability": "readability",
    "style": "style",
    "coding-style": "style",
}


def normalize_preference(name: str) -> str | None:
    """Canonical preference name (one of PREFERENCES) for the spellings in use, else None."""
    key = "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
    return _PREFERENCE_ALIASES.get(key)


def format_rubrics(
    rubrics: dict[str, tuple[str, tuple[str, ...]]],
) -> dict[str, dict[str, str]]:
    """Rubrics as the values of the ``{title}`` and ``{criteria}`` placeholders, by preference."""
    return {
        name: {"title": title, "criteria": "\n".join(f"- {line}" for line in criteria)}
        for name, (title, criteria) in rubrics.items()
    }
