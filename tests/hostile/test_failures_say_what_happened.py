"""Database and environment failures: one line, exit 1, no SQL, no row values, nothing adopted."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from app.cli import main
from app.services.workspace import open_workspace
from app.storage import db
from tests.hostile.conftest import SECRET, log_text, run_cli, sql

SECRET_ROWS = f"id,name,purpose\nAIS-001,Agent,{SECRET}-prod-key\nAIS-002,Other,{SECRET}-test\n"


def _secret_csv(tmp_path):
    path = tmp_path / "systems.csv"
    path.write_text(SECRET_ROWS)
    return path


def _assert_one_clean_line(err: str, *words: str) -> None:
    assert err.count("\n") == 1, err
    assert SECRET not in err
    assert "INSERT" not in err
    assert "SELECT" not in err
    assert "[SQL" not in err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    assert SECRET not in log_text()


def _tiny_values(monkeypatch):
    """Make SQLite refuse values over 30 characters, as it refuses blobs over 1 GB."""
    original = db._on_connect

    def limited(conn, record):
        original(conn, record)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 30)

    monkeypatch.setattr(db, "_on_connect", limited)


def test_a_value_too_large_is_one_line_without_the_rows(tmp_path, capsys, monkeypatch):
    ws = tmp_path / "w.assay"
    open_workspace(ws).close()
    _tiny_values(monkeypatch)
    code = main(["--workspace", str(ws), "import", "inventory", str(_secret_csv(tmp_path))])
    assert code == 1
    _assert_one_clean_line(capsys.readouterr().err, "too large", "nothing was saved")


def test_a_busy_workspace_says_so_and_saves_nothing(sealed, capsys, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(sealed, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long import elsewhere holds the write lock
    try:
        code = main(["--workspace", str(sealed), "engagement", "set", "--client", SECRET])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    _assert_one_clean_line(capsys.readouterr().err, "busy", "nothing was saved")


def test_a_full_disk_is_one_line_and_the_workspace_still_reads(small_disk, tmp_path, capsys):
    ws = small_disk / "w.assay"
    open_workspace(ws).close()
    _fill(small_disk / "filler")
    code = main(["--workspace", str(ws), "import", "inventory", str(_secret_csv(tmp_path))])
    assert code == 1
    err = capsys.readouterr().err
    _assert_one_clean_line(err)
    assert "full" in err or "cannot be written" in err
    assert main(["--workspace", str(ws), "systems", "list"]) == 0


def _fill(path) -> None:
    """Write zeros until the file system is full."""
    with path.open("wb") as stream:
        try:
            while True:
                stream.write(b"\0" * 65536)
                stream.flush()
        except OSError:
            return


def test_a_read_only_medium_opens_read_only(small_disk, sealed, capsys):
    target = small_disk / "archive.assay"
    target.write_bytes(sealed.read_bytes())
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    assert main(["--workspace", str(target), "systems", "list"]) == 0
    assert "AIS-001" in capsys.readouterr().out
    assert main(["--workspace", str(target), "check"]) == 0
    capsys.readouterr()
    assert main(["--workspace", str(target), "engagement", "set", "--client", "X"]) == 1
    _assert_one_clean_line(capsys.readouterr().err, "cannot be written", "nothing was saved")


def test_another_programs_sqlite_file_is_never_adopted(tmp_path, capsys):
    other = tmp_path / "other.db"
    sql(other, "PRAGMA user_version = 7", "PRAGMA application_id = 0")
    sql(other, "CREATE TABLE t (x)", "DROP TABLE t")  # a 4 KB file with no tables
    before = other.read_bytes()
    assert main(["--workspace", str(other), "check"]) == 1
    assert "another program" in capsys.readouterr().err
    assert other.read_bytes() == before
    assert list(tmp_path.glob("*.bak")) == []


@pytest.mark.parametrize("damage", ["truncate", "header", "page"])
def test_a_damaged_workspace_names_the_newest_backup(sealed, capsys, damage):
    backup = sealed.with_name(f"{sealed.stem}.before-0003.20260101-000000.bak")
    backup.write_bytes(sealed.read_bytes())
    data = bytearray(sealed.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "header":
        data[:16] = b"garbage garbage!"
    else:
        data[4096 * 3 : 4096 * 4] = b"\xa5" * 4096
    sealed.write_bytes(bytes(data))
    assert main(["--workspace", str(sealed), "systems", "list"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err, err
    assert str(backup) in err, err


def test_a_broken_pipe_is_quiet(sealed):
    command = f"{sys.executable} -m app --workspace {sealed} frameworks show nist-ir-8596 | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""
    assert result.returncode == 0


def test_third_party_warnings_stay_off_the_terminal(tmp_path):
    pdf = tmp_path / "tiny.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    result = run_cli("verify", str(pdf))
    assert result.returncode == 1
    assert "Warning" not in result.stderr
    assert "Exception ignored" not in result.stderr


def test_a_malformed_workbook_is_a_one_line_error(tmp_path, capsys):
    import zipfile

    from openpyxl import Workbook

    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    book = Workbook()
    book.active.append(["id", "name"])
    book.active.append(["AIS-001", "Agent"])
    book.save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'xmlns="', b'xmlns:="', 1)
            target.writestr(item, data)
    code = main(["--workspace", str(tmp_path / "w.assay"), "import", "inventory", str(bad)])
    assert code == 1
    assert "bad.xlsx is damaged" in capsys.readouterr().err


def test_an_internal_error_prints_no_row_values(tmp_path, capsys, monkeypatch):
    from app.services import inventory_queries

    def broken(*_args, **_kwargs):
        raise KeyError(SECRET)  # a bug whose message carries a row value

    open_workspace(tmp_path / "w.assay").close()
    monkeypatch.setattr(inventory_queries, "list_systems", broken)
    code = main(["--workspace", str(tmp_path / "w.assay"), "systems", "list"])
    assert code == 2
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "KeyError" in err
    assert "KeyError" in log_text()
    assert SECRET not in log_text()


def test_the_window_tells_a_database_failure_in_one_sentence(qtbot):
    import sqlalchemy as sa

    from app.gui.dialogs.error_dialog import error_box

    error = sa.exc.OperationalError(
        "INSERT INTO ai_system (name) VALUES (?)",
        (SECRET,),
        sqlite3.OperationalError("database is locked"),
    )
    box = error_box(None, "Cannot save", error)
    assert "busy" in box.text()
    assert SECRET not in box.text() + box.detailedText() + box.informativeText()
    assert "INSERT" not in box.text() + box.detailedText()


def test_evidence_is_capped_below_sqlites_limit_whatever_the_setting(workspace):
    from app.services import evidence
    from app.services.settings import set_workspace_setting

    set_workspace_setting(workspace, "evidence.max_file_mb", 5000)
    assert evidence.max_evidence_bytes(workspace) == evidence.SQLITE_MAX_BYTES
    with pytest.raises(evidence.EvidenceTooLargeError, match="SQLite's limit"):
        evidence._check_size(workspace, "huge.bin", evidence.SQLITE_MAX_BYTES + 1)


def test_an_error_while_a_library_object_is_collected_stays_off_the_terminal(tmp_path):
    code = (
        "import sys, zipfile\n"
        "from app.support.logging_setup import configure_logging\n"
        "configure_logging()\n"
        "stream = open(sys.argv[1], 'wb')\n"
        "archive = zipfile.ZipFile(stream, 'w')\n"
        "archive.writestr('a.txt', 'b')\n"
        "stream.close()\n"
        "del archive  # ZipFile.__del__ fails: its file is closed\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a.zip")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stderr == ""


def test_an_empty_file_is_called_empty_not_missing(tmp_path, capsys):
    empty = tmp_path / "empty.assay"
    empty.write_bytes(b"")
    assert main(["--workspace", str(empty), "check"]) == 1
    err = capsys.readouterr().err
    assert err == f"assay: {empty} is an empty file, not a workspace; it was left as it is\n"
    assert empty.stat().st_size == 0
