"""A value edited by hand is kept on the next import of the same register and listed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.ingest.fields import SYSTEMS
from app.services import inventory_queries
from app.services.inventory_edit import edit_record
from app.services.inventory_import import import_inventory, plan_import

SYSTEM_ROWS = [
    ["id", "name", "autonomy", "exposure", "owner_email"],
    ["AIS-1", "Claims bot", "advisory", "internal", "ann@example.com"],
    ["AIS-2", "Pricing", "autonomous", "partner", "bob@example.com"],
]


def _register(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "AI systems"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_hand_edit_is_kept_and_listed_on_the_next_imports(workspace, tmp_path) -> None:
    register = _register(tmp_path / "register.xlsx", SYSTEM_ROWS)
    import_inventory(workspace, register)
    edit_record(workspace, SYSTEMS, "AIS-1", {"autonomy": "autonomous", "owner": "cy@example.com"})
    plan = plan_import(workspace, register)
    kept = {(e.key, e.field): (e.in_assay, e.in_file) for e in plan.diff.kept_edits}
    assert kept[(("AIS-1",), "autonomy")] == ("autonomous", "advisory")
    assert (("AIS-1",), "owner") in kept
    assert plan.summary()[SYSTEMS]["updates"] == 0
    assert plan.to_dict()["changed_in_assay"][0]["key"] == "AIS-1"
    import_inventory(workspace, register)
    row = inventory_queries.get_system(workspace, "AIS-1").row
    assert (row.autonomy, row.owner) == ("autonomous", "cy@example.com")
    # A file that changes another field still updates it; the hand edit stays on later imports.
    changed = [r[:] for r in SYSTEM_ROWS]
    changed[1][3] = "public"
    import_inventory(workspace, _register(tmp_path / "next.xlsx", changed))
    row = inventory_queries.get_system(workspace, "AIS-1").row
    assert (row.autonomy, row.exposure) == ("autonomous", "public")
    third = plan_import(workspace, register)
    assert {e.field for e in third.diff.kept_edits} == {"autonomy", "owner"}


def test_the_cli_dry_run_lists_values_changed_in_assay(tmp_path) -> None:
    ws_path = tmp_path / "cli.assay"
    register = _register(tmp_path / "register.xlsx", SYSTEM_ROWS)

    def assay(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "app", "--workspace", str(ws_path), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    assert assay("import", "inventory", str(register)).returncode == 0
    edited = assay("systems", "edit", "AIS-2", "--set", "exposure=public")
    assert edited.returncode == 0, edited.stderr
    dry = assay("import", "inventory", str(register), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Changed in Assay since the last import, kept (1):" in dry.stdout
    assert "AIS-2: exposure: public (the file says partner)" in dry.stdout
    data = json.loads(assay("--json", "import", "inventory", str(register), "--dry-run").stdout)
    assert data["changed_in_assay"][0]["field"] == "exposure"


def test_a_hand_value_where_the_file_is_blank_is_listed_in_words(tmp_path, capsys) -> None:
    from app.cli import main

    rows = [r[:] for r in SYSTEM_ROWS]
    rows[1][3] = None
    register = _register(tmp_path / "register.xlsx", rows)
    ws = ["--workspace", str(tmp_path / "blank.assay")]
    assert main([*ws, "import", "inventory", str(register)]) == 0
    assert main([*ws, "systems", "edit", "AIS-1", "--set", "exposure=public"]) == 0
    capsys.readouterr()
    assert main([*ws, "import", "inventory", str(register), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "AIS-1: exposure: public (the file leaves it empty)" in out
