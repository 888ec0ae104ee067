"""The unit of work: one transaction, its journal, its change records, and how services get one."""

from __future__ import annotations

import pytest

from app.services.engagement import get_engagement, update_engagement
from app.services.errors import UserError
from app.storage import journal
from app.storage.repositories.engagement import EngagementRepository
from app.storage.unit_of_work import Change, ReadOnlyUnitError


def test_a_unit_commits_its_changes_and_journal_together_and_announces_them(workspace):
    announced: list[list[Change]] = []
    workspace.add_change_listener(announced.append)
    with workspace.unit_of_work() as uow:
        update_engagement(uow, client="Acme")
        update_engagement(uow, reviewer="R. Lee")
        assert announced == []  # nothing is announced before the commit
    assert [c.action for c in announced[0]] == ["engagement.update", "engagement.update"]
    assert announced[0][0] == Change("engagement.update", "engagement", "1")
    with workspace.reading() as uow:
        assert journal.verify_chain(uow.session).entries == 2
        assert get_engagement(uow).reviewer == "R. Lee"


def test_a_failure_anywhere_in_the_unit_rolls_back_every_change_and_announces_nothing(workspace):
    announced: list[list[Change]] = []
    workspace.add_change_listener(announced.append)

    def two_changes_the_second_bad() -> None:
        with workspace.unit_of_work() as uow:
            update_engagement(uow, client="Acme")
            update_engagement(uow, classification="secret")

    with pytest.raises(UserError):
        two_changes_the_second_bad()
    assert get_engagement(workspace).client == ""
    assert announced == []
    with workspace.reading() as uow:
        assert journal.verify_chain(uow.session).entries == 0


def test_a_reading_unit_refuses_to_record_a_change(workspace):
    with workspace.reading() as uow, pytest.raises(ReadOnlyUnitError):
        uow.record("engagement.update", "engagement", 1, after={"client": "x"})


def test_a_unit_hands_out_one_repository_per_class(workspace):
    with workspace.reading() as uow:
        assert uow.repository(EngagementRepository) is uow.repository(EngagementRepository)


def test_a_failing_listener_does_not_undo_the_committed_change(workspace):
    def broken(_changes: list[Change]) -> None:
        raise RuntimeError("listener bug")

    workspace.add_change_listener(broken)
    update_engagement(workspace, client="Acme")
    assert get_engagement(workspace).client == "Acme"
    workspace.remove_change_listener(broken)
