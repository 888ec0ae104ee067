"""Every icon the code names exists and renders; F1 help and Ctrl+F work."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QLineEdit

from app.gui.icons import icon, icon_path
from app.gui.pages.registry import PAGES

APP_DIR = Path(__file__).resolve().parents[2] / "app"


def _icon_names_in_code() -> set[str]:
    names = {spec.icon for spec in PAGES}
    for path in APP_DIR.rglob("*.py"):
        names |= set(re.findall(r"\bicon\(\"([a-z0-9_-]+)\"\)", path.read_text()))
    return names


def test_every_named_icon_exists_and_renders(qtbot):
    names = _icon_names_in_code()
    assert {"app", "overview"} <= names
    for name in names:
        assert icon_path(name).exists(), name
        assert not icon(name).pixmap(64, 64).isNull(), name


def test_f1_opens_help_and_ctrl_f_focuses_the_search(make_main_window, qtbot):
    window = make_main_window()
    assert window.help_action.shortcut().toString() == "F1"
    window.help_action.trigger()
    from app.gui.dialogs.help_dialog import HelpDialog

    dialogs = window.findChildren(HelpDialog)
    assert dialogs
    assert "Import inventory" in dialogs[0].browser.toPlainText()
    window.show()
    window.show_page("frameworks")
    window.find_action.trigger()
    focused = window.stack.currentWidget().findChild(QLineEdit)
    qtbot.waitUntil(lambda: focused.hasFocus())
