"""The Settings dialog saves preferences and workspace settings, and never a password."""

from __future__ import annotations

from app.gui.dialogs.settings_dialog import SettingsDialog
from app.services.settings import get_workspace_setting
from app.support.preferences import load_preferences, preferences_path
from tests.gui.writes import wait_written


def test_saving_writes_preferences_and_workspace_settings(qtbot, workspace, make_main_window):
    window = make_main_window(workspace=workspace)
    dialog = SettingsDialog(workspace, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.assessor_name, "Robin Auditor")
    dialog.certificate.edit.setText("/keys/robin.p12")
    dialog.theme.setCurrentIndex(2)
    dialog.hygiene["hygiene.rotation_days"].setValue(30)
    dialog.brand_organisation.setText("Assurance Partners")
    dialog.primary_colour.set_colour("#004488")
    dialog.tsa_url.setText("https://tsa.example.com/ ")
    dialog.trust_anchors.setPlainText("/pki/firm-root.pem\n\n/pki/cas/\n")
    dialog.pkcs11_library.edit.setText("/usr/lib/opensc-pkcs11.so")
    window.apply_settings(dialog)
    wait_written(qtbot)

    prefs = load_preferences()
    assert (prefs.assessor_name, prefs.theme) == ("Robin Auditor", "dark")
    assert prefs.default_certificate == "/keys/robin.p12"
    assert prefs.tsa_url == "https://tsa.example.com/"
    assert prefs.trust_anchors == ["/pki/firm-root.pem", "/pki/cas/"]
    assert prefs.pkcs11_library == "/usr/lib/opensc-pkcs11.so"
    assert "password" not in preferences_path().read_text().lower()
    assert get_workspace_setting(workspace, "hygiene.rotation_days") == 30
    assert get_workspace_setting(workspace, "branding.organisation") == "Assurance Partners"
    assert get_workspace_setting(workspace, "branding.primary_colour") == "#004488"
    assert workspace.actor == "Robin Auditor"


def test_unchanged_dialog_changes_nothing(qtbot, workspace):
    dialog = SettingsDialog(workspace)
    qtbot.addWidget(dialog)
    assert dialog.save() == {}
