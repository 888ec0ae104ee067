"""Importing with header rows chosen by the user: planned, journalled, and read again alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services.child_process import run_in_child
from app.services.inventory_import import ImportFileError, apply_plan, plan_import
from app.services.inventory_import.background import import_checked_file
from app.services.inventory_queries import list_identities, list_systems
from app.storage.models import JournalEntry
from tests.inventory_files import SIGN_OFF_REGISTER as REGISTER
from tests.inventory_files import TITLED_IDENTITIES as IDENTITIES
from tests.inventory_files import write_xlsx


@pytest.fixture
def register(tmp_path) -> Path:
    return write_xlsx(tmp_path / "register.xlsx", {"AI systems": REGISTER,
                                                   "Identities": IDENTITIES})  # fmt: skip


def test_the_guessed_header_row_imports_no_system_and_the_chosen_one_fixes_it(workspace, register):
    guessed = plan_import(workspace, register)
    assert guessed.summary()["systems"]["creates"] == 0
    assert not guessed.has_errors  # the sign-off block has no id column: skipped with a note
    assert any("no column gives the id" in p.reason for p in guessed.problems)
    plan = plan_import(workspace, register, header_rows={"AI systems": 40})
    assert not plan.has_errors
    assert plan.summary()["systems"]["creates"] == 2
    assert plan.summary()["identities"]["creates"] == 1  # the other sheet is still detected
    assert plan.options["header_rows"] == {"AI systems": 40}
    assert [(s["name"], s["header_row"]) for s in plan.to_dict()["sheets"]] == [
        ("AI systems", 40),
        ("Identities", 2),
    ]
    apply_plan(workspace, plan)
    assert [s.ext_id for s in list_systems(workspace)] == ["AIS-1", "AIS-2"]
    with workspace.db.read() as session:
        entry = session.execute(
            sa.select(JournalEntry).where(JournalEntry.action == "inventory.import")
        ).scalar_one()
    assert entry.after["options"]["header_rows"] == {"AI systems": 40}


def test_a_row_past_the_sheet_end_is_a_clear_error_and_writes_nothing(workspace, register):
    with pytest.raises(ImportFileError) as caught:
        plan_import(workspace, register, header_rows=["AI systems=99"])
    assert str(caught.value) == (
        "register.xlsx, sheet 'AI systems': header row 99 is past the end of the sheet "
        "(its last row is 42)"
    )
    with pytest.raises(ImportFileError, match="row 3, chosen as the header row, is empty"):
        plan_import(workspace, register, header_rows=["AI systems=3"])
    with pytest.raises(ImportFileError, match="should read SHEET=N"):
        plan_import(workspace, register, header_rows=["AI systems=first"])
    assert list_systems(workspace) == []


def test_the_options_read_the_file_the_same_way_again_in_a_child(workspace, register):
    plan = plan_import(workspace, register, header_rows=["AI systems=40"])
    assert plan_import(workspace, register, **plan.options).summary() == plan.summary()
    result, _refresh = run_in_child(
        import_checked_file,
        (workspace, register, plan.file_sha256, plan.options),
        {"valid_only": False, "delete_missing": False},
    )
    assert result.counts["systems"]["created"] == 2
    assert [s.ext_id for s in list_systems(workspace)] == ["AIS-1", "AIS-2"]
    assert [i.ext_id for i in list_identities(workspace)] == ["svc-1"]


def test_a_bare_row_names_a_csv_files_only_sheet(workspace, tmp_path):
    path = tmp_path / "export.csv"
    lines = ["Exported 2025-06-01", "", "System ID,Name,Owner email", "AIS-9,Bot,x@acme.test"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = plan_import(workspace, path, header_rows=["3"])
    assert plan.options["header_rows"] == {"export": 3}
    assert plan.summary()["systems"]["creates"] == 1
    again = plan_import(workspace, path, **plan.options)
    assert again.summary()["systems"]["creates"] == 1
