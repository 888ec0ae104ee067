"""The window's signing parts: tokens listed from a real SoftHSM library, the reviewer's
countersignature made in a worker, and the Verify dialog listing both signatures."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from app.gui.dialogs.countersign_dialog import CountersignDialog
from app.gui.dialogs.verify_dialog import VerifyDialog
from app.gui.widgets.credential_picker import TOKEN, CredentialPicker
from app.reports.credentials import Credential
from app.reports.signing import sign_pdf
from tests.pki import SOFTHSM_LIB, TOKEN_PIN, shared_softhsm

pytestmark = pytest.mark.skipif(SOFTHSM_LIB is None, reason="SoftHSM2 not installed")


@pytest.fixture(scope="module")
def hsm(tmp_path_factory):
    return shared_softhsm(tmp_path_factory)


@pytest.fixture
def assessor_signed(hsm, tmp_path):
    from weasyprint import HTML

    plain = tmp_path / "report.pdf"
    HTML(string="<h1>Assessment report</h1><p>Findings.</p>").write_pdf(plain)
    signed = tmp_path / "signed.pdf"
    card = Credential(
        pkcs11_lib=SOFTHSM_LIB, token="Assessor Card", key="alice-sign", secret=TOKEN_PIN.encode()
    )
    sign_pdf(plain, signed, card)
    return signed


def _pick_token(qtbot, picker: CredentialPicker, token: str) -> None:
    picker.source_box.setCurrentIndex(picker.source_box.findData(TOKEN))
    picker.library_edit.setText(SOFTHSM_LIB)
    picker.find_button.click()
    qtbot.waitUntil(lambda: picker.token_box.count() >= 2, timeout=20_000)
    index = next(
        i for i in range(picker.token_box.count()) if token in picker.token_box.itemText(i)
    )
    picker.token_box.setCurrentIndex(index)


def test_the_picker_lists_tokens_and_keys(qtbot, hsm):
    picker = CredentialPicker()
    qtbot.addWidget(picker)
    assert picker.check() == "choose your certificate file first"
    _pick_token(qtbot, picker, "Reviewer Card")
    assert picker.key_box.currentData() == "rob-sign"
    assert "Rob Reviewer" in picker.key_box.currentText()
    assert picker.check() == ""
    found = picker.token_box.count()
    assert f"{found} tokens with a signing certificate" in picker.token_status.text()


def test_reviewer_countersigns_in_the_window_and_verify_lists_both(
    qtbot, hsm, assessor_signed, monkeypatch
):
    asked = []

    def pin_dialog(*args, **kwargs):
        asked.append(args[1])
        return TOKEN_PIN, True

    monkeypatch.setattr(QInputDialog, "getText", pin_dialog)
    dialog = CountersignDialog(None, assessor_signed)
    qtbot.addWidget(dialog)
    _pick_token(qtbot, dialog.credential, "Reviewer Card")
    with qtbot.waitSignal(dialog.countersigned, timeout=60_000) as done:
        dialog.sign_button.click()
    assert asked == ["Token PIN"]
    assert done.args[0].signer == "Rob Reviewer"
    output = dialog.output_path()
    assert output.is_file()
    assert "Countersigned by Rob Reviewer" in dialog.status.text()
    verify = VerifyDialog(None, None)
    qtbot.addWidget(verify)
    verify.file_edit.setText(str(output))
    verify.trust_edit.setText(str(hsm.root_pem))
    with qtbot.waitSignal(verify.verified, timeout=60_000):
        verify.verify_button.click()
    assert verify.outcome.valid
    assert verify.table.rowCount() == 2
    assert [verify.table.item(r, 0).text() for r in range(2)] == ["assessor", "reviewer"]
    assert verify.table.item(0, 5).text() == "later signatures added"
    assert verify.verdict.text().startswith("Intact and trusted")


def test_a_verdict_never_outlives_the_inputs_it_was_for(qtbot, hsm, assessor_signed):
    verify = VerifyDialog(None, assessor_signed)
    qtbot.addWidget(verify)
    with qtbot.waitSignal(verify.verified, timeout=60_000):
        pass
    assert verify.verdict.text().startswith("Intact, signer not trusted")
    verify.trust_edit.setText(str(hsm.root_pem))
    assert verify.outcome is None
    assert verify.table.rowCount() == 0
    assert verify.verdict.text().startswith("The PDF or the trust anchor changed")
    with qtbot.waitSignal(verify.verified, timeout=60_000):
        verify.verify_button.click()
    assert verify.verdict.text().startswith("Intact and trusted")


def test_a_result_for_inputs_changed_while_checking_is_not_shown(qtbot, hsm, assessor_signed):
    verify = VerifyDialog(None, assessor_signed)
    qtbot.addWidget(verify)
    verify.trust_edit.setText(str(hsm.root_pem))  # typed while the first check runs
    qtbot.waitUntil(verify.verify_button.isEnabled, timeout=60_000)
    assert verify.outcome is None, "the untrusted verdict was for no anchor, not this one"
    assert verify.verdict.text().startswith("The PDF or the trust anchor changed")
