"""Help ▸ System check: what this computer offers Assay (the GUI face of ``assay doctor``)."""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.gui import tasks
from app.gui.theme import BAD, GOOD, WARNING
from app.services.environment import Check, EnvironmentReport, inspect_environment

logger = logging.getLogger(__name__)

_MARKS = {(True, True): "ok", (True, False): "ok", (False, True): "missing",
          (False, False): "optional, missing"}  # fmt: skip
_COLOURS = {"ok": GOOD, "missing": BAD, "optional, missing": WARNING}


def report_html(report: EnvironmentReport) -> str:
    """Return the report as an HTML table (every value escaped)."""
    rows = "".join(_row(check) for check in report.checks)
    kind = "bundle" if report.bundled else "installed package"
    verdict = (
        "Everything Assay needs is here."
        if report.ok
        else "Something Assay needs is missing: see the rows marked missing."
    )
    return (
        f"<p>Assay {html.escape(report.version)} ({kind}), Python "
        f"{html.escape(report.python)}, {html.escape(report.platform)}</p>"
        f"<p><b>{verdict}</b></p>"
        "<table cellspacing='0' cellpadding='3'>"
        "<tr><th align='left'>Area</th><th align='left'>Check</th><th align='left'>Result</th>"
        f"<th align='left'>Detail</th></tr>{rows}</table>"
    )


def report_text(report: EnvironmentReport) -> str:
    """Return the report as plain text, for pasting into a support request."""
    lines = [f"Assay {report.version}, Python {report.python}, {report.platform}"]
    lines += [f"{c.area}: {c.name}: {_MARKS[c.ok, c.required]} ({c.detail})" for c in report.checks]
    return "\n".join(lines)


def _row(check: Check) -> str:
    mark = _MARKS[check.ok, check.required]
    return (
        f"<tr><td>{html.escape(check.area)}</td><td>{html.escape(check.name)}</td>"
        f"<td style='color:{_COLOURS[mark]}'><b>{mark}</b></td>"
        f"<td>{html.escape(check.detail)}</td></tr>"
    )


class SystemCheckDialog(QDialog):
    """Runs the environment checks on a worker and shows them, with a Copy button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("System check")
        self.resize(760, 520)
        self.report: EnvironmentReport | None = None
        self.status = QLabel("Checking folders, libraries and a background process…")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("System check results")
        self.copy_button = QPushButton("Copy as text")
        self.copy_button.setToolTip("Copy the results, e.g. for a support request")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        tasks.run_task(
            inspect_environment,
            on_success=self._on_checked,
            on_failure=self._on_failed,
            with_progress=False,
        )

    def _on_checked(self, report: EnvironmentReport) -> None:
        self.report = report
        self.status.setText("Done." if report.ok else "Done: something is missing.")
        self.browser.setHtml(report_html(report))
        self.copy_button.setEnabled(True)

    def _on_failed(self, exc: BaseException) -> None:
        logger.error("system check failed", exc_info=exc)
        self.status.setText(f"The check could not run: {exc}")

    def _on_copy_clicked(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(report_text(self.report))
            self.status.setText("Copied to the clipboard.")


def open_system_check(parent: QWidget) -> SystemCheckDialog:
    """Open the dialog (not blocking) and return it."""
    dialog = SystemCheckDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
