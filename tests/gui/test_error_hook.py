"""Uncaught exceptions (a slot's) reach the user in the error box, once, and are logged."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.gui.app import ErrorHook, run_gui


def _open_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def _when_box_shows(action, tries: int = 200) -> None:
    """Run ``action(box)`` as soon as an error box is open (the box is modal: exec blocks)."""

    def poll() -> None:
        boxes = _open_boxes()
        if boxes:
            action(boxes[0])
        elif tries > 0:
            _when_box_shows(action, tries - 1)

    QTimer.singleShot(10, poll)


def _failing_button(window) -> QPushButton:
    button = QPushButton("Fail", window)

    def broken_slot() -> None:
        raise RuntimeError("the slot broke")

    button.clicked.connect(broken_slot)
    return button


def test_error_in_a_slot_shows_the_error_box(make_main_window, caplog):
    window = make_main_window()
    button = _failing_button(window)
    previous = sys.excepthook
    hook = ErrorHook(window)
    hook.install()
    seen = []

    def read_and_close(box: QMessageBox) -> None:
        seen.append((box.windowTitle(), box.text(), box.detailedText(), box.parent()))
        box.done(0)

    _when_box_shows(read_and_close)
    try:
        with caplog.at_level(logging.ERROR, logger="app.gui.app"):
            button.click()
    finally:
        hook.uninstall()
    assert sys.excepthook is previous
    [(title, text, details, parent)] = seen
    assert title == "Unexpected error"
    assert text == "Something went wrong: the slot broke"
    assert "Traceback" in details
    assert "broken_slot" in details
    assert parent is window
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info[1].args == ("the slot broke",)


def test_errors_while_the_box_is_open_are_only_logged(make_main_window, caplog):
    window = make_main_window()
    button = _failing_button(window)
    hook = ErrorHook(window)
    hook.install()
    open_counts = []

    def fail_again_then_close(box: QMessageBox) -> None:
        for _ in range(3):
            button.click()  # the same slot failing again, while the box is still open
        open_counts.append(len(_open_boxes()))
        box.done(0)

    _when_box_shows(fail_again_then_close)
    try:
        with caplog.at_level(logging.WARNING, logger="app.gui.app"):
            button.click()
    finally:
        hook.uninstall()
    assert open_counts == [1]
    assert _open_boxes() == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    only_logged = [r for r in caplog.records if "only logged" in r.getMessage()]
    assert (len(errors), len(only_logged)) == (4, 3)


def test_run_gui_installs_the_hook_and_restores_the_previous_one_on_exit(qtbot, tmp_path):
    from app.gui.main_window import MainWindow

    previous = sys.excepthook
    during = []

    def quit_app() -> None:
        during.append(sys.excepthook)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.close()
        QApplication.quit()

    # Closing the last window must not leave a quit request behind for later tests' loops.
    QApplication.setQuitOnLastWindowClosed(False)
    QTimer.singleShot(0, quit_app)
    try:
        assert run_gui(["--workspace", str(tmp_path / "w.assay")]) == 0
    finally:
        QApplication.setQuitOnLastWindowClosed(True)
    assert isinstance(during[0], ErrorHook)
    assert sys.excepthook is previous
