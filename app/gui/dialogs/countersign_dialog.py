"""The reviewer countersigns a report the assessor signed, with a file or a token."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

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

from app.gui import file_dialogs
from app.gui.dialogs.error_dialog import show_error
from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.widgets.credential_picker import CredentialPicker
from app.services.reporting import SignOutcome, countersign_report

logger = logging.getLogger(__name__)


def _countersign(
    source: Path, output: Path, request: Any, workspace: Any, progress: Any = None
) -> SignOutcome:
    """Run the countersignature (in the worker; ``progress`` is not used: it is quick)."""
    return countersign_report(source, output, request, workspace)


class CountersignDialog(QDialog):
    """Pick the signed PDF and the reviewer's credential; write the countersigned copy."""

    countersigned = Signal(object)
    """The countersignature was written; the argument is the ``SignOutcome``."""

    def __init__(
        self, parent: QWidget | None = None, pdf: Path | None = None, workspace: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Countersign a report as the reviewer")
        self.setMinimumWidth(620)
        self._workspace = workspace
        self.file_edit = QLineEdit(str(pdf) if pdf else "")
        self.file_edit.setAccessibleName("Signed PDF")
        self.file_edit.setPlaceholderText("The report the assessor signed")
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose the signed PDF")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        self.credential = CredentialPicker()
        self.status = QLabel(
            "The countersigned copy is saved beside it as …-countersigned.pdf; the assessor's "
            "signature stays valid."
        )
        self.status.setWordWrap(True)
        self.sign_button = QPushButton("Countersign")
        self.sign_button.setObjectName("primary")
        self.sign_button.setDefault(True)
        self.sign_button.clicked.connect(self.countersign)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("PDF", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.credential)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path = file_dialogs.get_open_file_name(self, "Signed PDF", "", "PDF files (*.pdf)")
        if path:
            self.file_edit.setText(path)

    def output_path(self) -> Path:
        source = Path(self.file_edit.text().strip())
        return source.with_name(f"{source.stem}-countersigned.pdf")

    def countersign(self) -> None:
        """Ask the PIN or password, then countersign in a worker."""
        source = self.file_edit.text().strip()
        missing = "choose the signed PDF first" if not source else self.credential.check()
        if missing:
            show_error(self, "Cannot countersign", ValueError(missing))
            return
        request = self.credential.request(role="reviewer")
        if request is None:
            return
        self.sign_button.setEnabled(False)
        self.status.setText("Countersigning…")
        output = self.output_path()
        run_with_progress(
            self,
            "Countersigning the report",
            _countersign,
            Path(source),
            output,
            request,
            self._workspace,
            on_success=lambda outcome: self._done(outcome, output),
            on_failure=self._failed,
            on_finished=lambda: self.sign_button.setEnabled(True),
            writes=True,
        )
        del request  # the secret lives only in the job until it has run

    def _done(self, outcome: SignOutcome, output: Path) -> None:
        lines = [f"Countersigned by {outcome.signer} (PAdES {outcome.level}): {output}"]
        lines += [f"• {w}" for w in outcome.warnings]
        self.status.setText("\n".join(lines))
        self.countersigned.emit(outcome)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"Not countersigned: {exc}")
        show_error(self, "Cannot countersign", exc)
