"""Custom question sets from spreadsheets: a good sheet loads, bad rows are all named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.catalog.errors import CatalogError
from app.catalog.excel import DEFAULT_EVIDENCE, read_excel_framework
from app.catalog.loader import dump_framework_yaml, load_framework_text


def _workbook(path: Path, rows: list[list[Any]], *, sheet: str = "Questions") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Cover"
    book.active.append(["Our own controls"])
    ws = book.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    book.move_sheet(sheet, offset=-1)
    book.save(path)
    return path


GOOD = [
    [],
    ["id", "SECTION", " Question ", "guidance", "Weight", "Evidence"],
    ["AC-1", "Access control", "Are agent credentials reviewed monthly?", "Look at logs", 2,
     "Review record; Ticket export"],
    ["AC-2", "Access control", "Is there a break-glass account for the agent platform?", "", None,
     None],
    [None, None, None, None, None, None],
    [7, "Logging & monitoring", "Are all tool calls logged centrally?", "", "1.5", ""],
]  # fmt: skip


def test_a_good_sheet_becomes_a_custom_framework(tmp_path: Path):
    path = _workbook(tmp_path / "Client Controls.xlsx", GOOD)
    framework = read_excel_framework(path)
    assert framework.id == "custom-client-controls"
    assert framework.title == "Client Controls"
    assert framework.custom
    assert len(framework.sha256) == 64
    assert [n.id for n in framework.nodes] == ["access-control", "logging-monitoring"]
    assert [n.title for n in framework.nodes] == ["Access control", "Logging & monitoring"]
    first, second, third = framework.questions
    assert first.id == "custom-client-controls.AC-1"
    assert first.ref == "AC-1"
    assert first.weight == 2.0
    assert first.evidence == ("Review record", "Ticket export")
    assert second.weight == 1.0
    assert second.evidence == (DEFAULT_EVIDENCE,)
    assert third.ref == "7"
    assert third.weight == 1.5
    assert third.node == "logging-monitoring"


def test_id_version_title_and_sheet_can_be_chosen(tmp_path: Path):
    path = _workbook(tmp_path / "set.xlsx", GOOD, sheet="Mine")
    framework = read_excel_framework(
        path, framework_id="acme-controls", version="2026.1", title="ACME", sheet="Mine"
    )
    assert (framework.id, framework.version, framework.title) == ("acme-controls", "2026.1", "ACME")
    assert framework.questions[0].id == "acme-controls.AC-1"


def test_the_stored_yaml_form_loads_back(tmp_path: Path):
    framework = read_excel_framework(_workbook(tmp_path / "set.xlsx", GOOD))
    again = load_framework_text(dump_framework_yaml(framework), "set.xlsx", custom=True)
    assert again.model_dump() == framework.model_dump()


def test_bad_rows_are_all_reported_with_sheet_row_and_column(tmp_path: Path):
    rows = [
        ["ID", "Section", "Question", "Guidance", "Weight"],
        ["Q1", "General", "Is it done?", "", "heavy"],
        ["Q1", "General", "Is it done again?", "", 1],
        ["", "General", "Who does it?", "", 1],
        ["Q 4", "", "", "", 11],
        ["Q5", "General", "Is it checked?", "", 0],
        ["Q6", "General", "Is it fine?", "", True],
    ]
    path = _workbook(tmp_path / "bad.xlsx", rows, sheet="Set")
    with pytest.raises(CatalogError) as caught:
        read_excel_framework(path)
    assert str(caught.value).splitlines() == [
        "bad.xlsx, sheet Set, row 2, column Weight: not a number",
        "bad.xlsx, sheet Set, row 3, column ID: duplicate of row 2",
        "bad.xlsx, sheet Set, row 4, column ID: empty",
        "bad.xlsx, sheet Set, row 5, column ID: 'Q 4' must start with a letter or digit and "
        "use only letters, digits, . - _",
        "bad.xlsx, sheet Set, row 5, column Section: empty",
        "bad.xlsx, sheet Set, row 5, column Question: empty",
        "bad.xlsx, sheet Set, row 5, column Weight: 11 is out of range (more than 0, at most 10)",
        "bad.xlsx, sheet Set, row 6, column Weight: 0 is out of range (more than 0, at most 10)",
        "bad.xlsx, sheet Set, row 7, column Weight: not a number",
    ]


def test_missing_columns_are_named_with_what_was_found(tmp_path: Path):
    path = _workbook(tmp_path / "cols.xlsx", [["Ref", "Section", "Text"], ["1", "A", "Is it?"]])
    with pytest.raises(CatalogError) as caught:
        read_excel_framework(path)
    assert str(caught.value) == (
        "cols.xlsx, sheet Questions, row 1: missing columns ID, Question "
        "(found: Ref, Section, Text)"
    )


def test_an_unknown_sheet_lists_the_sheets(tmp_path: Path):
    path = _workbook(tmp_path / "s.xlsx", GOOD)
    with pytest.raises(CatalogError, match=r"no sheet 'Nope' \(sheets: Questions, Cover\)"):
        read_excel_framework(path, sheet="Nope")


def test_an_invalid_framework_id_is_reported(tmp_path: Path):
    path = _workbook(tmp_path / "s.xlsx", GOOD)
    with pytest.raises(CatalogError, match="framework id: must use only lower-case letters"):
        read_excel_framework(path, framework_id="Not Valid")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(CatalogError, match="fake.xlsx: cannot read the workbook"):
        read_excel_framework(path)


def test_an_empty_sheet_is_refused(tmp_path: Path):
    path = _workbook(tmp_path / "empty.xlsx", [])
    with pytest.raises(CatalogError, match="sheet Questions: the sheet is empty"):
        read_excel_framework(path)
