"""Hostile files: YAML bombs, damaged encodings, control characters, formulas, file names."""

from __future__ import annotations

import os
import stat

import pytest

from app.cli import main
from app.ingest.pipeline import parse_inventory
from app.services import evidence
from app.services.workspace import open_workspace
from tests.hostile.conftest import sql


def _alias_bomb(levels: int) -> str:
    lines = ["schema_version: 1", 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_alias_bomb(6), "aliases (*name) are not accepted"),
        ("schema_version: 1\nid: &r [*r]\n", "not valid YAML"),
        ("schema_version: 1\nid: one\nid: two\n", "the key 'id' appears twice"),
        ("schema_version: 1\n<<: {id: x}\n", "merge keys"),
    ],
    ids=["alias-bomb", "recursive-alias", "duplicate-key", "merge-key"],
)
def test_hostile_yaml_is_refused_in_one_problem(tmp_path, capsys, text, reason):
    path = tmp_path / "custom.yaml"
    path.write_text(text)
    assert main(["frameworks", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert reason in err
    assert err.count("\n") <= 2, err  # one problem, not thousands


def test_one_bad_byte_in_utf8_is_an_error_not_mojibake(tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(
        "id,name\nAIS-001,Zoë Müller\nAIS-002,Ana\xff\n".encode("latin-1").replace(
            "Zoë Müller".encode("latin-1"), "Zoë Müller".encode()
        )
    )
    ws = tmp_path / "w.assay"
    assert main(["--workspace", str(ws), "import", "inventory", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 3, character 12: byte 0xFF is not valid UTF-8" in err
    assert "Ã" not in err
    assert main(["--workspace", str(ws), "systems", "list"]) == 0
    assert "AIS-001" not in capsys.readouterr().out  # nothing imported


def test_a_legacy_encoding_is_detected_per_file(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,name\nAIS-001,Zoë Müller\n".encode("cp1252"))
    inventory = parse_inventory(path)
    assert [r.values["name"] for r in inventory.records["systems"]] == ["Zoë Müller"]


def test_control_characters_deep_in_a_csv_are_removed_and_output_is_escaped(tmp_path, capsys):
    rows = ["id,name"] + [f"AIS-{n:05d},System number {n} padded to fill" for n in range(2000)]
    rows.append("AIS-EVIL,\x1b[31mRed\x00Alert\x07")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n")
    assert path.stat().st_size > 64 * 1024
    ws = tmp_path / "w.assay"
    assert main(["--workspace", str(ws), "import", "inventory", str(path)]) == 0
    capsys.readouterr()
    assert main(["--workspace", str(ws), "systems", "show", "AIS-EVIL"]) == 0
    out = capsys.readouterr().out
    assert "[31mRedAlert" in out
    assert "\x1b" not in out
    assert "\x00" not in out
    assert "\x07" not in out
    sql(
        ws,
        "UPDATE ai_system SET name = 'Sneaky ' || char(27) || '[2J' "
        "WHERE external_id = 'AIS-00001'",
    )
    assert main(["--workspace", str(ws), "systems", "list"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "Sneaky \\u001b[2J" in out


def test_formula_cells_without_a_saved_value_reject_their_row(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "name"])
    sheet.append(["AIS-001", "Plain agent"])
    sheet.append(["AIS-002", '=HYPERLINK("http://example.invalid/x","click")'])
    sheet.append(["AIS-003", "=cmd|' /C calc'!A0"])
    path = tmp_path / "links.xlsx"
    book.save(path)  # openpyxl saves formulas without a calculated value
    inventory = parse_inventory(path)
    errors = [(p.row, p.column) for p in inventory.problems if p.severity == "error"]
    assert errors == [(3, "name"), (4, "name")]
    assert all("no saved value" in p.reason for p in inventory.problems)
    assert [r.values["name"] for r in inventory.records["systems"]] == ["Plain agent"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("..\\..\\..\\Windows\\Temp\\evil.bat", "evil.bat"),
        ("../../etc/passwd", "passwd"),
        ("invoice\u202etxt.exe", "invoicetxt.exe"),
        ("two\nlines.pdf", "twolines.pdf"),
        ("\x1b[31mred.pdf", "[31mred.pdf"),
        ("CON.txt", "_CON.txt"),
        ("...", "evidence"),
        ("nul.tar.gz", "_nul.tar.gz"),
        ("CON .txt", "_CON .txt"),
        ("COM\u00b9.txt", "_COM\u00b9.txt"),
        ("CONIN$", "_CONIN$"),
        ("line\u2028break.pdf", "linebreak.pdf"),
        ("zero\u200b\u200dwidth\ufeff.pdf", "zerowidth.pdf"),
        ("\u2066isolate\u2069.pdf", "isolate.pdf"),
    ],
)
def test_evidence_names_are_reduced_to_a_safe_base_name(workspace, tmp_path, given, kept):
    info = evidence.add_evidence_bytes(workspace, b"proof", given)
    assert info.file_name == kept
    folder = tmp_path / "open"
    folder.mkdir()
    written = evidence.export_evidence(workspace, info.id, folder)
    assert written.parent == folder


def test_a_hostile_name_already_stored_is_shown_and_opened_safely(workspace, tmp_path):
    info = evidence.add_evidence_bytes(workspace, b"proof", "plain.txt")
    sql(
        workspace.path,
        f"UPDATE evidence SET file_name = '..\\..\\x\u202e.bat' WHERE id = {info.id}",
    )
    assert evidence.get_evidence(workspace, info.id).file_name == "x.bat"
    folder = tmp_path / "open"
    folder.mkdir()
    assert evidence.export_evidence(workspace, info.id, folder) == folder / "x.bat"
    from app.support.safe_files import is_runnable

    assert is_runnable(folder / "x.bat")  # the window shows its folder, never runs it


def test_planted_links_at_temporary_names_are_never_followed(sealed, tmp_path):
    from app.services.reporting.generate import generate_workbook

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out.xlsx"
    for name in (".out.xlsx.partial", "out.xlsx.part", ".out.xlsx.partial.part"):
        (tmp_path / name).symlink_to(victim)
    ws = open_workspace(sealed)
    try:
        generate_workbook(ws, 1, out)
    finally:
        ws.close()
    assert victim.read_text() == "precious"
    assert out.is_file()
    assert not out.is_symlink()
    from app.support.safe_files import create_exclusive

    with pytest.raises(FileExistsError):
        create_exclusive(tmp_path / ".out.xlsx.partial")
    assert victim.read_text() == "precious"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_private_files_are_created_for_their_owner_only(tmp_path, isolated_home):
    os.umask(0o022)
    ws = open_workspace(tmp_path / "new.assay")
    ws.close()
    assert _mode(tmp_path / "new.assay") == 0o600
    assert main(["--workspace", str(tmp_path / "new.assay"), "check"]) == 0
    logs = list((isolated_home / "logs").glob("assay.log"))
    assert all(_mode(log) == 0o600 for log in logs)
    anchors = list((isolated_home / "state").glob("*.json"))
    assert anchors
    assert all(_mode(a) == 0o600 for a in anchors)


def test_a_new_signing_key_is_for_its_owner_only(tmp_path, isolated_home):
    os.umask(0o022)
    password = tmp_path / "password.txt"
    password.write_text("correct horse battery\n")
    key = tmp_path / "assessor.p12"
    code = main(
        ["certificate", "create", "-o", str(key), "--name", "Robin Vale",
         "--password-file", str(password), "--days", "2"]
    )  # fmt: skip
    assert code == 0
    assert _mode(key) == 0o600
    assert _mode(key.with_suffix(".pem")) == 0o644  # the public certificate is for sharing


def test_a_framework_file_name_with_escapes_is_escaped_on_the_terminal(tmp_path, capsys):
    path = tmp_path / "\x1b]0;owned\x07\x1b[2J.yaml"
    path.write_text("schema_version: 1\nid: one\nid: two\n")
    assert main(["frameworks", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "\\u001b[2J.yaml" in err


def test_bidirectional_overrides_are_removed_on_import(tmp_path):
    path = tmp_path / "bidi.csv"
    path.write_text("id,name\nAIS-001,Payroll \u202eexe.gpj\u202c bot\nAIS-002,مساعد الرواتب\n")
    inventory = parse_inventory(path)
    names = [r.values["name"] for r in inventory.records["systems"]]
    assert names == ["Payroll exe.gpj bot", "مساعد الرواتب"]  # right-to-left text itself stays
