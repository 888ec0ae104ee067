"""Scoring of DESIGN §6 against hand-computed figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.enums import EvidenceStrength, Severity
from app.domain.gaps import gap_points, gap_severity
from app.domain.scoring import (
    METHOD_TEXT,
    ScoredItem,
    ScoringError,
    children_of,
    score_items,
)

FW, A, B = "fw", "fw/A", "fw/B"


def item(qid, path, *, weight=1.0, priority=None, level=None, na=False, target=3, strength=None):
    return ScoredItem(qid, path, weight, priority, level, na, target, strength)


@pytest.fixture
def result():
    # Effective weights: q1 1×3=3, q2 2×1=2, q3 N/A, q4 1×1=1, q5 1×2=2.
    items = [
        item("q1", (FW, A), priority=1, level=4, strength=EvidenceStrength.DOCUMENT),
        item("q2", (FW, A), weight=2.0, priority=3, level=1),
        item("q3", (FW, B), priority=2, level=5, na=True, strength="tested"),
        item("q4", (FW, B)),
        item("q5", (FW, B), priority=2, level=3, target=4, strength="self-declared"),
    ]
    return score_items(items)


def test_category_with_a_weak_question(result):
    a = result.node(A)
    assert (a.questions, a.applicable, a.answered, a.not_applicable) == (2, 2, 2, 0)
    assert a.mean == pytest.approx(14 / 5)  # (3×4 + 2×1) / (3 + 2)
    assert a.achieved_level == 1  # q2 holds the node at 1 although the mean is 2.8
    assert a.coverage == pytest.approx(0.5)
    assert a.completeness == pytest.approx(1.0)
    assert a.gap == pytest.approx(4 / 5)  # q2 short by 2, weight 2, over weight 5
    assert a.confidence == pytest.approx(1.0)  # q1 is the only answer ≥ 3, backed by a document
    assert a.target == pytest.approx(3.0)


def test_category_with_na_unanswered_and_a_question_target(result):
    b = result.node(B)
    assert (b.questions, b.applicable, b.answered, b.not_applicable) == (3, 2, 1, 1)
    assert b.mean == pytest.approx(3.0)  # the N/A level 5 is ignored
    assert b.achieved_level == 0  # q4 is unanswered
    assert b.coverage == pytest.approx(0.0)  # q5 is 3 against its own target 4
    assert b.completeness == pytest.approx(0.5)
    assert b.gap == pytest.approx(1.0)  # (4 - 3) × 2 / 2
    assert b.confidence == pytest.approx(0.0)  # self-declared does not count
    assert b.target == pytest.approx(11 / 3)  # (1×3 + 2×4) / 3


def test_framework_and_overall(result):
    fw = result.node(FW)
    assert (fw.questions, fw.applicable, fw.answered, fw.at_target) == (5, 4, 3, 1)
    assert fw.mean == pytest.approx(20 / 7)  # (12 + 2 + 6) / (3 + 2 + 2)
    assert fw.achieved_level == 0
    assert fw.coverage == pytest.approx(1 / 4)
    assert fw.completeness == pytest.approx(3 / 4)
    assert fw.gap == pytest.approx(6 / 7)
    assert fw.confidence == pytest.approx(1 / 2)
    assert fw.target == pytest.approx(26 / 8)
    overall = result.overall
    assert overall.key == "overall"
    assert (overall.mean, overall.coverage, overall.gap) == (fw.mean, fw.coverage, fw.gap)


def test_node_order_and_children(result):
    assert [n.key for n in result.nodes] == [FW, A, B]
    assert result.node(B).path == (FW, B)
    assert [n.key for n in children_of(result, ())] == [FW]
    assert [n.key for n in children_of(result, (FW,))] == [A, B]


def test_all_na_node_has_no_figures():
    result = score_items([item("q1", ("x",), na=True), item("q2", ("x",), na=True, level=2)])
    x = result.node("x")
    assert (x.questions, x.applicable, x.not_applicable) == (2, 0, 2)
    figures = (x.mean, x.achieved_level, x.coverage, x.completeness, x.gap, x.confidence)
    assert figures == (None,) * 6


def test_unanswered_only_node():
    x = score_items([item("q1", ("x",)), item("q2", ("x",))]).node("x")
    assert x.mean is None
    assert x.gap is None
    assert x.achieved_level == 0
    assert (x.coverage, x.completeness) == (0.0, 0.0)
    assert x.confidence is None


def test_fully_at_target_node():
    items = [item(f"q{i}", ("x",), level=level, target=2) for i, level in enumerate([2, 5, 3])]
    x = score_items(items).node("x")
    assert x.achieved_level == 2
    assert x.coverage == 1.0
    assert x.gap == 0.0
    assert x.mean == pytest.approx(10 / 3)


def test_weights_change_the_mean_not_the_shares():
    heavy = [item("q1", ("x",), weight=9.0, level=5), item("q2", ("x",), level=0)]
    x = score_items(heavy).node("x")
    assert x.mean == pytest.approx(4.5)  # (9×5 + 0) / 10
    assert x.coverage == pytest.approx(0.5)
    assert x.gap == pytest.approx(0.3)  # 3 × 1 / 10


def test_priority_weights_high_moderate_foundational():
    items = [
        item("h", ("x",), priority=1, level=0),
        item("m", ("x",), priority=2, level=3),
        item("f", ("x",), priority=3, level=5),
    ]
    assert score_items(items).node("x").mean == pytest.approx((0 * 3 + 3 * 2 + 5 * 1) / 6)


def test_empty_assessment():
    result = score_items([])
    assert result.nodes == ()
    assert result.overall.questions == 0
    assert result.overall.mean is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"level": 6}, "level 6"), ({"target": -1}, "target -1"), ({"weight": 0.0}, "weight")],
)
def test_bad_items_are_refused(changes, message):
    values = {"level": 2, "target": 3, "weight": 1.0} | changes
    with pytest.raises(ScoringError, match=message):
        score_items([item("qx", ("x",), **values)])


def test_method_text_names_every_figure():
    for word in (
        "Mean maturity",
        "Achieved level",
        "Coverage",
        "Completeness",
        "Gap",
        "Confidence",
    ):
        assert word in METHOD_TEXT
    assert "High 3, Moderate 2, Foundational 1" in METHOD_TEXT


@given(
    st.lists(
        st.tuples(st.integers(0, 5) | st.none(), st.booleans(), st.integers(1, 3) | st.none()),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 5),
)
def test_figures_stay_in_their_ranges(answers, target):
    items = [
        item(f"q{i}", ("x",), level=level, na=na, priority=priority, target=target)
        for i, (level, na, priority) in enumerate(answers)
    ]
    x = score_items(items).node("x")
    for share in (x.coverage, x.completeness, x.confidence):
        assert share is None or 0.0 <= share <= 1.0
    if x.mean is not None:
        assert 0.0 <= x.mean <= 5.0
        assert x.achieved_level <= x.mean + 1e-9
        assert 0.0 <= x.gap <= target
    assert x.applicable + x.not_applicable == x.questions


@pytest.mark.parametrize(
    ("level", "target", "priority", "expected"),
    [
        (3, 3, 1, None),
        (5, 3, 1, None),
        (2, 3, 3, Severity.LOW),  # 1 × 1
        (2, 3, 2, Severity.LOW),  # 1 × 2
        (2, 3, None, Severity.LOW),  # 1 × 2
        (2, 3, 1, Severity.MEDIUM),  # 1 × 3
        (1, 3, 2, Severity.MEDIUM),  # 2 × 2
        (1, 3, 1, Severity.HIGH),  # 2 × 3
        (0, 3, 2, Severity.HIGH),  # 3 × 2
        (0, 3, 1, Severity.CRITICAL),  # 3 × 3
        (0, 5, 3, Severity.MEDIUM),  # 5 × 1
        (0, 5, 2, Severity.CRITICAL),  # 5 × 2
    ],
)
def test_gap_severity(level, target, priority, expected):
    assert gap_severity(level, target, priority) == expected
    assert gap_points(level, target, priority) >= 0


def test_nodes_come_in_tree_order_even_when_questions_interleave():
    from app.domain.scoring import ScoredItem, score_items

    def item(qid: str, path: tuple[str, ...]) -> ScoredItem:
        return ScoredItem(qid, path, 1.0, None, 3, False, 3, None)

    result = score_items(
        [
            item("a", ("fw", "fw/secure", "fw/secure/GV")),
            item("b", ("fw", "fw/defend", "fw/defend/GV")),
            item("c", ("fw", "fw/secure", "fw/secure/ID")),
            item("d", ("fw", "fw/defend", "fw/defend/ID")),
        ]
    )
    assert [n.key for n in result.nodes] == [
        "fw",
        "fw/secure",
        "fw/secure/GV",
        "fw/secure/ID",
        "fw/defend",
        "fw/defend/GV",
        "fw/defend/ID",
    ]
