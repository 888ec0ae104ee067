"""Header row detection, sheet kinds and column mapping."""

from __future__ import annotations

import pytest

from app.ingest.fields import header_key
from app.ingest.headers import (
    entity_from_headers,
    entity_from_name,
    find_header_row,
    map_sheet,
    resolve_header,
)
from app.ingest.xlsx import RawSheet, column_letter


def test_header_row_below_title_rows_and_banner():
    rows = [
        ["ACME — AI system register", "", ""],
        ["Confidential. Exported 2026-01-05", "", ""],
        ["", "", ""],
        ["System ID", "Name", "Owner e-mail"],
        ["AIS-1", "Bot", "a@example.com"],
    ]
    assert find_header_row(rows) == 3


def test_no_header_row():
    assert find_header_row([["hello", "world"], ["1", "2"]]) == -1


def test_user_mapping_counts_towards_the_header():
    rows = [["Ref", "Svc owner"], ["A", "x@example.com"]]
    assert find_header_row(rows, frozenset({header_key("Svc owner")})) == 0


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("AI systems", "systems"),
        ("AI System Register 2026", "systems"),
        ("Service accounts", "identities"),
        ("NHI", "identities"),
        ("Access grants", "grants"),
        ("Permissions", "grants"),
        ("Resources", "resources"),
        ("Systems of record", "resources"),
        ("Trust relationships", "delegations"),
        ("Sheet1", None),
    ],
)
def test_entity_from_sheet_name(name, entity):
    assert entity_from_name(name) == entity


def test_entity_from_headers():
    keys = [header_key(h) for h in ("Principal", "Target", "Permission level")]
    assert entity_from_headers([header_key(h) for h in ("identity", "resource", "action")]) == (
        "grants"
    )
    assert entity_from_headers(keys) == "grants"
    assert entity_from_headers([header_key("from"), header_key("to")]) == "delegations"
    assert entity_from_headers([header_key("System ID"), header_key("Autonomy")]) == "systems"


def test_resolve_header_by_sheet_kind():
    assert resolve_header(header_key("Owner"), "systems") == ("systems", "owner_name")
    assert resolve_header(header_key("Owner"), "identities") == ("identities", "owner_email")
    assert resolve_header(header_key("Service account"), "identities") == ("identities", "id")
    assert resolve_header(header_key("Service accounts"), "systems") == ("systems", "identities")
    assert resolve_header(header_key("Identity kind"), "systems") == ("identities", "kind")
    assert resolve_header(header_key("Resource"), "systems") == ("grants", "resource")
    assert resolve_header(header_key("Kind"), "systems") is None
    assert resolve_header(header_key("Created"), "systems") is None


def test_map_sheet_with_attributes_duplicates_and_blank_headers():
    raw = RawSheet(
        "Identities",
        [
            ["Account", "Type", "Notes", "Notes", "", "Account ID"],
            ["svc-a", "role", "n1", "n2", "x", "dup"],
        ],
    )
    sheet = map_sheet(raw, "f.xlsx", "Identities", {})
    targets = [(c.header, c.target) for c in sheet.columns]
    assert targets == [
        ("Account", "identities.id"),
        ("Type", "identities.kind"),
        ("Notes", ""),
        ("Notes (2)", ""),
        ("Column E", ""),
        ("Account ID", ""),
    ]
    assert [str(p) for p in sheet.problems] == [
        "f.xlsx, sheet 'Identities', row 1, column 'Account ID': also maps to identities.id, "
        "already read from column 'Account'; kept as a custom attribute"
    ]


def test_user_mapping_overrides_and_keeps_attributes():
    raw = RawSheet("Systems", [["Ref", "Svc", "Name"], ["A", "x", "Bot"]])
    mapping = {header_key("Svc"): "identities", header_key("Name"): "attribute"}
    sheet = map_sheet(raw, "f.xlsx", "Systems", mapping)
    assert [c.target for c in sheet.columns] == ["systems.id", "systems.identities", ""]


def test_user_mapping_that_does_not_fit_the_sheet_warns():
    raw = RawSheet("Resources", [["id", "Frobnicate"], ["A", "x"]])
    sheet = map_sheet(raw, "f.xlsx", "Resources", {header_key("Frobnicate"): "autonomy"})
    assert sheet.columns[1].target == ""
    assert "does not fit this sheet of Resources" in sheet.problems[0].reason


def test_sheet_without_headers_is_skipped_with_a_warning_unless_a_note_sheet():
    data = [["Some text"], ["More text"]]
    skipped = map_sheet(RawSheet("Export", data), "f.xlsx", "Export", {})
    assert skipped.entity is None
    assert skipped.problems[0].reason.startswith("not imported: no row looks like a header")
    assert map_sheet(RawSheet("Read me", data), "f.xlsx", "Read me", {}).problems == []


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_headers_win_over_a_misleading_sheet_name():
    raw = RawSheet("Inventory", [["Principal", "Target", "Permission"], ["svc", "db", "read"]])
    assert map_sheet(raw, "f.xlsx", "Inventory", {}).entity == "grants"
    register = RawSheet("Inventory", [["id", "name", "identities"], ["AIS-1", "x", "svc"]])
    assert map_sheet(register, "f.xlsx", "Inventory", {}).entity == "systems"
