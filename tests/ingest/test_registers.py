"""Registers as clients send them: the bank register end to end, and each feature alone."""

from __future__ import annotations

import pytest

from app.ingest.fields import SPECS
from app.ingest.limits import Limits
from app.ingest.permissions import entries, read_entry
from app.ingest.pipeline import parse_inventory
from app.ingest.references import KnownIds, check_references
from app.ingest.table_end import note_row, note_text
from app.ingest.values import normaliser
from tests.inventory_files import (
    BANK_IDENTITY_COUNT,
    BANK_LINKS,
    BANK_SYSTEM_COUNT,
    write_bank_register,
)


def _records(inventory, entity):
    return {r.key[0]: r for r in inventory.records[entity]}


@pytest.fixture
def bank(tmp_path):
    return write_bank_register(tmp_path / "bank.xlsx")


def test_bank_register_reads_with_the_right_counts_and_links(bank):
    inventory = parse_inventory(bank)
    resolved = check_references(inventory, KnownIds())
    assert not [p for p in inventory.problems + resolved.problems if p.is_error]
    systems, identities = _records(inventory, "systems"), _records(inventory, "identities")
    assert len(systems) == BANK_SYSTEM_COUNT
    assert len(resolved.records["identities"]) == BANK_IDENTITY_COUNT
    assert {(k.system, k.identity) for k in resolved.links} == BANK_LINKS
    assert [(p.sheet, p.row) for p in inventory.skipped_rows] == [
        ("AI Register", 14), ("AI Register", 15), ("Svc Accts & API keys", 11)]  # fmt: skip
    # svc-shared's second row repeats "Reader": an entry of its own (it used to vanish as a
    # substring of the first row's cell).
    assert inventory.permissions == (8, 9)
    assert [(v.column, v.text, v.count) for v in inventory.unknown_values] == [
        ("Autonomy", "Sometimes", 2)
    ]
    lookups = [p for p in inventory.problems if p.sheet == "Lookups"]
    assert len(lookups) == 1
    assert not lookups[0].is_error
    first = systems["AI-001"].values
    assert (first["owner_name"], first["owner_email"]) == ("Tom Reed", "tom.reed@northbridge.test")
    assert first["lifecycle_stage"] == "development"  # "a) Pre-deployment – ..."
    assert first["autonomy"] == "advisory"
    assert first["data_classification"] == "restricted"
    assert first["risk_designation"] == "high-impact"
    assert systems["AI-005"].values["data_classification"] is None  # "?"
    assert systems["AI-005"].values["owner_name"] == ""  # "Unknown"
    assert identities["svc-fraud"].values["kind"] == "service-account"  # Integration user
    assert identities["iam-ops-restart"].values["kind"] == "service-account"  # IAM user
    assert identities["svc-fraud"].values["owner_name"] == "Priya Shah"
    assert identities["svc-fraud"].values["owner_email"] is None


def test_a_row_without_an_id_gets_the_same_generated_id_on_every_import(bank):
    ids = [sorted(_records(parse_inventory(bank), "systems")) for _ in range(2)]
    assert ids[0] == ids[1]
    [made] = [i for i in ids[0] if not i.startswith("AI-")]
    assert made.startswith("AIS-")


def test_an_id_rule_of_columns_names_the_row_by_them(bank):
    inventory = parse_inventory(bank, id_rule="Business Unit+AI System / Use case")
    assert "Commercial / Underwriting summariser" in _records(inventory, "systems")
    [warning] = [p for p in inventory.problems if p.reason.startswith("no id")]
    assert warning.row == 10
    assert not warning.is_error


def test_value_mappings_give_a_meaning_or_leave_unrecorded(bank):
    mapped = parse_inventory(bank, values=["Autonomy:Sometimes=HITL"])
    assert _records(mapped, "systems")["AI-005"].values["autonomy"] == "human-in-the-loop"
    assert mapped.unknown_values == []
    left = parse_inventory(bank, values=["Autonomy:sometimes="])
    assert _records(left, "systems")["AI-005"].values["autonomy"] is None
    assert left.unknown_values == []


def test_shared_account_rows_are_one_identity_with_conflicts_kept(bank):
    inventory = parse_inventory(bank)
    shared = _records(inventory, "identities")["svc-shared"]
    assert shared.values["environment"] == "production"
    assert shared.attributes["environment (row 9)"] == "staging"
    assert shared.values["systems"] == ["AI-003", "AI-006"]


def test_grants_read_from_free_text_permissions(bank):
    inventory = parse_inventory(bank)
    grants = sorted(r.key[:3] for r in inventory.records["grants"])
    assert grants == [
        ("iam-ops-restart", "production environment", "admin"),
        ("key-chat", "staging environment", "write"),
        ("svc-credit", "production environment", "read"),
        ("svc-credit", "uw-docs", "read"),
        ("svc-fraud", "production environment", "admin"),
        ("svc-shared", "crm-db", "write"),
        ("svc-shared", "production environment", "read"),
    ]
    credit = _records(inventory, "identities")["svc-credit"]
    assert credit.attributes["Permissions"].startswith("Storage Blob Data Reader on uw-docs")
    assert any("'magic powers'" in p.reason for p in inventory.problems)


@pytest.mark.parametrize(
    ("entry", "read"),
    [
        ("Storage Blob Data Reader on uw-docs", ("read", "uw-docs")),
        ("Key Vault Secrets User", ("read", "")),
        ("AdministratorAccess attached (!)", ("admin", "")),
        ("ReadOnlyAccess", ("read", "")),
        ("Owner", ("admin", "")),
        ("Contributor on crm-db", ("write", "crm-db")),
        ("*:*", ("admin", "")),
        ("s3:GetObject on claims-bucket", ("read", "claims-bucket")),
        ("ec2:RebootInstances", ("execute", "")),
        ("roles/viewer", ("read", "")),
        ("write", ("write", "")),
        ("restart on prod-web", ("execute", "prod-web")),
        ("Cognitive Services OpenAI User", ("execute", "")),
        ("magic powers", None),
    ],
)
def test_permission_entries(entry, read):
    assert read_entry(entry) == read


def test_permission_cells_split_into_entries():
    assert entries("Reader, Contributor on crm-db; Key Vault (prod, dr)\nadmin") == [
        "Reader", "Contributor on crm-db", "Key Vault (prod, dr)", "admin"]  # fmt: skip


@pytest.mark.parametrize(
    ("entity", "field", "raw", "value"),
    [
        ("systems", "lifecycle_stage", "a) Pre-deployment – The use case is in development",
         "development"),
        ("systems", "lifecycle_stage", "Operation and Maintenance", "production"),
        ("systems", "data_classification", "3 - High", "restricted"),
        ("systems", "data_classification", "Strictly Confidential", "restricted"),
        ("systems", "data_classification", "Internal Use Only", "internal"),
        ("systems", "data_classification", "PII", "confidential"),
        ("systems", "autonomy", "HOTL", "human-on-the-loop"),
        ("systems", "autonomy", "(b) Assistive: suggests, a person decides", "advisory"),
        ("systems", "exposure", "Customer-facing", "public"),
        ("identities", "kind", "Managed identity", "managed-identity"),
        ("identities", "kind", "Enterprise application", "oauth-client"),
        ("identities", "kind", "PAT", "api-key"),
        ("identities", "kind", "Bot account", "service-account"),
        ("identities", "kind", "svc acct", "service-account"),
        ("grants", "approval_required", "[x] Yes", True),
        ("grants", "approval_required", "[ ] No", False),
        ("identities", "environment", "n/a", None),
        ("identities", "environment", "TBC", None),
        ("identities", "environment", "?", None),
        ("identities", "environment", "-", None),
        ("systems", "data_classification", "Unknown", None),
        ("identities", "expires", "Never", None),
    ],
)  # fmt: skip
def test_values_as_people_write_them(entity, field, raw, value):
    assert normaliser(SPECS[entity].field(field))(raw) == value


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        (["Total systems: 30 (31 rows incl. duplicate)"], "a total"),
        (["Total", "", "", 30], "a total"),
        (["Source: ServiceNow CMDB + Risk team survey"], "a source, note or signature line"),
        (["", "Prepared by: Risk team"], "a source, note or signature line"),
        (["", "Signed off by the CRO on 1 Oct 2026"], "a source, note or signature line"),
        (["AI-031"], ""),
        (["Claims triage bot"], ""),
        (["Total Rewards assistant", "HR", "ann@example.com", "advisory"], ""),
    ],
)
def test_where_the_table_ends(row, kind):
    assert note_row(row) == kind


def test_used_by_names_systems_by_name_ignoring_case_and_spaces(make_xlsx):
    path = make_xlsx({
        "AI systems": [["id", "name"], ["AIS-1", "Claims  Triage Bot"]],
        "Identities": [["Account", "Used by"], ["svc-1", "claims triage bot, AIS-9"]],
    })  # fmt: skip
    resolved = check_references(parse_inventory(path), KnownIds(systems={"AIS-9"}))
    assert {(k.system, k.identity) for k in resolved.links} == {("AIS-1", "svc-1"),
                                                                ("AIS-9", "svc-1")}  # fmt: skip


def test_rows_depending_on_a_rejected_row_say_why(make_xlsx):
    path = make_xlsx({
        "AI systems": [["id", "description"], ["AIS-1", "x" * 50]],
        "Identities": [["Account", "Used by"], ["svc-1", "AIS-1"]],
    })  # fmt: skip
    inventory = parse_inventory(path, limits=Limits(max_cell_chars=40))
    resolved = check_references(inventory, KnownIds())
    [link] = [p for p in resolved.problems if p.sheet == "Identities"]
    assert link.reason == (
        "AI system 'AIS-1' is on sheet 'AI systems', row 2 of this file, which was rejected "
        "(the cell holds 50 characters, more than the 40 allowed)"
    )
    assert "neither in this file" not in link.reason
    assert [r.key for r in resolved.records["identities"]] == [("svc-1",)]  # kept


@pytest.mark.parametrize("header", ["Account / Key", "Account", "Key", "Principal", "Identity",
                                    "Client ID", "App ID"])  # fmt: skip
def test_identity_id_aliases(make_xlsx, header):
    inventory = parse_inventory(make_xlsx({"Identities": [[header, "Type"], ["svc-1", "SPN"]]}))
    assert [r.key for r in inventory.records["identities"]] == [("svc-1",)]


def test_skipped_row_is_quoted_as_the_spreadsheet_shows_it():
    # A "Grand total" row's count comes back from the workbook as a float; the message that
    # names the skipped row quotes it as the cell shows it, not as "6.0".
    assert note_text(["Grand total", 6.0, None, "", 12.5]) == "Grand total | 6 | 12.5"


def _cmdb_csv(path, id_header="sys_id"):
    # A CMDB export as it comes: a byte-order mark, semicolons, ServiceNow's column names.
    text = (
        f"{id_header};Name;Owned by;Autonomy;Operational status;Comments\n"
        "CI0001;Claims Triage Assistant;Reed, Tom;HITL;Operational;\n"
        ";Call Summariser;Okafor, Maria;Assistive;Operational;owner leaving\n"
        "Total: 2 CIs;;;;;\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_a_cmdb_export_reads_its_sys_id_owner_and_status(tmp_path):
    inventory = parse_inventory(_cmdb_csv(tmp_path / "cmdb.csv"))
    systems = _records(inventory, "systems")
    assert "CI0001" in systems
    assert len(systems) == 2
    assert systems["CI0001"].values["owner_name"] == "Reed, Tom"
    assert systems["CI0001"].values["lifecycle_stage"] == "production"
    assert [p.row for p in inventory.skipped_rows] == [4]


def test_a_chosen_generated_id_rule_reads_a_sheet_with_names_but_no_id_column(tmp_path):
    path = _cmdb_csv(tmp_path / "cmdb.csv", id_header="Number of users")
    skipped = parse_inventory(path)
    assert skipped.records["systems"] == []
    [note] = [p for p in skipped.problems if "was not imported" in p.reason]
    assert "choose an id rule" in note.reason
    assert not note.is_error
    read = parse_inventory(path, id_rule="generated")
    names = sorted(r.values["name"] for r in read.records["systems"])
    assert names == ["Call Summariser", "Claims Triage Assistant"]
    again = parse_inventory(path, id_rule="generated")
    assert {r.key for r in again.records["systems"]} == {r.key for r in read.records["systems"]}


def test_a_shared_account_reports_each_row_for_its_own_cells(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Service accounts"
    for row in (
        ["Account", "Type", "Owner", "Permissions"],
        ["svc-claims", "svc acct", "Reed, Tom", "Contributor"],
        ["svc-claims", "svc acct", "Someone Else", "frobnicate on thing; Reader"],
    ):
        sheet.append(row)
    book.save(tmp_path / "accounts.xlsx")
    inventory = parse_inventory(tmp_path / "accounts.xlsx")
    by_reason = {p.reason.split(":")[0]: p for p in inventory.problems}
    unread = by_reason["permission entries not understood, kept as written"]
    assert (unread.row, unread.column) == (3, "Permissions")  # the row holding the entry
    [owner] = [p for p in inventory.problems if "has owner 'Someone Else'" in p.reason]
    assert (owner.row, owner.column) == (3, "Owner")
    assert "custom attribute 'owner (row 3)'" in owner.reason
    (account,) = inventory.records["identities"]
    assert account.attributes["Permissions"] == "Contributor; frobnicate on thing; Reader"
    assert {g.source.row for g in inventory.records["grants"]} == {2, 3}
    assert inventory.permissions == (2, 3)


def test_a_permission_cell_inside_another_rows_cell_is_still_read(tmp_path):
    # "admin" on the second row is part of "admin on prod-db" on the first; it is its own
    # entry, on the account's environment.
    path = tmp_path / "accounts.csv"
    path.write_text(
        "Account,Environment,Permissions\nsvc-a,Production,admin on prod-db\nsvc-a,,admin\n",
        encoding="utf-8",
    )
    inventory = parse_inventory(path)
    grants = sorted(r.key[1] for r in inventory.records["grants"])
    assert grants == ["prod-db", "production environment"]
