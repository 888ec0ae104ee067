"""``assay import inventory FILE --header-row SHEET=N`` through the real CLI."""

from __future__ import annotations

import json

import app.cli as cli
from app.services.inventory_queries import list_systems
from app.services.workspace import open_workspace
from tests.inventory_files import SIGN_OFF_REGISTER as REGISTER


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write_register(path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "AI systems"
    for row in REGISTER:
        book.active.append(row)
    book.save(path)
    return path


def test_header_row_option_fixes_a_wrong_guess(tmp_path, capsys):
    ws = str(tmp_path / "w.assay")
    path = str(write_register(tmp_path / "register.xlsx"))
    code, out, err = run(capsys, "--workspace", ws, "import", "inventory", path, "--dry-run")
    assert code == 0
    assert "no column gives the id" in out  # the sign-off block is skipped with a note
    code, out, err = run(
        capsys, "--workspace", ws, "import", "inventory", path, "--header-row", "AI systems=40",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["sheets"][0]["header_row"] == 40
    assert data["applied"]["counts"]["systems"]["created"] == 2
    workspace = open_workspace(tmp_path / "w.assay")
    try:
        assert [s.ext_id for s in list_systems(workspace)] == ["AIS-1", "AIS-2"]
    finally:
        workspace.close()


def test_bad_header_rows_are_one_line_errors(tmp_path, capsys):
    ws = str(tmp_path / "w.assay")
    path = str(write_register(tmp_path / "register.xlsx"))
    args = ["--workspace", ws, "import", "inventory", path, "--dry-run"]
    code, _, err = run(capsys, *args, "--header-row", "AI systems=43")
    assert code == 1
    assert err == (
        "assay: register.xlsx, sheet 'AI systems': header row 43 is past the end of the sheet "
        "(its last row is 42)\n"
    )
    code, _, err = run(capsys, *args, "--header-row", "Systems=40")
    assert code == 1
    assert "sheet 'Systems', which is not among the sheets read ('AI systems')" in err
    code, _, err = run(capsys, *args, "--header-row", "AI systems=forty")
    assert code == 1
    assert "should read SHEET=N" in err


def test_a_csv_file_takes_a_bare_row_number(tmp_path, capsys):
    ws = str(tmp_path / "w.assay")
    path = tmp_path / "export.csv"
    lines = ["Owner,Name,Status,Purpose", "Risk team,Register,Draft,Sign-off", "",
             "System ID,Name,Owner email", "AIS-9,Bot,x@acme.test"]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["--workspace", ws, "import", "inventory", str(path), "--dry-run", "--json"]
    code, out, _ = run(capsys, *args)
    assert json.loads(out)["summary"]["systems"]["creates"] == 0
    for option in ("4", "export=4", "export.csv=4"):
        code, out, err = run(capsys, *args, "--header-row", option)
        assert code == 0, err
        assert json.loads(out)["summary"]["systems"]["creates"] == 1
