"""Help ▸ System check: the environment report, read on a worker, shown and copyable."""

from __future__ import annotations

import threading

from PySide6.QtGui import QGuiApplication

from app.gui.dialogs import system_check_dialog
from app.gui.dialogs.system_check_dialog import SystemCheckDialog


def test_the_menu_opens_a_report_made_on_a_worker_that_can_be_copied(
    make_main_window, qtbot, monkeypatch
):
    threads = []
    real = system_check_dialog.inspect_environment

    def recorded(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(system_check_dialog, "inspect_environment", recorded)
    window = make_main_window()
    window.system_check_action.trigger()
    dialog = window.findChild(SystemCheckDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30_000)
    report = dialog.report
    assert threads
    assert threading.get_ident() not in threads
    text = dialog.browser.toPlainText()
    assert "background process" in text
    assert "questionnaires" in text
    assert ("Everything Assay needs is here." in text) == report.ok
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"Assay {report.version}")
    assert "process: background process: ok" in copied
