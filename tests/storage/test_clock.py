"""A unit of work takes its time from its workspace's clock: the real time unless one is set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

from sqlmodel import col, select

from app.services import assessment_lifecycle, assessments, review
from app.services.assessment_records import get_assessment
from app.storage import journal
from app.storage.models import JournalEntry

PAST = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _entries(workspace) -> list[JournalEntry]:
    with workspace.db.read() as session:
        return list(session.exec(select(JournalEntry).order_by(col(JournalEntry.seq))))


def test_an_ordinary_workspace_stamps_the_real_time(workspace):
    assert workspace.clock is None
    before = dt.datetime.now(dt.UTC)
    assessments.new_assessment(workspace, None, ("nist-ai-rmf",), title="Baseline")
    stamped = dt.datetime.fromisoformat(_entries(workspace)[-1].at)
    assert before <= stamped <= dt.datetime.now(dt.UTC)


def test_a_clocked_workspace_dates_stamps_and_journal_and_the_chain_holds(workspace):
    clocked = dataclasses.replace(workspace, clock=lambda: PAST)
    info = assessments.new_assessment(clocked, None, ("nist-ai-rmf",), title="Baseline")
    assessment_lifecycle.submit_for_review(clocked, info.id)
    review.approve(clocked, info.id)
    stored = get_assessment(workspace, info.id)
    assert stored.created_at.date() == PAST.date()
    assert stored.submitted_at is not None
    assert stored.submitted_at.date() == PAST.date()
    assert {e.at for e in _entries(workspace)} == {PAST.isoformat(timespec="microseconds")}
    with workspace.db.read() as session:
        assert journal.verify_chain(session).ok


def test_the_clock_does_not_travel_to_another_process(workspace):
    clocked = dataclasses.replace(workspace, clock=lambda: PAST)
    reopened = pickle.loads(pickle.dumps(clocked))
    try:
        assert reopened.clock is None
    finally:
        reopened.close()
