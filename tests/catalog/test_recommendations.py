"""Every shipped question carries its own client-facing recommendation, apart from the guidance."""

from __future__ import annotations

from collections import Counter

from app.catalog.registry import load_default_catalog


def test_every_question_has_its_own_recommendation():
    catalog = load_default_catalog()
    questions = [q for framework in catalog.frameworks() for q in framework.questions]
    assert len(questions) > 400
    missing = [q.id for q in questions if len(q.recommendation.split()) < 6]
    assert missing == []
    assert all(q.recommendation != q.guidance for q in questions)
    repeated = [text for text, n in Counter(q.recommendation for q in questions).items() if n > 1]
    assert repeated == []
    assert all(q.recommendation.rstrip().endswith(".") for q in questions)
