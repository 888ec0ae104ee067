"""Workbooks read a sheet at a time: the same cells as reading them all, refused if changed."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pytest

from app.ingest.problems import IngestError
from app.ingest.readers import read_file


def _workbook(path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Offset"
    first["C4"] = "AIS-1"
    first["E6"] = 3
    first["D9"] = dt.date(2024, 1, 2)
    first["F5"] = "bidi \u202eswap"
    book.create_sheet("Empty")
    plain = book.create_sheet("Plain")
    plain.append(["id", "name"])
    plain.append(["AIS-2", "Bot"])
    book.save(path)
    return path


def test_lazy_sheets_hold_the_same_cells_as_a_full_read(tmp_path):
    path = _workbook(tmp_path / "book.xlsx")
    eager = read_file(path)
    lazy = read_file(path, lazy=True)
    assert [s.name for s in lazy.sheets] == ["Offset", "Empty", "Plain"]
    assert all(sheet.lazy for sheet in lazy.sheets)
    for full, sheet in zip(eager.sheets, lazy.sheets, strict=True):
        assert sheet.rows == full.rows
    offset = lazy.sheets[0].rows
    assert offset[3][2] == "AIS-1"
    assert offset[5][4] == 3
    assert offset[8][3] == dt.date(2024, 1, 2)
    assert offset[4][5] == "bidi swap"
    assert len(offset) == 9
    assert {len(row) for row in offset} == {6}
    lazy.sheets[0].release()
    assert lazy.sheets[0].rows == eager.sheets[0].rows  # read again when asked for


def test_a_workbook_changed_after_its_check_is_refused(tmp_path):
    path = _workbook(tmp_path / "book.xlsx")
    lazy = read_file(path, lazy=True)
    assert lazy.sheets[0].rows  # reading it starts parsing the next sheet
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(IngestError, match="changed while it was being read"):
        lazy.sheets[2].rows  # noqa: B018 - reading the property is the test
