"""Reading whole files into records: sheets, flat registers, duplicates, problems, AWS reports."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from app.ingest.limits import Limits
from app.ingest.pipeline import parse_inventory, parse_mapping
from app.ingest.problems import IngestError
from app.ingest.references import KnownIds, check_references


def _by_key(inventory, entity):
    return {r.key: r for r in inventory.records[entity]}


def _messages(inventory):
    return [str(p) for p in inventory.problems]


def test_message_names_file_sheet_row_and_column(make_xlsx):
    rows = [["Identity", "Last rotated"]] + [[f"svc-{i}", "2025-01-01"] for i in range(12)]
    rows.append(["svc-bad", "31/02/2025"])
    inventory = parse_inventory(make_xlsx({"Identities": rows}))
    assert _messages(inventory) == [
        "inventory.xlsx, sheet 'Identities', row 14, column 'Last rotated': "
        "'31/02/2025' is not a date; read as unrecorded"
    ]
    assert not inventory.problems[0].is_error  # the row is kept, the date unrecorded
    assert _by_key(inventory, "identities")[("svc-bad",)].values["last_rotated"] is None
    assert inventory.sheets[0].rejected_rows == 0


def test_workbook_with_banner_sheets_and_custom_columns(make_xlsx):
    path = make_xlsx(
        {
            "AI systems": [
                ["ACME AI register", None, None],
                [],
                ["System ID", "System name", "Owner", "Owner e-mail", "Env", "Autonomy",
                 "Identities", "Cost centre", "Go-live"],
                ["AIS-1", "Claims bot", "Maria Okafor", " Maria@ACME.test", "prod",
                 "human on the loop", "svc-1; svc-2", "CC-12", dt.date(2025, 5, 1)],
            ],
            "Service accounts": [
                ["Account", "Type", "Owner", "Last rotated", "Used by"],
                ["svc-1", "Service principal", "ops@acme.test", 45678, "AIS-1"],
                ["svc-2", "API key", "Ops <ops@acme.test>", "01/02/2025", ""],
            ],
        }
    )  # fmt: skip
    inventory = parse_inventory(path)
    assert inventory.problems == []
    system = _by_key(inventory, "systems")[("AIS-1",)]
    assert system.values["owner_email"] == "maria@acme.test"
    assert system.values["environment"] == "production"
    assert system.values["autonomy"] == "human-on-the-loop"
    assert system.values["identities"] == ["svc-1", "svc-2"]
    assert system.attributes == {"Cost centre": "CC-12", "Go-live": "2025-05-01"}
    assert system.source.sheet == "AI systems"
    assert system.source.row == 4
    identities = _by_key(inventory, "identities")
    assert identities[("svc-1",)].values["kind"] == "service-account"
    assert identities[("svc-1",)].values["last_rotated"] == dt.date(2025, 1, 21)
    assert identities[("svc-2",)].values["last_rotated"] == dt.date(2025, 2, 1)
    assert identities[("svc-2",)].values["owner_name"] == "Ops"
    assert {(k.system, k.identity) for k in inventory.links} == {("AIS-1", "svc-1"),
                                                                 ("AIS-1", "svc-2")}  # fmt: skip
    assert inventory.covered == {"systems", "identities", "links"}


def test_flat_register_one_row_per_system_and_identity(make_csv):
    rows = [
        ["System ID", "System name", "Identity", "Identity kind", "Resource", "Action", "Scope"],
        ["AIS-1", "Claims bot", "svc-1", "service account", "claims-db", "read", "claims/*"],
        ["AIS-1", "Claims bot", "svc-2", "api key", "claims-db", "Read/Write", ""],
        ["AIS-2", "Copilot", "svc-1", "", "", "", ""],
    ]
    inventory = parse_inventory(make_csv(rows, name="register.csv", delimiter=";"))
    assert inventory.problems == []
    assert sorted(_by_key(inventory, "systems")) == [("AIS-1",), ("AIS-2",)]
    identities = _by_key(inventory, "identities")
    assert identities[("svc-1",)].values["kind"] == "service-account"
    assert identities[("svc-2",)].values["kind"] == "api-key"
    assert sorted(_by_key(inventory, "grants")) == [
        ("svc-1", "claims-db", "read", "claims/*"),
        ("svc-2", "claims-db", "write", ""),
    ]
    assert {(k.system, k.identity) for k in inventory.links} == {
        ("AIS-1", "svc-1"), ("AIS-1", "svc-2"), ("AIS-2", "svc-1")}  # fmt: skip


def test_a_repeated_id_with_other_values_is_given_an_id_by_the_rule(make_csv):
    rows = [
        ["System ID", "System name", "Identity"],
        ["AIS-1", "Claims bot", "svc-1"],
        ["AIS-1", "Claims robot", "svc-2"],
    ]
    inventory = parse_inventory(make_csv(rows, name="register.csv"))
    [made] = [r.key[0] for r in inventory.records["systems"] if r.key[0] != "AIS-1"]
    assert _messages(inventory) == [
        "register.csv, row 3, column 'System ID': duplicate AI system 'AIS-1': already on "
        f"row 2, with another name: read as {made!r} (id rule: generated from the row's name)"
    ]
    assert not inventory.problems[0].is_error
    assert {(k.system, k.identity) for k in inventory.links} == {("AIS-1", "svc-1"),
                                                                 (made, "svc-2")}  # fmt: skip
    columns = parse_inventory(make_csv(rows, name="register.csv"), id_rule="System name")
    assert sorted(r.key[0] for r in columns.records["systems"]) == ["AIS-1", "Claims robot"]


def test_duplicate_ids_within_a_sheet_and_across_sheets(make_xlsx):
    path = make_xlsx(
        {
            "Identities": [["id", "kind"], ["svc-1", "role"], ["svc-2", "role"], ["svc-1", "role"]],
            "More identities": [["Identity", "Type"], ["svc-2", "role"]],
        }
    )
    inventory = parse_inventory(path)
    assert _messages(inventory) == [
        "inventory.xlsx, sheet 'Identities', row 4, column 'id': duplicate identity 'svc-1': "
        "already on row 2; read once",
        "inventory.xlsx, sheet 'More identities', row 2, column 'Identity': duplicate identity "
        "'svc-2': already on sheet 'Identities', row 3; read once",
    ]
    assert not any(p.is_error for p in inventory.problems)  # the same record twice


def test_a_row_repeating_the_id_of_a_rejected_row_is_its_duplicate(make_xlsx):
    path = make_xlsx(
        {
            "Identities": [
                ["id", "kind", "Revocation procedure"],
                ["svc-1", "role", "x" * 50],
                ["svc-2", "role", "ok"],
                ["svc-1", "role", "ok"],
            ],
            "More identities": [["Identity", "Type"], ["svc-1", "role"]],
        }
    )
    inventory = parse_inventory(path, limits=Limits(max_cell_chars=40))
    assert _messages(inventory) == [
        "inventory.xlsx, sheet 'Identities', row 2, column 'Revocation procedure': "
        "the cell holds 50 characters, more than the 40 allowed",
        "inventory.xlsx, sheet 'Identities', row 4, column 'id': duplicate identity 'svc-1': "
        "already on row 2, which was rejected",
        "inventory.xlsx, sheet 'More identities', row 2, column 'Identity': duplicate identity "
        "'svc-1': already on sheet 'Identities', row 2, which was rejected",
    ]
    assert all(p.is_error for p in inventory.problems)
    assert sorted(_by_key(inventory, "identities")) == [("svc-2",)]
    assert ("svc-1",) in inventory.rejected_keys["identities"]  # named, so never "missing"
    assert [s.rejected_rows for s in inventory.sheets] == [2, 1]


def test_a_rejected_row_repeating_an_id_is_also_reported_as_a_duplicate(make_csv):
    rows = [
        ["System ID", "System name", "Description"],
        ["AIS-1", "Claims bot", "ok"],
        ["AIS-2", "Copilot", "x" * 50],
        ["AIS-1", "Claims bot", "y" * 50],
        ["AIS-2", "Copilot", "ok"],
    ]
    inventory = parse_inventory(
        make_csv(rows, name="systems.csv"), limits=Limits(max_cell_chars=40)
    )
    messages = _messages(inventory)
    assert len(messages) == 4
    assert messages[0].startswith("systems.csv, row 3, column 'Description': ")
    assert messages[1].startswith("systems.csv, row 4, column 'Description': ")
    assert messages[2:] == [
        "systems.csv, row 4, column 'System ID': duplicate AI system 'AIS-1': already on row 2",
        "systems.csv, row 5, column 'System ID': duplicate AI system 'AIS-2': already on row 3, "
        "which was rejected",
    ]
    assert sorted(_by_key(inventory, "systems")) == [("AIS-1",)]


def test_rows_continuing_a_rejected_system_are_not_taken_for_it(make_csv):
    rows = [
        ["System ID", "Description", "Identities"],
        ["AIS-1", "x" * 50, "svc-1"],
        ["AIS-1", "", "svc-2"],
        ["AIS-2", "advisory", "svc-3"],
        ["AIS-2", "", "svc-4"],
    ]
    inventory = parse_inventory(
        make_csv(rows, name="register.csv"), limits=Limits(max_cell_chars=40)
    )
    assert _messages(inventory)[1:] == [
        "register.csv, row 3, column 'System ID': duplicate AI system 'AIS-1': already on row 2, "
        "which was rejected",
    ]
    assert sorted(_by_key(inventory, "systems")) == [("AIS-2",)]
    assert {(k.system, k.identity) for k in inventory.links} == {("AIS-2", "svc-3"),
                                                                 ("AIS-2", "svc-4")}  # fmt: skip


def test_sheet_without_a_key_column_is_skipped_with_a_note(make_xlsx):
    inventory = parse_inventory(make_xlsx({"Grants": [["Resource", "Action"], ["db", "read"]]}))
    assert inventory.records["grants"] == []
    [problem] = inventory.problems
    assert not problem.is_error
    assert "--map" not in problem.reason
    assert problem.row == 1
    assert "no column gives the identity of its grants" in problem.reason


def test_rows_without_ids_and_grants_without_actions(make_xlsx):
    path = make_xlsx(
        {
            "AI systems": [["id", "name"], ["", "Nameless"], ["AIS-1", "Fine"]],
            "Grants": [["identity", "resource", "action"], ["svc-1", "db", ""]],
        }
    )
    assert _messages(parse_inventory(path)) == [
        "inventory.xlsx, sheet 'AI systems', row 2, column 'id': no id: read as 'AIS-3A853733' "
        "(id rule: generated from the row's name)",
        "inventory.xlsx, sheet 'Grants', row 2, column 'action': no action (use read, execute, "
        "write or admin)",
    ]


def test_huge_cells_reject_their_row(make_xlsx, make_csv):
    rows = [["id", "description"], ["AIS-1", "x" * 40_000], ["AIS-2", "ok"]]
    inventory = parse_inventory(make_csv(rows))
    assert _messages(inventory) == [
        "inventory.csv, row 2, column 'description': the cell holds 40,000 characters, more "
        "than the 32,767 allowed"
    ]
    assert [r.key for r in inventory.records["systems"]] == [("AIS-2",)]
    small = parse_inventory(make_csv(rows), limits=Limits(max_cell_chars=1_000))
    assert "more than the 1,000 allowed" in _messages(small)[0]


def test_workbook_cell_at_excels_limit_is_flagged(make_xlsx):
    # python-calamine cuts a longer cell at Excel's 32,767 characters; say so.
    path = make_xlsx({"AI systems": [["id", "description"], ["AIS-1", "x" * 40_000]]})
    inventory = parse_inventory(path)
    [problem] = inventory.problems
    assert problem.severity == "warning"
    assert "its end may have been cut off" in problem.reason
    assert len(inventory.records["systems"][0].values["description"]) == 32_767


def test_formula_cells_read_as_cached_values_and_flagged(make_xlsx, tmp_path):
    path = make_xlsx({"AI systems": [["id", "review_due"], ["AIS-1", "=A1"], ["AIS-2", "=A1"]]})
    # Give the formulas cached results, as a spreadsheet application would have saved them.
    patched = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v></v>", b"<v>45678</v>", 1)
            target.writestr(item, data)
    inventory = parse_inventory(patched)
    assert _by_key(inventory, "systems")[("AIS-1",)].values["review_due"] == dt.date(2025, 1, 21)
    assert [(p.severity, p.row, p.column) for p in inventory.problems] == [
        ("error", 3, "review_due"),  # a formula never calculated: that row cannot be used
        ("warning", 2, "review_due"),
    ]
    assert "formula with no saved value" in inventory.problems[0].reason
    assert "formulas in 2 rows" in inventory.problems[1].reason
    assert "1 of them had no saved value" in inventory.problems[1].reason


def test_mapping_pairs():
    mapping = parse_mapping(["Svc owner=owner_email", "Type = identities.kind", "Notes="])
    assert dict(mapping) == {"svcowner": "owner_email", "type": "identities.kind", "notes": ""}
    with pytest.raises(IngestError, match="should read COLUMN=FIELD"):
        parse_mapping(["nonsense"])
    with pytest.raises(IngestError, match="'colour' is not an inventory field"):
        parse_mapping({"Paint": "colour"})


def test_mapping_of_an_unknown_column_is_refused(make_csv):
    with pytest.raises(IngestError, match="no sheet of inventory.csv has: 'Nope'"):
        parse_inventory(make_csv([["id", "name"], ["A", "b"]]), mapping=["Nope=name"])


def test_mapping_makes_an_unrecognised_sheet_importable(make_csv):
    rows = [["Ref", "Who owns it", "Blurb"], ["A", "a@example.com", "x"]]
    path = make_csv(rows, name="export.csv")
    inventory = parse_inventory(path, mapping=["Ref=systems.id", "Who owns it=owner_email"])
    [record] = inventory.records["systems"]
    assert record.values == {"id": "A", "owner_email": "a@example.com"}
    assert record.attributes == {"Blurb": "x"}


def test_references_to_nothing_are_problems_and_named_only_identities_are_created(make_xlsx):
    path = make_xlsx(
        {
            "AI systems": [["id", "identities"], ["AIS-1", "svc-new; svc-old"]],
            "Grants": [["identity", "resource", "action"], ["svc-new", "db-x", "read"],
                       ["svc-ghost", "db-old", "read"]],
            "Delegations": [["from", "to"], ["svc-new", "svc-new"]],
        }
    )  # fmt: skip
    inventory = parse_inventory(path)
    resolved = check_references(inventory, KnownIds(identities={"svc-old"}, resources={"db-old"}))
    messages = [str(p) for p in resolved.problems]
    assert messages == [
        "inventory.xlsx, sheet 'AI systems', row 2, column 'identities': 1 identity named here "
        "but described in no identities sheet (first: 'svc-new') will be created with only an id",
        "inventory.xlsx, sheet 'Delegations', row 2, column 'to': identity 'svc-new' cannot "
        "delegate to itself",
        "inventory.xlsx, sheet 'Grants', row 2, column 'resource': resource 'db-x' is neither in "
        "this file's resources nor in the workspace",
        "inventory.xlsx, sheet 'Grants', row 3, column 'identity': identity 'svc-ghost' is "
        "neither in this file nor in the workspace",
    ]
    assert resolved.records["grants"] == []
    assert [r.key for r in resolved.records["identities"]] == [("svc-new",), ("svc-old",)]


AWS_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
AWS_ROWS = (
    "<root_account>,arn:aws:iam::123456789012:root,2019-01-10T09:00:00+00:00,not_supported,"
    "2026-01-02T08:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,"
    "N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    "ci-bot,arn:aws:iam::123456789012:user/ci-bot,2020-03-04T10:00:00+00:00,false,N/A,N/A,N/A,"
    "false,true,2020-03-04T10:05:00+00:00,2026-01-20T11:00:00+00:00,eu-west-1,s3,false,"
    "2021-06-01T00:00:00+00:00,2022-01-01T00:00:00+00:00,us-east-1,iam,false,N/A,false,N/A",
    "alice,arn:aws:iam::123456789012:user/alice,2021-07-08T10:00:00+00:00,true,"
    "no_information,2025-12-01T10:00:00+00:00,2026-03-01T10:00:00+00:00,true,false,N/A,N/A,"
    "N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
)


def test_aws_credential_report(tmp_path):
    path = tmp_path / "status_reports_2026-01-21T10_00_00+00_00.csv"
    path.write_text("\n".join([AWS_HEADER, *AWS_ROWS]) + "\n", encoding="utf-8")
    inventory = parse_inventory(path)
    assert inventory.format == "aws-credential-report"
    assert inventory.problems == []
    records = {r.key[0]: r for r in inventory.records["identities"]}
    assert sorted(records) == [
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::123456789012:user/ci-bot",
        "arn:aws:iam::123456789012:user/ci-bot/access_key_1",
        "arn:aws:iam::123456789012:user/ci-bot/access_key_2",
    ]
    root = records["arn:aws:iam::123456789012:root"].values
    assert root["kind"] == "human-user"
    assert root["name"] == "root user"
    assert root["last_used"] == dt.date(2026, 1, 2)
    assert root["last_rotated"] is None
    key = records["arn:aws:iam::123456789012:user/ci-bot/access_key_1"]
    assert key.values["kind"] == "api-key"
    assert key.values["last_rotated"] == dt.date(2020, 3, 4)
    assert key.values["last_used"] == dt.date(2026, 1, 20)
    assert key.attributes["last_used_service"] == "s3"
    inactive = records["arn:aws:iam::123456789012:user/ci-bot/access_key_2"]
    assert inactive.attributes["active"] == "false"
    bot = records["arn:aws:iam::123456789012:user/ci-bot"].values
    assert bot["kind"] == "service-account"
    assert bot["last_used"] == dt.date(2026, 1, 20)
    alice = records["arn:aws:iam::123456789012:user/alice"]
    assert alice.values["last_used"] is None
    assert alice.attributes["mfa_active"] == "true"
    assert inventory.covered == {"identities"}


def test_aws_report_problems_and_forced_format(tmp_path, make_csv):
    bad = AWS_ROWS[1].replace("2020-03-04T10:05:00+00:00", "yesterday")
    path = tmp_path / "report.csv"
    path.write_text("\n".join([AWS_HEADER, bad, AWS_ROWS[1]]) + "\n", encoding="utf-8")
    assert [str(p) for p in parse_inventory(path).problems] == [
        "report.csv, row 2, column 'access_key_1_last_rotated': 'yesterday' is not a date",
        "report.csv, row 3, column 'arn': duplicate ARN "
        "'arn:aws:iam::123456789012:user/ci-bot': already on row 2",
    ]
    other = make_csv([["id", "name"], ["A", "b"]])
    with pytest.raises(IngestError, match="is not an AWS IAM credential report"):
        parse_inventory(other, format="aws-credential-report")
    with pytest.raises(IngestError, match="unknown format"):
        parse_inventory(other, format="xml")


def test_records_without_attributes_share_nothing_a_merge_or_permission_cell_adds(make_csv):
    rows = [
        ["Identity", "Provider", "Owner", "Permissions"],
        ["svc-1", "Entra ID", "Tom Reed", ""],
        ["svc-1", "Entra ID", "Someone Else", ""],
        ["svc-2", "Entra ID", "Tom Reed", "Reader"],
        ["svc-3", "Entra ID", "Tom Reed", ""],
    ]
    inventory = parse_inventory(make_csv(rows, name="accounts.csv"))
    identities = _by_key(inventory, "identities")
    assert identities[("svc-1",)].attributes == {"owner (row 3)": "Someone Else"}
    assert identities[("svc-2",)].attributes == {"Permissions": "Reader"}
    assert identities[("svc-3",)].attributes == {}
    with pytest.raises(TypeError):
        identities[("svc-3",)].attributes["note"] = "a write to the shared empty attributes"
    assert identities[("svc-3",)].own_attributes() == {}
    assert all(not r.attributes for r in inventory.records["grants"])
    # A text repeated down a column is one string, not one per row.
    providers = {id(r.values["provider"]) for r in identities.values()}
    assert len(providers) == 1
