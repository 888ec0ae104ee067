"""Builders of inventory files for the ingest tests (real openpyxl workbooks, real CSV bytes)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.inventory_files import write_xlsx


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
