"""The messy bank register through the import wizard: values step, id rule and profiles."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard

from app.services.inventory_queries import list_identities, list_systems
from tests.gui.test_import_wizard import open_file, run_dry_run
from tests.inventory_files import BANK_LINKS, BANK_SYSTEM_COUNT, write_bank_register


@pytest.fixture
def page(make_main_window, qtbot):
    window = make_main_window()
    window.show_page("inventory")
    page = window.page("inventory")
    qtbot.waitUntil(lambda: page._load_task is None, timeout=10_000)
    return page


def _check_again(wizard, qtbot):
    with qtbot.waitSignal(wizard.preview_page.plan_ready, timeout=15_000) as blocker:
        wizard.preview_page.again_button.click()
    return blocker.args[0]


def test_bank_register_values_step_then_a_saved_profile_imports_in_one_step(page, qtbot, tmp_path):
    bank = write_bank_register(tmp_path / "bank.xlsx")
    wizard = page.start_import()
    open_file(wizard, qtbot, bank)
    wizard.next()
    plan = run_dry_run(wizard, qtbot)
    preview = wizard.preview_page
    assert not plan.has_errors
    assert plan.summary()["systems"]["creates"] == BANK_SYSTEM_COUNT
    assert preview.tabs.currentIndex() == 1
    assert preview.tabs.tabText(1) == "Values not understood (1)"
    assert preview.values.item(0, 2).text() == "Sometimes"
    assert preview.values.item(0, 3).text() == "2"
    text = preview.summary.text()
    assert "Skipped 3 non-data rows" in text
    assert "8 of 9 permission entries understood." in text
    assert not any("--" in p.reason for p in plan.problems)  # the window's own words
    preview.values.choose("Autonomy", "Sometimes", "human-in-the-loop")
    assert "Check again" in preview.note.text()
    plan = _check_again(wizard, qtbot)
    assert plan.parsed.unknown_values == []
    assert preview.values.rowCount() == 1  # still listed, to change or undo
    profile = tmp_path / "bank-profile.json"
    assert wizard.save_profile(profile)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        finish.click()
    workspace = page._context.workspace
    systems = {s.ext_id: s for s in list_systems(workspace)}
    assert len(systems) == BANK_SYSTEM_COUNT
    assert systems["AI-005"].autonomy == "human-in-the-loop"
    links = {(s, i.ext_id) for i in list_identities(workspace) for s in i.systems}
    assert links == BANK_LINKS
    assert sum(i.grants for i in list_identities(workspace)) == 7

    again = page.start_import()
    assert again.load_profile(profile)
    assert "1 value meaning," in again.file_page.profile_label.text()
    open_file(again, qtbot, bank)
    again.next()
    plan = run_dry_run(again, qtbot)
    assert plan.parsed.unknown_values == []
    assert plan.summary()["systems"]["unchanged"] == BANK_SYSTEM_COUNT
    assert again.button(QWizard.WizardButton.FinishButton).isEnabled()
    again.reject()


def test_the_id_rule_is_chosen_on_the_check_step(page, qtbot, tmp_path):
    bank = write_bank_register(tmp_path / "bank.xlsx")
    wizard = page.start_import()
    open_file(wizard, qtbot, bank)
    wizard.next()
    run_dry_run(wizard, qtbot)
    box = wizard.preview_page.id_rule_box
    index = box.findData("Business Unit+AI System / Use case")
    assert index > 0
    box.setCurrentIndex(index)
    box.activated.emit(index)
    plan = _check_again(wizard, qtbot)
    ids = {r.key[0] for r in plan.parsed.records["systems"]}
    assert "Commercial / Underwriting summariser" in ids
    assert plan.options["id_rule"] == "Business Unit+AI System / Use case"
    wizard.reject()


def test_a_drop_down_list_sheet_is_not_called_empty():
    from app.ingest.xlsx import RawSheet
    from app.services.inventory_import.inspection import preview_sheet

    # A hidden sheet of drop-down values, no header row: passed over, and said why.
    lookup = preview_sheet(RawSheet("lookup", [["HITL"], ["HOTL"], ["Autonomous"]]), "r.xlsx", "")
    assert lookup.entity is None
    assert lookup.note == "not imported: no inventory table (notes or drop-down lists)"
    assert preview_sheet(RawSheet("Sheet3", [[None], [""]]), "r.xlsx", "").note == "empty"
