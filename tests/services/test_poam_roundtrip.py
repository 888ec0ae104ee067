"""The POA&M sheet carries owner, due date, effort, response and status out and back in."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.services import assessments as svc
from app.services import finding_themes, findings
from app.services.errors import UserError
from app.services.poam_import import import_poam
from app.services.reporting.generate import generate_workbook
from app.storage.models import AISystem, JournalEntry


@pytest.fixture
def book(workspace, tmp_path):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent"))
    info = svc.new_assessment(workspace, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"])
    for question in ("ir8596.secure.GV.OC-01", "ir8596.secure.GV.RM-02"):
        svc.answer(workspace, info.id, question, 1)
    finding_themes.refresh_gap_findings(workspace, info.id)
    path = tmp_path / "book.xlsx"
    generate_workbook(workspace, info.id, path)
    return info.id, path


def _rows(path):
    ws = load_workbook(path)["POA&M"]
    headers = [c.value for c in ws[1]]
    return ws, headers, {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}


def _fill(path, values_by_id):
    wb = load_workbook(path)
    ws = wb["POA&M"]
    headers = [c.value for c in ws[1]]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for finding, values in values_by_id.items():
        for header, value in values.items():
            ws.cell(rows[finding], headers.index(header) + 1, value)
    wb.save(path)


def test_the_sheet_goes_out_with_tracking_columns_in_words(workspace, book):
    assessment, path = book
    ws, headers, rows = _rows(path)
    for header in ("Owner", "Due date", "Effort", "Management response", "Status",
                   "Risk acceptance justification", "Risk accepted by", "Criteria"):  # fmt: skip
        assert header in headers
    themes = findings.list_findings(workspace, assessment_id=assessment, source="theme")
    assert set(rows) == {f"F-{t.id}" for t in themes}
    first = rows[f"F-{themes[0].id}"]
    assert ws.cell(first, headers.index("Status") + 1).value == "Open"
    assert "1 Initial → 3 Defined" in ws.cell(first, headers.index("Criteria") + 1).value


def test_owner_due_response_and_status_come_back_journalled(workspace, book):
    assessment, path = book
    first, second = findings.list_findings(workspace, assessment_id=assessment, source="theme")
    _fill(path, {
        f"F-{first.id}": {"Owner": "Maria Okafor", "Due date": dt.datetime(2027, 3, 31),
                          "Management response": "Agreed, fix in Q1", "Status": "In progress",
                          "Effort": "High"},
        f"F-{second.id}": {"Status": "Risk accepted", "Risk accepted by": "COO"},
    })  # fmt: skip
    dry = import_poam(workspace, assessment, path, dry_run=True)
    assert {(c.finding_id, c.field) for c in dry.changes} >= {
        (first.id, "owner"), (first.id, "due_date"), (first.id, "status"),
        (first.id, "management_response"), (second.id, "status")}  # fmt: skip
    (problem,) = dry.problems
    assert f"row {_rows(path)[2][f'F-{second.id}']}:" in problem
    assert "'Risk acceptance justification'" in problem
    with pytest.raises(UserError, match="1 problem"):
        import_poam(workspace, assessment, path)
    assert findings.get_finding(workspace, first.id).owner == ""  # nothing half-written
    _fill(path, {f"F-{second.id}": {"Risk acceptance justification": "Compensating review"}})
    done = import_poam(workspace, assessment, path)
    assert done.applied
    assert done.problems == ()
    after = findings.get_finding(workspace, first.id)
    assert (after.owner, after.due_date, after.status, after.effort) == (
        "Maria Okafor", dt.date(2027, 3, 31), "in-progress", "high")  # fmt: skip
    assert after.management_response == "Agreed, fix in Q1"
    accepted = findings.get_finding(workspace, second.id)
    assert (accepted.status, accepted.accepted_by) == ("accepted", "COO")
    with workspace.db.read() as session:
        actions = session.execute(sa.select(JournalEntry.action)).scalars().all()
    assert actions.count("finding.update") == 2
    assert "finding.poam-import" in actions
    assert import_poam(workspace, assessment, path, dry_run=True).changes == ()


def test_bad_cells_are_named_by_sheet_row_and_column(workspace, book):
    assessment, path = book
    (first, _second) = findings.list_findings(workspace, assessment_id=assessment,
                                             source="theme")  # fmt: skip
    _fill(path, {f"F-{first.id}": {"Due date": "next spring", "Status": "Done-ish"}})
    result = import_poam(workspace, assessment, path, dry_run=True)
    row = _rows(path)[2][f"F-{first.id}"]
    assert sorted(result.problems) == [
        f"sheet POA&M, row {row}, column Due date: 'next spring' is not a date (use YYYY-MM-DD)",
        f"sheet POA&M, row {row}, column Status: 'Done-ish' is not one of Open, In progress, "
        "Risk accepted, Closed",
    ]


def test_a_refused_sheet_names_every_problem_it_has(workspace, book):
    assessment, path = book
    first, second = findings.list_findings(workspace, assessment_id=assessment, source="theme")
    _fill(path, {f"F-{first.id}": {"Status": "Parked", "Owner": "Ana"},
                 f"F-{second.id}": {"Due date": "31/01/2027"}})  # fmt: skip
    with pytest.raises(UserError) as refused:
        import_poam(workspace, assessment, path)
    message = str(refused.value)
    assert message.startswith("2 problems in book.xlsx; nothing was changed:")
    assert "column Status: 'Parked' is not one of" in message
    assert "column Due date: '31/01/2027' is not a date" in message
    assert findings.get_finding(workspace, first.id).owner == ""
