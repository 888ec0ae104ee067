"""Counted words in proper English: one helper for every report and message."""

from __future__ import annotations

import pytest

from app.support.text import plural, plural_of


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "hop", "0 hops"),
        (1, "hop", "1 hop"),
        (2, "finding", "2 findings"),
        (1, "identity", "1 identity"),
        (5, "identity", "5 identities"),
        (3, "evidence file", "3 evidence files"),
        (2, "journal entry", "2 journal entries"),
        (4, "box", "4 boxes"),
        (2, "day", "2 days"),
        (2, "person", "2 people"),
        (220, "open finding", "220 open findings"),
    ],
)
def test_counts_take_the_right_form(count, word, expected):
    assert plural(count, word) == expected


def test_an_irregular_plural_can_be_given_and_the_number_left_out():
    assert plural(2, "criterion", "criteria") == "2 criteria"
    assert plural(1, "criterion", "criteria") == "1 criterion"
    assert plural(3, "Finding", number=False) == "Findings"
    assert plural(1, "Finding", number=False) == "Finding"


def test_capitals_are_kept():
    assert plural_of("Identity") == "Identities"
    assert plural_of("AI system") == "AI systems"
