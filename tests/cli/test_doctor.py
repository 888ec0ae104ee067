"""``assay doctor``: folders, content, libraries and a real background process."""

from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys

from app.cli import main


def test_doctor_starts_a_real_background_process_from_the_command_line(isolated_home):
    result = subprocess.run(
        [sys.executable, "-m", "app", "doctor", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    checks = {(c["area"], c["name"]): c for c in report["checks"]}
    process = checks["process", "background process"]
    assert process["ok"], process
    assert process["detail"].startswith("started and answered in")
    assert checks["folder", "logs"]["detail"].startswith(str(isolated_home))
    assert checks["content", "questionnaires"]["ok"]
    assert report["ok"] is True
    assert report["bundled"] is False


def test_a_missing_report_library_fails_the_check_and_names_its_package(monkeypatch, capsys):
    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if name == "pango-1.0" else real(name)
    )
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "pango-1.0" in out
    assert "install the Debian package libpango-1.0-0" in out
    assert out.rstrip().endswith("SOMETHING REQUIRED IS MISSING")


def test_window_libraries_are_not_required_when_qt_draws_no_window(monkeypatch, capsys):
    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if name == "xcb-cursor" else real(name)
    )
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["doctor"]) == 0
    assert "optional, missing" in capsys.readouterr().out
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert main(["doctor"]) == 1
    assert "libxcb-cursor0" in capsys.readouterr().out
