"""Reading verdicts from realistic judge texts (long answers with code, repeated, conflicting and
missing labels) and property tests of the parsers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runners.judge.parsing import (
    VERDICT_LABELS,
    normalize_label,
    parse_pairwise_verdict,
    parse_pairwise_verdict_paper,
    parse_rating,
    parse_rating_paper,
    score_label,
)

JUDGMENTS = Path(__file__).parent / "fixtures" / "judgments"


def read(name: str) -> str:
    return (JUDGMENTS / name).read_text()


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("arena_long_code_b_better.txt", "B>A"),  # code with [[1, 2]] and bash [[ -f x ]]
        ("arena_repeated_same_label.txt", "A>B"),  # the same label twice is one verdict
        ("arena_mirrored_spaced.txt", "A>B"),  # [[ B < A ]] in bold
    ],
)
def test_pairwise_verdict_read_from_real_texts(name: str, label: str) -> None:
    parsed = parse_pairwise_verdict(read(name))
    assert parsed.label == label
    assert parsed.problem is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("arena_conflicting.txt", "conflicting verdict labels: A>B, B>>A"),
        ("arena_echoed_options.txt", "conflicting verdict labels: A>>B, A>B, A=B, B>A, B>>A"),
        ("arena_no_label.txt", "no verdict label"),
    ],
)
def test_pairwise_verdict_unparsable_is_never_a_tie(name: str, problem: str) -> None:
    parsed = parse_pairwise_verdict(read(name))
    assert parsed.label is None
    assert parsed.problem == problem


@pytest.mark.parametrize(
    ("name", "rating"),
    [("codal_markdown_rating.txt", 8.0), ("codal_template_echo.txt", 6.0)],
)
def test_rating_read_from_real_texts(name: str, rating: float) -> None:
    assert parse_rating(read(name)).rating == rating


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (read("codal_no_rating.txt"), "no 'Rating: N' line"),
        (read("codal_conflicting.txt"), "conflicting ratings: 9, 7"),
        ("Rationale: bad.\nRating: 0/10", "rating 0 outside 1-10"),
        ("Rationale: great.\nRating: 11", "rating 11 outside 1-10"),
    ],
)
def test_rating_unparsable(text: str, problem: str) -> None:
    parsed = parse_rating(text)
    assert parsed.rating is None
    assert parsed.problem == problem


@pytest.mark.parametrize(
    ("text", "rating"),
    [("Rating: 10", 10.0), ("rating: 7", None), ("**Rating**: 7.5", 7.5), ("Rating: 3 / 10", 3.0)],
)
def test_rating_spellings(text: str, rating: float | None) -> None:
    assert parse_rating(text).rating == rating


def test_normalize_label_mirrors_and_rejects_self_comparison() -> None:
    assert normalize_label("B", "<<", "A") == "A>>B"
    assert normalize_label("A", "<", "B") == "B>A"
    assert normalize_label("B", "=", "A") == "A=B"
    assert normalize_label("A", ">", "A") is None


def test_score_label_is_antisymmetric() -> None:
    assert [score_label(label) for label in VERDICT_LABELS] == [2, 1, 0, -1, -2]


filler = st.text(alphabet=st.characters(blacklist_characters="[]"), max_size=300)


@given(before=filler, after=filler, label=st.sampled_from(VERDICT_LABELS))
def test_one_label_anywhere_in_free_text_is_found(before: str, after: str, label: str) -> None:
    assert parse_pairwise_verdict(f"{before}[[{label}]]{after}").label == label


@given(
    before=filler,
    labels=st.lists(st.sampled_from(VERDICT_LABELS), min_size=2, max_size=4, unique=True),
)
def test_two_different_labels_are_never_accepted(before: str, labels: list[str]) -> None:
    text = before + " ".join(f"[[{label}]]" for label in labels)
    assert parse_pairwise_verdict(text).label is None


@given(text=filler)
def test_text_without_brackets_has_no_verdict(text: str) -> None:
    assert parse_pairwise_verdict(text).label is None


@given(value=st.integers(min_value=1, max_value=10), prefix=filler)
def test_rating_in_range_is_read(value: int, prefix: str) -> None:
    text = f"{prefix.replace('Rating', 'rating')}\nRating: {value}/10"
    assert parse_rating(text).rating == value


# --- the paper's reading (as the released code reads) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "found"),
    [
        ("verdict: [[A>B]]", "A>B", 1),
        ("[[B<<A]]", "A>>B", 1),  # the released scoring's mirrored spellings
        ("[[A<B]]", "B>A", 1),
        ("[[B=A]]", "A=B", 1),
        ("[[A>B]] and again [[A>B]]", "A>B", 1),  # the same string twice is one verdict
        ("[[A>B]] i.e. [[B<A]]", None, 2),  # two strings: no verdict, however they agree
        ("[[ A>B ]]", None, 0),  # no spaces in the released pattern: no label, ask again
        ("[[A>=B]]", None, 1),  # a label the released scoring does not know: 0 points
        ("no label", None, 0),
    ],
)
def test_pairwise_verdict_paper(text: str, label: str | None, found: int) -> None:
    parsed = parse_pairwise_verdict_paper(text)
    assert (parsed.label, parsed.found) == (label, found)


@pytest.mark.parametrize(
    ("text", "paper", "robust"),
    [
        ("Rationale: good.\n**Rating:** 8", None, 8.0),  # N/A (= 0) under paper, 8 under robust
        ("Rating: 7.5", 7.0, 7.5),  # the paper reads an integer
        ("Rating: 3\nRating: 9", 3.0, None),  # the first one, where robust sees a conflict
        ("Rating: 11", 11.0, None),  # no range check in the released grader
        ("rating: 7", None, None),
        ("Rating: 8/10", 8.0, 8.0),
    ],
)
def test_rating_paper_against_robust(text: str, paper: float | None, robust: float | None) -> None:
    assert parse_rating_paper(text).rating == paper
    assert parse_rating(text).rating == robust


@given(value=st.integers(min_value=0, max_value=99), before=filler, after=filler)
def test_rating_paper_takes_the_first_rating(value: int, before: str, after: str) -> None:
    text = f"{before.replace('Rating', 'rating')}\nRating: {value}\n{after}\nRating: {value + 1}"
    assert parse_rating_paper(text).rating == value
