"""The import wizard end to end on real workbooks: file → sheets → mapping → dry run → apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from app.services.inventory_queries import get_system, list_identities, list_systems

SYSTEMS = [
    ["AI system register — confidential"],
    [],
    ["System ID", "Name", "Owner email", "Autonomy", "Data classification", "Service accounts",
     "Cost centre"],
    ["AIS-001", "Claims agent", "ann@example.com", "autonomous", "restricted", "svc-claims",
     "CC-10"],
    ["AIS-002", "Copilot", "bob@example.com", "advisory", "internal", "svc-copilot", "CC-20"],
]  # fmt: skip
IDENTITIES = [
    ["Identity ID", "Kind", "Custodian contact", "Last rotated"],
    ["svc-claims", "service-account", "ann@example.com", "2025-01-01"],
    ["svc-copilot", "api-key", "bob@example.com", "2025-12-01"],
]


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def page(make_main_window, qtbot):
    window = make_main_window()
    window.show_page("inventory")
    page = window.page("inventory")
    qtbot.waitUntil(lambda: page._load_task is None, timeout=10_000)
    return page


def open_file(wizard, qtbot, path: Path) -> None:
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.file_preview is not None, timeout=10_000)


def run_dry_run(wizard, qtbot):
    with qtbot.waitSignal(wizard.preview_page.plan_ready, timeout=15_000) as blocker:
        wizard.next()
    return blocker.args[0]


def prepared_process(wizard, qtbot):
    """Return the import process that has the dry run's file (Import goes to it)."""
    qtbot.waitUntil(lambda: wizard.prepared.ready, timeout=15_000)
    return wizard.prepared.process


def checked_register(page, qtbot, tmp_path):
    """Open the wizard on a two-system register and run its dry run."""
    path = write_workbook(tmp_path / "register.xlsx", {"AI systems": SYSTEMS})
    wizard = page.start_import()
    open_file(wizard, qtbot, path)
    wizard.next()
    run_dry_run(wizard, qtbot)
    return wizard, path


def test_wizard_imports_a_workbook_with_a_column_mapped_by_hand(page, qtbot, tmp_path):
    path = write_workbook(
        tmp_path / "register.xlsx", {"AI systems": SYSTEMS, "Identities": IDENTITIES}
    )
    wizard = page.start_import()
    open_file(wizard, qtbot, path)
    preview = wizard.file_preview
    systems = preview.sheet("AI systems")
    assert systems.entity == "systems"
    assert systems.header_row == 3  # the title rows above the headers are skipped
    assert wizard.sheet_page.isComplete()
    wizard.next()
    mapping = wizard.mapping_page
    custodian = mapping.combo_for("Identities", "Custodian contact")
    assert custodian.currentData() == ""  # no alias matches: kept as a custom attribute
    assert mapping.combo_for("AI systems", "Owner email").currentData() == "systems.owner_email"
    assert mapping.combo_for("AI systems", "Cost centre").currentData() == ""
    mapping.choose("Identities", "Custodian contact", "identities.owner_email")
    assert wizard.mapping() == {"Custodian contact": "owner_email"}
    plan = run_dry_run(wizard, qtbot)
    assert not plan.has_errors
    counts = {row.records: row for row in wizard.preview_page.counts.model.rows}
    assert counts["AI systems"].new == 2
    assert counts["Identities"].new == 2
    read_as = {(c.sheet, c.column): c.field for c in wizard.preview_page.columns.model.rows}
    assert read_as[("Identities", "Custodian contact")] == "identities.owner_email"
    assert wizard.preview_page.isComplete()
    assert list_systems(page._context.workspace) == []  # the dry run wrote nothing
    with qtbot.waitSignal(wizard.imported, timeout=15_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    ws = page._context.workspace
    owners = {row.ext_id: row.owner for row in list_identities(ws)}
    assert owners == {"svc-claims": "ann@example.com", "svc-copilot": "bob@example.com"}
    assert get_system(ws, "AIS-001").attributes == {"Cost centre": "CC-10"}
    qtbot.waitUntil(lambda: page.systems.model.rowCount() == 2, timeout=10_000)
    assert page.wizard is None, "the page lets the closed wizard go"
    assert wizard.preview_page.plan is None, "the file's rows are not kept after the import"
    assert wizard.file_preview is None


def test_problems_are_listed_and_nothing_is_applied_unless_valid_rows_only(page, qtbot, tmp_path):
    sheets = {
        "Identities": [
            ["Identity ID", "Kind", "Owner email", "Last rotated"],
            ["svc-good", "service-account", "ann@example.com", "2025-01-01"],
            ["svc-bad-date", "api-key", "bob@example.com", "31/02/2025"],
            ["svc-bad-kind", "wizard", "bob@example.com", "2025-02-01"],
        ],
        "Resources": [["Resource ID"], ["claims-db"]],
        "Grants": [["Identity", "Resource", "Action"], ["svc-ghost", "claims-db", "read"]],
    }
    path = write_workbook(tmp_path / "broken.xlsx", sheets)
    wizard = page.start_import()
    open_file(wizard, qtbot, path)
    wizard.next()
    plan = run_dry_run(wizard, qtbot)
    preview = wizard.preview_page
    errors = [p for p in preview.problems.model.rows if p.is_error]
    assert {(p.sheet, p.row, p.column) for p in errors} == {("Grants", 2, "Identity")}
    warnings = {(p.sheet, p.row, p.column) for p in preview.problems.model.rows if not p.is_error}
    assert {("Identities", 3, "Last rotated"), ("Identities", 4, "Kind")} <= warnings
    assert all(p.file == "broken.xlsx" and p.reason for p in errors)
    assert preview.problems.count_label.text().startswith(str(len(plan.problems)))
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not preview.isComplete()
    assert not finish.isEnabled()
    wizard.accept()  # even forced, an unticked plan with errors is not applied
    assert list_identities(page._context.workspace) == []
    assert preview.valid_only_box.isEnabled()
    preview.valid_only_box.setChecked(True)
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=15_000):
        finish.click()
    ids = [row.ext_id for row in list_identities(page._context.workspace)]
    assert ids == ["svc-bad-date", "svc-bad-kind", "svc-good"]  # a bad value rejects no row


def test_unreadable_file_is_explained_on_the_sheet_step(page, qtbot, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a workbook", encoding="utf-8")
    wizard = page.start_import()
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    qtbot.waitUntil(lambda: "cannot be imported" in wizard.sheet_page.message.text())
    assert "notes.xlsx" in wizard.sheet_page.message.text()
    assert not wizard.sheet_page.isComplete()


def test_missing_file_keeps_the_wizard_on_the_first_step(page, tmp_path):
    wizard = page.start_import()
    wizard.file_page.path_edit.setText(str(tmp_path / "nowhere.xlsx"))
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "no file" in wizard.file_page.message.text()


def test_one_sheet_can_be_chosen_and_renaming_a_column_follows_every_sheet(page, qtbot, tmp_path):
    resources = [["Resource ID", "Name", "Sensitivity"], ["db", "Claims database", "restricted"]]
    path = write_workbook(
        tmp_path / "two.xlsx",
        {"AI systems": SYSTEMS, "Identities": IDENTITIES, "Resources": resources},
    )
    wizard = page.start_import()
    open_file(wizard, qtbot, path)
    box = wizard.sheet_page.sheet_box
    box.setCurrentIndex(box.findData("Resources"))
    assert wizard.selected_sheet() == "Resources"
    wizard.next()
    assert [r.sheet for r in wizard.choices.rows] == ["Resources"] * 3
    wizard.back()
    box.setCurrentIndex(box.findData(""))
    wizard.next()
    mapping = wizard.mapping_page
    mapping.choose("Resources", "Name", "")
    assert mapping.combo_for("AI systems", "Name").currentData() == ""  # same column name
    assert wizard.mapping() == {"Name": "attribute"}
    mapping.reset_button.click()
    assert mapping.combo_for("AI systems", "Name").currentData() == "systems.name"
    assert wizard.mapping() == {}


def test_import_action_is_registered_for_the_welcome_panel(page, qtbot):
    from app.gui.dialogs.import_wizard import ImportWizard

    action = page._context.actions["inventory.import"]
    assert action.shortcut().toString() == "Ctrl+I"
    action.trigger()
    wizards = page.window().findChildren(ImportWizard)
    assert wizards
    assert wizards[-1].isVisible()
    wizards[-1].reject()


def test_cancel_in_the_progress_dialog_writes_nothing(page, qtbot, tmp_path):
    import threading

    from PySide6.QtWidgets import QProgressDialog, QPushButton

    from app.gui import tasks

    wizard, _path = checked_register(page, qtbot, tmp_path)
    process = prepared_process(wizard, qtbot)
    gate = threading.Event()
    tasks.run_task(lambda progress: gate.wait(10), writes=True)  # holds the write thread
    wizard.button(QWizard.WizardButton.FinishButton).click()
    task = wizard._apply_task
    dialog = wizard.findChildren(QProgressDialog)[-1]
    dialog.findChild(QPushButton).click()  # Cancel, pressed before the import has begun
    with qtbot.waitSignal(task.cancelled_signal, timeout=10_000):
        gate.set()
    assert list_systems(page._context.workspace) == []
    assert not process.is_alive()  # stopped unused
    assert prepared_process(wizard, qtbot) is not process  # a new one for the next Import
    assert "nothing was written" in wizard.preview_page.note.text()
    assert wizard.isVisible()
    assert wizard.preview_page.isComplete()  # the user may press Import again


@pytest.mark.parametrize("child", ["prepared", "fresh"])
def test_a_file_changed_after_its_dry_run_is_not_imported(
    page, qtbot, tmp_path, monkeypatch, child
):
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    wizard, path = checked_register(page, qtbot, tmp_path)
    if child == "prepared":  # it planned the file, before or after the change: both refused
        prepared_process(wizard, qtbot)
    else:  # no prepared process: a fresh child reads the changed file
        wizard.prepared.close()
    write_workbook(path, {"AI systems": [*SYSTEMS[:3], ["AIS-666", "Not checked"]]})
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    finish.click()
    qtbot.waitUntil(lambda: wizard._apply_task is None, timeout=30_000)
    assert len(shown) == 1
    assert "register.xlsx changed after it was checked" in shown[0]
    assert list_systems(page._context.workspace) == []
    assert wizard.isVisible()
    assert finish.isEnabled()  # the user may go back and check the new file


#: Headers at row 40, below a sign-off block whose words look like headers to the importer.
SIGNED_REGISTER = [
    ["Owner", "Name", "Status"],
    ["Risk team", "AI register", "Draft"],
    *([[]] * 37),
    ["System ID", "Name", "Owner email", "Autonomy"],
    ["AIS-1", "Claims agent", "ann@example.com", "advisory"],
    ["AIS-2", "Copilot", "bob@example.com", "autonomous"],
]


def choose_header_row(wizard, qtbot, value: int) -> None:
    sheet_page = wizard.sheet_page
    sheet_page.header_spin.setValue(value)
    assert not sheet_page.isComplete()  # until the sheet is read again
    qtbot.waitUntil(lambda: sheet_page._reread is None, timeout=10_000)


def test_a_chosen_header_row_is_read_on_a_worker_and_imported(page, qtbot, tmp_path, monkeypatch):
    import threading

    from app.gui.dialogs import import_sheet_page

    threads: list[threading.Thread] = []
    read_sheet = import_sheet_page.inspect_sheet

    def watched(*args, **kwargs):
        threads.append(threading.current_thread())
        return read_sheet(*args, **kwargs)

    monkeypatch.setattr(import_sheet_page, "inspect_sheet", watched)
    path = write_workbook(
        tmp_path / "signed.xlsx", {"AI systems": SIGNED_REGISTER, "Identities": IDENTITIES}
    )
    wizard = page.start_import()
    open_file(wizard, qtbot, path)
    sheet_page = wizard.sheet_page
    assert wizard.file_preview.sheet("AI systems").header_row == 1  # the sign-off block
    sheet_page.sheets.view.selectRow(0)
    spin = sheet_page.header_spin
    assert (spin.isEnabled(), spin.value(), spin.maximum()) == (True, 1, 42)
    choose_header_row(wizard, qtbot, 40)
    assert threads
    assert threading.main_thread() not in threads
    systems = wizard.file_preview.sheet("AI systems")
    assert (systems.header_row, systems.data_rows, systems.chosen) == (40, 2, True)
    assert [c.header for c in systems.columns][:2] == ["System ID", "Name"]
    assert sheet_page.sheets.selected_row() is systems
    assert spin.value() == 40
    assert sheet_page.header_hint.text() == "Chosen by you; Assay found row 1."
    labels = [sheet_page.sample.verticalHeaderItem(r).text()
              for r in range(sheet_page.sample.rowCount())]  # fmt: skip
    assert labels[:3] == ["38", "39", "40"]  # the sample shows the chosen row
    assert sheet_page.sample.item(2, 0).text() == "System ID"
    assert sheet_page.sample.item(2, 0).font().bold()
    assert wizard.plan_arguments()["header_rows"] == {"AI systems": 40}
    wizard.next()
    mapping = wizard.mapping_page
    assert mapping.combo_for("AI systems", "System ID").currentData() == "systems.id"
    plan = run_dry_run(wizard, qtbot)
    assert plan.options["header_rows"] == {"AI systems": 40}
    assert not plan.has_errors
    counts = {row.records: row for row in wizard.preview_page.counts.model.rows}
    assert (counts["AI systems"].new, counts["Identities"].new) == (2, 2)
    with qtbot.waitSignal(wizard.imported, timeout=30_000):  # re-read in a child process
        wizard.button(QWizard.WizardButton.FinishButton).click()
    ws = page._context.workspace
    assert [s.ext_id for s in list_systems(ws)] == ["AIS-1", "AIS-2"]
    assert get_system(ws, "AIS-2").row.name == "Copilot"


def test_an_empty_header_row_is_explained_and_the_guess_can_be_restored(page, qtbot, tmp_path):
    path = write_workbook(tmp_path / "signed.xlsx", {"AI systems": SIGNED_REGISTER})
    wizard = page.start_import()
    open_file(wizard, qtbot, path)
    sheet_page = wizard.sheet_page
    sheet_page.sheets.view.selectRow(0)
    choose_header_row(wizard, qtbot, 5)
    assert sheet_page.header_label.text() == (
        "Sheet 'AI systems' was not read again: signed.xlsx, sheet 'AI systems': row 5, "
        "chosen as the header row, is empty"
    )
    assert sheet_page.header_spin.value() == 1  # back to the row still in force
    assert sheet_page.header_rows == {}
    assert sheet_page.isComplete()
    choose_header_row(wizard, qtbot, 40)
    assert sheet_page.header_rows == {"AI systems": 40}
    choose_header_row(wizard, qtbot, 1)  # the row Assay found: no longer a choice
    assert sheet_page.header_rows == {}
    assert wizard.plan_arguments()["header_rows"] == {}
    assert wizard.file_preview.sheet("AI systems").header_row == 1
    assert sheet_page.header_hint.text().startswith("As Assay found it")


SAMPLES = Path(__file__).parents[2] / "resources" / "samples" / "identity-exports"


def test_an_identity_export_folder_needs_no_mapping_and_shows_its_conditional_grants(page, qtbot):
    wizard = page.start_import()
    open_file(wizard, qtbot, SAMPLES / "azure")
    assert wizard.file_preview.kind == "export"
    assert "role-assignments.json (Azure role assignments" in wizard.sheet_page.message.text()
    assert wizard.sheet_page.isComplete()
    wizard.next()
    assert "nothing to map" in wizard.mapping_page.summary.text()
    plan = run_dry_run(wizard, qtbot)
    assert not plan.has_errors
    counts = {row.records: row for row in wizard.preview_page.counts.model.rows}
    assert counts["Delegations"].new == 5
    conditional = wizard.preview_page.conditional.model.rows
    assert any("condition" in r.why or "deny" in r.why for r in conditional)
    assert any(r.identity.startswith("claims-triage-agent (") for r in conditional), (
        "an Entra object id is shown with its display name"
    )
    tabs = wizard.preview_page.tabs
    assert tabs.isTabVisible(tabs.indexOf(wizard.preview_page.conditional))
    assert not tabs.isTabVisible(tabs.indexOf(wizard.preview_page.values))
    assert wizard.preview_page.id_rule_box.isHidden()
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    ids = {row.ext_id for row in list_identities(page._context.workspace)}
    assert "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60" in ids


def test_the_prepared_process_imports_the_checked_file_and_ends(page, qtbot, tmp_path):
    wizard, _path = checked_register(page, qtbot, tmp_path)
    process = prepared_process(wizard, qtbot)
    with qtbot.waitSignal(wizard.imported, timeout=30_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert {s.ext_id for s in list_systems(page._context.workspace)} == {"AIS-001", "AIS-002"}
    assert process.used
    assert not process.is_alive()
    assert wizard.prepared.process is None  # the wizard closed: nothing left running


def test_going_back_stops_the_prepared_process_and_the_next_check_prepares_another(
    page, qtbot, tmp_path
):
    wizard, _path = checked_register(page, qtbot, tmp_path)
    first = prepared_process(wizard, qtbot)
    wizard.back()  # to the mapping step, where the options may change
    assert not first.is_alive()
    run_dry_run(wizard, qtbot)
    second = prepared_process(wizard, qtbot)
    assert second is not first
    with qtbot.waitSignal(wizard.imported, timeout=30_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert len(list_systems(page._context.workspace)) == 2


def test_closing_the_wizard_or_the_window_stops_the_prepared_process_unwritten(
    page, qtbot, tmp_path
):
    processes = []
    for _ in range(2):
        wizard, _path = checked_register(page, qtbot, tmp_path)
        processes.append(prepared_process(wizard, qtbot))
        if len(processes) == 1:
            wizard.reject()  # Cancel of the wizard
            assert not processes[0].is_alive()
    assert list_systems(page._context.workspace) == []
    page.window().close()  # the window closes with the wizard still open
    assert not processes[1].is_alive()
