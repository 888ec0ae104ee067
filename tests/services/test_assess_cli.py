"""``assay assess``: every verb through the real CLI entry point, text and --json."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.storage.models import AISystem, Person


@pytest.fixture
def cli(workspace, monkeypatch, capsys):
    monkeypatch.setattr("app.cli.COMMAND_MODULES", ("assess",))
    with workspace.db.write() as session:
        owner = Person(name="Ann", email="ann@example.org")
        session.add(owner)
        session.flush()
        session.add(AISystem(external_id="AIS-001", name="Agent", autonomy="autonomous",
                             tools=["shell"], owner_id=owner.id))  # fmt: skip
        session.add(AISystem(external_id="AIS-002", name="Chat", autonomy="advisory"))

    def run(*args: str, expect: int = 0) -> str:
        code = main(["--workspace", workspace.location, *args])
        captured = capsys.readouterr()
        assert code == expect, captured.err
        return captured.out if expect == 0 else captured.err

    return run


def test_new_answer_show_list(cli, tmp_path):
    out = cli("assess", "new", "--system", "AIS-001", "--framework", "nist-ir-8596,owasp-asi",
              "--focus", "secure", "--max-priority", "1", "--target", "4", "--json")  # fmt: skip
    info = json.loads(out)
    assert (info["id"], info["questions"], info["target_level"]) == (1, 63, 4)
    proof = tmp_path / "mfa.png"
    proof.write_bytes(b"\x89PNG fake")
    out = cli("assess", "answer", "--assessment", "1", "--question", "ir8596.secure.PR.AA-05",
              "--level", "3", "--note", "seen", "--evidence", str(proof), "--strength",
              "observed", "--flag", "--json")  # fmt: skip
    answered = json.loads(out)
    assert (answered["level"], answered["flagged"], answered["evidence_ids"]) == (3, True, [1])
    cli("assess", "answer", "--assessment", "1", "--question", "asi.ASI01.m1", "--level", "na",
        "--note", "no document inputs")  # fmt: skip
    shown = json.loads(cli("assess", "show", "--assessment", "1", "--json"))
    by_id = {r["question_id"]: r for r in shown["responses"]}
    assert by_id["asi.ASI01.m1"]["justification"] == "no document inputs"
    assert shown["assessment"]["answered"] == 2
    text = cli("assess", "show", "--assessment", "1")
    assert "ir8596.secure.PR.AA-05  3" in text
    listed = json.loads(cli("assess", "list", "--json"))
    assert [a["id"] for a in listed] == [1]
    assert "AIS-001" in cli("assess", "list", "--system", "AIS-001")


def test_an_answer_whose_evidence_cannot_be_read_changes_nothing(cli, workspace, tmp_path):
    from app.services.assessments import get_response
    from app.storage.journal import verify_chain

    def journal_entries() -> int:
        with workspace.db.read() as session:
            return verify_chain(session).entries

    cli("assess", "new", "--system", "AIS-001", "--framework", "owasp-asi")
    proof = tmp_path / "review.pdf"
    proof.write_bytes(b"%PDF-1.7 minutes")
    entries = journal_entries()
    err = cli("assess", "answer", "--assessment", "1", "--question", "asi.ASI01.m1",
              "--level", "4", "--flag", "--evidence", str(proof), "--evidence",
              str(tmp_path / "missing.png"), expect=1)  # fmt: skip
    assert "missing.png" in err
    response = get_response(workspace, 1, "asi.ASI01.m1")
    assert (response.level, response.flagged, response.evidence_ids) == (None, False, ())
    assert journal_entries() == entries, "no evidence, answer or journal entry"


def test_user_errors_are_one_line(cli):
    err = cli("assess", "new", "--system", "AIS-002", "--framework", "owasp-asi", expect=1)
    assert err.startswith("assay: no question of owasp-asi is in scope for AIS-002")
    assert err.count("\n") == 1
    cli("assess", "new", "--system", "AIS-002", "--framework", "owasp-nhi")
    err = cli("assess", "answer", "--assessment", "1", "--question", "nhi.NHI1.q1",
              "--level", "na", expect=1)  # fmt: skip
    assert "N/A answer needs its justification in --note" in err
    err = cli("assess", "answer", "--assessment", "1", "--question", "nhi.NHI1.q1",
              "--level", "seven", expect=1)  # fmt: skip
    assert "--level must be 0-5, na or none" in err
    assert "Traceback" not in err


def test_lifecycle_gate_findings_compare(cli):
    cli("assess", "new", "--system", "AIS-001", "--framework", "owasp-nhi")
    cli("assess", "answer", "--assessment", "1", "--question", "nhi.NHI1.q1", "--level", "1")
    gate = json.loads(cli("assess", "gate", "--assessment", "1", "--json"))
    assert gate["ok"] is True
    assert "quality gate passed" in cli("assess", "gate", "--assessment", "1")
    found = json.loads(cli("assess", "findings", "--assessment", "1", "--refresh", "--json"))
    # Autonomous: high risk tier, target 4; 3 levels short: likelihood 4 × impact 3 = high.
    assert [([i["key"] for i in f["items"]], f["severity"]) for f in found] == [
        (["nhi.NHI1.q1"], "high")
    ]
    assert "in-review" in cli("assess", "submit", "--assessment", "1")
    assert "final" in cli("assess", "finalize", "--assessment", "1")
    err = cli("assess", "answer", "--assessment", "1", "--question", "nhi.NHI1.q1",
              "--level", "2", expect=1)  # fmt: skip
    assert "final and read-only" in err
    again = json.loads(cli("assess", "reassess", "--assessment", "1", "--json"))
    assert again["previous_id"] == 1
    cli("assess", "answer", "--assessment", "2", "--question", "nhi.NHI1.q1", "--level", "3")
    compared = json.loads(cli("assess", "compare", "1", "2", "--json"))
    changed = [q for q in compared["questions"] if q["change"] != "unchanged"]
    assert changed == [
        {"question_id": "nhi.NHI1.q1", "ref": "NHI1:2025", "title": changed[0]["title"],
         "first": 1, "second": 3, "delta": 2, "change": "improved"}
    ]  # fmt: skip
    assert "1 improved" in cli("assess", "compare", "1", "2")


def test_gate_exit_code_and_suggest(cli):
    cli("assess", "new", "--system", "AIS-001", "--framework", "nist-ir-8596,owasp-nhi",
        "--focus", "secure", "--max-priority", "1")  # fmt: skip
    err = cli("assess", "gate", "--assessment", "1", expect=1)
    assert err == ""  # the verdict goes to stdout; exit 1 tells scripts it failed
    listing = cli("assess", "suggest", "--assessment", "1", "--question", "nhi.NHI7.q1")
    assert listing.startswith("1. [inventory] level -: the inventory records nothing")
    err = cli("assess", "suggest", "--assessment", "1", "--question", "nhi.NHI7.q1",
              "--accept", "1", expect=1)  # fmt: skip
    assert "no level to accept" in err
