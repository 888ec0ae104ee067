"""Killed runs: an import and its findings refresh, a report and its journal entry."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from app.cli import main
from app.services.errors import UserError
from app.services.identity_analysis import refresh_identity_findings
from app.services.inventory_import.plan import apply_plan, plan_import
from app.services.pending import IDENTITY_REFRESH, PREFIX
from app.services.reporting.generate import generate_workbook
from app.services.workspace import open_workspace
from app.storage.models import Finding, JournalEntry, WorkspaceSetting
from tests.hostile.conftest import small_disk  # noqa: F401 - fixture


def _inventory(tmp_path, identities: int = 600):
    systems = tmp_path / "systems.csv"
    systems.write_text("id,name\n" + "".join(f"AIS-{n:03d},System {n}\n" for n in range(20)))
    ids = tmp_path / "identities.csv"
    ids.write_text(
        "identity_id,kind,provider,systems,last_rotated\n"
        + "".join(
            f"svc-{n},service account,aws,AIS-{n % 20:03d},2020-01-01\n" for n in range(identities)
        )
    )
    return systems, ids


def _marks(path) -> dict[str, dict]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT key, value FROM workspace_setting WHERE key LIKE ?", (PREFIX + "%",)
        ).fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()
    return {key: json.loads(value) for key, value in rows}


_KILL_ATTEMPTS = 5


def _kill_when(args: list[str], ready, timeout: float = 60, *, hold: str = "") -> bool:
    """Run the CLI in a child; SIGKILL it as soon as ``ready()``; True if it was killed.

    With ``hold`` the child stops for good at that moment (see ``held_cli``), so a state that
    lasts milliseconds in a free run is always seen.
    """
    cli = ["tests.hostile.held_cli", hold] if hold else ["app"]
    child = subprocess.Popen(
        [sys.executable, "-m", *cli, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + timeout
    while child.poll() is None and time.monotonic() < deadline:
        if ready():
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            return True
        time.sleep(0.005)
    child.wait()
    return False


def test_an_import_whose_refresh_never_ran_is_completed_on_next_open(tmp_path):
    systems, ids = _inventory(tmp_path, identities=200)
    path = tmp_path / "w.assay"
    ws = open_workspace(path)
    apply_plan(ws, plan_import(ws, systems))  # imported, then "killed" before the refresh
    ws.close()
    assert IDENTITY_REFRESH in _marks(path)
    ws = open_workspace(path)  # the next opening completes it
    try:
        assert _marks(path) == {}
        with ws.db.read() as session:
            found = session.execute(sa.select(sa.func.count()).select_from(Finding)).scalar()
        assert found > 0
        assert not refresh_identity_findings(ws).changed
    finally:
        ws.close()


def test_sigkill_during_import_and_refresh(tmp_path):
    systems, ids = _inventory(tmp_path)
    path = tmp_path / "w.assay"
    assert main(["--workspace", str(path), "import", "inventory", str(systems)]) == 0
    killed = _kill_when(
        ["--workspace", str(path), "import", "inventory", str(ids)],
        lambda: IDENTITY_REFRESH in _marks(path),  # the import committed, refresh owed
        hold="refresh",
    )
    assert killed
    ws = open_workspace(path)
    try:
        assert _marks(path) == {}
        assert not refresh_identity_findings(ws).changed  # findings match the inventory
        with ws.db.read() as session:
            owners = session.execute(
                sa.select(sa.func.count())
                .select_from(Finding)
                .where(Finding.identity_id.is_not(None))
            ).scalar()
        assert owners >= 600
    finally:
        ws.close()


def _report_entries(path) -> list[dict]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT after FROM journal_entry WHERE action = 'report.xlsx' ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    return [json.loads(r[0]) for r in rows]


@pytest.mark.parametrize("state", ["rendering", "journalled"])
def test_sigkill_during_a_report(sealed, tmp_path, state):
    from app.services.pending import sha256_of

    def at_state() -> bool:
        return any(v.get("state") == state for v in _marks(sealed).values())

    # "journalled" lasts milliseconds in a free run, so that run is held before its final
    # rename. "rendering" is seen in a free run; on a very busy machine the run may finish
    # before the poll sees it. A run that finished left a whole report: try again.
    hold = "report" if state == "journalled" else ""
    for attempt in range(_KILL_ATTEMPTS):
        out = tmp_path / f"out-{attempt}.xlsx"
        args = ["--workspace", str(sealed), "report", "xlsx", "--assessment", "1", "-o", str(out)]
        if _kill_when(args, at_state, hold=hold):
            break
        assert out.is_file()
    else:
        pytest.fail(f"the report never stopped at {state!r} in {_KILL_ATTEMPTS} runs")
    open_workspace(sealed).close()  # the next opening completes or removes it
    entries = [e for e in _report_entries(sealed) if e["file"] == out.name]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert leftovers == []
    assert _marks(sealed) == {}
    if state == "rendering":
        assert not out.exists()
        assert entries == []
    else:
        assert out.is_file()
        assert [e["sha256"] for e in entries] == [sha256_of(out)]
    assert main(["--workspace", str(sealed), "check"]) == 0


def test_a_report_from_a_read_only_workspace_leaves_no_file(sealed, tmp_path):
    out = tmp_path / "out.xlsx"
    ws = open_workspace(sealed, read_only=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            generate_workbook(ws, 1, out)
    finally:
        ws.close()
    assert list(tmp_path.glob("*out.xlsx*")) == []


def test_a_report_whose_file_cannot_be_placed_is_withdrawn(sealed, tmp_path, monkeypatch):
    from app.services import pending

    out = tmp_path / "out.xlsx"

    real_replace = os.replace

    def refuse(source, target):
        if str(target) == str(out):
            raise PermissionError("no")  # say, the folder became read-only meanwhile
        real_replace(source, target)

    monkeypatch.setattr(pending.os, "replace", refuse)
    ws = open_workspace(sealed)
    try:
        with pytest.raises(UserError, match="cannot write out.xlsx in .*: no"):
            generate_workbook(ws, 1, out)
        with ws.db.read() as session:
            actions = (
                session.execute(
                    sa.select(JournalEntry.action).order_by(JournalEntry.seq.desc()).limit(2)
                )
                .scalars()
                .all()
            )
            marks = session.execute(
                sa.select(WorkspaceSetting.key).where(WorkspaceSetting.key.startswith(PREFIX))
            ).all()
    finally:
        monkeypatch.undo()
        ws.close()
    assert actions == ["report.withdrawn", "report.xlsx"]
    assert marks == []
    assert list(tmp_path.glob("*out.xlsx*")) == []


@pytest.mark.parametrize("pid", [0, -1, "4242"])
def test_a_mark_naming_no_single_process_is_completed(tmp_path, pid):
    import socket

    systems, _ids = _inventory(tmp_path, identities=10)
    path = tmp_path / "w.assay"
    ws = open_workspace(path)
    apply_plan(ws, plan_import(ws, systems))
    ws.close()
    owner = json.dumps({"pid": pid, "host": socket.gethostname()})
    conn = sqlite3.connect(path)
    conn.execute("UPDATE workspace_setting SET value = ? WHERE key = ?", (owner, IDENTITY_REFRESH))
    conn.commit()
    conn.close()
    open_workspace(path).close()  # kill(0 or -1, 0) would have said "a process still runs"
    assert _marks(path) == {}


def test_on_windows_the_marking_process_is_queried_never_signalled(monkeypatch):
    import socket

    from app.services import pending

    def no_signal(pid, sig):
        raise AssertionError("os.kill terminates a process on Windows")

    monkeypatch.setattr(os, "kill", no_signal)
    monkeypatch.setattr(sys, "platform", "win32")
    asked = []
    monkeypatch.setattr(pending, "_windows_process_alive", lambda pid: asked.append(pid) or True)
    assert pending._still_running({"pid": 4242, "host": socket.gethostname()})
    assert asked == [4242]


def test_a_report_to_a_read_only_disk_fails_cleanly_and_leaves_no_mark(sealed, read_only_disk):
    ws = open_workspace(sealed)
    try:
        with pytest.raises(UserError, match="Read-only file system"):
            generate_workbook(ws, 1, read_only_disk / "out.xlsx")
    finally:
        ws.close()
    assert _marks(sealed) == {}


def test_a_mark_left_for_a_read_only_disk_does_not_stop_the_workspace(sealed, read_only_disk):
    from app.services.pending import mark
    from app.support.safe_files import partial_name

    target = read_only_disk / "out.xlsx"
    ws = open_workspace(sealed)
    try:
        partial = partial_name(target)  # what a killed run leaves behind
        left = {"partial": str(partial), "target": str(target), "state": "rendering"}
        mark(ws, PREFIX + "report:" + partial.name, left)
    finally:
        ws.close()
    open_workspace(sealed).close()  # recovery has nothing to remove on the read-only disk
    assert _marks(sealed) == {}
    assert main(["--workspace", str(sealed), "check"]) == 0
