"""Verify any signed PDF: every signature with signer, role, time, coverage and verdict.

The banner is green only for "intact and trusted" (each chain reaches a trust anchor the user
configured in Settings or chose here), amber for "intact, signer not trusted", red for
"changed after signing" and "broken".
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui import file_dialogs, tasks
from app.gui.theme import BAD, GOOD
from app.services.reporting import VerifyOutcome, verify_report
from app.support.preferences import load_preferences

logger = logging.getLogger(__name__)

_BANNER = {
    "green": f"color: white; background: {GOOD}; padding: 6px; font-weight: 600;",
    "amber": "color: black; background: #f9a825; padding: 6px; font-weight: 600;",
    "red": f"color: white; background: {BAD}; padding: 6px; font-weight: 600;",
}
_COLUMNS = ("Role", "Signer", "Signed at", "Level", "Covers", "Changed after it", "Verdict")
_VERDICT_COLUMN = _COLUMNS.index("Verdict")


_CELL = {"green": "#c8e6c9", "amber": "#ffe082", "red": "#ffcdd2"}


def _why(outcome: VerifyOutcome) -> str:
    """Return each distinct problem once, with the signers it concerns."""
    who: dict[str, list[str]] = {}
    for sig in outcome.signatures:
        for problem in sig.problems:
            names = who.setdefault(problem, [])
            if sig.signer not in names:
                names.append(sig.signer)
    return "\n".join(f"{', '.join(names)}: {problem}" for problem, names in who.items())


def _plain(summary: str) -> str:
    """Drop the verdict the verifier puts in front; the banner shows its own."""
    head, sep, rest = summary.partition(": ")
    return rest if sep and head.lower().startswith(("intact", "changed", "broken")) else summary


class VerifyDialog(QDialog):
    """Pick a PDF (and optionally trust anchors) and check every signature."""

    verified = Signal(object)
    """The check finished; the argument is the ``VerifyOutcome``."""

    def __init__(self, parent: QWidget | None = None, pdf: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verify a signed PDF")
        self.setMinimumSize(860, 440)
        self.outcome: VerifyOutcome | None = None
        self.file_edit = QLineEdit(str(pdf) if pdf else "")
        self.file_edit.setAccessibleName("PDF to verify")
        self.file_edit.setPlaceholderText("The signed PDF report")
        self.trust_edit = QLineEdit()
        self.trust_edit.setAccessibleName("Certificate to trust")
        self.trust_edit.setPlaceholderText(
            "Optional: the firm's root certificate, or a folder of CA certificates"
        )
        self._configured = [Path(p) for p in load_preferences().trust_anchors]
        form = QFormLayout()
        form.addRow("PDF", self._with_browse(self.file_edit, [("Browse…", self._browse_pdf)]))
        form.addRow(
            "Trust",
            self._with_browse(
                self.trust_edit, [("File…", self._browse_trust), ("Folder…", self._browse_folder)]
            ),
        )
        configured = QLabel(self._configured_text())
        configured.setWordWrap(True)
        configured.setProperty("class", "muted")
        form.addRow("", configured)
        self.verdict = QLabel("Choose a PDF and press Verify.")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Verdict")
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setAccessibleName("Signatures")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAccessibleName("Why")
        self.verify_button = QPushButton("Verify")
        self.verify_button.setObjectName("primary")
        self.verify_button.setDefault(True)
        self.verify_button.setToolTip("Check every signature of the PDF (Enter)")
        self.verify_button.clicked.connect(self.verify)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        self._checked: tuple[str, str] | None = None
        self.file_edit.textChanged.connect(self._inputs_changed)
        self.trust_edit.textChanged.connect(self._inputs_changed)
        if pdf is not None:
            self.verify()

    def _configured_text(self) -> str:
        if not self._configured:
            return "No trust anchors in Settings: give the firm's root (or a CA folder) above."
        names = ", ".join(p.name for p in self._configured)
        return f"Also trusted (Settings): {names}"

    def _with_browse(self, edit: QLineEdit, buttons: list[tuple[str, object]]) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        for text, handler in buttons:
            browse = QPushButton(text)
            browse.setToolTip(f"Choose: {edit.accessibleName().lower()}")
            browse.clicked.connect(handler)
            row.addWidget(browse)
        return box

    def _browse_pdf(self) -> None:
        path = file_dialogs.get_open_file_name(self, "Signed PDF", "", "PDF files (*.pdf)")
        if path:
            self.file_edit.setText(path)
            self.verify()

    def _browse_trust(self) -> None:
        path = file_dialogs.get_open_file_name(
            self, "Certificate to trust", "", "Certificates (*.pem *.crt *.cer *.der *.xml)"
        )
        if path:
            self.trust_edit.setText(path)

    def _browse_folder(self) -> None:
        path = file_dialogs.get_existing_directory(self, "Folder of CA certificates")
        if path:
            self.trust_edit.setText(path)

    def verify(self) -> None:
        """Check the chosen PDF in a worker; the result fills the dialog."""
        text = self.file_edit.text().strip()
        if not text:
            self.verdict.setText("Choose a PDF first.")
            return
        chosen = self.trust_edit.text().strip()
        trust = self._configured + ([Path(chosen)] if chosen else [])
        self._checked = self._inputs()
        self.verify_button.setEnabled(False)
        self.verdict.setStyleSheet("")
        self.verdict.setText("Checking the signatures…")
        tasks.run_task(
            verify_report,
            Path(text),
            trust,
            on_success=self._on_verified,
            on_failure=self._on_failed,
            with_progress=False,
        )

    def _inputs(self) -> tuple[str, str]:
        return self.file_edit.text().strip(), self.trust_edit.text().strip()

    def _inputs_changed(self) -> None:
        """A verdict shown must be the verdict of the PDF and anchors on screen: drop it."""
        if self._checked is None or self._checked == self._inputs():
            return
        self.outcome = None
        self.table.setRowCount(0)
        self.details.clear()
        self.verdict.setStyleSheet("")
        self.verdict.setText("The PDF or the trust anchor changed: press Verify to check again.")

    def _on_verified(self, outcome: VerifyOutcome) -> None:
        self.verify_button.setEnabled(True)
        if self._checked != self._inputs():
            return  # changed while checking; the dialog already asks for a new check
        self.outcome = outcome
        self.table.setRowCount(len(outcome.signatures))
        for row, sig in enumerate(outcome.signatures):
            values = (sig.role, sig.signer, f"{sig.signing_time} ({sig.time_source})", sig.level,
                      sig.coverage, sig.changed_after, sig.verdict)  # fmt: skip
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip("\n".join(sig.problems) or sig.verdict)
                self.table.setItem(row, column, item)
            self.table.item(row, _VERDICT_COLUMN).setBackground(QColor(_CELL[sig.colour]))
        self.details.setText(_why(outcome))
        self.verdict.setText(f"{outcome.verdict.capitalize()}: {_plain(outcome.summary)}")
        self.verdict.setStyleSheet(_BANNER[outcome.colour])
        self.verified.emit(outcome)

    def _on_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        if self._checked != self._inputs():
            return
        self.outcome = None
        self.table.setRowCount(0)
        self.details.clear()
        self.verdict.setText(f"Cannot verify: {exc}")
        self.verdict.setStyleSheet(_BANNER["red"])
