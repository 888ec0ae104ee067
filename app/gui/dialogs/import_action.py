"""The ``Import inventory…`` action: cheap to create at start-up, the wizard loads when used."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from app.gui.context import GuiContext

logger = logging.getLogger(__name__)


def create_import_action(
    context: GuiContext, parent: QWidget, trigger: Callable[[], object] | None = None
) -> QAction:
    """Return the ``Import inventory…`` action (Ctrl+I) opening the wizard over ``parent``.

    After an import the window shows its Inventory page, when it has one. ``trigger``
    replaces the default behaviour (the Inventory page passes its own).
    """
    action = QAction("&Import inventory…", parent)
    action.setShortcut(QKeySequence("Ctrl+I"))
    action.setToolTip("Import AI systems and identities from an Excel or CSV file")

    def open_and_follow() -> None:
        from app.gui.dialogs.import_wizard import open_import_wizard  # not on the start-up path

        wizard = open_import_wizard(context, parent)
        show_page = getattr(parent, "show_page", None)
        if callable(show_page):
            wizard.imported.connect(lambda _result: show_page("inventory"))

    action.triggered.connect(trigger or open_and_follow)
    return action
