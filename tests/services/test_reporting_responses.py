"""The responses sheet round trip: export, edit with openpyxl, dry run, apply (journalled).

Applying is one transaction: a failure or a cancel part-way leaves every answer as it was.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services import assessments
from app.services.errors import UserError
from app.services.progress import Cancelled
from app.services.reporting import generate_workbook, import_responses
from app.services.workspace import open_workspace
from app.storage.models import JournalEntry

_SETUP = Path(__file__).with_name("test_reporting_setup.py")


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return setup.build_report_workspace(tmp_path_factory.mktemp("built"))


@pytest.fixture
def ws(built, tmp_path):
    copy = setup.copy_workspace(built, tmp_path / "ws")
    workspace = open_workspace(copy.path, actor="tester")
    yield workspace
    workspace.close()


def _edit(path: Path, edits: dict[str, dict[str, object]]) -> None:
    """Change cells of the Responses sheet by question id and header, as a client would."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["Responses"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    for row in sheet.iter_rows(min_row=2):
        question_id = row[headers["Question ID"] - 1].value
        for header, value in edits.get(question_id, {}).items():
            sheet.cell(row=row[0].row, column=headers[header], value=value)
    book.save(path)


def _journal(ws, action: str) -> list[JournalEntry]:
    with ws.db.read() as session:
        return list(
            session.execute(sa.select(JournalEntry).where(JournalEntry.action == action))
            .scalars()
            .all()
        )


def test_an_edited_level_shows_in_the_dry_run_and_is_stored_on_apply(ws, built, tmp_path):
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    responses = assessments.list_responses(ws, built.assessment_id)
    raised, marked = responses[3], responses[5]
    assert raised.level != 5
    _edit(
        book,
        {
            raised.question_id: {"Level (0-5 or N/A)": 5, "Notes": "Client: rolled out in May"},
            marked.question_id: {"Level (0-5 or N/A)": "N/A", "N/A justification": "No APIs"},
        },
    )
    before = len(_journal(ws, "response.update"))
    plan = import_responses(ws, built.assessment_id, book, dry_run=True)
    assert plan.problems == ()
    assert {(c.question_id, c.field, c.after_text) for c in plan.changes} == {
        (raised.question_id, "answer", "5"),
        (raised.question_id, "notes", "Client: rolled out in May"),
        (marked.question_id, "answer", "N/A (No APIs)"),
    }
    assert plan.dry_run
    assert not plan.applied
    stored = assessments.get_response(ws, built.assessment_id, raised.question_id)
    assert stored.level == raised.level, "a dry run stores nothing"
    assert len(_journal(ws, "response.update")) == before

    done = import_responses(ws, built.assessment_id, book)
    assert done.applied
    stored = assessments.get_response(ws, built.assessment_id, raised.question_id)
    assert stored.level == 5
    assert stored.notes == "Client: rolled out in May"
    na = assessments.get_response(ws, built.assessment_id, marked.question_id)
    assert na.not_applicable
    assert na.justification == "No APIs"
    entries = _journal(ws, "response.update")[before:]
    assert {e.entity_id for e in entries} == {
        f"{built.assessment_id}:{raised.question_id}",
        f"{built.assessment_id}:{marked.question_id}",
    }
    assert any(e.after.get("level") == 5 for e in entries)


def test_an_unchanged_client_workbook_changes_nothing(ws, built, tmp_path):
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    plan = import_responses(ws, built.assessment_id, book)
    assert plan.changes == ()
    assert plan.problems == ()
    assert plan.rows_read == len(assessments.list_responses(ws, built.assessment_id))
    first = assessments.list_responses(ws, built.assessment_id)[0]
    assert setup.SECRET_NOTE in first.notes, "blank client notes never erase internal notes"


def test_problems_name_the_row_and_nothing_is_applied(ws, built, tmp_path):
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, built.assessment_id, book)
    responses = assessments.list_responses(ws, built.assessment_id)
    good, bad = responses[3], responses[4]
    _edit(
        book,
        {
            good.question_id: {"Level (0-5 or N/A)": 5},
            bad.question_id: {"Level (0-5 or N/A)": 7},
            responses[6].question_id: {"Question ID": "ir8596.secure.XX-99"},
        },
    )
    result = import_responses(ws, built.assessment_id, book)
    assert not result.applied
    assert len(result.problems) == 2
    assert any("row 6" in p and "Level" in p for p in result.problems)
    assert any("XX-99" in p and "not part of assessment" in p for p in result.problems)
    stored = assessments.get_response(ws, built.assessment_id, good.question_id)
    assert stored.level == good.level


def test_refusals(ws, built, tmp_path):
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, built.assessment_id, book)
    with pytest.raises(UserError, match="final"):
        import_responses(ws, built.previous_id, book, dry_run=True)
    other = assessments.new_assessment(ws, "AIS-001", ["owasp-nhi"])
    with pytest.raises(UserError, match=f"ASSESSMENT-{built.assessment_id}, not"):
        import_responses(ws, other.id, book, dry_run=True)
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(UserError, match="notes.xlsx"):
        import_responses(ws, built.assessment_id, text, dry_run=True)


def test_masked_secrets_in_a_client_copy_do_not_overwrite_the_stored_text(ws, built, tmp_path):
    first = assessments.list_responses(ws, built.assessment_id)[0]
    reason = "Runs as arn:aws:iam::123456789012:role/agent-runner with key AKIAIOSFODNN7EXAMPLE"
    assessments.answer(ws, built.assessment_id, first.question_id, "na", note=reason)
    book = tmp_path / "client.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    plan = import_responses(ws, built.assessment_id, book)
    assert plan.changes == ()
    stored = assessments.get_response(ws, built.assessment_id, first.question_id)
    assert stored.justification == reason


def _refuse_updates_of(ws, question_id: str) -> None:
    """Make SQLite itself refuse any update of one question's response (a real mid-way failure).

    The trigger is created through a second, plain connection to the same file, as another
    program could; the workspace's own connections see it on their next statement.
    """
    quoted = question_id.replace("'", "''")
    conn = sqlite3.connect(ws.path)
    try:
        conn.execute(
            "CREATE TRIGGER refuse_one_response BEFORE UPDATE ON response "
            f"WHEN NEW.question_id = '{quoted}' "
            "BEGIN SELECT RAISE(ABORT, 'the disk refused this row'); END"
        )
        conn.commit()
    finally:
        conn.close()


def _answers(ws, assessment_id: int) -> list[tuple]:
    return [
        (r.question_id, r.level, r.not_applicable, r.justification, r.notes)
        for r in assessments.list_responses(ws, assessment_id)
    ]


def _journal_length(ws) -> int:
    with ws.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(JournalEntry)).scalar_one()


def test_a_failure_late_in_the_workbook_applies_nothing(ws, built, tmp_path):
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    responses = assessments.list_responses(ws, built.assessment_id)
    early, late = responses[3], responses[9]
    _edit(
        book,
        {
            early.question_id: {"Level (0-5 or N/A)": 5, "Notes": "Client: done"},
            late.question_id: {"Level (0-5 or N/A)": "N/A", "N/A justification": "No APIs"},
        },
    )
    before, entries = _answers(ws, built.assessment_id), _journal_length(ws)
    _refuse_updates_of(ws, late.question_id)

    with pytest.raises(sa.exc.IntegrityError, match="the disk refused this row"):
        import_responses(ws, built.assessment_id, book)

    assert _answers(ws, built.assessment_id) == before, "the early question is not half-applied"
    assert _journal_length(ws) == entries


class _CancelAfterFirst:
    """A progress sink whose user presses Cancel as soon as the first question is applied."""

    def __init__(self) -> None:
        self.reports: list[str] = []

    def report(self, fraction: float, message: str = "") -> None:
        self.reports.append(message)

    @property
    def cancelled(self) -> bool:
        return len(self.reports) >= 1


def test_cancelling_part_way_applies_nothing(ws, built, tmp_path):
    book = tmp_path / "responses.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    responses = assessments.list_responses(ws, built.assessment_id)
    _edit(book, {r.question_id: {"Notes": f"Client note {i}"} for i, r in enumerate(responses[:3])})
    before, entries = _answers(ws, built.assessment_id), _journal_length(ws)
    progress = _CancelAfterFirst()

    with pytest.raises(Cancelled):
        import_responses(ws, built.assessment_id, book, progress=progress)

    assert progress.reports == [f"Applying {responses[0].question_id}"]
    assert _answers(ws, built.assessment_id) == before
    assert _journal_length(ws) == entries


def test_an_applied_workbook_is_journalled_with_its_file(ws, built, tmp_path):
    book = tmp_path / "client-answers.xlsx"
    generate_workbook(ws, built.assessment_id, book, profile="client")
    responses = assessments.list_responses(ws, built.assessment_id)
    _edit(book, {r.question_id: {"Notes": f"Client note {i}"} for i, r in enumerate(responses[:2])})

    import_responses(ws, built.assessment_id, book)

    [entry] = _journal(ws, "responses.import")
    assert entry.entity_id == str(built.assessment_id)
    assert entry.after == {
        "file": "client-answers.xlsx",
        "changes": 2,
        "questions": sorted(r.question_id for r in responses[:2]),
    }
