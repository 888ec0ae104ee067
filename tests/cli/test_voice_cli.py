"""``assay assess opinion|verify``, provenance options of answers, ``requests``, ``review``."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.services import assessments as svc
from app.storage.models import AISystem


@pytest.fixture
def cli(workspace, capsys):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent", autonomy="advisory"))
    info = svc.new_assessment(workspace, "AIS-001", ["nist-ai-rmf"], target=3)
    question = svc.list_responses(workspace, info.id)[0].question_id

    def run(*args: str, expect: int = 0) -> str:
        try:
            code = main(["--workspace", str(workspace.path), *args])
        except SystemExit as stop:
            code = stop.code
        captured = capsys.readouterr()
        assert code == expect, captured.err + captured.out
        return captured.out if expect == 0 else captured.err

    return run, str(info.id), question


def test_answer_with_provenance_then_show(cli):
    run, aid, question = cli
    out = run("assess", "answer", "--assessment", aid, "--question", question, "--level", "2",
              "--source", "client")  # fmt: skip
    assert out.strip().endswith("Client self-assessment (not verified)")
    out = run("assess", "verify", "--assessment", aid, "--question", question,
              "--method", "document review", "--on", "2026-12-01")  # fmt: skip
    assert "verified by document review on 2026-12-01" in out
    shown = json.loads(run("assess", "show", "--assessment", aid, "--json"))
    first = next(r for r in shown["responses"] if r["question_id"] == question)
    assert first["provenance"]["verification_method"] == "document-review"
    err = run("assess", "answer", "--assessment", aid, "--question", question, "--level", "3",
              "--with", "Ann", expect=1)  # fmt: skip
    assert "give --verify METHOD too" in err
    assert first["level"] == 2


def test_opinion_draft_and_edit(cli):
    run, aid, _ = cli
    out = run("assess", "opinion", "--assessment", aid, "--draft")
    assert "Overall opinion [draft]:\n  unsatisfactory" in out
    out = run("assess", "opinion", "--assessment", aid, "--rating", "needs improvement",
              "--draft")  # fmt: skip
    assert "Overall opinion [edited]:\n  needs improvement" in out
    err = run("assess", "opinion", "--assessment", aid, "--rating", "fine", expect=1)
    assert "the opinion must be one of" in err


def test_requests_and_review(cli):
    run, aid, question = cli
    out = run("requests", "add", "--assessment", aid, "--question", question, "--contact",
              "Maria Okafor", "--what", "Rotation log", "--due", "2020-01-01")  # fmt: skip
    assert out.startswith("request 1: Maria Okafor")
    assert "requested (OVERDUE)" in run("requests", "list", "--overdue")
    assert "received" in run("requests", "update", "1", "--status", "received")
    assert run("requests", "list", "--overdue").strip() == "(none)"
    err = run("requests", "update", "1", "--due", "tomorrow", expect=1)
    assert "--due: 'tomorrow' is not a date" in err

    assert "is open" in run("review", "comment", "--assessment", aid, "--question", question,
                            "Evidence is thin")  # fmt: skip
    err = run("review", "approve", "--assessment", aid, expect=1)
    assert "1 open review comment" in err
    run("review", "resolve", "1", "--resolution", "More evidence attached")
    assert run("review", "approve", "--assessment", aid).startswith(f"assessment {aid} approved by")


def test_review_comments_through_the_workbook(cli, workspace, capsys, tmp_path):
    from openpyxl import load_workbook

    run, aid, question = cli
    run("review", "comment", "--assessment", aid, "--question", question, "Evidence is thin")
    book = tmp_path / "review.xlsx"
    run("report", "xlsx", "--assessment", aid, "-o", str(book))
    wb = load_workbook(book)
    sheet = wb["Review comments"]
    headers = {c.value: c.column for c in sheet[1]}
    sheet.cell(row=2, column=headers["Resolution"], value="Access log attached")
    sheet.cell(row=3, column=headers["About"], value=question)
    sheet.cell(row=3, column=headers["Status"], value="closed")
    wb.save(book)
    code = main(["--workspace", str(workspace.path), "review", "import", "--assessment", aid,
                 str(book)])  # fmt: skip
    refused = capsys.readouterr().out
    assert code == 1
    assert "sheet Review comments, row 3, column Status: must be open or resolved" in refused
    assert "nothing was applied" in refused
    sheet.cell(row=3, column=headers["Status"]).value = None
    sheet.cell(row=3, column=headers["Comment"], value="Name the interviewee")
    wb.save(book)
    out = run("review", "import", "--assessment", aid, str(book), "--dry-run")
    assert "row 2: comment 1 resolved: Access log attached" in out
    assert f"row 3: new comment on {question}: Name the interviewee" in out
    assert "applied" not in out
    assert "OPEN" not in run("review", "list", "--assessment", aid, "--open")
    assert run("review", "import", "--assessment", aid, str(book)).strip().endswith("applied")
    listed = json.loads(run("review", "list", "--assessment", aid, "--json"))
    assert [(c["status"], c["resolution"]) for c in listed] == [
        ("resolved", "Access log attached"),
        ("open", ""),
    ]


def test_requests_come_back_from_the_client_workbook(cli, tmp_path):
    from openpyxl import load_workbook

    run, aid, question = cli
    run("requests", "add", "--assessment", aid, "--question", question, "--contact", "Ken Ito",
        "--what", "Model card")  # fmt: skip
    book = tmp_path / "client.xlsx"
    run("report", "xlsx", "--assessment", aid, "--profile", "client", "-o", str(book))
    wb = load_workbook(book)
    assert "Review comments" not in wb.sheetnames, "the client never sees the review"
    sheet = wb["Evidence requests"]
    headers = {c.value: c.column for c in sheet[1]}
    sheet.cell(row=2, column=headers["Status"]).value = "received"
    wb.save(book)
    out = run("requests", "import", "--assessment", aid, str(book), "--dry-run")
    assert "row 2: request 1: status received" in out
    assert "applied" not in out
    assert run("requests", "import", "--assessment", aid, str(book)).strip().endswith("applied")
    assert "received" in run("requests", "list", "--assessment", aid)
