"""``assay findings add|delete``: findings recorded by hand, through the real CLI entry point."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.cli import main
from app.services import assessments as svc
from app.services import findings as fs
from app.storage.models import AISystem, Finding


@pytest.fixture
def cli(workspace, monkeypatch, capsys):
    monkeypatch.setattr("app.cli.COMMAND_MODULES", ("systems", "findings"))
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent", autonomy="advisory"))
        session.add(AISystem(external_id="AIS-002", name="Chat", autonomy="advisory"))

    def run(*args: str, expect: int = 0) -> str:
        try:
            code = main(["--workspace", str(workspace.path), *args])
        except SystemExit as stop:  # argparse stops on a usage error
            code = stop.code
        captured = capsys.readouterr()
        assert code == expect, captured.err
        return captured.out if expect == 0 else captured.err

    return run


def test_add_list_and_delete(cli, workspace):
    out = cli("findings", "add", "--title", "Shared admin key", "--severity", "high",
              "--system", "AIS-001", "--detail", "One key for three agents",
              "--recommendation", "One key per agent", "--owner", "ann@example.org",
              "--due", "2027-01-15", "--reference", "PR.AA-05", "--reference", "NHI5",
              "--json")  # fmt: skip
    made = json.loads(out)
    assert (made["source"], made["system"], made["severity"]) == ("manual", "AIS-001", "high")
    stored = fs.get_finding(workspace, made["id"])
    assert stored.due_date == dt.date(2027, 1, 15)
    assert stored.references == ("PR.AA-05", "NHI5")
    assert stored.owner == "ann@example.org"
    text = cli("findings", "add", "--title", "No policy")
    assert text.startswith("Finding 2 recorded (medium, about the engagement)")
    assert "Shared admin key" in cli("findings", "list", "--source", "manual")
    assert cli("findings", "delete", str(made["id"])) == f"Finding {made['id']} deleted\n"
    assert [f.title for f in fs.list_findings(workspace)] == ["No policy"]


def test_an_assessments_finding_takes_its_system(cli, workspace):
    info = svc.new_assessment(workspace, "AIS-001", ["nist-ai-rmf"], target=3)
    made = json.loads(
        cli("findings", "add", "--title", "Logs kept", "--assessment", str(info.id), "--json")
    )
    assert (made["assessment_id"], made["system"]) == (info.id, "AIS-001")
    err = cli("findings", "add", "--title", "Wrong", "--assessment", str(info.id),
              "--system", "AIS-002", expect=1)  # fmt: skip
    assert err == f"assay: assessment {info.id} is not about AI system 'AIS-002'\n"


def test_bad_input_is_one_line_and_changes_nothing(cli, workspace):
    for args, message in (
        (("--title", "x", "--due", "31/12/2026"), "--due: '31/12/2026' is not a date"),
        (("--title", " "), "a finding needs a title"),
        (("--title", "x", "--system", "AIS-404"), "no AI system 'AIS-404'"),
        (("--title", "x", "--assessment", "9"), "no assessment 9"),
        (("--title", "x", "--severity", "huge"), "invalid choice: 'huge'"),
    ):
        err = cli("findings", "add", *args, expect=1)
        assert message in err
        assert err.count("\n") == 1, err
    assert fs.list_findings(workspace) == []
    assert "no finding 7" in cli("findings", "delete", "7", expect=1)
    assert "invalid int value" in cli("findings", "delete", "seven", expect=1)


def test_findings_from_rules_or_final_assessments_are_not_deleted(cli, workspace):
    info = svc.new_assessment(workspace, "AIS-001", ["nist-ai-rmf"], target=3)
    made = fs.create_finding(workspace, title="Frozen with the report", assessment_id=info.id)
    svc.submit_for_review(workspace, info.id)
    svc.finalize(workspace, info.id, force=True)
    err = cli("findings", "delete", str(made.id), expect=1)
    assert "final" in err
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-003", name="Third"))
    rule = fs.create_finding(workspace, title="From a rule", system="AIS-003")
    with workspace.db.write() as session:
        session.get(Finding, rule.id).source = "identity-rule"
    assert "comes from a identity-rule" in cli("findings", "delete", str(rule.id), expect=1)
    assert {f.id for f in fs.list_findings(workspace)} >= {made.id, rule.id}


def test_themes_are_listed_shown_edited_merged_split_and_accepted(cli, workspace):
    info = svc.new_assessment(workspace, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"])
    for question in ("ir8596.secure.GV.OC-01", "ir8596.secure.GV.OC-03",
                     "ir8596.secure.GV.RM-02"):  # fmt: skip
        svc.answer(workspace, info.id, question, 1)
    assert "Themed findings: 4 new, 0 updated" in cli(
        "findings", "refresh", "--assessment", str(info.id)
    )
    themes = json.loads(cli("findings", "list", "--source", "theme", "--json"))
    by_ref = {t["items"][0]["ref"][:5]: t["id"] for t in themes}
    context, strategy = by_ref["GV.OC"], by_ref["GV.RM"]
    shown = cli("findings", "show", str(context))
    assert "Criteria (2):" in shown
    assert "1 Initial" in shown
    out = cli("findings", "edit", str(context), "--owner", "Cy", "--due", "2027-02-01",
              "--effort", "medium", "--response", "Agreed", "--likelihood", "4", "--impact",
              "3", "--title", "Context is unwritten")  # fmt: skip
    assert out.startswith(f"Finding {context} changed: ")
    edited = fs.get_finding(workspace, context)
    assert (edited.owner, edited.due_date, edited.severity) == ("Cy", dt.date(2027, 2, 1), "high")
    assert cli("findings", "merge", str(context), str(strategy)) == (
        f"Finding {context} now groups 3 gaps\n"
    )
    split = json.loads(cli("findings", "split", str(context), "ir8596.secure.GV.RM-02",
                           "--title", "Appetite", "--json"))  # fmt: skip
    assert [i["key"] for i in split["items"]] == ["ir8596.secure.GV.RM-02"]
    err = cli("findings", "edit", str(context), "--status", "accepted", expect=1)
    assert "needs a justification and the approver's name" in err
    assert "Traceback" not in err
    out = cli("findings", "accept", str(context), "--justification", "Low exposure",
              "--approver", "COO")  # fmt: skip
    assert out == f"Finding {context}: risk accepted by COO\n"
    assert "Risk accepted" in cli("findings", "list", "--assessment", str(info.id))


def test_the_poam_import_lists_changes_in_the_sheets_words(cli, workspace, tmp_path):
    from openpyxl import load_workbook

    from app.services.reporting.generate import generate_workbook

    info = svc.new_assessment(workspace, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"])
    svc.answer(workspace, info.id, "ir8596.secure.GV.OC-01", 1)
    cli("findings", "refresh", "--assessment", str(info.id))
    book = tmp_path / "book.xlsx"
    generate_workbook(workspace, info.id, book)
    wb = load_workbook(book)
    ws = wb["POA&M"]
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index("Status") + 1, "In progress")
    ws.cell(2, headers.index("Due date") + 1, dt.datetime(2027, 3, 31))
    ws.cell(2, headers.index("Effort") + 1, "High")
    wb.save(book)
    out = cli("findings", "import", str(book), "--assessment", str(info.id), "--dry-run")
    assert "Status: Open -> In progress" in out
    assert "Due date: - -> 2027-03-31" in out
    assert "Effort: Low -> High" in out or "Effort: Medium -> High" in out
    assert "due_date" not in out
    assert "in-progress" not in out
    assert out.rstrip().endswith("book.xlsx: 3 fields would change")
