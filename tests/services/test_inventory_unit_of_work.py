"""Inventory, import, identity findings and settings compose in one unit of work."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import col, select

from app.services.errors import UserError
from app.services.identity_analysis import refresh_identity_findings
from app.services.inventory_edit import add_record, delete_record, edit_record, record_texts
from app.services.inventory_import import apply_plan, latest_runs, plan_import
from app.services.inventory_queries import list_findings, list_systems
from app.services.overview import workspace_summary
from app.services.pending import IDENTITY_REFRESH
from app.services.settings import get_workspace_setting, set_workspace_setting
from app.storage import journal
from app.storage.models import JournalEntry
from app.storage.repositories.settings import SettingsRepository
from app.storage.unit_of_work import Change


def _register(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["System ID", "Name", "Owner email", "Autonomy", "Identities"])
        writer.writerow(["AIS-1", "Claims bot", "maria@acme.test", "autonomous", "svc-claims"])
        writer.writerow(["AIS-2", "Copilot", "", "advisory", ""])
    return path


def _entries(workspace) -> list[str]:
    with workspace.reading() as uow:
        assert journal.verify_chain(uow.session).ok
        rows = uow.session.exec(select(JournalEntry).order_by(col(JournalEntry.seq)))
        return [row.action for row in rows]


def test_hand_edits_in_one_unit_commit_together_and_announce_their_records(workspace):
    announced: list[list[Change]] = []
    workspace.add_change_listener(announced.append)
    with workspace.unit_of_work() as uow:
        add_record(uow, "systems", "AIS-9", {"name": "Pricing agent"})
        add_record(uow, "identities", "svc-9", {"systems": "AIS-9"})
        edit_record(uow, "systems", "AIS-9", {"autonomy": "HOTL"})
        assert announced == []
    assert announced == [
        [
            Change("inventory.add", "systems", "AIS-9"),
            Change("inventory.add", "identities", "svc-9"),
            Change("inventory.edit", "systems", "AIS-9"),
        ]
    ]
    texts = record_texts(workspace, "systems", "AIS-9")
    assert texts["identities"] == "svc-9"
    assert _entries(workspace) == ["inventory.add", "inventory.add", "inventory.edit"]


def test_a_refused_edit_rolls_back_the_whole_unit(workspace):
    def add_then_link_to_a_missing_identity() -> None:
        with workspace.unit_of_work() as uow:
            add_record(uow, "systems", "AIS-9", {"name": "Pricing agent"})
            edit_record(uow, "systems", "AIS-9", {"identities": "svc-missing"})

    with pytest.raises(UserError, match="no identity 'svc-missing'"):
        add_then_link_to_a_missing_identity()
    assert list_systems(workspace) == []
    assert _entries(workspace) == []


def test_an_import_and_its_findings_refresh_commit_in_one_unit(workspace, tmp_path):
    plan = plan_import(workspace, _register(tmp_path / "register.csv"))
    with workspace.unit_of_work() as uow:
        result = apply_plan(uow, plan)
        assert uow.repository(SettingsRepository).find(IDENTITY_REFRESH) is not None
        refresh = refresh_identity_findings(uow)
        assert uow.repository(SettingsRepository).find(IDENTITY_REFRESH) is None
    assert result.counts["systems"]["created"] == 2
    assert refresh.created > 0
    assert [run["id"] for run in latest_runs(workspace)] == [result.run_id]
    assert {f.system for f in list_findings(workspace, source="identity-rule")} >= {"AIS-2"}
    assert _entries(workspace) == ["inventory.import", "findings.identity-refresh"]
    summary = workspace_summary(workspace)
    assert (summary.systems, summary.journal_entries) == (2, 2)


def test_a_setting_and_a_deletion_roll_back_together(workspace):
    add_record(workspace, "systems", "AIS-1")

    def delete_then_a_bad_setting() -> None:
        with workspace.unit_of_work() as uow:
            delete_record(uow, "systems", "AIS-1")
            set_workspace_setting(uow, "hygiene.rotation_days", "soon")

    with pytest.raises(UserError, match="takes a int"):
        delete_then_a_bad_setting()
    assert [s.ext_id for s in list_systems(workspace)] == ["AIS-1"]
    assert get_workspace_setting(workspace, "hygiene.rotation_days") == 90
