"""The journal chain: every service change is recorded, and edits behind the app's back show."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from app.services.integrity import check_workspace
from app.services.settings import get_workspace_setting, set_workspace_setting
from app.storage import journal
from app.storage.models import JournalEntry


def _write_entries(workspace, count: int) -> None:
    for index in range(count):
        with workspace.db.write() as session:
            journal.record(
                session,
                actor="tester",
                action="test.change",
                entity="thing",
                entity_id=index,
                before={"value": index},
                after={"value": index + 1},
            )


def _raw(workspace, sql: str, *params) -> None:
    """Change the journal behind the app's back, in plain SQL (``?`` marks a parameter)."""
    for index in range(len(params)):
        sql = sql.replace("?", f":p{index}", 1)
    with workspace.db.write() as session:
        session.execute(sa.text(sql), {f"p{i}": value for i, value in enumerate(params)})


def test_service_changes_are_journalled_and_chain_verifies(workspace):
    set_workspace_setting(workspace, "hygiene.rotation_days", 60)
    set_workspace_setting(workspace, "hygiene.rotation_days", 30)
    assert get_workspace_setting(workspace, "hygiene.rotation_days") == 30
    with workspace.db.read() as session:
        report = journal.verify_chain(session)
        entries = session.exec(select(JournalEntry).order_by(JournalEntry.seq)).all()
    assert report.ok
    assert report.entries == 2
    assert [(e.before, e.after) for e in entries] == [(None, 60), (60, 30)]
    assert entries[1].prev_hash == entries[0].hash
    assert report.head_hash == entries[1].hash


def test_edited_entry_is_detected_at_its_sequence(workspace):
    _write_entries(workspace, 5)
    _raw(workspace, "UPDATE journal_entry SET after=? WHERE seq=3", '{"value": 99}')
    report = check_workspace(workspace)
    assert not report.ok
    assert report.journal.broken_seq == 3
    assert "content does not match" in report.journal.reason


def test_deleted_entry_is_detected(workspace):
    _write_entries(workspace, 5)
    _raw(workspace, "DELETE FROM journal_entry WHERE seq=2")
    report = check_workspace(workspace).journal
    assert not report.ok
    assert report.broken_seq == 3
    assert "entry 2 is missing" in report.reason


def test_rehashed_forgery_still_breaks_the_next_link(workspace):
    _write_entries(workspace, 4)
    with workspace.db.read() as session:
        entry = session.get(journal.JournalEntry, 2)
        fields = journal._hashed_fields(entry)
    fields["actor"] = "mallory"
    forged = journal.entry_hash(fields, entry.prev_hash)
    _raw(workspace, "UPDATE journal_entry SET actor='mallory', hash=? WHERE seq=2", forged)
    report = check_workspace(workspace).journal
    assert report.broken_seq == 3
    assert "link to the previous entry" in report.reason


def test_failed_transaction_leaves_no_entry(workspace):
    try:
        with workspace.db.write() as session:
            journal.record(session, actor="t", action="a.b", entity="x", entity_id=1)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with workspace.db.read() as session:
        assert journal.verify_chain(session).entries == 0


def test_jsonable_makes_plain_data():
    import datetime as dt

    from app.domain.enums import Severity

    value = {"d": dt.date(2026, 1, 2), "s": {3, 1}, "e": Severity.HIGH, "t": (1, "x")}
    assert journal.jsonable(value) == {"d": "2026-01-02", "s": [1, 3], "e": "high", "t": [1, "x"]}
