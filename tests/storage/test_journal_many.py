"""Many changes journalled at once chain exactly as the same changes journalled one by one."""

from __future__ import annotations

from app.storage import journal
from app.storage.journal import Pending


def test_entries_written_together_verify_and_follow_single_ones(workspace):
    with workspace.unit_of_work() as uow:
        uow.record("response.set", "response", "1:q.1", after={"level": 1})
        uow.record_many(
            [
                Pending("response.merge", "response", f"1:q.{n}", {"level": None}, {"level": n})
                for n in range(2, 6)
            ]  # fmt: skip
        )
        uow.record("package.merge", "package", "abc", after={"counts": 4})
    assert [c.entity_id for c in uow.changes] == ["1:q.1", "1:q.2", "1:q.3", "1:q.4", "1:q.5",
                                                  "abc"]  # fmt: skip
    with workspace.db.read() as session:
        report = journal.verify_chain(session)
    assert report.ok
    assert report.entries == 6
