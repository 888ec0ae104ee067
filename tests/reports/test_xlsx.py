"""Workbooks reopen with their formatting, hold no formulas, and round-trip the responses."""

from __future__ import annotations

import dataclasses

import pytest
from openpyxl import load_workbook

from app.reports.errors import WorkbookImportError
from app.reports.xlsx import H_JUSTIFICATION, H_LEVEL, H_NOTES, H_QUESTION_ID, write_workbook
from app.reports.xlsx_import import read_responses_workbook

SHEETS = ["Summary", "Scores", "Responses", "POA&M", "Inventory", "Identities", "Evidence"]


@pytest.fixture(scope="module")
def workbook_path(report_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "assessment.xlsx"
    write_workbook(report_data, path)
    return path


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_every_sheet_is_formatted(workbook_path):
    wb = load_workbook(workbook_path)
    assert wb.sheetnames == SHEETS
    for name in SHEETS[1:]:
        ws = wb[name]
        assert ws.freeze_panes in ("A2", "C2"), name
        assert (ws.auto_filter.ref or "").startswith("A1:"), name
        assert ws["A1"].font.bold, name
        assert ws["A1"].fill.fgColor.rgb.endswith("1F3A5F"), name
        assert ws.column_dimensions["A"].width > 8, name


def test_editable_columns_are_validated(workbook_path):
    wb = load_workbook(workbook_path)
    responses = wb["Responses"]
    formulas = {v.formula1 for v in responses.data_validations.dataValidation}
    assert '"0,1,2,3,4,5,N/A"' in formulas
    assert '"self-declared,document,observed,tested"' in formulas
    poam = wb["POA&M"]
    kinds = {v.type for v in poam.data_validations.dataValidation}
    assert kinds == {"list", "date"}


def test_rows_match_the_data(workbook_path, report_data):
    wb = load_workbook(workbook_path)
    assert wb["Responses"].max_row == len(report_data.answers) + 1
    assert wb["POA&M"].max_row == len(report_data.findings) + 1
    assert wb["Evidence"].max_row == len(report_data.evidence) + 1
    assert wb["Identities"].max_row == len(report_data.identity.identities) + 1
    nodes = sum(len(f.nodes) + 1 for f in report_data.frameworks)
    assert wb["Scores"].max_row == nodes + 1


def test_hostile_strings_are_stored_as_text(hostile_data, hostile, tmp_path):
    path = tmp_path / "hostile.xlsx"
    write_workbook(hostile_data, path)
    wb = load_workbook(path)
    found = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value in hostile:
                    found.add(cell.value)
                    assert cell.data_type == "s"
                    if cell.value[0] in "=+-@":
                        assert cell.quotePrefix, f"{ws.title}!{cell.coordinate}"
    assert {h for h in hostile if h[0] in "=+-@"} <= found


def test_client_edition_leaves_notes_out(report_data, tmp_path):
    path = tmp_path / "client.xlsx"
    write_workbook(dataclasses.replace(report_data, profile="client"), path)
    ws = load_workbook(path)["Responses"]
    notes = _column(ws, H_NOTES)
    assert all(ws.cell(r, notes).value in (None, "") for r in range(2, ws.max_row + 1))


def test_responses_round_trip(workbook_path, report_data):
    result = read_responses_workbook(workbook_path)
    assert result.problems == ()
    assert result.assessment_ref == report_data.document.assessment_ref
    by_id = {row.question_id: row for row in result.rows}
    assert len(by_id) == len(report_data.answers)
    for answer in report_data.answers:
        row = by_id[answer.question_id]
        assert (row.level, row.not_applicable) == (answer.level, answer.not_applicable)
        assert (row.justification or "") == answer.justification
        assert (row.notes or "") == answer.notes
        assert (row.evidence_strength or "") == answer.strength


def test_corrupted_sheet_gives_row_level_problems(workbook_path, tmp_path):
    wb = load_workbook(workbook_path)
    ws = wb["Responses"]
    level, qid = _column(ws, H_LEVEL), _column(ws, H_QUESTION_ID)
    why, strength = _column(ws, H_JUSTIFICATION), _column(ws, "Evidence strength")
    ws.cell(2, level).value = 7
    ws.cell(3, level).value = "abc"
    ws.cell(4, level).value = "N/A"
    ws.cell(4, why).value = None
    ws.cell(5, qid).value = None
    ws.cell(6, qid).value = ws.cell(7, qid).value
    ws.cell(8, level).value = "=1+2"
    ws.cell(9, strength).value = "rumour"
    ws.cell(10, level).value = "n/a"
    ws.cell(10, why).value = "Hosted model; no training."
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    result = read_responses_workbook(broken)
    problems = {(p.row, p.column): p.message for p in result.problems}
    assert "0-5 or N/A" in problems[(2, H_LEVEL)]
    assert "'7'" in problems[(2, H_LEVEL)]
    assert "'abc'" in problems[(3, H_LEVEL)]
    assert "justification" in problems[(4, H_JUSTIFICATION)]
    assert "empty" in problems[(5, H_QUESTION_ID)]
    assert "already appears in row 6" in problems[(7, H_QUESTION_ID)]
    assert "formula" in problems[(8, H_LEVEL)]
    assert "rumour" in problems[(9, "Evidence strength")]
    assert str(result.problems[0]).startswith("sheet Responses, row 2, column")
    rows = {r.row: r for r in result.rows}
    assert rows[10].not_applicable
    assert rows[10].justification == "Hosted model; no training."
    assert not {2, 3, 4, 5, 7, 8, 9} & set(rows)


def test_unreadable_workbooks_are_refused(tmp_path, workbook_path):
    text = tmp_path / "not.xlsx"
    text.write_text("level,question\n", encoding="utf-8")
    with pytest.raises(WorkbookImportError, match="not an Excel workbook"):
        read_responses_workbook(text)
    wb = load_workbook(workbook_path)
    del wb["Responses"]
    no_sheet = tmp_path / "no-sheet.xlsx"
    wb.save(no_sheet)
    with pytest.raises(WorkbookImportError, match="no sheet named 'Responses'"):
        read_responses_workbook(no_sheet)
    wb = load_workbook(workbook_path)
    wb["Responses"].cell(1, _column(wb["Responses"], H_LEVEL)).value = "Score"
    renamed = tmp_path / "renamed.xlsx"
    wb.save(renamed)
    with pytest.raises(WorkbookImportError, match="column 'Level"):
        read_responses_workbook(renamed)
