"""Evidence, pending marks and the integrity checks composed in one unit of work."""

from __future__ import annotations

import pytest

from app.services import evidence as ev
from app.services import pending
from app.services.anchor import anchor_problem, journal_head
from app.services.integrity import check_workspace
from app.storage.unit_of_work import Change


def test_evidence_stored_and_deleted_in_one_unit_commit_together_and_are_announced(workspace):
    announced: list[list[Change]] = []
    workspace.add_change_listener(announced.append)
    with workspace.unit_of_work() as uow:
        kept = ev.add_evidence_bytes(uow, b"kept", "kept.txt")
        gone = ev.add_evidence_bytes(uow, b"gone", "gone.txt")
        assert ev.delete_if_unlinked(uow, gone.id)
    assert [c.action for c in announced[0]] == ["evidence.add", "evidence.add", "evidence.delete"]
    assert [info.id for info in ev.list_evidence(workspace)] == [kept.id]
    assert check_workspace(workspace).ok


def test_a_failure_later_in_the_unit_takes_back_the_stored_evidence(workspace):
    head = journal_head(workspace)

    def store_then_fail() -> None:
        with workspace.unit_of_work() as uow:
            ev.add_evidence_bytes(uow, b"proof", "proof.txt")
            raise RuntimeError("the next step failed")

    with pytest.raises(RuntimeError):
        store_then_fail()
    assert ev.list_evidence(workspace) == []
    assert journal_head(workspace) == head
    assert anchor_problem(workspace, head) == ""


def test_a_pending_mark_names_its_process_and_the_check_reports_it_until_cleared(workspace):
    pending.mark(workspace, pending.PREFIX + "example", {"state": "rendering"})
    owed = pending.marks(workspace)[pending.PREFIX + "example"]
    assert owed["state"] == "rendering"
    assert isinstance(owed["pid"], int)
    assert any("pending:example" in note for note in check_workspace(workspace).notes)
    pending.clear(workspace, pending.PREFIX + "example")
    assert pending.marks(workspace) == {}
