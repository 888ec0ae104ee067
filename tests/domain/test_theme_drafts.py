"""The drafted texts of a themed finding read as proper English, whatever the number of gaps."""

from __future__ import annotations

from app.domain.themes import GapDraft, draft_condition, draft_recommendation


def _gap(n: int) -> GapDraft:
    return GapDraft("question", f"GV.OC-0{n}", f"Practice {n}", 1, 4, "high", f"Do thing {n}.")


def test_the_condition_counts_the_gaps_it_does_not_name_in_words():
    four = draft_condition("Governance", [_gap(n) for n in range(1, 5)])
    assert "4 practices fall short of target" in four
    assert "One more is listed under criteria." in four
    assert "The other 1" not in four
    five = draft_condition("Governance", [_gap(n) for n in range(1, 6)])
    assert "The other 2 are listed under criteria." in five
    three = draft_condition("Governance", [_gap(n) for n in range(1, 4)])
    assert "listed under criteria" not in three
    one = draft_condition("Governance", [_gap(1)])
    assert one.startswith("One practice falls short of target: GV.OC-01 Practice 1 is at level 1")
    assert "widest" not in one


def _rule(n: int) -> GapDraft:
    return GapDraft("rule", "NHI1", f"Identity {n} unused", None, None, "medium", f"Drop {n}.")


def test_the_recommendation_counts_the_practices_and_identity_cases_it_leaves_out():
    text = draft_recommendation([_gap(n) for n in range(1, 6)] + [_rule(1), _rule(2)])
    assert text.startswith("Do thing 1. Do thing 2. Do thing 3.")
    assert text.endswith(
        "The criteria list 2 further practices to bring to target and 2 further identity "
        "cases to resolve."
    )
    shared = [GapDraft("question", "X", f"P{n}", 1, 4, "high", "Same advice.") for n in range(4)]
    assert draft_recommendation(shared) == "Same advice."
    assert draft_recommendation([_gap(n) for n in range(1, 5)]).endswith(
        "The criteria list 1 further practice to bring to target."
    )
