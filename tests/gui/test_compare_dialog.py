"""Compare two rounds of an assessment from the Assessments page, on a real workspace.

The first round is answered and finalised, re-assessed, and the second round's answers are
changed; the dialog must show the real figures of both rounds, filter the changed answers and
read the comparison on a worker, never on the UI thread.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.gui.dialogs import compare_dialog
from app.gui.dialogs.compare_dialog import BETTER, COMPARING_TEXT, WORSE, CompareDialog
from app.gui.itemmodels.rows_table_model import ROW_ROLE
from app.gui.widgets import lifecycle_bar
from app.services import assessments as svc
from app.services.workspace import open_workspace
from app.storage.models import AISystem

Q1, Q2, Q3, Q4 = "nhi.NHI1.q1", "nhi.NHI7.q1", "nhi.NHI2.q1", "nhi.NHI3.q1"
CHANGED = {Q1, Q2, Q3, Q4}


class Rounds:
    """A workspace with two rounds of AIS-001 and one assessment of AIS-002."""

    def __init__(self, workspace) -> None:
        self.workspace = workspace
        with workspace.db.write() as session:
            session.add(AISystem(external_id="AIS-001", name="Claims agent", autonomy="autonomous"))
            session.add(AISystem(external_id="AIS-002", name="Help desk bot", autonomy="advisory"))
        self.first = svc.new_assessment(workspace, "AIS-001", ["owasp-nhi"]).id
        svc.answer(workspace, self.first, Q1, 2)
        svc.answer(workspace, self.first, Q2, 4)
        svc.answer(workspace, self.first, Q3, "na", note="no secrets in code")
        svc.answer(workspace, self.first, Q4, 3, note="quarterly review")
        svc.submit_for_review(workspace, self.first)
        svc.finalize(workspace, self.first, force=True)
        self.second = svc.reassess(workspace, self.first, title="Second round").id
        svc.answer(workspace, self.second, Q1, 3)  # improved
        svc.answer(workspace, self.second, Q2, 1)  # worse
        svc.answer(workspace, self.second, Q3, 2)  # was N/A
        svc.answer(workspace, self.second, Q4, 3, note="monthly review")  # notes only
        self.other = svc.new_assessment(workspace, "AIS-002", ["owasp-nhi"]).id


@pytest.fixture
def rounds(tmp_path):
    workspace = open_workspace(tmp_path / "rounds.assay", actor="tester")
    return Rounds(workspace)


class Threads:
    """Records the thread each call of a watched service function ran on."""

    def __init__(self, monkeypatch) -> None:
        self._monkeypatch = monkeypatch
        self.calls: dict[str, list[int]] = {}

    def watch(self, module, name: str) -> None:
        original = getattr(module, name)

        def recorded(*args, **kwargs):
            self.calls.setdefault(name, []).append(threading.get_ident())
            return original(*args, **kwargs)

        self._monkeypatch.setattr(module, name, recorded)

    def assert_off_ui_thread(self, name: str) -> None:
        assert self.calls.get(name), f"{name} was never called"
        assert threading.get_ident() not in self.calls[name], f"{name} ran on the UI thread"


@pytest.fixture
def errors(monkeypatch):
    """Error boxes are recorded instead of shown (a modal box would stop the test)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    return shown


def open_on(make_main_window, qtbot, workspace, assessment_id: int):
    window = make_main_window(workspace=workspace)
    window.show()
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None, timeout=10_000)
    page.refresh(select=assessment_id)
    qtbot.waitUntil(lambda: page.state.info.id == assessment_id, timeout=10_000)
    qtbot.waitUntil(lambda: page.lifecycle.rounds is not None, timeout=10_000)
    return page.lifecycle


def compared(qtbot, bar) -> CompareDialog:
    bar.compare_button.click()
    dialog = bar.compare_dialog
    assert dialog is not None
    assert dialog.status_label.text() == COMPARING_TEXT  # the read runs on a worker
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=10_000)
    return dialog


def shown_rows(table) -> list:
    proxy = table.proxy
    return [proxy.mapToSource(proxy.index(r, 0)).data(ROW_ROLE) for r in range(proxy.rowCount())]


def row_number(table, key: str) -> int:
    """Return the shown row whose node id or question id is ``key``."""
    for number, row in enumerate(shown_rows(table)):
        if key in (getattr(row, "key", None), getattr(row, "question_id", None)):
            return number
    raise AssertionError(f"{key} is not shown")


def headers(table) -> list[str]:
    proxy = table.proxy
    return [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())]


def cells(table, key: str) -> dict[str, str]:
    """Return the texts of the shown row of ``key`` by column header."""
    number = row_number(table, key)
    return {h: table.proxy.index(number, c).data() for c, h in enumerate(headers(table))}


def tooltip(table, key: str) -> str:
    return table.proxy.index(row_number(table, key), 0).data(Qt.ItemDataRole.ToolTipRole)


def colour(table, key: str, header: str) -> str | None:
    index = table.proxy.index(row_number(table, key), headers(table).index(header))
    brush = index.data(Qt.ItemDataRole.ForegroundRole)
    return brush.color().name() if brush is not None else None


def test_compare_is_enabled_only_when_the_system_has_another_round(make_main_window, qtbot, rounds):
    bar = open_on(make_main_window, qtbot, rounds.workspace, rounds.other)
    assert bar.rounds == []
    assert not bar.compare_button.isEnabled()
    assert "No other assessment" in bar.compare_button.toolTip()
    assert bar.open_compare() is None
    page = bar.parent()
    page.refresh(select=rounds.second)
    qtbot.waitUntil(lambda: bar.rounds is not None and bar.rounds != [], timeout=10_000)
    assert [info.id for info in bar.rounds] == [rounds.first]
    assert bar.compare_button.isEnabled()
    assert bar.compare_button.text() == "Compare…"
    assert "another round" in bar.compare_button.toolTip()


def test_scores_of_both_rounds_and_the_changed_answers(
    make_main_window, qtbot, rounds, monkeypatch, errors
):
    threads = Threads(monkeypatch)
    threads.watch(compare_dialog, "compare_assessments")
    threads.watch(lifecycle_bar, "list_assessments")
    bar = open_on(make_main_window, qtbot, rounds.workspace, rounds.second)
    dialog = compared(qtbot, bar)
    threads.assert_off_ui_thread("list_assessments")
    threads.assert_off_ui_thread("compare_assessments")
    assert dialog.other_id() == rounds.first  # the round it was re-assessed from
    assert dialog.direction_label.text().startswith(f"Before: #{rounds.first} ")
    assert f"After: #{rounds.second} Second round (Draft" in dialog.direction_label.text()
    assert dialog.status_label.text().startswith(
        "23 questions: ▲ 1 improved, ▼ 1 worse, 1 N/A changed, 20 at the same level;"
    )
    assert dialog.status_label.text().endswith("notes changed on 1.")

    nodes = dialog.nodes
    assert nodes.count_label.text() == "11 nodes"  # the framework and its ten risks
    # Round 1: levels 2, 4, 3 (N/A left out) = 3.00; round 2: 3, 1, 2, 3 = 2.25.
    framework = cells(nodes, "owasp-nhi")
    assert framework["Node"] == "OWASP Non-Human Identities Top 10 (2025)"
    assert (framework["Mean before"], framework["Mean after"]) == ("3.00", "2.25")
    assert framework["Mean change"] == "▼ −0.75"
    assert framework["Trend"] == "worse"
    assert colour(nodes, "owasp-nhi", "Mean change") == WORSE
    nhi1 = cells(nodes, "owasp-nhi/NHI1")
    assert nhi1["Part of"] == "OWASP Non-Human Identities Top 10 (2025)"
    assert (nhi1["Mean before"], nhi1["Mean after"], nhi1["Mean change"]) == (
        "2.00",
        "3.00",
        "▲ +1.00",
    )
    assert (nhi1["Achieved before"], nhi1["Achieved after"]) == ("0", "0")  # two unanswered
    assert nhi1["Trend"] == "better"
    assert colour(nodes, "owasp-nhi/NHI1", "Mean change") == BETTER
    nhi7 = cells(nodes, "owasp-nhi/NHI7")
    assert (nhi7["Mean before"], nhi7["Mean after"], nhi7["Mean change"]) == (
        "4.00",
        "1.00",
        "▼ −3.00",
    )
    assert cells(nodes, "owasp-nhi/NHI3")["Mean change"] == "= 0.00"
    assert cells(nodes, "owasp-nhi/NHI3")["Trend"] == "same"
    assert "Mean maturity: 4.00 → 1.00 (▼ −3.00)" in tooltip(nodes, "owasp-nhi/NHI7")
    nodes.filter_box.setCurrentText("Worse")
    worse = {row.key for row in shown_rows(nodes)}
    assert {"owasp-nhi", "owasp-nhi/NHI7"} <= worse
    assert "owasp-nhi/NHI1" not in worse
    nodes.filter_box.setCurrentText("Improved")
    assert "owasp-nhi/NHI1" in {row.key for row in shown_rows(nodes)}

    questions = dialog.questions
    assert dialog.tabs.tabText(1) == "Answers (4 changed)"
    assert questions.filter_box.currentText() == "Only changed"
    assert {row.question_id for row in shown_rows(questions)} == CHANGED
    assert questions.count_label.text() == "4 of 23 questions"
    q1 = cells(questions, Q1)
    assert (q1["Before"], q1["After"], q1["Change"]) == (
        "2 Repeatable",
        "3 Defined",
        "▲ +1 improved",
    )
    assert colour(questions, Q1, "Change") == BETTER
    q2 = cells(questions, Q2)
    assert (q2["Before"], q2["After"], q2["Change"]) == ("4 Managed", "1 Initial", "▼ −3 worse")
    assert colour(questions, Q2, "Change") == WORSE
    q3 = cells(questions, Q3)
    assert (q3["Before"], q3["After"], q3["Change"], q3["Notes"]) == (
        "N/A",
        "2 Repeatable",
        "N/A changed",
        "",
    )
    q4 = cells(questions, Q4)
    assert (q4["Before"], q4["After"], q4["Change"]) == ("3 Defined", "3 Defined", "= same")
    assert q4["Notes"] == "changed: monthly review"
    tip = questions.proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("nhi.")

    questions.filter_box.setCurrentText("Improved")
    assert [row.question_id for row in shown_rows(questions)] == [Q1]
    questions.filter_box.setCurrentText("Worse")
    assert [row.question_id for row in shown_rows(questions)] == [Q2]
    questions.filter_box.setCurrentText("Notes changed")
    assert [row.question_id for row in shown_rows(questions)] == [Q4]
    questions.filter_box.setCurrentText("All questions")
    assert questions.count_label.text() == "23 questions"
    questions.search.setText("NHI7")
    qtbot.waitUntil(lambda: questions.proxy.rowCount() < 23)
    assert {row.question_id for row in shown_rows(questions)} == {
        row.question_id for row in dialog.view.questions if row.question_id.startswith("nhi.NHI7")
    }
    assert errors == []


def test_the_first_round_compares_with_its_reassessment_earlier_round_first(
    make_main_window, qtbot, rounds, errors
):
    bar = open_on(make_main_window, qtbot, rounds.workspace, rounds.first)
    dialog = compared(qtbot, bar)
    assert dialog.other_id() == rounds.second
    assert "re-assessment of this round" in dialog.other_box.currentText()
    assert dialog.direction_label.text().startswith(f"Before: #{rounds.first} ")
    framework = cells(dialog.nodes, "owasp-nhi")
    assert (framework["Mean before"], framework["Mean after"]) == ("3.00", "2.25")
    assert cells(dialog.questions, Q1)["Change"] == "▲ +1 improved"
    assert errors == []


def test_a_failed_comparison_shows_the_error_box(qtbot, rounds, errors):
    mine = svc.get_assessment(rounds.workspace, rounds.second)
    elsewhere = svc.get_assessment(rounds.workspace, rounds.other)
    dialog = CompareDialog(rounds.workspace, mine, [elsewhere])
    qtbot.addWidget(dialog)
    assert dialog.status_label.text() == COMPARING_TEXT
    qtbot.waitUntil(lambda: errors != [], timeout=10_000)
    assert "assess different systems" in errors[0]
    assert dialog.status_label.text().startswith("Cannot compare:")
    assert dialog.view is None
    assert dialog.questions.count_label.text() == "0 questions"
