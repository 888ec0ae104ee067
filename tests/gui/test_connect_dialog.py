"""File ▸ Connect to server…: the form, what it remembers, and never a password."""

from __future__ import annotations

import pytest

from app.gui.dialogs.connect_dialog import ConnectDialog, ServerAddress
from app.support.preferences import (
    Preferences,
    load_preferences,
    remember_server,
    without_password,
)


def _refuse(url: str, password: str | None):
    raise AssertionError("the form must not connect")


@pytest.fixture
def dialog(qtbot):
    from app.gui.app import create_application

    create_application()
    box = ConnectDialog(_refuse)
    qtbot.addWidget(box)
    return box


def test_connect_waits_for_host_database_and_user(dialog, qtbot):
    dialog.user.clear()
    assert not dialog.connect_button.isEnabled()
    assert "host" in dialog.message.text()
    qtbot.keyClicks(dialog.host, "db.example.com")
    assert "database" in dialog.message.text()
    qtbot.keyClicks(dialog.database, "acme_2026")
    assert "login" in dialog.message.text()
    assert not dialog.connect_button.isEnabled()
    qtbot.keyClicks(dialog.user, "robin")
    assert dialog.connect_button.isEnabled()
    assert dialog.message.text() == ""
    assert dialog.address() == ServerAddress("db.example.com", 5432, "acme_2026", "robin")


@pytest.mark.parametrize(
    ("host", "database", "user"),
    [("db example", "acme", "robin"), ("robin@db", "acme", "robin"), ("db", "a/b", "robin"),
     ("db", "acme", "ro bin")],
)  # fmt: skip
def test_a_malformed_field_is_named_and_blocks_connecting(dialog, host, database, user):
    dialog.host.setText(host)
    dialog.database.setText(database)
    dialog.user.setText(user)
    assert not dialog.connect_button.isEnabled()
    assert dialog.message.text().endswith(".")
    dialog.start_connecting()  # Enter in a field: refused the same way, nothing opened


def test_the_address_has_no_password_and_reads_back():
    address = ServerAddress("db.example.com", 6543, "acme 2026", "robin@firm")
    assert address.url == "postgresql://robin%40firm@db.example.com:6543/acme%202026"
    assert address.label == "robin@firm@db.example.com:6543/acme 2026"
    assert ServerAddress.parse(address.url) == address
    assert ServerAddress.parse("postgresql://robin@::1/acme") is None
    assert ServerAddress.parse("postgresql://robin@[::1]/acme") == ServerAddress(
        "::1", 5432, "acme", "robin"
    )
    assert ServerAddress("::1", 5432, "acme", "robin").url == "postgresql://robin@[::1]:5432/acme"
    assert ServerAddress.parse("/home/robin/acme.assay") is None


def test_a_remembered_server_never_keeps_a_password():
    assert without_password("postgresql://robin:s3cret@db:5432/acme") == (
        "postgresql://robin@db:5432/acme"
    )
    prefs = remember_server(Preferences(), "postgresql://robin:s3cret@db:5432/acme")
    prefs = remember_server(prefs, "postgresql://kim@db/acme")
    prefs = remember_server(prefs, "postgresql://robin@db:5432/acme")
    assert prefs.recent_servers == ["postgresql://robin@db:5432/acme", "postgresql://kim@db/acme"]


def test_a_recent_server_fills_the_form_and_waits_for_the_password(qtbot):
    from app.gui.app import create_application

    create_application()
    address = ServerAddress("db.example.com", 6543, "acme", "kim")
    box = ConnectDialog(_refuse, address)
    qtbot.addWidget(box)
    assert box.address() == address
    assert box.connect_button.isEnabled()
    assert box.password.echoMode() == box.password.EchoMode.Password
    assert box.password.text() == ""
    assert load_preferences().recent_servers == []


def test_open_recent_lists_remembered_servers_and_asks_for_the_password(make_main_window):
    from PySide6.QtCore import QTimer

    from app.support.preferences import save_preferences

    save_preferences(remember_server(Preferences(), "postgresql://kim@db.example.com:5432/acme"))
    window = make_main_window()
    window._fill_recent_menu()
    texts = [action.text() for action in window.recent_menu.actions()]
    assert "kim@db.example.com/acme (server)…" in texts
    seen = []

    def look() -> None:
        dialog = window.connect_dialog
        seen.append((dialog.address(), dialog.password.text()))
        dialog.reject()

    QTimer.singleShot(0, look)
    server = next(a for a in window.recent_menu.actions() if a.text().endswith("(server)…"))
    server.trigger()
    assert seen == [(ServerAddress("db.example.com", 5432, "acme", "kim"), "")]
    assert window.context.workspace.path is not None  # cancelled: the file stays open


def test_a_sentence_starting_with_an_address_keeps_its_scheme() -> None:
    from app.gui.dialogs.connect_dialog import _sentence

    said = _sentence("postgresql://ada@db/acme holds no Assay workspace yet")
    assert said == "postgresql://ada@db/acme holds no Assay workspace yet."
    assert _sentence("the server is not reachable") == "The server is not reachable."
