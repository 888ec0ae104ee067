"""The window checks the workspace file alongside its imports; the opening uses the verdict."""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future

import pytest

from app.gui import opening
from app.services.errors import WorkspaceError
from app.services.workspace import open_workspace


def _checked(path) -> Future:
    checked: Future = Future()
    opening.check_then_read_frameworks(path, checked)
    return checked


def _damage(path) -> None:
    data = bytearray(path.read_bytes())
    data[4096 * 5 : 4096 * 6] = b"\xff" * 4096  # a page in the middle, not the header
    path.write_bytes(bytes(data))


@pytest.fixture
def sound_file(tmp_path):
    ws = open_workspace(tmp_path / "w.assay")
    with ws.db.write() as session:
        from app.storage.models import Person

        session.add_all(Person(name=f"p{i}", email=f"p{i}@example.org") for i in range(3000))
    ws.close()
    return tmp_path / "w.assay"


def test_a_sound_file_is_checked_ok_and_opens_without_a_second_check(sound_file, monkeypatch):
    checked = _checked(sound_file)
    assert checked.result() == "ok"
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    workspace = opening.open_for_window(sound_file, "Tess", checked)
    workspace.close()
    assert not any("quick_check" in statement for statement in statements)


def test_a_damaged_file_is_refused_with_the_same_sentence(sound_file):
    _damage(sound_file)
    checked = _checked(sound_file)
    assert checked.result() != "ok"
    with pytest.raises(WorkspaceError) as refused:
        opening.open_for_window(sound_file, None, checked)
    with pytest.raises(WorkspaceError) as unchecked:
        open_workspace(sound_file)
    assert str(refused.value) == str(unchecked.value)


def test_nothing_is_checked_for_a_new_file_or_a_server(tmp_path):
    assert _checked(tmp_path / "new.assay").result() is None
    assert _checked("postgresql://assay@db.example.org/assay").result() is None
    assert not (tmp_path / "new.assay").exists()


def test_a_check_that_has_not_started_is_given_up_and_the_opening_checks(sound_file):
    checked: Future = Future()  # its worker has not started
    workspace = opening.open_for_window(sound_file, None, checked)
    workspace.close()
    assert checked.cancelled()
    opening.check_then_read_frameworks(sound_file, checked)  # starts late: does nothing
    assert checked.cancelled()
