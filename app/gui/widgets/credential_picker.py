"""Choose the signing credential: a PKCS#12 file, or a key on a smart card or USB token.

For a token, the user names the PKCS#11 library (remembered in the preferences), presses
"Find tokens", and picks the token and the key from what the library lists (certificates are
public objects, so no PIN is needed to list them). The password or PIN is asked only when
signing, and handed straight to the signing request: never stored or logged.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from app.gui import file_dialogs, tasks
from app.services.reporting import SigningRequest, list_token_keys
from app.support.preferences import load_preferences, save_preferences
from app.support.text import plural

logger = logging.getLogger(__name__)

P12, TOKEN = "p12", "pkcs11"


def _browse_row(edit: QLineEdit, handler: Any, tip: str) -> tuple[QWidget, QPushButton]:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    button = QPushButton("Browse…")
    button.setToolTip(tip)
    button.clicked.connect(handler)
    row.addWidget(edit, 1)
    row.addWidget(button)
    return box, button


class CredentialPicker(QWidget):
    """A PKCS#12 file or a token key; :meth:`request` asks the secret and builds the request."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        prefs = load_preferences()
        self.source_box = QComboBox()
        self.source_box.setAccessibleName("Credential kind")
        self.source_box.addItem("Certificate file (PKCS#12)", P12)
        self.source_box.addItem("Smart card or token (PKCS#11)", TOKEN)
        self.p12_edit = QLineEdit(prefs.default_certificate)
        self.p12_edit.setAccessibleName("Certificate file")
        self.p12_edit.setPlaceholderText("Your .p12 / .pfx certificate")
        p12_row, self.browse_button = _browse_row(
            self.p12_edit, self._browse_p12, "Choose your PKCS#12 certificate file"
        )
        self.library_edit = QLineEdit(prefs.pkcs11_library)
        self.library_edit.setAccessibleName("PKCS#11 library")
        self.library_edit.setPlaceholderText("The token's PKCS#11 library (.so, .dll, .dylib)")
        library_row, _ = _browse_row(
            self.library_edit, self._browse_library, "Choose the token's PKCS#11 library"
        )
        self.find_button = QPushButton("Find tokens")
        self.find_button.setToolTip("List the tokens this library sees and the keys on each")
        self.find_button.clicked.connect(self.find_tokens)
        self.token_box = QComboBox()
        self.token_box.setAccessibleName("Token")
        self.token_box.currentIndexChanged.connect(self._fill_keys)
        self.key_box = QComboBox()
        self.key_box.setAccessibleName("Key on the token")
        self.token_status = QLabel()
        self.token_status.setWordWrap(True)
        self._tokens: list[Any] = []
        token_page = QWidget()
        token_form = QFormLayout(token_page)
        token_form.setContentsMargins(0, 0, 0, 0)
        token_form.addRow("Library", library_row)
        token_form.addRow("", self.find_button)
        token_form.addRow("Token", self.token_box)
        token_form.addRow("Key", self.key_box)
        token_form.addRow("", self.token_status)
        self.pages = QStackedWidget()
        self.pages.addWidget(p12_row)
        self.pages.addWidget(token_page)
        self.source_box.currentIndexChanged.connect(self.pages.setCurrentIndex)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Credential", self.source_box)
        form.addRow("", self.pages)

    def kind(self) -> str:
        return str(self.source_box.currentData())

    def _browse_p12(self) -> None:
        path = file_dialogs.get_open_file_name(
            self, "Your signing certificate", self.p12_edit.text(),
            "PKCS#12 certificates (*.p12 *.pfx)",
        )  # fmt: skip
        if path:
            self.p12_edit.setText(path)

    def _browse_library(self) -> None:
        path = file_dialogs.get_open_file_name(
            self, "PKCS#11 library", self.library_edit.text(),
            "Libraries (*.so *.dll *.dylib);;All files (*)",
        )  # fmt: skip
        if path:
            self.library_edit.setText(path)
            self.find_tokens()

    def find_tokens(self) -> None:
        """List the library's tokens and keys in a worker."""
        library = self.library_edit.text().strip()
        if not library:
            self.token_status.setText("Choose the token's PKCS#11 library first.")
            return
        self.find_button.setEnabled(False)
        self.token_status.setText("Looking for tokens…")
        tasks.run_task(
            list_token_keys,
            Path(library),
            on_success=self._show_tokens,
            on_failure=self._show_failure,
            on_finished=lambda: self.find_button.setEnabled(True),
            with_progress=False,
        )

    def _show_tokens(self, tokens: list[Any]) -> None:
        self._tokens = [t for t in tokens if t.keys]
        self.token_box.clear()
        for token in self._tokens:
            self.token_box.addItem(f"{token.label} ({token.manufacturer} {token.model})".strip())
        found = len(self._tokens)
        self.token_status.setText(
            f"{plural(found, 'token')} with a signing certificate."
            if found
            else "No token with a key."
        )
        prefs = load_preferences()
        library = self.library_edit.text().strip()
        if found and prefs.pkcs11_library != library:
            save_preferences(prefs.model_copy(update={"pkcs11_library": library}))

    def _show_failure(self, exc: BaseException) -> None:
        self._tokens = []
        self.token_box.clear()
        self.token_status.setText(f"Cannot list tokens: {exc}")

    def _fill_keys(self, index: int) -> None:
        self.key_box.clear()
        if 0 <= index < len(self._tokens):
            for key in self._tokens[index].keys:
                self.key_box.addItem(f"{key.label} — {key.name or key.subject}", key.label)
                self.key_box.setItemData(
                    self.key_box.count() - 1, key.subject, Qt.ItemDataRole.ToolTipRole
                )

    def _token_label(self) -> str:
        index = self.token_box.currentIndex()
        return self._tokens[index].label if 0 <= index < len(self._tokens) else ""

    def check(self) -> str:
        """Return what is missing to sign, or an empty string."""
        if self.kind() == P12:
            return "" if self.p12_edit.text().strip() else "choose your certificate file first"
        if not self._token_label() or self.key_box.currentData() is None:
            return "find your token and choose its key first"
        return ""

    def request(self, *, reason: str = "", role: str = "assessor") -> SigningRequest | None:
        """Ask for the password or PIN; None when the user cancels.

        The TSA and trust anchors come from the preferences (Settings).
        """
        prefs = load_preferences()
        if self.kind() == P12:
            certificate = Path(self.p12_edit.text().strip())
            title, prompt = "Certificate password", f"Password for {certificate.name}:"
        else:
            title, prompt = "Token PIN", f"PIN for {self._token_label()}:"
        secret, ok = QInputDialog.getText(self, title, prompt, QLineEdit.EchoMode.Password)
        if not ok:
            return None
        token = self.kind() == TOKEN
        return SigningRequest(
            p12_path=None if token else Path(self.p12_edit.text().strip()),
            password=secret.encode("utf-8"),
            reason=reason,
            pkcs11_lib=Path(self.library_edit.text().strip()) if token else None,
            token=self._token_label() if token else "",
            key=str(self.key_box.currentData() or "") if token else "",
            role=role,
            tsa_url=prefs.tsa_url,
            trust=tuple(Path(p) for p in prefs.trust_anchors),
        )
