"""Inventory files shared by the ingest, service, CLI and GUI tests."""

from __future__ import annotations

from pathlib import Path

#: A sign-off block at the top whose words look like headers, and the real headers at row 40,
#: below where the importer looks for them.
SIGN_OFF_REGISTER = [
    ["Owner", "Name", "Status"],
    ["Risk team", "AI register", "Draft"],
    *([[]] * 37),
    ["System ID", "Name", "Owner email", "Autonomy"],
    ["AIS-1", "Claims bot", "ann@example.com", "advisory"],
    ["AIS-2", "Copilot", "bob@example.com", "autonomous"],
]
#: Identities under a title row.
TITLED_IDENTITIES = [
    ["Identities of the AI systems"],
    ["Identity ID", "Kind", "Owner email"],
    ["svc-1", "service-account", "ann@example.com"],
]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a real workbook with one sheet per entry, rows as given."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
