"""Start-up: the window shows first, the workspace opens on a worker, the pages fill after."""

from __future__ import annotations

import sqlite3
import sys

import pytest
from PySide6.QtWidgets import QApplication

from app.gui import tasks
from app.services.workspace import open_workspace


@pytest.fixture
def start(qtbot, monkeypatch):
    """Start windows as ``assay gui`` does (errors collected, not shown in a modal box)."""
    from app.gui.app import create_application, start_window

    create_application()
    windows, errors = [], []
    monkeypatch.setattr(
        "app.gui.main_window.show_error", lambda _parent, title, exc: errors.append((title, exc))
    )

    def factory(path):
        window = start_window(path, "tester")
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield factory, errors
    tasks.wait_for_all()
    QApplication.processEvents()  # deliver what the workers finished before closing
    for window in windows:
        window.close()


def test_the_window_shows_before_the_workspace_is_open_then_fills(start, tmp_path, qtbot):
    factory, errors = start
    window = factory(tmp_path / "client.assay")
    assert window.isVisible()
    assert window.opening.title.text() == "Opening workspace…"  # before any event is handled
    assert window.menuBar().actions()[0].text() == "&File"
    if not window.is_ready():  # the worker may already be done on a fast machine
        assert window.stack.currentWidget() is window.opening
        assert window.opening.title.text() == "Opening workspace…"
        assert str(tmp_path / "client.assay") in window.opening.detail.text()
        assert not window.nav.isEnabled()
        assert not window.settings_action.isEnabled()
    qtbot.waitUntil(window.is_ready, timeout=30_000)
    assert window.windowTitle().startswith("client")
    assert window.nav.isEnabled()
    assert window.settings_action.isEnabled()
    assert window.stack.currentWidget() is window.page("overview")
    assert window.context.workspace.actor == "tester"
    assert window.import_action in window.file_menu.actions()
    assert errors == []


def _newer(path):
    open_workspace(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num='9999'")
    conn.commit()
    conn.close()


def _not_a_workspace(path):
    path.write_text("not a database")


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [(_newer, "newer version of Assay"), (_not_a_workspace, "not an Assay workspace")],
)
def test_a_workspace_that_cannot_be_opened_says_why_in_the_window(
    start, tmp_path, qtbot, spoil, reason
):
    factory, errors = start
    path = tmp_path / "spoilt.assay"
    spoil(path)
    window = factory(path)
    with qtbot.waitSignal(window.open_failed, timeout=30_000) as failed:
        pass
    assert reason in failed.args[0]
    assert [(title, reason in str(exc)) for title, exc in errors] == [
        ("Cannot open the workspace", True)
    ]
    assert window.opening.title.text() == "Cannot open the workspace"
    assert reason in window.opening.detail.text()
    assert all(button.isVisible() for button in window.opening.buttons)
    assert not window.is_ready()
    assert not window.nav.isEnabled()
    # Another workspace opens from here and the window fills as usual.
    assert window.open_path(tmp_path / "other.assay", create=True)
    assert window.is_ready()
    assert window.windowTitle().startswith("other")


def test_the_ui_thread_gets_the_interpreter_back_within_a_millisecond(start):
    from app.gui.app import UI_SWITCH_INTERVAL_S

    # A worker holding the interpreter would otherwise delay every paint by up to 5 ms a turn.
    assert UI_SWITCH_INTERVAL_S <= 0.001
    assert sys.getswitchinterval() == pytest.approx(UI_SWITCH_INTERVAL_S)
