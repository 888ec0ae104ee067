"""A report is one snapshot: what it shows and the journal head it prints agree, and it writes
nothing, even while another writer changes answers all the time."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from app.services import assessments as svc
from app.services.engagement import update_engagement
from app.services.reporting import build_report
from app.services.reporting.portfolio import read_portfolio
from app.services.workspace import open_workspace
from app.storage.db import SnapshotWriteError
from app.storage.models import JournalEntry
from tests.services.test_reporting_build import setup


@pytest.fixture
def ws(tmp_path_factory, tmp_path):
    built = setup.build_report_workspace(tmp_path_factory.mktemp("snap"))
    workspace = open_workspace(built.path, actor="tester")
    workspace.assessment_id = built.assessment_id  # type: ignore[attr-defined]
    yield workspace
    workspace.close()


def _levels_at(workspace, assessment_id: int, seq: int, start: dict[str, int | None]):
    """Replay the journal up to ``seq``: the level of each question at that point."""
    levels = dict(start)
    with workspace.db.read() as session:
        entries = session.exec(
            select(JournalEntry)
            .where(JournalEntry.seq <= seq, JournalEntry.action == "response.update")
            .order_by(JournalEntry.seq)
        ).all()
    for entry in entries:
        owner, question = entry.entity_id.split(":", 1)
        if int(owner) == assessment_id and "level" in (entry.after or {}):
            levels[question] = entry.after["level"]
    return levels


class _Writer(threading.Thread):
    """Changes levels of the assessment's answers without pause until stopped."""

    def __init__(self, path, assessment_id: int, questions: list[str]) -> None:
        super().__init__(daemon=True)
        self.path, self.assessment_id, self.questions = path, assessment_id, questions
        self.stop = threading.Event()
        self.writes = 0

    def run(self) -> None:
        workspace = open_workspace(self.path, create=False, actor="writer")
        try:
            while not self.stop.is_set():
                question = self.questions[self.writes % len(self.questions)]
                svc.answer(workspace, self.assessment_id, question, self.writes % 6)
                self.writes += 1
        finally:
            workspace.close()


def test_report_head_matches_what_it_shows_under_a_concurrent_writer(ws):
    assessment_id = ws.assessment_id
    with ws.db.read() as session:
        first_seq = session.exec(select(JournalEntry.seq).order_by(JournalEntry.seq.desc())).first()
    start = {r.question_id: r.level for r in svc.list_responses(ws, assessment_id)}
    questions = [q for q, level in start.items() if level is not None][:8]
    writer = _Writer(ws.path, assessment_id, questions)
    writer.start()
    try:
        bundles = [build_report(ws, assessment_id) for _ in range(3)]
    finally:
        writer.stop.set()
        writer.join()
    assert writer.writes > 3
    for bundle in bundles:
        with ws.db.read() as session:
            head = session.get(JournalEntry, bundle.journal_seq)
        assert head is not None
        assert head.hash == bundle.journal_hash
        shown = {a.question_id: a.level for a in bundle.data.answers}
        expected = _levels_at(ws, assessment_id, bundle.journal_seq, start)
        assert {q: shown[q] for q in questions} == {q: expected[q] for q in questions}
    assert any(b.journal_seq > first_seq for b in bundles)  # the writer really ran


def test_building_a_report_writes_nothing(ws):
    svc.answer(ws, ws.assessment_id, svc.list_responses(ws, ws.assessment_id)[0].question_id, 0)
    with ws.db.read() as session:
        before = len(session.exec(select(JournalEntry)).all())
    build_report(ws, ws.assessment_id)
    read_portfolio(ws)
    with ws.db.read() as session:
        assert len(session.exec(select(JournalEntry)).all()) == before
    with ws.db.snapshot(), pytest.raises(SnapshotWriteError):
        update_engagement(ws, client="Changed inside a snapshot")


def test_assessor_reviewer_and_client_come_from_the_workspace(ws, monkeypatch, tmp_path):
    from app.support import preferences

    prefs = preferences.Preferences(assessor_name="Someone Else", assessor_organisation="Other")
    monkeypatch.setattr(preferences, "load_preferences", lambda: prefs)
    update_engagement(ws, assessor="Alex Assessor", reviewer="Rita Reviewer", client="Acme")
    document = build_report(ws, ws.assessment_id).data.document
    assert (document.assessor, document.reviewer, document.client) == (
        "Alex Assessor",
        "Rita Reviewer",
        "Acme",
    )
    assert document.assessor_organisation == "Assurance Partners"
    portfolio, head = read_portfolio(ws)
    assert portfolio.document.assessor == "Alex Assessor"
    assert len(head) == 64
