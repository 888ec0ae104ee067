"""``assay import inventory`` and ``assay inventory template`` through the real CLI."""

from __future__ import annotations

import json

import pytest

import app.cli as cli


@pytest.fixture(autouse=True)
def _inventory_commands(monkeypatch):
    if "inventory" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "inventory"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_template_then_dry_run_then_import(tmp_path, capsys):
    ws = str(tmp_path / "w.assay")
    template = tmp_path / "inventory.xlsx"
    code, out, _ = run(capsys, "--workspace", ws, "inventory", "template", "-o", str(template))
    assert code == 0
    assert "Wrote" in out
    code, out, _ = run(capsys, "--workspace", ws, "import", "inventory", str(template), "--dry-run")
    assert code == 0
    assert "Dry run: nothing was written." in out
    assert "AI systems" in out
    code, out, _ = run(capsys, "--workspace", ws, "import", "inventory", str(template), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["systems"]["creates"] == 1
    assert data["applied"]["counts"]["identities"]["created"] == 2
    code, out, _ = run(capsys, "--workspace", ws, "--json", "import", "inventory", str(template))
    assert json.loads(out)["summary"]["systems"] == {
        "creates": 0, "updates": 0, "unchanged": 1, "rejected": 0, "missing": 0}  # fmt: skip


def test_errors_refuse_the_import_unless_valid_only(tmp_path, capsys):
    ws = str(tmp_path / "w.assay")
    path = tmp_path / "identities.csv"
    path.write_text("id,kind,can assume\nsvc-1,role,\nsvc-2,role,svc-2\n", encoding="utf-8")
    code, out, err = run(capsys, "--workspace", ws, "import", "inventory", str(path))
    assert code == 1
    assert "identities.csv, row 3, column 'can assume': identity 'svc-2' cannot delegate" in out
    assert err.startswith("assay: identities.csv: 1 problem in 1 row; nothing was imported")
    code, out, _ = run(capsys, "--workspace", ws, "import", "inventory", str(path), "--valid-only")
    assert code == 0
    assert "Imported (import run 1)" in out


def test_mapping_and_format_options(tmp_path, capsys):
    ws = str(tmp_path / "w.assay")
    path = tmp_path / "export.csv"
    path.write_text("Ref;Who;Blurb\nAIS-9;a@example.com;x\n", encoding="utf-8")
    args = ["--workspace", ws, "import", "inventory", str(path), "--json"]
    code, out, _ = run(capsys, *args, "--map", "Ref=systems.id", "--map", "Who=owner_email")
    assert code == 0
    assert json.loads(out)["applied"]["counts"]["systems"]["created"] == 1
    code, _, err = run(capsys, *args, "--map", "Ref=colour")
    assert code == 1
    assert "'colour' is not an inventory field" in err
    code, _, err = run(capsys, *args, "--format", "aws-credential-report")
    assert code == 1
    assert "is not an AWS IAM credential report" in err


def test_unreadable_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "inventory.xlsx"
    path.write_bytes(b"GIF89a" + b"\x00" * 20)
    code, out, err = run(capsys, "--workspace", str(tmp_path / "w.assay"), "import", "inventory",
                         str(path))  # fmt: skip
    assert code == 1
    assert out == ""
    assert err == (
        "assay: inventory.xlsx is not an Excel workbook (.xlsx/.xlsm): its content is of "
        "another kind\n"
    )


def test_applied_import_refreshes_the_identity_findings(tmp_path, capsys):
    import json
    from pathlib import Path

    from app.cli import main

    samples = Path(__file__).resolve().parents[2] / "resources" / "samples"
    book = next(p for p in sorted(samples.glob("*.xlsx")))
    ws = str(tmp_path / "w.assay")
    assert main(["import", "inventory", str(book), "--workspace", ws, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identity_findings"]["created"] > 0
    assert main(["findings", "list", "--workspace", ws, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)
