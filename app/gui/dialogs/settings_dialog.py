"""Settings: the assessor (per user), report branding and hygiene thresholds (per workspace)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import file_dialogs
from app.services.settings import all_workspace_settings, set_workspace_setting
from app.services.workspace import Workspace
from app.support.preferences import Preferences, load_preferences, save_preferences

logger = logging.getLogger(__name__)

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))
HYGIENE_FIELDS = (
    ("hygiene.rotation_days", "Rotate keys within (days)"),
    ("hygiene.unused_days", "Unused after (days)"),
    ("hygiene.max_credential_age_days", "Longest credential lifetime (days)"),
    ("hygiene.max_delegation_depth", "Deepest delegation chain"),
    ("evidence.max_file_mb", "Largest evidence file (MB)"),
)


class _PathField(QWidget):
    def __init__(self, value: str, caption: str, file_filter: str) -> None:
        super().__init__()
        self.edit = QLineEdit(value)
        self.edit.setAccessibleName(caption)
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda: self._browse(caption, file_filter))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)

    def _browse(self, caption: str, file_filter: str) -> None:
        path = file_dialogs.get_open_file_name(self, caption, self.edit.text(), file_filter)
        if path:
            self.edit.setText(path)


class _ColourField(QPushButton):
    def __init__(self, value: str, caption: str) -> None:
        super().__init__()
        self._caption = caption
        self.setAccessibleName(caption)
        self.set_colour(value)
        self.clicked.connect(self._pick)

    def set_colour(self, value: str) -> None:
        self.colour = value
        self.setText(value)
        self.setStyleSheet(f"background:{value}; color: white; padding: 4px 10px;")

    def _pick(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour), self, self._caption)
        if chosen.isValid():
            self.set_colour(chosen.name())


class SettingsDialog(QDialog):
    """Edits preferences and workspace settings; saves both on OK."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._workspace = workspace
        self._prefs = load_preferences()
        self._settings = all_workspace_settings(workspace)
        tabs = QTabWidget()
        tabs.addTab(self._assessor_tab(), "Assessor")
        tabs.addTab(self._signing_tab(), "Signing")
        tabs.addTab(self._branding_tab(), "Report branding")
        tabs.addTab(self._hygiene_tab(), "Identity hygiene")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def _assessor_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.assessor_name = QLineEdit(self._prefs.assessor_name)
        self.assessor_organisation = QLineEdit(self._prefs.assessor_organisation)
        self.certificate = _PathField(
            self._prefs.default_certificate, "Default certificate", "PKCS#12 (*.p12 *.pfx)"
        )
        self.certificate.setToolTip(
            "The certificate used to sign reports. "
            "Its password is asked for each time and never stored."
        )
        self.theme = QComboBox()
        for label, value in THEMES:
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex([v for _l, v in THEMES].index(self._prefs.theme))
        form.addRow("Your name", self.assessor_name)
        form.addRow("Organisation", self.assessor_organisation)
        form.addRow("Signing certificate", self.certificate)
        form.addRow("Theme", self.theme)
        return page

    def _signing_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.pkcs11_library = _PathField(
            self._prefs.pkcs11_library, "PKCS#11 library", "Libraries (*.so *.dll *.dylib)"
        )
        self.pkcs11_library.setToolTip("The library of your smart card or USB token")
        self.tsa_url = QLineEdit(self._prefs.tsa_url)
        self.tsa_url.setAccessibleName("Time-stamping authority")
        self.tsa_url.setPlaceholderText("e.g. https://tsa.example.com (empty: no time stamp)")
        self.tsa_url.setToolTip(
            "Asked for an RFC 3161 time stamp when you sign (the only connection signing makes)"
        )
        self.trust_anchors = QPlainTextEdit("\n".join(self._prefs.trust_anchors))
        self.trust_anchors.setAccessibleName("Trust anchors")
        self.trust_anchors.setPlaceholderText(
            "One per line: the firm's root certificate, a folder of CA certificates, "
            "or a cached trusted-list XML"
        )
        self.trust_anchors.setMaximumHeight(90)
        form.addRow("Token library", self.pkcs11_library)
        form.addRow("Time stamps from", self.tsa_url)
        form.addRow("Trust anchors", self.trust_anchors)
        note = QLabel(
            "A signature is shown as trusted only when its certificate chains to one of these."
        )
        note.setWordWrap(True)
        form.addRow("", note)
        return page

    def _branding_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        s = self._settings
        self.brand_organisation = QLineEdit(s["branding.organisation"])
        self.logo = _PathField(s["branding.logo_path"], "Logo", "Images (*.png *.svg *.jpg)")
        self.primary_colour = _ColourField(s["branding.primary_colour"], "Primary colour")
        self.accent_colour = _ColourField(s["branding.accent_colour"], "Accent colour")
        self.cover_text = QPlainTextEdit(s["branding.cover_text"])
        self.disclaimer = QPlainTextEdit(s["branding.disclaimer"])
        for edit in (self.cover_text, self.disclaimer):
            edit.setMaximumHeight(80)
        form.addRow("Organisation on reports", self.brand_organisation)
        form.addRow("Logo", self.logo)
        form.addRow("Primary colour", self.primary_colour)
        form.addRow("Accent colour", self.accent_colour)
        form.addRow("Cover text", self.cover_text)
        form.addRow("Disclaimer", self.disclaimer)
        return page

    def _hygiene_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.hygiene: dict[str, QSpinBox] = {}
        for key, label in HYGIENE_FIELDS:
            spin = QSpinBox()
            spin.setRange(1, 10_000)
            spin.setValue(int(self._settings[key]))
            spin.setAccessibleName(label)
            form.addRow(label, spin)
            self.hygiene[key] = spin
        return page

    def preferences(self) -> Preferences:
        return self._prefs.model_copy(
            update={
                "assessor_name": self.assessor_name.text().strip(),
                "assessor_organisation": self.assessor_organisation.text().strip(),
                "default_certificate": self.certificate.edit.text().strip(),
                "pkcs11_library": self.pkcs11_library.edit.text().strip(),
                "tsa_url": self.tsa_url.text().strip(),
                "trust_anchors": [
                    line.strip()
                    for line in self.trust_anchors.toPlainText().splitlines()
                    if line.strip()
                ],
                "theme": self.theme.currentData(),
            }
        )

    def workspace_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "branding.organisation": self.brand_organisation.text().strip(),
            "branding.logo_path": self.logo.edit.text().strip(),
            "branding.primary_colour": self.primary_colour.colour,
            "branding.accent_colour": self.accent_colour.colour,
            "branding.cover_text": self.cover_text.toPlainText().strip(),
            "branding.disclaimer": self.disclaimer.toPlainText().strip(),
        }
        values.update({key: spin.value() for key, spin in self.hygiene.items()})
        return values

    def save(self) -> dict[str, Any]:
        """Save the preferences; return the workspace settings that changed, with their values.

        The caller writes those on the one writer (:func:`store_settings`).
        """
        save_preferences(self.preferences())
        values = self.workspace_values()
        if self.logo.edit.text() and not Path(self.logo.edit.text()).exists():
            logger.warning("logo %s does not exist", self.logo.edit.text())
        return {k: v for k, v in values.items() if self._settings.get(k) != v}


def store_settings(workspace: Workspace, values: dict[str, Any]) -> None:
    """Write changed workspace settings, one journalled change each (run on the writer)."""
    for key, value in values.items():
        set_workspace_setting(workspace, key, value)
