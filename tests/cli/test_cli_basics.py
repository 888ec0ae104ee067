"""The CLI contract: version, exit codes, one-line errors, no tracebacks, ``check``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from app import __version__
from app.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app`` as a user would, in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, check=False
    )


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Assay {__version__}"


def test_check_on_fresh_workspace_passes(tmp_path, capsys):
    from app.services.workspace import open_workspace

    open_workspace(tmp_path / "w.assay").close()
    assert main(["check", "--workspace", str(tmp_path / "w.assay")]) == 0
    assert "all checks passed" in capsys.readouterr().out


def test_check_json_reports_the_broken_link(tmp_path, capsys):
    from app.services.workspace import open_workspace
    from app.storage import journal

    ws = open_workspace(tmp_path / "w.assay")
    for n in range(3):
        with ws.db.write() as session:
            journal.record(session, actor="t", action="a.b", entity="x", entity_id=n)
    ws.close()
    conn = sqlite3.connect(tmp_path / "w.assay")
    conn.execute("UPDATE journal_entry SET action='a.c' WHERE seq=2")
    conn.commit()
    conn.close()
    code = main(["--workspace", str(tmp_path / "w.assay"), "check", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["ok"] is False
    assert report["journal"]["broken_seq"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--workspace", "{tmp}/absent.assay"], "no workspace at"),
        (["frobnicate"], "invalid choice"),
        (["check", "--workspace", "{tmp}/junk.assay"], "not an Assay workspace"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(tmp_path, args, message):
    (tmp_path / "junk.assay").write_bytes(b"\x00garbage" * 100)
    result = run_cli(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_reading_commands_do_not_create_a_mistyped_workspace(tmp_path):
    typo = tmp_path / "tpyo.assay"
    result = run_cli("systems", "list", "--workspace", str(typo))
    assert result.returncode == 1
    assert "no workspace at" in result.stderr
    assert not typo.exists()


def test_a_reader_that_stops_reading_is_no_internal_error(workspace):
    """``assay … | head`` closes the pipe early: no 'internal error', no traceback, exit 0."""
    command = [sys.executable, "-m", "app", "--workspace", str(workspace.path)]
    child = subprocess.Popen(
        [*command, "frameworks", "show", "nist-ir-8596"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.close()  # the reader is gone before the first line is written
    error = child.stderr.read().decode()
    assert child.wait() == 0
    assert error == ""
