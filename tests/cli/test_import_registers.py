"""The messy bank register through the CLI: dry run, value mappings and a reused profile."""

from __future__ import annotations

import json

import app.cli as cli
from tests.inventory_files import BANK_IDENTITY_COUNT, BANK_SYSTEM_COUNT, write_bank_register


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dry_run_lists_skipped_rows_permissions_and_values_not_understood(tmp_path, capsys):
    bank = str(write_bank_register(tmp_path / "bank.xlsx"))
    ws = str(tmp_path / "w.assay")
    code, out, err = run(capsys, "--workspace", ws, "import", "inventory", bank, "--dry-run")
    assert code == 0, err
    assert (
        "Skipped non-data rows (totals, sources, notes): sheet 'AI Register' rows 14, 15; "
        "sheet 'Svc Accts & API keys' row 11"
    ) in out
    assert "8 of 9 permission entries understood." in out
    assert "  Autonomy:Sometimes  (2 rows, for systems.autonomy)" in out
    assert "0 errors" in out


def test_a_saved_profile_imports_next_quarters_export_in_one_step(tmp_path, capsys):
    bank = str(write_bank_register(tmp_path / "bank.xlsx"))
    ws, profile = str(tmp_path / "w.assay"), tmp_path / "bank-profile.json"
    args = ["--workspace", ws, "--json", "import", "inventory", bank, "--profile", str(profile)]
    code, out, err = run(capsys, *args, "--value", "Autonomy:Sometimes=hitl")
    assert code == 0, err
    data = json.loads(out)
    counts = data["applied"]["counts"]
    assert counts["systems"]["created"] == BANK_SYSTEM_COUNT
    assert counts["identities"]["created"] == BANK_IDENTITY_COUNT
    assert counts["grants"]["created"] == 7
    assert counts["links"]["created"] == 7
    assert data["unknown_values"] == []
    assert json.loads(profile.read_text())["values"] == {"Autonomy:Sometimes": "hitl"}
    code, out, err = run(capsys, *args, "--dry-run")
    assert code == 0, err
    again = json.loads(out)
    assert again["unknown_values"] == []
    assert again["summary"]["systems"]["unchanged"] == BANK_SYSTEM_COUNT
    assert again["summary"]["grants"]["unchanged"] == 7
    assert [r["row"] for r in again["skipped_rows"]] == [14, 15, 11]
    assert again["permissions"] == {"understood": 8, "entries": 9}


def test_bad_value_mappings_and_profiles_are_one_line_errors(tmp_path, capsys):
    bank = str(write_bank_register(tmp_path / "bank.xlsx"))
    args = ["--workspace", str(tmp_path / "w.assay"), "import", "inventory", bank, "--dry-run"]
    code, _, err = run(capsys, *args, "--value", "Sometimes=hitl")
    assert code == 1
    assert "should read COLUMN:TEXT=VALUE" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, *args, "--profile", str(broken))
    assert code == 1
    assert err.startswith("assay: mapping profile broken.json: cannot be read")
    assert len(err.strip().splitlines()) == 1
