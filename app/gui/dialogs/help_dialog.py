"""Help ▸ Assay help (F1): a short guide to the workflow and the keyboard."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.support.paths import resources_dir


class HelpDialog(QDialog):
    """Shows ``resources/help/index.html``; not modal, so it can stay open beside the work."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assay help")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setAccessibleName("Help text")
        path = resources_dir() / "help" / "index.html"
        self.browser.setHtml(path.read_text(encoding="utf-8") if path.exists() else "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(640, 620)
