"""Verify the signature of any PDF: signer, time, integrity, changes after signing."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import file_dialogs, tasks
from app.gui.theme import BAD, GOOD
from app.services.reporting import VerifyOutcome, verify_report

logger = logging.getLogger(__name__)

_VALID_STYLE = f"color: white; background: {GOOD}; padding: 6px; font-weight: 600;"
_INVALID_STYLE = f"color: white; background: {BAD}; padding: 6px; font-weight: 600;"
_FIELDS = (
    ("signer", "Signer"),
    ("signing_time", "Signed at"),
    ("intact", "Signed bytes intact"),
    ("covers", "Covers the whole file"),
    ("changed", "Changed after signing"),
    ("trusted", "Trusted signer"),
)


def _plain(summary: str) -> str:
    """Drop the verdict word the verifier puts in front; the dialog shows its own."""
    head, sep, rest = summary.partition(": ")
    return rest if sep and head.isupper() else summary


def _yes_no(flag: bool | None) -> str:
    return "not checked" if flag is None else ("Yes" if flag else "No")


class VerifyDialog(QDialog):
    """Pick a PDF (and optionally a certificate to trust) and check its signature."""

    verified = Signal(object)
    """The check finished; the argument is the ``VerifyOutcome``."""

    def __init__(self, parent: QWidget | None = None, pdf: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verify a signed PDF")
        self.setMinimumSize(600, 380)
        self.outcome: VerifyOutcome | None = None
        self.file_edit = QLineEdit(str(pdf) if pdf else "")
        self.file_edit.setAccessibleName("PDF to verify")
        self.file_edit.setPlaceholderText("The signed PDF report")
        self.trust_edit = QLineEdit()
        self.trust_edit.setAccessibleName("Certificate to trust")
        self.trust_edit.setPlaceholderText("Optional: the signer's certificate (.pem, .crt, .cer)")
        form = QFormLayout()
        form.addRow("PDF", self._with_browse(self.file_edit, self._browse_pdf))
        form.addRow("Trust", self._with_browse(self.trust_edit, self._browse_trust))
        self.verdict = QLabel("Choose a PDF and press Verify.")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Verdict")
        results = QFormLayout()
        results.setVerticalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for key, label in _FIELDS:
            value = QLabel("—")
            value.setAccessibleName(label)
            self.values[key] = value
            results.addRow(label, value)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setObjectName("primary")
        self.verify_button.setDefault(True)
        self.verify_button.setToolTip("Check the signature of the PDF (Enter)")
        self.verify_button.clicked.connect(self.verify)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        layout.addLayout(results)
        layout.addStretch(1)
        layout.addWidget(buttons)
        if pdf is not None:
            self.verify()

    def _with_browse(self, edit: QLineEdit, handler: object) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        browse = QPushButton("Browse…")
        browse.setToolTip(f"Choose the file: {edit.accessibleName().lower()}")
        browse.clicked.connect(handler)
        row.addWidget(edit, 1)
        row.addWidget(browse)
        return box

    def _browse_pdf(self) -> None:
        path = file_dialogs.get_open_file_name(self, "Signed PDF", "", "PDF files (*.pdf)")
        if path:
            self.file_edit.setText(path)
            self.verify()

    def _browse_trust(self) -> None:
        path = file_dialogs.get_open_file_name(
            self, "Certificate to trust", "", "Certificates (*.pem *.crt *.cer *.der)"
        )
        if path:
            self.trust_edit.setText(path)

    def verify(self) -> None:
        """Check the chosen PDF in a worker; the result fills the dialog."""
        text = self.file_edit.text().strip()
        if not text:
            self.verdict.setText("Choose a PDF first.")
            return
        trust = [Path(self.trust_edit.text().strip())] if self.trust_edit.text().strip() else []
        self.verify_button.setEnabled(False)
        self.verdict.setStyleSheet("")
        self.verdict.setText("Checking the signature…")
        tasks.run_task(
            verify_report,
            Path(text),
            trust,
            on_success=self._on_verified,
            on_failure=self._on_failed,
            with_progress=False,
        )

    def _on_verified(self, outcome: VerifyOutcome) -> None:
        self.outcome = outcome
        self.verify_button.setEnabled(True)
        self.values["signer"].setText(outcome.signer or "—")
        when = outcome.signing_time
        self.values["signing_time"].setText(when.strftime("%Y-%m-%d %H:%M:%S %Z") if when else "—")
        self.values["intact"].setText(_yes_no(outcome.intact))
        self.values["covers"].setText(_yes_no(outcome.covers_whole_document))
        self.values["changed"].setText(_yes_no(outcome.modified_after_signing))
        self.values["trusted"].setText(_yes_no(outcome.trusted))
        word = "Valid" if outcome.valid else "Not valid"
        self.verdict.setText(f"{word}: {_plain(outcome.summary)}")
        self.verdict.setStyleSheet(_VALID_STYLE if outcome.valid else _INVALID_STYLE)
        self.verified.emit(outcome)

    def _on_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.outcome = None
        for value in self.values.values():
            value.setText("—")
        self.verdict.setText(f"Cannot verify: {exc}")
        self.verdict.setStyleSheet(_INVALID_STYLE)
