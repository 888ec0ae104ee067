"""The main window shell: title, menus, navigation, workspaces, About, errors."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.gui.dialogs.about_dialog import AboutDialog
from app.gui.dialogs.error_dialog import error_box
from app.gui.pages.registry import PAGES
from app.services.errors import UserError
from app.storage.migrate import HEAD_REVISION
from app.support.preferences import load_preferences
from tests.gui.writes import announce, wait_written


def test_title_names_the_workspace(make_main_window):
    window = make_main_window("acme-2026.assay")
    assert window.windowTitle().startswith("acme-2026")


def test_file_menu_has_the_standard_actions(make_main_window):
    window = make_main_window()
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions() if a.text()]
    assert texts[:6] == [
        "&New workspace…",
        "&Open workspace…",
        "&Connect to server…",
        "&Import inventory…",
        "Explore the &demo",
        "Open &Recent",
    ]
    assert "&Quit" in texts
    assert window.new_action.shortcut().toString() == "Ctrl+N"
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"


def test_navigation_lists_every_page_and_switches(make_main_window):
    window = make_main_window()
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == [spec.label for spec in PAGES]
    for row, spec in enumerate(PAGES):
        window.nav.setCurrentRow(row)
        assert window.stack.currentWidget() is window.page(spec.key)


def test_overview_counts_records_read_on_a_worker(make_main_window, qtbot):
    window = make_main_window()
    page = window.page("overview")
    qtbot.waitUntil(lambda: page.summary is not None)
    assert page.tiles["systems"].text() == "0"
    from app.storage.models import AISystem

    with window.context.workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-9", name="Agent"))
    with qtbot.waitSignal(page.refreshed):
        announce(window.context, "systems")
        assert page.tiles["systems"].text() == "0", "the slot returns before the read"
    assert page.tiles["systems"].text() == "1"


def test_overview_counts_systems_with_unknown_access_after_the_summary(make_main_window, qtbot):
    window = make_main_window()
    page = window.page("overview")
    qtbot.waitUntil(lambda: page.tiles["systems_access_unknown"].text() == "0")
    from app.storage.models import AISystem

    with window.context.workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-1", name="Agent without identities"))
    with qtbot.waitSignal(page.access_counted):
        with qtbot.waitSignal(page.refreshed):
            announce(window.context, "systems")
        assert page.tiles["systems"].text() == "1"
        assert page.tiles["systems_access_unknown"].text() == "…", "counted after the summary"
        assert page.summary.systems_access_unknown is None
    assert page.tiles["systems_access_unknown"].text() == "1"
    assert page.summary.systems_access_unknown == 1


def test_opening_another_workspace_switches_and_remembers_it(make_main_window, tmp_path):
    window = make_main_window("first.assay")
    assert window.open_path(tmp_path / "second.assay", create=True)
    assert window.windowTitle().startswith("second")
    assert str((tmp_path / "second.assay").resolve()) == load_preferences().recent_workspaces[0]


def test_opening_a_bad_file_shows_an_error_and_keeps_the_workspace(
    make_main_window, tmp_path, monkeypatch
):
    shown = []
    monkeypatch.setattr(
        "app.gui.main_window.show_error", lambda _parent, title, exc: shown.append((title, exc))
    )
    window = make_main_window("kept.assay")
    (tmp_path / "bad.assay").write_text("not a database")
    assert not window.open_path(tmp_path / "bad.assay")
    assert window.windowTitle().startswith("kept")
    assert "not an Assay workspace" in str(shown[0][1])


def test_about_lists_versions(qtbot):
    dialog = AboutDialog(HEAD_REVISION)
    qtbot.addWidget(dialog)
    text = dialog.label.text()
    assert "Qt" in text
    assert "Python" in text
    assert HEAD_REVISION in text


def test_error_box_plain_for_user_errors_and_detailed_otherwise(qtbot):
    plain = error_box(None, "Import", UserError("row 3 has no id"))
    assert plain.text() == "row 3 has no id"
    assert plain.detailedText() == ""
    boom = RuntimeError("disk on fire")
    boom.__traceback_text__ = "Traceback: ..."
    detailed = error_box(None, "Import", boom)
    assert "disk on fire" in detailed.text()
    assert detailed.detailedText() == "Traceback: ..."
    assert detailed.icon() == QMessageBox.Icon.Warning


def test_empty_workspace_shows_the_welcome_with_working_buttons(
    make_main_window, tmp_path, monkeypatch, qtbot
):
    window = make_main_window("fresh.assay")
    page = window.page("overview")
    qtbot.waitUntil(lambda: not page.welcome.isHidden())
    assert {"workspace.new", "workspace.open", "inventory.import"} <= set(page.welcome.buttons)
    monkeypatch.setattr(
        "app.gui.file_dialogs.get_save_file_name",
        lambda *a, **k: str(tmp_path / "client-x"),
    )
    page.welcome.buttons["workspace.new"].click()
    assert window.windowTitle().startswith("client-x")
    assert (tmp_path / "client-x.assay").exists()


def test_recent_workspace_opens_from_the_welcome(make_main_window, tmp_path):
    first = make_main_window("one.assay")
    first.open_path(tmp_path / "two.assay", create=True)
    first.open_path(tmp_path / "one.assay")
    panel = first.page("overview").welcome
    panel.refresh()
    names = [panel.recent.item(i).text() for i in range(panel.recent.count())]
    assert names[:2] == ["one.assay", "two.assay"]
    panel.recent.itemActivated.emit(panel.recent.item(1))
    assert first.windowTitle().startswith("two")


def test_explore_the_demo_builds_and_opens_it_in_a_worker(make_main_window, qtbot):
    window = make_main_window("start.assay")
    page = window.page("overview")
    assert "demo.explore" in page.welcome.buttons
    page.welcome.buttons["demo.explore"].click()
    qtbot.waitUntil(lambda: window.windowTitle().startswith("northwind-demo"), timeout=120_000)
    qtbot.waitUntil(lambda: window.page("overview").tiles["systems"].text() == "25")


def test_overview_lists_open_findings_by_severity_and_busiest_systems(make_main_window, qtbot):
    from app.services.findings import create_finding
    from app.storage.models import AISystem

    window = make_main_window()
    ws = window.context.workspace
    with ws.db.write() as session:
        session.add(AISystem(external_id="AIS-1", name="<b>Agent</b>"))
    create_finding(ws, title="Shared key", severity="critical", system="AIS-1")
    create_finding(ws, title="No owner", severity="low", system="AIS-1")
    page = window.page("overview")
    with qtbot.waitSignal(page.refreshed):
        announce(window.context, "finding")
    assert "<b>1</b> critical" in page.severity_label.text()
    assert "&lt;b&gt;Agent&lt;/b&gt;" in page.busiest.text()
    assert page.welcome.isHidden()


def test_catalog_is_preloaded_off_the_ui_thread(make_main_window, qtbot):
    window = make_main_window()
    qtbot.waitUntil(lambda: window.context._catalog is not None, timeout=10_000)
    assert window.context.catalog().framework("nist-ai-rmf").id == "nist-ai-rmf"


def test_recent_list_skips_vanished_files_and_tells_same_names_apart(make_main_window, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    window = make_main_window("a/client.assay")
    window.open_path(tmp_path / "b" / "client.assay", create=True)
    window.open_path(tmp_path / "gone.assay", create=True)
    window.open_path(tmp_path / "a" / "client.assay")
    (tmp_path / "gone.assay").unlink()
    panel = window.page("overview").welcome
    panel.refresh()
    texts = [panel.recent.item(i).text() for i in range(panel.recent.count())]
    assert texts == [
        f"client.assay — {(tmp_path / 'a').resolve()}",
        f"client.assay — {(tmp_path / 'b').resolve()}",
    ]


def _busy_timeout(workspace) -> int:
    import sqlalchemy as sa

    with workspace.db.write() as session:
        return session.execute(sa.text("PRAGMA busy_timeout")).scalar_one()


def test_changes_made_in_the_window_wait_only_briefly_for_another_programs_lock(
    make_main_window, qtbot, tmp_path
):
    from app.gui import tasks
    from app.gui.writer import WRITE_WAIT_MS

    def writer_wait(window) -> int:
        got: list[int] = []
        window.context.write(_busy_timeout, on_success=got.append)
        wait_written(qtbot)
        return got[0]

    window = make_main_window("first.assay")
    assert writer_wait(window) == WRITE_WAIT_MS
    window.open_path(tmp_path / "second.assay", create=True)
    assert writer_wait(window) == WRITE_WAIT_MS, "a workspace opened later too"
    got: list[int] = []
    tasks.run_task(_busy_timeout, window.context.workspace, on_success=got.append,
                   with_progress=False)  # fmt: skip
    qtbot.waitUntil(lambda: bool(got))
    assert got[0] > WRITE_WAIT_MS, "other threads keep the long wait"
