"""The prepared import process: plans the checked file while the user reads, applies on request."""

from __future__ import annotations

import pytest

from app.services.inventory_import import ImportFileError, plan_import
from app.services.inventory_import.prepared import ImportProcess, apply_prepared
from app.services.inventory_queries import list_systems
from app.services.progress import Cancelled
from tests.services.test_inventory_import_background import write_register


class CancelledProgress:
    cancelled = True

    def report(self, fraction: float, message: str = "") -> None:
        pass


@pytest.fixture
def register(tmp_path):
    return write_register(
        tmp_path / "register.csv",
        ["AIS-1", "Claims bot", "maria@acme.test", "autonomous", "svc-claims"],
        ["AIS-2", "Copilot", "", "advisory", ""],
    )


def prepared(workspace, register) -> ImportProcess:
    process = ImportProcess()
    process.prepare(workspace, register, {})
    return process


def test_the_prepared_process_applies_the_checked_file(workspace, register):
    process = prepared(workspace, register)
    plan = plan_import(workspace, register)
    result, refresh = process.apply(
        workspace, plan.file_sha256, valid_only=False, delete_missing=False
    )
    assert result.counts["systems"]["created"] == 2
    assert {s.ext_id for s in list_systems(workspace)} == {"AIS-1", "AIS-2"}
    assert refresh is not None
    assert refresh.created > 0
    assert not process.is_alive()


def test_a_file_changed_after_the_dry_run_is_refused_and_nothing_is_written(workspace, register):
    process = prepared(workspace, register)
    plan = plan_import(workspace, register)
    write_register(register, ["AIS-9", "Someone else's bot", "x@acme.test", "advisory", ""])
    with pytest.raises(ImportFileError, match="register.csv changed after it was checked"):
        process.apply(workspace, plan.file_sha256, valid_only=False, delete_missing=False)
    assert list_systems(workspace) == []


def test_a_file_changed_after_the_process_planned_it_is_refused_at_import(workspace, register):
    plan = plan_import(workspace, register)  # as the process plans it, before the change
    write_register(register, ["AIS-9", "Someone else's bot", "x@acme.test", "advisory", ""])
    with pytest.raises(ImportFileError, match="register.csv changed after it was checked"):
        apply_prepared(workspace, plan, plan.file_sha256, valid_only=False, delete_missing=False)
    assert list_systems(workspace) == []


def test_a_file_the_process_cannot_read_is_explained_when_applying(workspace, tmp_path):
    process = ImportProcess()
    process.prepare(workspace, tmp_path / "gone.csv", {})
    with pytest.raises(ImportFileError, match="gone.csv"):
        process.apply(workspace, "0" * 64, valid_only=False, delete_missing=False)
    assert not process.is_alive()


def test_cancel_before_the_apply_and_close_stop_the_process_without_writing(workspace, register):
    plan = plan_import(workspace, register)
    process = prepared(workspace, register)
    with pytest.raises(Cancelled):
        process.apply(
            workspace, plan.file_sha256, valid_only=False, delete_missing=False,
            progress=CancelledProgress(),
        )  # fmt: skip
    assert not process.is_alive()
    unused = prepared(workspace, register)
    unused.close()
    assert not unused.is_alive()
    assert list_systems(workspace) == []


def test_a_process_serves_the_one_check_it_was_prepared_for(workspace, register):
    unprepared = ImportProcess()
    try:
        with pytest.raises(RuntimeError, match="not prepared"):
            unprepared.apply(workspace, "0" * 64, valid_only=False, delete_missing=False)
    finally:
        unprepared.close()
    process = prepared(workspace, register)
    try:
        with pytest.raises(RuntimeError, match="prepared already"):
            process.prepare(workspace, register, {})
    finally:
        process.close()
    assert list_systems(workspace) == []


def test_a_prepared_process_that_died_is_reported_not_a_broken_pipe(workspace, register):
    from app.services.child_process import BackgroundProcessError

    process = prepared(workspace, register)
    process._child._process.kill()  # noqa: SLF001 - the child dies while it waits
    process._child._process.join(5)  # noqa: SLF001
    with pytest.raises(BackgroundProcessError):
        process.apply(workspace, "0" * 64, valid_only=False, delete_missing=False)
    assert list_systems(workspace) == []
