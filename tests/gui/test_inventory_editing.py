"""Editing the inventory in the window: add, edit, delete records and the engagement."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtWidgets import QMessageBox

from app.gui.dialogs.record_dialog import RecordDialog, field_label
from app.ingest.fields import GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.services.engagement import get_engagement
from app.services.inventory_edit import add_record
from app.services.inventory_queries import get_system, list_systems
from app.services.workspace import open_workspace
from app.storage.models import JournalEntry


@pytest.fixture
def page(make_main_window, workspace, qtbot):
    add_record(workspace, SYSTEMS, "AIS-1", {"name": "Claims bot"})
    add_record(workspace, IDENTITIES, "svc-1", {"kind": "service account", "systems": "AIS-1"})
    add_record(workspace, RESOURCES, "claims-db", {"sensitivity": "restricted"})
    window = make_main_window(workspace=workspace)
    window.show_page("inventory")
    page = window.page("inventory")
    qtbot.waitUntil(lambda: page._load_task is None and page._analysis_task is None, timeout=10_000)
    return page


def _actions(ws) -> list[tuple[str, str]]:
    with ws.db.read() as session:
        rows = session.execute(
            sa.select(JournalEntry.action, JournalEntry.entity_id).order_by(JournalEntry.seq)
        )
        return [tuple(r) for r in rows]


def _save(dialog, qtbot) -> None:
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=10_000)


def test_adding_a_system_in_the_window_is_journalled_and_listed(page, workspace, qtbot):
    dialog = page.add_record(SYSTEMS)
    _save(dialog, qtbot)
    dialog.inputs["id"].setText("AIS-2")
    dialog.inputs["name"].setText("Pricing agent")
    dialog.inputs["autonomy"].setCurrentText("autonomous")
    dialog.inputs["owner"].setText("Tom Reed <tom.reed@example.com>")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert _actions(workspace)[-1] == ("inventory.add", "AIS-2")
    qtbot.waitUntil(lambda: "AIS-2" in [r.ext_id for r in page.systems.model.rows], timeout=10_000)
    assert get_system(workspace, "AIS-2").row.autonomy == "autonomous"


def test_a_refused_value_is_shown_in_words_and_the_dialog_stays(page, workspace, qtbot):
    page.tabs.setCurrentWidget(page.systems)
    page.systems.view.selectRow(0)
    dialog = page.edit_selected()
    _save(dialog, qtbot)
    assert dialog.inputs["id"].isReadOnly() or not dialog.inputs["id"].isEnabled()
    assert dialog.inputs["name"].text() == "Claims bot"
    dialog.inputs["review_due"].setText("next spring")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    text = dialog.error.text()
    assert text.startswith("Review due:")
    assert "--" not in text
    assert dialog.isVisible()
    dialog.inputs["review_due"].setText("2027-03-01")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert _actions(workspace)[-1] == ("inventory.edit", "AIS-1")


def test_edits_survive_reopening_the_workspace(page, workspace, qtbot, tmp_path: Path):
    dialog = page.add_record(GRANTS, {"identity": "svc-1"})
    _save(dialog, qtbot)
    dialog.inputs["resource"].setCurrentText("claims-db")
    dialog.inputs["action"].setCurrentText("write")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    path = workspace.path
    workspace.close()
    again = open_workspace(path, actor="tester")
    try:
        from app.services.identity_analysis import analyse_system

        blast = analyse_system(again, "AIS-1").blast_radius
        assert blast.known
        assert blast.resources[0].resource == "claims-db"
    finally:
        again.close()


def test_deleting_a_system_asks_first(page, workspace, qtbot, monkeypatch):
    page.tabs.setCurrentWidget(page.systems)
    page.systems.view.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert page.delete_selected() is None
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    task = page.delete_selected()
    assert task is not None
    qtbot.waitUntil(lambda: list_systems(workspace) == [], timeout=10_000)
    assert _actions(workspace)[-1] == ("inventory.delete", "AIS-1")


def test_engagement_details_are_edited_in_the_window(page, workspace, qtbot):
    dialog = page.edit_engagement()
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=10_000)
    dialog.inputs["client"].setText("Example Bank")
    dialog.inputs["reviewer"].setText("R. Viewer")
    dialog.inputs["start_date"].setText("2027-02-30")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text().startswith("Start date:")
    dialog.inputs["start_date"].setText("2027-02-01")
    dialog.inputs["classification"].setCurrentText("restricted")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    info = get_engagement(workspace)
    assert (info.client, info.reviewer, info.classification) == (
        "Example Bank",
        "R. Viewer",
        "restricted",
    )
    assert _actions(workspace)[-1][0] == "engagement.update"


def test_grant_and_resource_edits_from_the_system_view(page, workspace, qtbot):
    add_record(workspace, GRANTS, ("svc-1", "claims-db", "read", ""))
    view = page.open_system("AIS-1")
    qtbot.waitUntil(lambda: view.data is not None and view.grants.model.rowCount() == 1,
                    timeout=10_000)  # fmt: skip
    view.grants.view.selectRow(0)
    dialog = view.edit_resource()
    _save(dialog, qtbot)
    assert dialog.inputs["sensitivity"].currentText() == "restricted"
    dialog.inputs["sensitivity"].setCurrentText("public")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert _actions(workspace)[-1] == ("inventory.edit", "claims-db")


def test_the_wizard_lists_a_window_edit_as_changed_in_assay(page, workspace, qtbot, tmp_path):
    from openpyxl import Workbook

    from app.services.inventory_import import import_inventory

    book = Workbook()
    sheet = book.active
    sheet.title = "AI systems"
    sheet.append(["id", "name", "exposure"])
    sheet.append(["AIS-1", "Claims bot", "internal"])
    book.save(tmp_path / "register.xlsx")
    import_inventory(workspace, tmp_path / "register.xlsx")
    page.tabs.setCurrentWidget(page.systems)
    qtbot.waitUntil(lambda: page._load_task is None, timeout=10_000)
    page.systems.view.selectRow(0)
    dialog = page.edit_selected()
    _save(dialog, qtbot)
    dialog.inputs["exposure"].setCurrentText("partner")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    wizard = page.start_import()
    wizard.file_page.path_edit.setText(str(tmp_path / "register.xlsx"))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.file_preview is not None, timeout=10_000)
    wizard.next()
    with qtbot.waitSignal(wizard.preview_page.plan_ready, timeout=15_000):
        wizard.next()
    preview = wizard.preview_page
    (kept,) = preview.kept.model.rows
    assert (kept.key, kept.field, kept.in_assay, kept.in_file) == (
        ("AIS-1",),
        "exposure",
        "partner",
        "internal",
    )
    # Found by its widget: the check's tabs gained "Columns read" before this one.
    kept_tab = preview.tabs.indexOf(preview.kept)
    assert preview.tabs.tabText(kept_tab) == "Changed in Assay since the last import (1)"
    assert "1 value changed in Assay since the last import is kept" in preview.summary.text()
    wizard.reject()


def test_the_add_menu_and_window_titles_spell_ai_system_and_grants_as_written(page, qtbot):
    texts = [a.text() for a in page.add_button.menu().actions()]
    assert texts == ["AI system…", "Identity…", "Resource…", "Grant…", "Delegation…"]
    add_record(page._context.workspace, GRANTS, ("svc-1", "claims-db", "read", ""))
    dialog = page._open_record(
        RecordDialog(page._context, GRANTS, ("svc-1", "claims-db", "read", ""), None, page)
    )
    assert dialog.windowTitle() == "Edit grant svc-1 → claims-db → read"  # no dangling arrow
    assert field_label("id") == "ID"
    dialog.close()
