"""The Reports page: a signed PDF written in a worker, its preview, the Verify dialog, passwords."""

from __future__ import annotations

import importlib.util
import logging
import shutil
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog, QLineEdit

from app.gui import file_dialogs
from app.gui.dialogs.verify_dialog import VerifyDialog
from app.services.reporting import create_certificate
from app.services.workspace import open_workspace
from app.support.preferences import preferences_path
from tests.gui.writes import wait_written

PASSWORD = "gui-Secret-8596!"
RENDER_TIMEOUT_MS = 180_000
_SETUP = Path(__file__).parents[1] / "services" / "test_reporting_setup.py"


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return setup.build_report_workspace(tmp_path_factory.mktemp("built"))


@pytest.fixture
def window(built, tmp_path, make_main_window):
    copy = setup.copy_workspace(built, tmp_path / "ws")
    window = make_main_window(workspace=open_workspace(copy.path, actor="tester"))
    window.show_page("reports")
    return window


@pytest.fixture
def captured_log(tmp_path):
    """Every log record of every library, at DEBUG, into a file for the test to read."""
    path = tmp_path / "everything.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield path
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def test_signed_pdf_is_written_in_a_worker_previewed_and_verified(
    window, qtbot, tmp_path, monkeypatch, captured_log
):
    certificate = tmp_path / "assessor.p12"
    create_certificate(certificate, name="Alex Assessor", password=PASSWORD.encode())
    page = window.page("reports")
    output = tmp_path / "signed.pdf"
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(output))
    asked = []

    def password_dialog(*args, **kwargs):
        asked.append(args[3] if len(args) > 3 else kwargs.get("echo"))
        return PASSWORD, True

    monkeypatch.setattr(QInputDialog, "getText", password_dialog)
    qtbot.waitUntil(lambda: "Quality gate passed" in page.gate_label.text(), timeout=10_000)
    page.sign_check.setChecked(True)
    page.certificate_edit.setText(str(certificate))
    preview_done = (
        page.preview.pages_ready if shutil.which("pdftoppm") else page.preview.preview_failed
    )
    with (
        qtbot.waitSignal(page.report_written, timeout=RENDER_TIMEOUT_MS) as written,
        qtbot.waitSignal(preview_done, timeout=RENDER_TIMEOUT_MS),
    ):
        page.generate_button.click()
        assert not page.generate_button.isEnabled(), "generation runs in a worker"
    outcome = written.args[0]
    assert asked == [QLineEdit.EchoMode.Password]
    assert outcome.signed_by
    assert output.read_bytes().startswith(b"%PDF")
    assert "signed by" in page.result_label.text()
    if shutil.which("pdftoppm"):
        assert page.preview.page_count() == min(outcome.pages, 40)
    else:
        assert "pdftoppm" in page.preview.caption.text()

    dialog = page.open_verify_dialog()
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.verified, timeout=60_000):
        pass
    assert dialog.outcome is not None
    assert not dialog.outcome.valid, "a self-signed certificate nobody configured"
    assert dialog.outcome.colour == "amber"
    assert dialog.table.item(0, 1).text() == "Alex Assessor"
    assert dialog.table.item(0, 0).text() == "assessor"
    assert dialog.verdict.text().startswith("Intact, signer not trusted")
    dialog.trust_edit.setText(str(certificate.with_suffix(".pem")))
    with qtbot.waitSignal(dialog.verified, timeout=60_000):
        dialog.verify_button.click()
    assert dialog.outcome.valid
    assert dialog.verdict.text().startswith("Intact and trusted")

    secrets = PASSWORD.encode()
    assert secrets not in captured_log.read_bytes()
    assert secrets not in preferences_path().read_bytes()
    assert str(certificate) in preferences_path().read_text(encoding="utf-8")


def test_verify_dialog_says_an_unsigned_pdf_is_not_valid(qtbot, tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    pdf = tmp_path / "plain.pdf"
    with pdf.open("wb") as stream:
        writer.write(stream)
    dialog = VerifyDialog(None, None)
    qtbot.addWidget(dialog)
    dialog.file_edit.setText(str(pdf))
    with qtbot.waitSignal(dialog.verified, timeout=30_000):
        dialog.verify_button.click()
    assert dialog.outcome is not None
    assert not dialog.outcome.valid
    assert dialog.outcome.colour == "red"
    assert dialog.verdict.text().startswith("Broken")


def test_controls_follow_the_chosen_format(window, qtbot):
    page = window.page("reports")
    assert page.assessment_box.count() == 2
    page.format_radios["portfolio"].setChecked(True)
    assert not page.assessment_box.isEnabled()
    assert not page.sign_check.isEnabled()
    page.format_radios["pdf"].setChecked(True)
    page.sign_check.setChecked(True)
    assert page.certificate_edit.isEnabled()
    page.format_radios["xlsx"].setChecked(True)
    assert not page.certificate_edit.isEnabled()


def test_appendices_follow_the_audience_and_the_assessors_ticks(window, qtbot):
    page = window.page("reports")
    choice = page.appendix_choice
    assert choice.chosen() == (
        "results",
        "crosswalk",
        "findings",
        "answers",
        "not-applicable",
        "evidence",
        "requests",
        "review",
    )
    page.profile_box.setCurrentIndex(page.profile_box.findData("client"))
    assert choice.chosen() == ("findings", "not-applicable", "evidence", "requests")
    choice.boxes["answers"].setChecked(True)
    choice.boxes["evidence"].setChecked(False)
    assert choice.chosen() == ("findings", "answers", "not-applicable", "requests")
    page.format_radios["xlsx"].setChecked(True)
    assert not choice.isEnabled()
    page.format_radios["pdf"].setChecked(True)
    assert choice.isEnabled()


def test_cancelling_the_password_writes_nothing(window, qtbot, tmp_path, monkeypatch):
    page = window.page("reports")
    output = tmp_path / "never.pdf"
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(output))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    page.sign_check.setChecked(True)
    page.certificate_edit.setText(str(tmp_path / "some.p12"))
    page.generate_button.click()
    assert page.generate_button.isEnabled()
    assert not output.exists()


def test_import_responses_shows_the_changes_then_applies_them(window, qtbot, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QMessageBox

    from app.services.assessments import get_response, list_responses
    from app.services.reporting import generate_workbook

    page = window.page("reports")
    ws = window.context.workspace
    assessment = page.current_assessment_id()
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, assessment, book, profile="client")
    target = list_responses(ws, assessment)[3]
    workbook = load_workbook(book)
    sheet = workbook["Responses"]
    column = next(c.column for c in sheet[1] if c.value == "Level (0-5 or N/A)")
    new_level = 0 if target.level else 5
    sheet.cell(row=5, column=column, value=new_level)
    workbook.save(book)
    shown = []

    def confirm(_parent, _title, text, *args, **kwargs):
        shown.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(file_dialogs, "get_open_file_name", lambda *a, **k: str(book))
    monkeypatch.setattr(QMessageBox, "question", confirm)
    with qtbot.waitSignal(
        window.context.changed,
        timeout=30_000,
        check_params_cb=lambda written: "response" in written.entities(),
    ):
        page.import_button.click()
    wait_written(qtbot)
    assert len(shown) == 1
    assert f"1 change from {book.name}" in shown[0]
    assert get_response(ws, assessment, target.question_id).level == new_level
    assert "Imported 1 change from" in page.result_label.text()


def test_portfolio_workbook_is_offered_and_written(window, qtbot, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    page = window.page("reports")
    output = tmp_path / "portfolio"  # the page adds the suffix of the chosen format
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(output))
    page.format_radios["portfolio-xlsx"].setChecked(True)
    assert not page.assessment_box.isEnabled()
    assert page.generate_button.isEnabled()
    with qtbot.waitSignal(page.report_written, timeout=RENDER_TIMEOUT_MS) as written:
        page.generate_button.click()
    outcome = written.args[0]
    assert outcome.path == tmp_path / "portfolio.xlsx"
    book = load_workbook(outcome.path)
    assert book.sheetnames[:2] == ["Summary", "Systems"]
    assert book["Systems"].max_row >= 2
    assert "portfolio.xlsx" in page.result_label.text()


def test_the_prepared_report_process_lives_only_while_the_page_shows(window, qtbot):
    # A ready report process and its render workers hold a few hundred megabytes: the page
    # lets it go when another page shows, and prepares a fresh one when it shows again.
    window.show()
    page = window.page("reports")
    qtbot.waitUntil(page.isVisible)
    # A worker starts it (starting a process would hold the UI thread while the page shows).
    qtbot.waitUntil(lambda: page._prepared._process is not None, timeout=20_000)  # noqa: SLF001
    first = page._prepared._process  # noqa: SLF001 - the page's prepared process
    window.show_page("overview")
    assert page._prepared._process is None  # noqa: SLF001
    qtbot.waitUntil(lambda: not first.is_alive(), timeout=20_000)
    window.show_page("reports")
    qtbot.waitUntil(lambda: page._prepared._process is not None, timeout=20_000)  # noqa: SLF001
    second = page._prepared._process  # noqa: SLF001
    assert second.pid != first.pid
    assert second.is_alive()
