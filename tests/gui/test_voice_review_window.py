"""The window's part of the assessor's voice: the review box, the opinion and request dialogs."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from app.gui.dialogs.opinion_dialog import OpinionDialog
from app.gui.dialogs.requests_dialog import RequestsDialog
from app.services import evidence_requests, opinion, provenance, review
from app.services.workspace import open_workspace

_HERE = Path(__file__).with_name("test_assessments_page.py")
_spec = importlib.util.spec_from_file_location("assessments_page_helpers", _HERE)
helpers = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("assessments_page_helpers", helpers)
_spec.loader.exec_module(helpers)


@pytest.fixture
def opened(make_main_window, qtbot, tmp_path):
    workspace = open_workspace(tmp_path / "engagement.assay", actor="tester")
    helpers.add_system(workspace)
    assessment_id = helpers.small_assessment(workspace)
    window, page = helpers.open_page(make_main_window, qtbot, workspace)
    return window, page, workspace, assessment_id


def _shot(widget, name: str) -> None:
    """Save a screenshot when ASSAY_SCREENSHOTS names a folder (for looking at the window)."""
    folder = os.environ.get("ASSAY_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def test_the_review_box_records_verification_and_comments(opened, qtbot):
    window, page, ws, assessment_id = opened
    question = page.panel.question_id
    box = page.panel.review
    qtbot.waitUntil(lambda: "Assessor" in box.source_label.text())
    provenance.set_source(ws, assessment_id, [question], "client")
    box.reload()
    qtbot.waitUntil(lambda: "not verified" in box.source_label.text())
    box.method_box.setCurrentIndex(1)
    box.with_edit.setText("Maria Okafor")
    box.record_verification()
    qtbot.waitUntil(lambda: "verified by interview with Maria Okafor" in box.source_label.text())
    box.comment_edit.setText("Which document shows the rotation?")
    box.add_comment()
    qtbot.waitUntil(lambda: box.comments.count() == 1)
    assert box.comments.item(0).text().startswith("[OPEN] tester: Which document")
    window.resize(1280, 1100)
    _shot(page, "question-panel-review")
    box.comments.setCurrentRow(0)
    box.comment_edit.setText("Seen in the key vault export")
    box.resolve_selected()
    qtbot.waitUntil(lambda: box.comments.count() == 1 and "resolved" in box.comments.item(0).text())
    assert review.list_comments(ws, assessment_id, open_only=True) == []


def test_the_opinion_dialog_drafts_keeps_edits_and_approves(opened, qtbot):
    window, page, ws, assessment_id = opened
    dialog = OpinionDialog(window.context, assessment_id, page)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.approval.text() != "")
    dialog.edits["rationale"].setPlainText("Identity controls are the weak point.")
    dialog.offer_draft()
    qtbot.waitUntil(lambda: dialog.edits["executive_summary"].toPlainText() != "")
    assert dialog.edits["rationale"].toPlainText() == "Identity controls are the weak point."
    assert "Rationale" in dialog.marks.text()
    dialog.resize(760, 820)
    _shot(dialog, "opinion-dialog")
    review.add_comment(ws, assessment_id, "Check the summary")
    dialog.approve()
    qtbot.waitUntil(lambda: not dialog.error.isHidden())
    assert "open review comment" in dialog.error.text()
    assert opinion.get_opinion(ws, assessment_id).rationale.startswith("Identity controls")


def test_the_requests_dialog_shows_overdue_and_moves_a_request_on(opened, qtbot):
    window, page, ws, assessment_id = opened
    question = page.panel.question_id
    evidence_requests.add_request(
        ws, assessment_id, contact="Maria Okafor", description="Rotation log",
        due_date=dt.date.today() - dt.timedelta(days=3), question_id=question,
    )  # fmt: skip
    dialog = RequestsDialog(window.context, assessment_id, page)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    assert dialog.table.item(0, 5).text() == "requested — overdue"
    assert "1 overdue" in dialog.summary.text()
    dialog.subject_edit.setText(question)
    dialog.contact_edit.setText("Ken Ito")
    dialog.what_edit.setText("Model card")
    dialog.add()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2)
    _shot(dialog, "requests-dialog")
    dialog.table.selectRow(0)
    dialog.status_box.setCurrentText("received")
    dialog.set_status()
    qtbot.waitUntil(lambda: dialog.table.item(0, 5).text() == "received")
    dialog.contact_edit.clear()
    dialog.add()
    qtbot.waitUntil(lambda: not dialog.error.isHidden())
    assert "needs the name of the client contact" in dialog.error.text()


def test_the_opinion_dialog_lists_every_review_comment(opened, qtbot):
    window, page, ws, assessment_id = opened
    question = page.panel.question_id
    on_whole = review.add_comment(ws, assessment_id, "Say why the batch jobs are out of scope")
    on_answer = review.add_comment(ws, assessment_id, "Level 2 needs a log", question_id=question)
    review.resolve_comment(ws, on_answer.id, "Log attached")
    dialog = OpinionDialog(window.context, assessment_id, page)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.review_list.count() == 2)
    lines = [dialog.review_list.item(i).text() for i in range(2)]
    assert lines == [
        f"[OPEN] #{on_whole.id} on the assessment, by tester: "
        "Say why the batch jobs are out of scope",
        f"[resolved] #{on_answer.id} on {question}, by tester: Level 2 needs a log — Log attached",
    ]
    dialog.resize(760, 900)
    _shot(dialog, "opinion-dialog-review")
    review.resolve_comment(ws, on_whole.id, "Limitation written")
    empty = OpinionDialog(window.context, assessment_id, page)
    qtbot.addWidget(empty)
    qtbot.waitUntil(lambda: empty.review_list.count() == 2)
    assert "[OPEN]" not in " ".join(empty.review_list.item(i).text() for i in range(2))


def _returned_sheet(ws, assessment_id: int, book: Path, name: str, profile: str = "internal"):
    """Write the workbook and open one sheet of it, as the person filling it in would."""
    from openpyxl import load_workbook

    from app.services.reporting import generate_workbook

    generate_workbook(ws, assessment_id, book, profile=profile)
    wb = load_workbook(book)
    sheet = wb[name]
    return wb, sheet, {c.value: c.column for c in sheet[1]}


def _type(returned, book: Path, cells: dict[tuple[int, str], object]) -> None:
    """Type values into cells (row, header) of the returned sheet and save the workbook."""
    wb, sheet, headers = returned
    for (row, header), value in cells.items():
        sheet.cell(row=row, column=headers[header]).value = value
    wb.save(book)


def _refused(qtbot, dialog, read, book: Path) -> str:
    """Read a sheet that has a problem; return the error the dialog shows."""
    read(book)
    qtbot.waitUntil(lambda: not dialog.error.isHidden())
    return dialog.error.text()


def _answer_yes(monkeypatch) -> list[str]:
    """Answer Yes to the next questions; return what was asked."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.Yes
    )
    return asked


def test_the_opinion_dialog_reads_back_the_review_sheet(opened, qtbot, tmp_path, monkeypatch):
    window, page, ws, assessment_id = opened
    comment = review.add_comment(ws, assessment_id, "Name the interviewee")
    book = tmp_path / "review.xlsx"
    returned = _returned_sheet(ws, assessment_id, book, "Review comments")
    _type(returned, book, {(2, "Resolution"): "Named in the notes", (3, "About"): "F-999",
                           (3, "Comment"): "Which finding?"})  # fmt: skip
    dialog = OpinionDialog(window.context, assessment_id, page)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.review_list.count() == 1)
    assert "row 3, column About: no finding F-999" in _refused(
        qtbot, dialog, dialog.read_review_sheet, book
    )
    _shot(dialog, "opinion-dialog-sheet-refused")
    assert review.list_comments(ws, assessment_id, open_only=True)[0].id == comment.id

    _type(returned, book, {(3, "About"): None, (3, "Comment"): None})
    asked = _answer_yes(monkeypatch)
    dialog.read_review_sheet(book)
    qtbot.waitUntil(lambda: "[resolved]" in dialog.review_list.item(0).text())
    assert asked == [f"Row 2: comment {comment.id} resolved"]
    assert dialog.review_list.item(0).text().endswith("Name the interviewee — Named in the notes")


def test_the_requests_dialog_reads_back_the_requests_sheet(opened, qtbot, tmp_path, monkeypatch):
    window, page, ws, assessment_id = opened
    request = evidence_requests.add_request(
        ws, assessment_id, contact="Maria Okafor", description="Rotation log",
        due_date=dt.date.today() + dt.timedelta(days=3), question_id=page.panel.question_id,
    )  # fmt: skip
    book = tmp_path / "client.xlsx"
    returned = _returned_sheet(ws, assessment_id, book, "Evidence requests", "client")
    _type(returned, book, {(2, "Status"): "lost"})
    dialog = RequestsDialog(window.context, assessment_id, page)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    assert "sheet Evidence requests, row 2, column Status: must be one of" in _refused(
        qtbot, dialog, dialog.read_requests_sheet, book
    )
    _type(returned, book, {(2, "Status"): "received"})
    asked = _answer_yes(monkeypatch)
    dialog.read_requests_sheet(book)
    qtbot.waitUntil(lambda: dialog.table.item(0, 5).text() == "received")
    assert asked == [f"Row 2: request {request.id}: status received"]


def test_a_final_assessments_opinion_is_shown_read_only(opened, qtbot):
    from app.services.assessment_lifecycle import finalize, submit_for_review

    window, page, ws, assessment_id = opened
    opinion.write_opinion(ws, assessment_id, rationale="Kept as it was reported.")
    submit_for_review(ws, assessment_id)
    review.approve(ws, assessment_id)
    finalize(ws, assessment_id, force=True)
    dialog = OpinionDialog(window.context, assessment_id, page)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.edits["rationale"].toPlainText() != "")
    assert opinion.get_opinion(ws, assessment_id).final
    assert all(edit.isReadOnly() for edit in dialog.edits.values())
    for control in (dialog.draft_button, dialog.approve_button, dialog.rating_box):
        assert not control.isEnabled()
    assert not dialog.sheet_button.isEnabled()
    assert "final" in dialog.marks.text()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Close"
