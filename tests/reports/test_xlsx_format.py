"""Workbooks colour severities, print well, head every column in words and carry custom fields."""

from __future__ import annotations

import dataclasses

import pytest
from openpyxl import load_workbook

from app.reports.xlsx import write_workbook
from app.reports.xlsx_cells import Column, write_table
from app.reports.xlsx_format import MIN_ROWS, kind_of
from app.reports.xlsx_import import read_responses_workbook
from app.reports.xlsx_portfolio import write_portfolio_workbook

TABLE_SHEETS = ["Scores", "Responses", "POA&M", "Inventory", "Identities", "Evidence"]


@pytest.fixture(scope="module")
def data(report_data):
    """The dummy report with custom attributes, an unknown blast radius and an ampersand."""
    identities = list(report_data.identity.identities)
    identities[0] = dataclasses.replace(
        identities[0], attributes=(("Vault path", "kv/claims"), ("kind", "shadowed"))
    )
    identities[1] = dataclasses.replace(identities[1], blast_score=None, blast_tier="")
    return dataclasses.replace(
        report_data,
        document=dataclasses.replace(report_data.document, client="Harbour & Quay Ltd"),
        system=dataclasses.replace(
            report_data.system, attributes=(("Cost centre", "CC-17"), ("Regulator", "PRA"))
        ),
        identity=dataclasses.replace(report_data.identity, identities=tuple(identities)),
    )


@pytest.fixture(scope="module")
def book(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx-format") / "assessment.xlsx"
    write_workbook(data, path)
    return path, load_workbook(path)


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _rules(ws) -> dict[str, list]:
    """Conditional-format rules by the column letters of their range."""
    found: dict[str, list] = {}
    for area in ws.conditional_formatting:
        letters = "".join(ch for ch in str(area.sqref).split(":")[0] if ch.isalpha())
        found.setdefault(letters, []).extend(area.rules)
    return found


def _letter(ws, header: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value == header)


def test_kinds_follow_the_header():
    assert kind_of("Severity") == "severity"
    assert kind_of("Risk rating") == "severity"
    assert kind_of("Risk tier") == kind_of("Blast tier") == "tier"
    assert kind_of("Priority") == "priority"
    assert kind_of("Assessment status") == kind_of("Status") == "status"
    assert kind_of("Critical findings") == kind_of("Owner") == ""


def test_severity_priority_tier_and_status_columns_are_coloured(book):
    _, wb = book
    poam = wb["POA&M"]
    rules = _rules(poam)
    severity = rules[_letter(poam, "Severity")]
    values = {r.formula[0] for r in severity}
    assert {'"critical"', '"high"', '"medium"', '"low"'} <= values
    critical = next(r for r in severity if r.formula[0] == '"critical"')
    assert critical.dxf.fill.bgColor.rgb.endswith("8E0000")
    assert {'"open"', '"resolved"'} <= {r.formula[0] for r in rules[_letter(poam, "Status")]}
    # Rows a client adds later are coloured too.
    area = next(a for a in poam.conditional_formatting if a.rules[0] in severity)
    assert str(area.sqref).endswith(str(MIN_ROWS))
    responses = wb["Responses"]
    priorities = {r.formula[0] for r in _rules(responses)[_letter(responses, "Priority")]}
    assert {"1", "2", "3"} <= priorities
    inventory = wb["Inventory"]
    assert _letter(inventory, "Risk tier") in _rules(inventory)
    assert _letter(inventory, "Owner name") not in _rules(inventory)


def test_every_sheet_is_set_up_for_printing(book):
    _, wb = book
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_margins.left < 0.75, ws.title
        # "&" starts a header code; the client's own ampersand is doubled.
        assert ws.oddHeader.left.text == "Harbour && Quay Ltd", ws.title
        assert ws.oddHeader.right.text == "CONFIDENTIAL", ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
    for name in TABLE_SHEETS:
        assert wb[name].print_title_rows == "$1:$1", name
    assert wb["Summary"].print_title_rows is None


def test_inventory_and_identity_headers_are_words(book):
    _, wb = book
    for name in ("Inventory", "Identities"):
        for header in _headers(wb[name])[:-2]:  # the last two are custom, named by the client
            assert "_" not in header, (name, header)
            assert header[0].isupper(), (name, header)


def test_custom_attributes_become_columns(book, data):
    _, wb = book
    inventory = wb["Inventory"]
    headers = _headers(inventory)
    assert headers[-2:] == ["Cost centre", "Regulator"]
    assert inventory.cell(2, headers.index("Cost centre") + 1).value == "CC-17"
    identities = wb["Identities"]
    headers = _headers(identities)
    # An attribute named like a standard column is marked as the custom one.
    assert headers[-2:] == ["Vault path", "kind (custom)"]
    assert identities.cell(2, headers.index("Vault path") + 1).value == "kv/claims"
    assert identities.cell(3, headers.index("Vault path") + 1).value in (None, "")


def test_unknown_blast_radius_reads_unknown_not_zero(book):
    _, wb = book
    identities = wb["Identities"]
    headers = _headers(identities)
    assert identities.cell(3, headers.index("Blast radius") + 1).value == "unknown"
    assert identities.cell(3, headers.index("Blast tier") + 1).value.startswith("unknown")
    assert isinstance(identities.cell(2, headers.index("Blast radius") + 1).value, int)


def test_responses_still_round_trip(book, data):
    path, _ = book
    result = read_responses_workbook(path)
    assert result.problems == ()
    assert len(result.rows) == len(data.answers)


def test_a_column_may_opt_out_of_colouring(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    columns = [
        Column("Status", lambda r: r, kind=""),
        Column("Label", lambda r: r, kind="severity"),
    ]
    write_table(ws, columns, ["high"], header_colour="#1f3a5f")
    assert list(_rules(ws)) == ["B"]


def test_portfolio_workbook_is_coloured_and_printable(portfolio_data, tmp_path):
    path = tmp_path / "portfolio.xlsx"
    write_portfolio_workbook(portfolio_data, "abc123", path)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.oddHeader.left.text, ws.title
    systems = wb["Systems"]
    rules = _rules(systems)
    for header in ("Risk tier", "Blast tier", "Assessment status"):
        assert _letter(systems, header) in rules, header
    assert _letter(wb["Top findings"], "Severity") in _rules(wb["Top findings"])
    heat = wb["Heat map"]
    scales = [r for area in heat.conditional_formatting for r in area.rules]
    assert any(r.type == "colorScale" for r in scales)
    unknown = [
        row
        for row in systems.iter_rows(min_row=2, values_only=True)
        if row[_headers(systems).index("Blast radius")] == "unknown"
    ]
    known = [s for s in portfolio_data.systems if s.blast_score is None]
    assert len(unknown) == len(known)


def test_worded_headers_still_import_as_inventory_fields():
    from app.ingest.fields import IDENTITIES, SYSTEMS, header_key
    from app.ingest.headers import resolve_header
    from app.reports.xlsx import _IDENTITY_COLUMNS, _INVENTORY_COLUMNS

    expected = {
        SYSTEMS: ("id", "owner_email", "business_unit", "lifecycle_stage", "review_due"),
        IDENTITIES: ("id", "kind", "last_rotated", "expires", "revocation_procedure"),
    }
    for columns, entity in ((_INVENTORY_COLUMNS, SYSTEMS), (_IDENTITY_COLUMNS, IDENTITIES)):
        fields = {resolve_header(header_key(c.header), entity) for c in columns}
        assert {(entity, name) for name in expected[entity]} <= fields


def _column(ws, header: str) -> list:
    index = _headers(ws).index(header)
    return [row[index] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]


def test_machine_keys_and_stored_kinds_read_as_words(data, tmp_path):
    identities = list(data.identity.identities)
    identities[0] = dataclasses.replace(
        identities[0],
        attributes=(
            ("app_object_id", "0f1e"),
            ("source.azure-role-assignments", "yes"),
            ("aliases", "claims-bot"),
            ("Vault path", "kv/claims"),
        ),
    )
    keyed = dataclasses.replace(
        data, identity=dataclasses.replace(data.identity, identities=tuple(identities))
    )
    path = tmp_path / "keyed.xlsx"
    write_workbook(keyed, path)
    wb = load_workbook(path)
    headers = _headers(wb["Identities"])
    assert {"App object ID", "Source: azure role assignments", "Aliases"} <= set(headers)
    assert "Vault path" in headers  # a client's own name is kept as written
    kinds = set(_column(wb["Scores"], "Kind"))
    assert kinds
    assert all("_" not in kind and kind[0].isupper() for kind in kinds), kinds


def test_portfolio_sheets_show_words_not_stored_values(portfolio_data, tmp_path):
    path = tmp_path / "portfolio.xlsx"
    write_portfolio_workbook(portfolio_data, "abc123", path)
    wb = load_workbook(path)
    values = [
        *_column(wb["Systems"], "Risk tier"),
        *_column(wb["Systems"], "Assessment status"),
        *_column(wb["Top findings"], "Severity"),
        *_column(wb["Top findings"], "Status"),
    ]
    words = [v for v in values if v]
    assert words
    assert all(v[0].isupper() and "-" not in v for v in words), words
