"""Reading a verdict out of a judge's free text: pairwise labels and 1-10 ratings, two ways.

The ``robust`` reading accepts a verdict only when it is unambiguous: every label (or rating) the
text states agrees, in any of the usual spellings. No label, conflicting labels or an
out-of-range rating is *unparsable*, never a tie.

The ``paper`` reading does what the released code does. CodeArena: every ``[[...]]`` made of
``A``, ``B``, ``<``, ``>``, ``=`` with no spaces; one distinct string is the verdict, none asks
again, several (even ``[[A>B]]`` and ``[[B<A]]``) is no verdict; a string that is not one of the
eight decisive labels counts 0 points. CODAL: the first ``Rating: N`` (case and colon as
written, an integer, no range check); anything else is N/A.
"""

from __future__ import annotations

import re

from sandbox.models import FrozenModel

VERDICT_LABELS = ("A>>B", "A>B", "A=B", "B>A", "B>>A")

# [[A>>B]] and the mirrored spellings some judges use ([[B<A]], [[A<<B]], [[B=A]]), spaces allowed.
_LABEL_RE = re.compile(r"\[\[\s*([AB])\s*(>>|<<|>|<|=)\s*([AB])\s*\]\]")
# "Rating: 7", "Rating: 7/10", "**Rating:** 7", "Rating: 8.5".
_RATING_RE = re.compile(r"\bRating\b[\s*_:]*(\d+(?:\.\d+)?)(?:\s*/\s*10\b)?")

RATING_MIN = 1.0
RATING_MAX = 10.0


class VerdictParse(FrozenModel):
    """A canonical label (one of VERDICT_LABELS) or the reason there is none; ``found``: how many
    distinct labels the text states (0 means the judge may be asked again)."""

    label: str | None = None
    problem: str | None = None
    found: int = 0


class RatingParse(FrozenModel):
    """A rating (the robust reading: in [1, 10]) or the reason there is none."""

    rating: float | None = None
    problem: str | None = None


def normalize_label(left: str, op: str, right: str) -> str | None:
    """Canonical label for ``left op right`` (``B<A`` -> ``A>B``); None for ``A>A`` and the like."""
    if left == right:
        return None
    if op == "=":
        return "A=B"
    winner, loser = (left, right) if op in (">", ">>") else (right, left)
    return f"{winner}{'>>' if len(op) == 2 else '>'}{loser}"


def parse_pairwise_verdict(text: str) -> VerdictParse:
    """The single verdict label a judge stated, or why it cannot be read."""
    found: list[str] = []
    for match in _LABEL_RE.finditer(text):
        label = normalize_label(match.group(1), match.group(2), match.group(3))
        if label is not None and label not in found:
            found.append(label)
    if not found:
        return VerdictParse(problem="no verdict label")
    if len(found) > 1:
        problem = f"conflicting verdict labels: {', '.join(found)}"
        return VerdictParse(problem=problem, found=len(found))
    return VerdictParse(label=found[0], found=1)


# The released judge's pattern, and the label strings its scoring recognises (anything else,
# "A=B" included, counts 0 points there: here the ties map to A=B, the rest is no verdict).
_PAPER_LABEL_RE = re.compile(r"\[\[([AB<>=]+)\]\]")
_PAPER_LABELS = {
    "A>>B": "A>>B",
    "B<<A": "A>>B",
    "A>B": "A>B",
    "B<A": "A>B",
    "A=B": "A=B",
    "B=A": "A=B",
    "B>A": "B>A",
    "A<B": "B>A",
    "B>>A": "B>>A",
    "A<<B": "B>>A",
}


def parse_pairwise_verdict_paper(text: str) -> VerdictParse:
    """The verdict as CodeArena's released judge reads it (see the module docstring)."""
    found: list[str] = []
    for match in _PAPER_LABEL_RE.finditer(text):
        if match.group(1) not in found:
            found.append(match.group(1))
    if not found:
        return VerdictParse(problem="no verdict label")
    if len(found) > 1:
        problem = f"conflicting verdict labels: {', '.join(found)}"
        return VerdictParse(problem=problem, found=len(found))
    label = _PAPER_LABELS.get(found[0])
    if label is None:
        return VerdictParse(problem=f"unrecognised verdict label [[{found[0]}]]", found=1)
    return VerdictParse(label=label, found=1)


def score_label(label: str) -> int:
    """Points for assistant A: +2 ``A>>B``, +1 ``A>B``, 0 ``A=B``, -1 ``B>A``, -2 ``B>>A``."""
    return {"A>>B": 2, "A>B": 1, "A=B": 0, "B>A": -1, "B>>A": -2}[label]


_PAPER_RATING_RE = re.compile(r"\bRating:\s*(\d+)\b")


def parse_rating_paper(text: str) -> RatingParse:
    """The first ``Rating: N`` as CODAL-Bench's released grader reads it (an integer, any value);
    ``**Rating:** 8`` is not one."""
    match = _PAPER_RATING_RE.search(text)
    if match is None:
        return RatingParse(problem="no 'Rating: N' (read as the paper reads it)")
    return RatingParse(rating=float(int(match.group(1))))


def parse_rating(text: str) -> RatingParse:
    """The single ``Rating: N`` (1-10) a judge stated, or why it cannot be read."""
    values: list[float] = []
    for match in _RATING_RE.finditer(text):
        value = float(match.group(1))
        if value not in values:
            values.append(value)
    if not values:
        return RatingParse(problem="no 'Rating: N' line")
    if len(values) > 1:
        shown = ", ".join(f"{v:g}" for v in values)
        return RatingParse(problem=f"conflicting ratings: {shown}")
    if not RATING_MIN <= values[0] <= RATING_MAX:
        return RatingParse(problem=f"rating {values[0]:g} outside 1-10")
    return RatingParse(rating=values[0])
