"""The window on a team server: connecting through File ▸ Connect to server…, and changes
made by another user's program showing in the window within seconds."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer
from sqlmodel import select

from app.gui.dialogs.connect_dialog import ServerAddress
from app.services import assessments as svc
from app.services.workspace import open_workspace
from app.storage.models import JournalEntry
from app.support.preferences import load_preferences, preferences_path
from tests.gui.test_assessments_page import add_system, small_assessment
from tests.gui.writes import wait_written

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answer_in_another_process(url: str, assessment_id: int, question: str, level: int) -> None:
    """Answer through the CLI, as a colleague at another desk would."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "app", "assess", "answer", "--assessment", str(assessment_id),
         "--question", question, "--level", str(level), "--workspace", url],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_an_answer_given_elsewhere_shows_in_the_open_window(make_main_window, qtbot, server_url):
    workspace = open_workspace(server_url, create=False)
    add_system(workspace)
    assessment_id = small_assessment(workspace)
    window = make_main_window(workspace=workspace)
    window.show()
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.context.watching, timeout=10_000)
    question = page.panel.question_id
    assert page.state.responses[question].level is None

    _answer_in_another_process(server_url, assessment_id, question, 4)

    qtbot.waitUntil(lambda: page.state.responses[question].level == 4, timeout=15_000)
    qtbot.waitUntil(lambda: page.panel.level_group.checkedId() == 4, timeout=5_000)


def _connect(window, address: ServerAddress, password: str) -> str:
    """Connect through File ▸ Connect to server… as a user would; return what the dialog said.

    The dialog is modal: timers fill it in, press Connect, and close it if it refused.
    """
    said: list[str] = []

    def fill() -> None:
        dialog = window.connect_dialog
        dialog.fill(address)
        dialog.password.setText(password)
        dialog.start_connecting()
        QTimer.singleShot(100, lambda: wait(dialog))

    def wait(dialog) -> None:
        if dialog.connecting:
            QTimer.singleShot(100, lambda: wait(dialog))
            return
        said.append(dialog.message.text())
        if dialog.isVisible():
            dialog.reject()

    QTimer.singleShot(0, fill)
    window.connect_to_server()
    return said[0] if said else ""  # empty: connected (the dialog closed itself)


def test_connect_says_why_a_server_cannot_be_opened(make_main_window, pg_cluster):
    window = make_main_window()
    address = ServerAddress.parse(pg_cluster.url("postgres"))
    closed = replace(address, port=_free_port())
    assert "not reachable" in _connect(window, closed, "")
    assert "refused the login" in _connect(window, replace(address, user="nobody"), "")
    empty = ServerAddress.parse(pg_cluster.create_database("assay_never_initialised"))
    try:
        assert "run `assay server init" in _connect(window, empty, "")
    finally:
        pg_cluster.drop_database(empty.url)
    assert window.context.workspace.path is not None  # the file stays open
    assert load_preferences().recent_servers == []


def test_connect_opens_the_server_workspace_and_keeps_no_password(
    make_main_window, qtbot, server_url, caplog
):
    caplog.set_level(logging.DEBUG)
    password = "Pw-for-this-connection-only"
    window = make_main_window()
    address = ServerAddress.parse(server_url)
    _connect(window, address, password)
    workspace = window.context.workspace
    assert workspace.is_server
    assert workspace.actor == address.user  # the journal's actor is the login
    assert address.label in window.windowTitle()
    assert address.label in window.statusBar().currentMessage()
    assert window.server_label.text() == f"Team server: {address.label}"
    assert load_preferences().recent_servers == [address.url]
    add_system(workspace)
    window.context.write(svc.new_assessment, "AIS-001", ["owasp-asi"], target=3)
    wait_written(qtbot)
    with workspace.db.read() as session:
        journal_text = repr(session.exec(select(JournalEntry)).all())
    assert f"actor='{address.user}'" in journal_text
    window.close()
    for text in (preferences_path().read_text(), caplog.text, window.windowTitle(),
                 window.statusBar().currentMessage(), journal_text):  # fmt: skip
        assert password not in text
