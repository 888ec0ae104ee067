"""Builders of inventory files for the ingest tests (real openpyxl workbooks, real CSV bytes)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a workbook with one sheet per entry, rows as given."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def csv_bytes(rows: list[list], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Return rows as CSV text in the given encoding."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def make_xlsx(tmp_path):
    def make(sheets: dict[str, list[list]], name: str = "inventory.xlsx") -> Path:
        return write_xlsx(tmp_path / name, sheets)

    return make


@pytest.fixture
def make_csv(tmp_path):
    def make(
        rows: list[list],
        name: str = "inventory.csv",
        delimiter: str = ",",
        encoding: str = "utf-8",
        prefix: bytes = b"",
    ) -> Path:
        path = tmp_path / name
        path.write_bytes(prefix + csv_bytes(rows, delimiter, encoding))
        return path

    return make
