"""``assay assess`` with the engagement scope: organisation, presets, focus areas, bulk."""

from __future__ import annotations

import json

from app.cli import main
from app.storage.models import AISystem


def _run(capsys, ws, *args):
    code = main(["--workspace", str(ws.path), "--json", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else None)


def test_organisation_then_agentic_preset_with_override(workspace, capsys):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="Agent", autonomy="autonomous"))
    code, org = _run(capsys, workspace, "assess", "new", "--organisation", "--preset",
                     "organisation-baseline")  # fmt: skip
    assert code == 0
    assert org["questions"] == 19 + 93
    code, done = _run(capsys, workspace, "assess", "answer", "--assessment", str(org["id"]),
                      "--where", "framework=nist-ir-8596", "--level", "3")  # fmt: skip
    assert code == 0
    assert len(done) == 93
    code, info = _run(capsys, workspace, "assess", "new", "--system", "AIS-009", "--preset",
                      "agentic")  # fmt: skip
    assert code == 0
    assert info["inherited_questions"] == 7
    assert info["own_questions"] == 79
    aid = str(info["id"])
    code = main(["--workspace", str(workspace.path), "assess", "answer", "--assessment", aid,
                 "--question", "ir8596.secure.GV.OC-04", "--level", "1"])  # fmt: skip
    assert code == 1
    assert "inherited" in capsys.readouterr().err
    code, over = _run(capsys, workspace, "assess", "override", "--assessment", aid,
                      "--question", "ir8596.secure.GV.OC-04", "--reason", "own entity")  # fmt: skip
    assert code == 0
    assert over["origin"] == "overridden"


def test_all_focus_areas_in_one_action(workspace, capsys):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="Agent", autonomy="autonomous"))
    _, info = _run(capsys, workspace, "assess", "new", "--system", "AIS-009", "--framework",
                   "nist-ir-8596")  # fmt: skip
    code, done = _run(capsys, workspace, "assess", "answer", "--assessment", str(info["id"]),
                      "--all-focus-areas", "PR.AA-05", "--level", "secure=3,defend=2,thwart=1",
                      "--note", "shared")  # fmt: skip
    assert code == 0
    assert sorted(r["level"] for r in done) == [1, 2, 3]
    code, _ = _run(capsys, workspace, "assess", "answer", "--assessment", str(info["id"]),
                   "--all-focus-areas", "PR.AA-05", "--level", "bogus=1")  # fmt: skip
    assert code == 1


def test_focus_areas_with_evidence_or_a_missing_file(workspace, capsys, tmp_path):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="Agent", autonomy="autonomous"))
    _, info = _run(capsys, workspace, "assess", "new", "--system", "AIS-009", "--framework",
                   "nist-ir-8596")  # fmt: skip
    aid = str(info["id"])
    missing = str(tmp_path / "missing.pdf")
    code, _ = _run(capsys, workspace, "assess", "answer", "--assessment", aid,
                   "--all-focus-areas", "DE.CM-01", "--level", "2",
                   "--evidence", missing)  # fmt: skip
    assert code == 1
    _, shown = _run(capsys, workspace, "assess", "show", "--assessment", aid)
    assert not any(r["level"] is not None for r in shown["responses"])  # nothing half-written
    proof = tmp_path / "monitoring.txt"
    proof.write_text("SIEM rules for AI agents")
    code, done = _run(capsys, workspace, "assess", "answer", "--assessment", aid,
                      "--all-focus-areas", "DE.CM-01", "--level", "2", "--evidence",
                      str(proof))  # fmt: skip
    assert code == 0
    assert [len(r["evidence_ids"]) for r in done] == [1, 1, 1]
    assert {r["level"] for r in done} == {2}


def test_portfolio_workbook_shows_organisation_once_and_each_systems_counts(
    workspace, capsys, tmp_path
):
    from openpyxl import load_workbook

    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="@Agent", autonomy="autonomous"))
    _, org = _run(capsys, workspace, "assess", "new", "--organisation", "--preset",
                  "organisation-baseline")  # fmt: skip
    _run(capsys, workspace, "assess", "answer", "--assessment", str(org["id"]),
         "--where", "framework=nist-ir-8596", "--level", "3")  # fmt: skip
    _, info = _run(capsys, workspace, "assess", "new", "--system", "AIS-009", "--preset",
                   "agentic")  # fmt: skip
    _run(capsys, workspace, "assess", "override", "--assessment", str(info["id"]),
         "--question", "ir8596.secure.GV.OC-04", "--reason", "own entity")  # fmt: skip
    out = tmp_path / "portfolio.xlsx"
    code, done = _run(capsys, workspace, "report", "portfolio", "-o", str(out))
    assert code == 0
    assert done["kind"] == "portfolio"
    assert done["path"].endswith("portfolio.xlsx")
    book = load_workbook(out)
    cells = [v for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row]
    assert cells.count("Organisation assessment") == 1
    assert "IR 8596" in [r[0] for r in book["Summary"].iter_rows(values_only=True)]
    header, *rows = book["Systems"].iter_rows(values_only=True)
    row = dict(zip(header, rows[0], strict=True))
    assert row["System ID"] == "AIS-009"
    assert row["Name"] == "@Agent"
    assert row["Inherited answers"] == info["inherited_questions"] - 1
    assert row["Overridden answers"] == 1
    assert row["Own answers"] == info["own_questions"]
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f"
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                    assert cell.quotePrefix
    code = main(["--workspace", str(workspace.path), "report", "portfolio", "-o",
                 str(tmp_path / "p.csv")])  # fmt: skip
    assert code == 1
    assert ".pdf or .xlsx" in capsys.readouterr().err
