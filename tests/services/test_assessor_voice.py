"""The assessor's voice, answer provenance, evidence requests and reviewer comments.

Each runs on a real workspace file through the services; the workbook round trips write and
read real .xlsx files with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services import (
    assessments,
    evidence_requests,
    opinion,
    opinion_draft,
    provenance,
    quality_gate,
    review,
)
from app.services.errors import UserError
from app.services.reporting import build_report, generate_workbook, import_responses
from app.services.reporting.request_sheet import import_requests
from app.services.reporting.review_sheet import import_review
from app.services.workspace import open_workspace
from app.storage.models import AISystem, JournalEntry

_SETUP = Path(__file__).with_name("test_reporting_setup.py")


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


@pytest.fixture
def started(workspace):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Claims agent", autonomy="advisory"))
    info = assessments.new_assessment(workspace, "AIS-001", ["nist-ai-rmf"], target=3)
    questions = [r.question_id for r in assessments.list_responses(workspace, info.id)]
    for question_id in questions[:6]:
        assessments.answer(workspace, info.id, question_id, 1)
    return workspace, info.id, questions


def _journal(ws, action: str) -> list[JournalEntry]:
    with ws.db.read() as session:
        query = sa.select(JournalEntry).where(JournalEntry.action == action)
        return list(session.execute(query).scalars().all())


# The assessor's voice -----------------------------------------------------------------------
def test_a_draft_fills_empty_fields_and_never_overwrites_edited_text(started):
    ws, assessment_id, _ = started
    first = opinion_draft.offer_draft(ws, assessment_id)
    assert first.rating == "unsatisfactory"
    assert "6 of 72 applicable questions were answered" in first.executive_summary
    assert first.themes
    assert all("below target" in t for t in first.themes)
    assert "66 applicable questions were not answered." in first.scope_limitations
    assert first.edited == ()

    opinion.write_opinion(ws, assessment_id, rating="needs improvement", rationale="Our view")
    again = opinion_draft.offer_draft(ws, assessment_id)
    assert (again.rating, again.rationale) == ("needs improvement", "Our view")
    assert set(again.edited) == {"rating", "rationale"}
    assert again.executive_summary == first.executive_summary
    assert [e.after for e in _journal(ws, "opinion.update")] == [
        {"rating": "needs improvement", "rationale": "Our view"}
    ]
    assert len(_journal(ws, "opinion.draft")) == 1, "a draft that changes nothing is not journalled"


def test_a_rating_off_the_scale_is_refused(started):
    ws, assessment_id, _ = started
    with pytest.raises(UserError, match="must be one of satisfactory, needs improvement"):
        opinion.write_opinion(ws, assessment_id, rating="great")
    assert opinion.get_opinion(ws, assessment_id).rating == ""


# Provenance ---------------------------------------------------------------------------------
def test_verification_is_recorded_and_a_new_assessor_answer_is_the_assessors(started):
    ws, assessment_id, questions = started
    provenance.set_source(ws, assessment_id, [questions[0]], "client")
    shown = provenance.get_provenance(ws, assessment_id, questions[0])
    assert shown.text == "Client self-assessment (not verified)"
    assert assessments.get_response(ws, assessment_id, questions[0]).answered_by.startswith(
        "client"
    )
    day = dt.date(2026, 12, 3)
    verified = provenance.record_verification(
        ws, assessment_id, questions[0], "interview", with_whom="Maria Okafor", on=day
    )
    assert verified.text == (
        "Client self-assessment, verified by interview with Maria Okafor on 2026-12-03 (tester)"
    )
    assert _journal(ws, "response.verify")[-1].after["verified_with"] == "Maria Okafor"
    assessments.answer(ws, assessment_id, questions[0], 3)
    assert provenance.get_provenance(ws, assessment_id, questions[0]).source == "assessor"
    with pytest.raises(UserError, match="verification method must be one of"):
        provenance.record_verification(ws, assessment_id, questions[1], "guess")


def _edit_sheet(path: Path, sheet_name: str, key: str, edits: dict[object, dict[str, object]]):
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book[sheet_name]
    headers = {cell.value: cell.column for cell in sheet[1]}
    for row in sheet.iter_rows(min_row=2):
        for header, value in edits.get(row[headers[key] - 1].value, {}).items():
            sheet.cell(row=row[0].row, column=headers[header], value=value)
    book.save(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return setup.build_report_workspace(tmp_path_factory.mktemp("built"))


@pytest.fixture
def ws(built, tmp_path):
    copy = setup.copy_workspace(built, tmp_path / "ws")
    workspace = open_workspace(copy.path, actor="tester")
    yield workspace
    workspace.close()


def test_answers_from_the_responses_sheet_are_the_clients_and_not_verified(ws, built, tmp_path):
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    responses = assessments.list_responses(ws, built.assessment_id)
    raised, noted = responses[3], responses[4]
    _edit_sheet(book, "Responses", "Question ID", {
        raised.question_id: {"Level (0-5 or N/A)": 5},
        noted.question_id: {"Notes": "only a note"},
    })  # fmt: skip
    assert import_responses(ws, built.assessment_id, book).applied
    found = provenance.list_provenance(ws, built.assessment_id)
    assert found[raised.question_id].source == "client"
    assert not found[raised.question_id].verified
    stored = assessments.get_response(ws, built.assessment_id, raised.question_id)
    assert stored.answered_by == provenance.CLIENT_ACTOR, "not recorded as the assessor's"
    assert found[noted.question_id].source == "assessor", "a note alone is not the client's answer"

    report = build_report(ws, built.assessment_id).data
    shown = {a.question_id: a.provenance for a in report.answers}
    assert shown[raised.question_id] == "Client self-assessment (not verified)"
    assert report.voice is not None
    assert report.voice.unverified_answers == 1
    generate_workbook(ws, built.assessment_id, tmp_path / "after.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "after.xlsx")["Responses"]
    headers = [c.value for c in sheet[1]]
    source, verification = headers.index("Answer source"), headers.index("Verification")
    values = {row[0].value: (row[source].value, row[verification].value)
              for row in sheet.iter_rows(min_row=2)}  # fmt: skip
    assert values[raised.question_id] == ("Client self-assessment", "Not verified")
    assert values[noted.question_id] == ("Assessor", "Method not recorded")
    _edit_sheet(tmp_path / "after.xlsx", "Responses", "Question ID", {
        raised.question_id: {"Answer source": "Assessor", "Verification": "Interview"},
    })  # fmt: skip
    again = import_responses(ws, built.assessment_id, tmp_path / "after.xlsx")
    assert again.changes == (), "the source and verification columns are not read back"
    assert not provenance.list_provenance(ws, built.assessment_id)[raised.question_id].verified
    client = " ".join(_pdf_text(ws, built.assessment_id, tmp_path / "client.pdf", "client").split())
    ref = next(a.ref for a in report.answers if a.question_id == raised.question_id)
    assert (
        f"1 answer rests on the client's self-assessment, not verified by the assessor: {ref}"
        in client
    ), "the client edition marks the unverified answer"


# Evidence requests --------------------------------------------------------------------------
def test_a_request_past_its_due_date_and_still_awaited_is_overdue(started):
    ws, assessment_id, questions = started
    late = evidence_requests.add_request(
        ws, assessment_id, contact="Maria Okafor", description="Access review records",
        due_date=dt.date.today() - dt.timedelta(days=1), question_id=questions[0],
    )  # fmt: skip
    evidence_requests.add_request(
        ws, assessment_id, contact="Ken Ito", description="Model card",
        due_date=dt.date.today() + dt.timedelta(days=5), question_id=questions[1],
    )  # fmt: skip
    assert [r.id for r in evidence_requests.list_requests(ws, overdue_only=True)] == [late.id]
    received = evidence_requests.update_request(ws, late.id, status="received")
    assert not received.overdue
    assert received.received_on == dt.date.today()
    assert evidence_requests.list_requests(ws, overdue_only=True) == []
    assert [e.entity_id for e in _journal(ws, "request.update")] == [str(late.id)]
    with pytest.raises(UserError, match="one question or one finding"):
        evidence_requests.add_request(ws, assessment_id, contact="A", description="", due_date=None)
    with pytest.raises(UserError, match="needs the name of the client contact"):
        evidence_requests.add_request(
            ws, assessment_id, contact=" ", description="", due_date=None, question_id="x"
        )


def test_requests_go_out_in_the_workbook_and_come_back(ws, built, tmp_path):
    questions = [r.question_id for r in assessments.list_responses(ws, built.assessment_id)]
    first = evidence_requests.add_request(
        ws, built.assessment_id, contact="Maria Okafor", description="Key rotation log",
        due_date=dt.date(2020, 1, 31), question_id=questions[0],
    )  # fmt: skip
    second = evidence_requests.add_request(
        ws, built.assessment_id, contact="Ken Ito", description="Policy",
        due_date=dt.date(2099, 1, 31), question_id=questions[1],
    )  # fmt: skip
    book = tmp_path / "out.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    from openpyxl import load_workbook

    sheet = load_workbook(book)["Evidence requests"]
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=2)}
    assert rows[first.id][5] == "overdue"
    assert rows[second.id][5] in ("", None)

    _edit_sheet(book, "Evidence requests", "Request #", {
        first.id: {"Status": "received", "Received on": dt.date(2026, 12, 4),
                   "Client note": "Sent by e-mail"},
        second.id: {"Status": "maybe"},
    })  # fmt: skip
    refused = import_requests(ws, built.assessment_id, book)
    assert not refused.applied
    assert refused.problems == (
        f"sheet Evidence requests, row {_row_of(book, second.id)}, column Status: must be one of "
        "requested, received, accepted, rejected, not 'maybe'",
    )
    assert evidence_requests.list_requests(ws, built.assessment_id)[0].status == "requested"

    _edit_sheet(book, "Evidence requests", "Request #", {second.id: {"Status": "requested"}})
    done = import_requests(ws, built.assessment_id, book)
    assert done.applied
    assert [c.request_id for c in done.changes] == [first.id]
    stored = evidence_requests.list_requests(ws, built.assessment_id)[0]
    assert (stored.status, stored.received_on, stored.note) == (
        "received",
        dt.date(2026, 12, 4),
        "Sent by e-mail",
    )
    assert len(_journal(ws, "requests.import")) == 1


def _row_of(book: Path, request_id: int) -> int:
    from openpyxl import load_workbook

    sheet = load_workbook(book)["Evidence requests"]
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == request_id)


# Review ---------------------------------------------------------------------------------------
def test_open_review_comments_block_finalising_and_approval(started):
    ws, assessment_id, questions = started
    comment = review.add_comment(ws, assessment_id, "Why level 1?", question_id=questions[0])
    gate = quality_gate.run_quality_gate(ws, assessment_id)
    assert [i.code for i in gate.errors if i.code == "open-review-comments"] == [
        "open-review-comments"
    ]
    with pytest.raises(UserError, match="1 open review comment; resolve"):
        review.approve(ws, assessment_id)
    assessments.submit_for_review(ws, assessment_id)
    with pytest.raises(UserError, match="review comment is still open"):
        assessments.finalize(ws, assessment_id)
    review.resolve_comment(ws, comment.id, "Level confirmed by interview")
    assert not [i for i in quality_gate.run_quality_gate(ws, assessment_id).errors
                if i.code == "open-review-comments"]  # fmt: skip
    when = review.approve(ws, assessment_id)
    assert _journal(ws, "review.approve")[-1].after["approved_by"] == "tester"
    found = opinion.get_opinion(ws, assessment_id)
    assert (found.approved_by, found.approved_at) == ("tester", when)


# The report ---------------------------------------------------------------------------------
def test_the_report_opens_with_the_opinion_and_names_reviewer_and_requests(ws, built, tmp_path):
    import subprocess

    from app.reports.pdf import render_pdf

    questions = [r.question_id for r in assessments.list_responses(ws, built.assessment_id)]
    opinion.write_opinion(
        ws, built.assessment_id, rating="needs improvement",
        rationale="Identity controls lag behind the rest.", key_themes="- Stale keys\n- No owner",
    )  # fmt: skip
    opinion_draft.offer_draft(ws, built.assessment_id)
    evidence_requests.add_request(
        ws, built.assessment_id, contact="Maria Okafor", description="Rotation log",
        due_date=dt.date(2020, 1, 1), question_id=questions[0],
    )  # fmt: skip
    review.approve(ws, built.assessment_id)
    data = build_report(ws, built.assessment_id, profile="client").data
    assert data.voice is not None
    assert [s.rating for s in data.voice.scale if s.chosen] == ["needs improvement"]
    assert data.voice.themes == ("Stale keys", "No owner")
    pdf = tmp_path / "report.pdf"
    render_pdf(data, pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages = text.split("\f")
    opening = next(page for page in pages if "What it means" in page)
    assert pages.index(opening) < 8, "the opinion is in the opening pages"
    assert "Needs improvement" in opening
    assert "Identity controls lag behind the rest." in opening
    assert "Stale keys" in opening
    control = next(page for page in pages if "Document control" in page)
    assert "· reviewed and approved" in control, "document control names the reviewer's approval"
    assert re.search(r"Appendix [A-F]\. Evidence requests", text), "requests are an appendix"
    assert "1 request is overdue" in text


# The review record in the workbook and the report --------------------------------------------
def _review_rows(book: Path) -> dict[object, dict[str, object]]:
    from openpyxl import load_workbook

    sheet = load_workbook(book)["Review comments"]
    headers = [c.value for c in sheet[1]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row), "no formula cells"
    return {row[0].value: dict(zip(headers, [c.value for c in row], strict=True))
            for row in sheet.iter_rows(min_row=2)}  # fmt: skip


def _type_rows(book: Path, rows: list[dict[str, object]]) -> list[int]:
    """Type new rows under the last one, as a reviewer would; return their row numbers."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    sheet = wb["Review comments"]
    headers = {c.value: c.column for c in sheet[1]}
    numbers = []
    for values in rows:
        number = sheet.max_row + 1
        for header, value in values.items():
            sheet.cell(row=number, column=headers[header], value=value)
        numbers.append(number)
    wb.save(book)
    return numbers


@pytest.fixture
def commented(ws, built):
    from app.services.findings import list_findings

    aid = built.assessment_id
    question = assessments.list_responses(ws, aid)[0].question_id
    finding = next(f for f in list_findings(ws, assessment_id=aid) if f.source == "manual")
    on_answer = review.add_comment(ws, aid, "Why level 2 here?", question_id=question)
    on_whole = review.add_comment(ws, aid, "Scope leaves out the batch jobs")
    review.resolve_comment(ws, on_whole.id, "Scope limitation added")
    return ws, aid, question, finding.id, on_answer, on_whole


def test_review_comments_go_out_in_the_workbook_and_come_back(commented, tmp_path):
    ws, aid, question, finding_id, on_answer, on_whole = commented
    book = tmp_path / "review.xlsx"
    generate_workbook(ws, aid, book)
    rows = _review_rows(book)
    assert rows[on_answer.id]["About"] == question
    assert rows[on_answer.id]["Status"] == "open"
    assert rows[on_whole.id]["About"] == "assessment"
    assert (rows[on_whole.id]["Resolution"], rows[on_whole.id]["Resolved by"]) == (
        "Scope limitation added",
        "tester",
    )
    client_book = tmp_path / "client.xlsx"
    generate_workbook(ws, aid, client_book, profile="client")
    from openpyxl import load_workbook

    assert "Review comments" not in load_workbook(client_book).sheetnames

    _edit_sheet(book, "Review comments", "Comment #", {
        on_answer.id: {"Resolution": "Level confirmed by interview"},
        on_whole.id: {"Status": "open"},
    })  # fmt: skip
    added = _type_rows(book, [
        {"About": f"F-{finding_id}", "Comment": "Who owns this finding?"},
        {"About": "no.such.question", "Comment": "Typo?"},
        {"About": "assessment", "Comment": "=HYPERLINK(\"x\")"},
    ])  # fmt: skip
    refused = import_review(ws, aid, book)
    assert not refused.applied
    assert refused.problems == (
        f"sheet Review comments, row {added[2]}, column Comment: contains a formula; type the "
        "value itself",
        f"sheet Review comments, row {_row_of_comment(book, on_whole.id)}, column Status: "
        f"comment {on_whole.id} is resolved and cannot be opened again; add a new comment on a "
        "new row",
        f"sheet Review comments, row {added[1]}, column About: question 'no.such.question' is "
        f"not part of assessment {aid}",
    )
    assert [c.status for c in review.list_comments(ws, aid)] == ["open", "resolved"]

    _edit_sheet(book, "Review comments", "Comment #", {on_whole.id: {"Status": "resolved"}})
    _clear_rows(book, added[1:])
    planned = import_review(ws, aid, book, dry_run=True)
    assert (planned.problems, planned.applied) == ((), False)
    assert [(r.comment_id, r.resolution) for r in planned.resolutions] == [
        (on_answer.id, "Level confirmed by interview")
    ]
    assert [(n.subject, n.text) for n in planned.new_comments] == [
        (f"F-{finding_id}", "Who owns this finding?")
    ]
    assert len(review.list_comments(ws, aid, open_only=True)) == 1, "a dry run stores nothing"

    assert import_review(ws, aid, book).applied
    found = review.list_comments(ws, aid)
    closed = next(c for c in found if c.id == on_answer.id)
    assert (closed.status, closed.resolution, closed.resolved_by) == (
        "resolved",
        "Level confirmed by interview",
        "tester",
    )
    new = found[-1]
    assert (new.finding_id, new.status, new.author) == (finding_id, "open", "tester")
    assert _journal(ws, "review.import")[-1].after == {
        "file": "review.xlsx", "resolved": 1, "added": 1
    }  # fmt: skip
    assert {e.entity_id for e in _journal(ws, "review.resolve")} >= {str(on_answer.id)}
    assert _journal(ws, "review.comment")[-1].entity_id == str(new.id)


def _row_of_comment(book: Path, comment_id: int) -> int:
    from openpyxl import load_workbook

    sheet = load_workbook(book)["Review comments"]
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == comment_id)


def _clear_rows(book: Path, numbers: list[int]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    sheet = wb["Review comments"]
    for number in numbers:
        for cell in sheet[number]:
            cell.value = None
    wb.save(book)


def _pdf_text(ws, aid: int, pdf: Path, profile: str) -> str:
    from pypdf import PdfReader

    from app.reports.pdf import render_pdf

    render_pdf(build_report(ws, aid, profile=profile).data, pdf)
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_the_internal_report_carries_the_review_record_and_the_client_only_the_approval(
    commented, tmp_path
):
    from tests.layout_check import check_pdf, describe

    ws, aid, question, finding_id, on_answer, on_whole = commented
    internal = " ".join(_pdf_text(ws, aid, tmp_path / "internal.pdf", "internal").split())
    assert "Review 2 review comments, 1 open: no. " in internal
    assert re.search(r"Appendix [A-H]\. Review record", internal)
    assert "Why level 2 here?" in internal
    assert "Scope limitation added" in internal
    assert "not yet approved" in internal

    review.resolve_comment(ws, on_answer.id, "Confirmed")
    review.approve(ws, aid)
    internal = " ".join(_pdf_text(ws, aid, tmp_path / "internal.pdf", "internal").split())
    today = dt.date.today().isoformat()
    assert f"2 review comments, all resolved; approved by tester on {today}" in internal
    problems = check_pdf(tmp_path / "internal.pdf")
    assert not problems, describe(problems)

    client = " ".join(_pdf_text(ws, aid, tmp_path / "client.pdf", "client").split())
    assert f"Rita Reviewer · reviewed and approved {today} by tester" in client
    for internal_only in ("Why level 2 here?", "Scope limitation added", "Review record",
                          "review comment"):  # fmt: skip
        assert internal_only not in client
