"""The Framework version dialog and the OSCAL export of the Reports page, on a real workspace.

A fully answered owasp-nhi 2025 assessment is moved to the synthetic next version through the
window: the dialog previews on a worker, shows the scores before and after side by side and
the questions to review, and applies on the write thread.
"""

from __future__ import annotations

import threading

import pytest

from app.gui.dialogs import upgrade_dialog
from app.gui.dialogs.upgrade_dialog import UpgradeDialog
from app.gui.itemmodels.rows_table_model import ROW_ROLE
from app.services import assessments as svc
from app.services.oscal import export
from tests.services.test_oscal_export import check_export
from tests.services.test_upgrade import DRAFT
from tests.services.test_upgrade import answered as answered  # noqa: F401 - a fixture

WAIT_MS = 30_000


@pytest.fixture
def threads(monkeypatch):
    """Record the threads some service functions run on."""
    calls: dict[str, list[int]] = {}

    def watch(module, name: str) -> None:
        original = getattr(module, name)

        def recorded(*args, **kwargs):
            calls.setdefault(name, []).append(threading.get_ident())
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, recorded)

    watch(upgrade_dialog, "plan_upgrade")
    watch(upgrade_dialog, "upgrade_assessment")
    watch(export, "gather")
    return calls


@pytest.fixture
def page(workspace, answered, make_main_window):  # noqa: F811 - the imported fixture
    window = make_main_window(workspace=workspace)
    window.show_page("assessments")
    return window.page("assessments"), answered[0]


def _rows(table) -> list:
    model = table.proxy
    return [model.index(r, 0).data(ROW_ROLE) for r in range(model.rowCount())]


def _texts(table, row: int) -> list[str]:
    model = table.proxy
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_dialog_previews_then_moves_the_answers(page, qtbot, threads):
    assessments_page, assessment_id = page
    button = assessments_page.lifecycle.version_button
    qtbot.waitUntil(button.isEnabled, timeout=WAIT_MS)
    dialog = assessments_page.lifecycle.open_upgrade()
    assert isinstance(dialog, UpgradeDialog)
    qtbot.waitUntil(
        lambda: "knows no other version" in dialog.summary_label.text(), timeout=WAIT_MS
    )
    assert not dialog.apply_button.isEnabled()

    dialog.use_file(DRAFT)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=WAIT_MS)
    assert "2025 → 2026-draft" in dialog.summary_label.text()
    assert "22 answers carried, 4 flagged to review" in dialog.summary_label.text()
    scores = _rows(dialog.scores)
    assert scores[0].key == "overall"
    overall = _texts(dialog.scores, 0)
    assert overall[0] == "Overall"
    assert overall[1] == f"{scores[0].before['mean']:.2f}"
    assert overall[2] == f"{scores[0].after['mean']:.2f}"
    moves = _rows(dialog.moves)
    review = [m for m in moves if m.review]
    assert {m.old_id for m in review} == {
        "nhi.NHI2.q1",
        "nhi.NHI4.q1",
        "nhi.NHI4.q2",
        "nhi.NHI5.q1",
    }
    assert any(m.change == "new question" and m.new_ids == "nhi.NHI11.q1" for m in moves)
    assert any(m.change == "removed" and m.answer == "kept in the history" for m in moves)
    assert (
        svc.get_assessment(dialog._workspace, assessment_id).frameworks[0].version == "2025"
    )  # a preview writes nothing

    with qtbot.waitSignal(dialog.upgraded, timeout=WAIT_MS):
        dialog.apply_button.click()
    info = svc.get_assessment(dialog._workspace, assessment_id)
    assert info.frameworks[0].version == "2026-draft"
    main_thread = threading.get_ident()
    for name in ("plan_upgrade", "upgrade_assessment"):
        assert threads[name], name
        assert main_thread not in threads[name], name
    qtbot.waitUntil(  # the page reloads the assessment with the new version's questions
        lambda: (
            assessments_page.state is not None
            and "nhi.NHI11.q1" in assessments_page.state.responses
        ),
        timeout=WAIT_MS,
    )
    assert assessments_page.state.responses["nhi.NHI4.auth"].flagged


def test_a_final_assessment_cannot_change_version(page, qtbot):
    assessments_page, assessment_id = page
    workspace = assessments_page.workspace
    svc.submit_for_review(workspace, assessment_id)
    svc.finalize(workspace, assessment_id, force=True)
    assessments_page.refresh(select=assessment_id)
    qtbot.waitUntil(lambda: assessments_page.lifecycle.status_label.text() != "", timeout=WAIT_MS)
    assert not assessments_page.lifecycle.version_button.isEnabled()


def test_reports_page_exports_oscal(
    workspace, answered, make_main_window, qtbot, tmp_path, threads
):  # noqa: F811
    window = make_main_window(workspace=workspace)
    window.show_page("reports")
    reports = window.page("reports")
    assert reports.oscal_button.isEnabled()
    out = tmp_path / "oscal"
    reports.export_oscal_to(out)
    qtbot.waitUntil(lambda: reports.result_label.text().startswith("Wrote"), timeout=WAIT_MS)
    assert "OSCAL documents and 2 evidence files" in reports.result_label.text()
    check_export(out)
    assert threading.get_ident() not in threads["gather"]
