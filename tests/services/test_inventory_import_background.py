"""Applying a checked import from its file: the file must be the one the dry run read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.services.child_process import run_in_child
from app.services.inventory_import import ImportFileError, plan_import
from app.services.inventory_import.background import import_checked_file
from app.services.inventory_queries import list_systems

HEADER = ["System ID", "Name", "Owner email", "Autonomy", "Identities"]


def write_register(path: Path, *rows: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_the_checked_file_is_imported_and_findings_refreshed(workspace, tmp_path):
    register = write_register(
        tmp_path / "register.csv",
        ["AIS-1", "Claims bot", "maria@acme.test", "autonomous", "svc-claims"],
        ["AIS-2", "Copilot", "", "advisory", ""],
    )
    plan = plan_import(workspace, register)
    result, refresh = import_checked_file(
        workspace, register, plan.file_sha256, plan.options, valid_only=False,
        delete_missing=False,
    )  # fmt: skip
    assert result.counts["systems"]["created"] == 2
    assert {s.ext_id for s in list_systems(workspace)} == {"AIS-1", "AIS-2"}
    assert refresh is not None
    assert refresh.created > 0, "AIS-2 has no owner: an identity finding is raised"


def test_a_file_changed_after_its_dry_run_is_refused_and_nothing_is_written(workspace, tmp_path):
    register = write_register(
        tmp_path / "register.csv", ["AIS-1", "Claims bot", "maria@acme.test", "advisory", ""]
    )
    plan = plan_import(workspace, register)
    write_register(register, ["AIS-9", "Someone else's bot", "x@acme.test", "advisory", ""])
    with pytest.raises(ImportFileError, match="register.csv changed after it was checked"):
        import_checked_file(
            workspace, register, plan.file_sha256, plan.options, valid_only=False,
            delete_missing=False,
        )  # fmt: skip
    assert list_systems(workspace) == []


def test_the_import_runs_in_a_child_process_with_the_same_outcome(workspace, tmp_path):
    register = write_register(
        tmp_path / "register.csv", ["AIS-7", "Pricing agent", "li@acme.test", "HOTL", "svc-7"]
    )
    plan = plan_import(workspace, register)
    result, _refresh = run_in_child(
        import_checked_file,
        (workspace, register, plan.file_sha256, plan.options),
        {"valid_only": False, "delete_missing": False},
    )
    assert result.counts["systems"]["created"] == 1
    assert [s.ext_id for s in list_systems(workspace)] == ["AIS-7"]
