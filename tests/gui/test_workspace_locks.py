"""The window never loses SQLite's locks on its workspace, so another process loses nothing.

POSIX record locks belong to the process and are all dropped when any descriptor of the
file is closed in it. A file dialog showing the workspace's folder used to read the file's
first bytes to guess its type (and close it again): from then on an ``assay`` command closing
its connection believed it was the last user, checkpointed and deleted ``-wal`` and ``-shm``,
and the window went on writing into the deleted files; its changes and the command's journal
entry were lost when the window closed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlmodel import select

from app.services.engagement import get_engagement, update_engagement
from app.services.workspace import open_workspace
from app.storage import journal
from app.storage.models import JournalEntry


def deleted_workspace_files() -> list[str]:
    """Return the workspace files this process holds open although they were deleted."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if ".assay" in target and target.endswith("(deleted)"):
            found.append(target)
    return found


def cli(workspace: Path, *args: str) -> str:
    """Run ``assay ARGS --workspace W`` in another process and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--workspace", str(workspace)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _close_dialog_later(qtbot, delay_ms: int = 1500) -> None:
    def close() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            dialog.reject()

    QTimer.singleShot(delay_ms, close)


def test_file_dialog_in_the_workspace_folder_keeps_the_locks(
    make_main_window, qtbot, tmp_path, monkeypatch
):
    path = tmp_path / "engagement.assay"
    workspace = open_workspace(path, actor="tester")
    window = make_main_window(workspace=workspace)
    window.show()
    monkeypatch.chdir(tmp_path)  # the dialog opens on the workspace's folder
    _close_dialog_later(qtbot)
    window._on_open_triggered()  # File ▸ Open…, cancelled after a moment

    cli(path, "engagement", "set", "--client", "Northwind")
    update_engagement(window.context.workspace, reviewer="R. Okafor")  # the window writes
    assert json.loads(cli(path, "engagement", "show", "--json"))["reviewer"] == "R. Okafor"
    cli(path, "engagement", "set", "--title", "Round 2")
    assert deleted_workspace_files() == []
    window.close()

    reopened = open_workspace(path, actor="tester")
    try:
        engagement = get_engagement(reopened)
        assert (engagement.client, engagement.reviewer, engagement.title) == (
            "Northwind",
            "R. Okafor",
            "Round 2",
        )
        with reopened.db.read() as session:
            actions = session.exec(select(JournalEntry.action).order_by(JournalEntry.seq)).all()
            assert journal.verify_chain(session).ok
        assert actions.count("engagement.update") == 3
    finally:
        reopened.close()


def test_window_asks_for_files_only_through_dialogs_that_never_open_them():
    root = Path(__file__).resolve().parents[2] / "app" / "gui"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "file_dialogs.py"
        and any(
            needle in path.read_text(encoding="utf-8")
            for needle in ("QFileDialog", "QMimeDatabase", "QFileSystemModel")
        )
    ]
    assert offenders == []


def test_the_workspace_file_is_never_read_as_evidence_or_inventory(tmp_path):
    from app.services.errors import UserError
    from app.services.evidence import add_evidence
    from app.services.inventory_import.plan import plan_import

    workspace = open_workspace(tmp_path / "w.assay", actor="tester")
    try:
        for path in (workspace.path, tmp_path / "w.assay-wal", tmp_path / "." / "w.assay"):
            with pytest.raises(UserError, match="open workspace itself"):
                add_evidence(workspace, path)
            with pytest.raises(UserError, match="open workspace itself"):
                plan_import(workspace, path)
        assert deleted_workspace_files() == []
    finally:
        workspace.close()
