"""Read back a responses sheet the client filled in, show what changes, then apply it.

The responses sheet of the assessment workbook goes to the client, comes back with levels,
N/A reasons and notes, and is compared here with the answers stored in the workspace. A dry run
lists every change and every row-level problem and stores nothing. Applying goes through
:func:`app.services.assessments.update_response`, question by question inside one write
transaction, so each change is validated and journalled like an answer given in the window and
the workbook is applied whole or not at all (a refusal, a locked database or a cancel part-way
leaves every answer as it was). A workbook with any problem is not applied at all; a final
assessment refuses the import.

A blank cell means "no change": a client who leaves a level or a note empty never erases an
answer or an internal note.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.review import AnswerSource
from app.reports.errors import ReportError
from app.reports.masking import mask_secret
from app.services.assessments import (
    ResponseInfo,
    get_assessment,
    list_responses,
    load_questions,
    update_response,
)
from app.services.errors import UserError
from app.services.progress import Progress, check_cancelled
from app.services.provenance import set_source
from app.services.reporting.document import assessment_ref
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

if TYPE_CHECKING:
    from app.reports.xlsx_import import ResponseRow

logger = logging.getLogger(__name__)

ANSWER, STRENGTH, NOTES = "answer", "evidence strength", "notes"
RESPONSES_SHEET = "Responses"


@dataclass(frozen=True)
class ResponseChange:
    """One change a responses sheet makes to one question.

    Attributes:
        row: The row of the sheet (as the spreadsheet numbers it).
        question_id: The question.
        ref: The question's reference (e.g. ``GV.OC-04``).
        field: ``answer`` (level, or N/A with its reason), ``evidence strength`` or ``notes``.
        before_text: The stored value, as text.
        after_text: The value from the sheet, as text.
        changes: The keyword arguments for ``update_response``.
    """

    row: int
    question_id: str
    ref: str
    field: str
    before_text: str
    after_text: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class ResponsesImport:
    """What a responses sheet changes (and, unless a dry run, what was applied)."""

    file: Path
    assessment_id: int
    changes: tuple[ResponseChange, ...]
    problems: tuple[str, ...]
    rows_read: int
    dry_run: bool
    applied: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        data = asdict(self)
        for change in data["changes"]:
            change.pop("changes")
        return dict(journal.jsonable(data))


def _answer_text(level: int | None, not_applicable: bool, justification: str) -> str:
    if not_applicable:
        return f"N/A ({justification})" if justification else "N/A"
    return "unanswered" if level is None else str(level)


def _read(path: Path) -> tuple[tuple[ResponseRow, ...], list[str], str]:
    """Return the sheet's valid rows, its row-level problems and the assessment it names."""
    from app.reports.xlsx_import import read_responses_workbook  # deferred: reads with openpyxl

    try:
        result = read_responses_workbook(path)
    except ReportError as exc:
        raise UserError(str(exc)) from exc
    return result.rows, [str(p) for p in result.problems], result.assessment_ref


def _change(
    row: ResponseRow, stored: ResponseInfo, ref: str, field: str, texts: tuple[str, str],
    changes: dict[str, Any],
) -> ResponseChange:  # fmt: skip
    return ResponseChange(row.row, stored.question_id, ref, field, texts[0], texts[1], changes)


def _same_text(sheet: str, stored: str) -> bool:
    """Return True when the sheet holds the stored text as written or as a client copy masks it."""
    return sheet == stored.strip() or sheet == mask_secret(stored).strip()


def _compare(row: ResponseRow, stored: ResponseInfo, ref: str) -> list[ResponseChange]:
    found: list[ResponseChange] = []
    before = _answer_text(stored.level, stored.not_applicable, stored.justification)
    reason = (row.justification or "").strip()
    if stored.not_applicable and _same_text(reason, stored.justification):
        reason = stored.justification  # a client copy carries the masked reason: unchanged
    if row.not_applicable and (not stored.not_applicable or reason != stored.justification):
        update = {"not_applicable": True, "justification": reason}
        after = _answer_text(None, True, reason)
        found.append(_change(row, stored, ref, ANSWER, (before, after), update))
    elif row.level is not None and (row.level != stored.level or stored.not_applicable):
        update = {"level": row.level, "not_applicable": False}
        after = _answer_text(row.level, False, "")
        found.append(_change(row, stored, ref, ANSWER, (before, after), update))
    strength = row.evidence_strength
    if strength and strength != stored.evidence_strength:
        texts = (stored.evidence_strength or "none", strength)
        update = {"evidence_strength": strength}
        found.append(_change(row, stored, ref, STRENGTH, texts, update))
    notes = (row.notes or "").strip()
    if notes and not _same_text(notes, stored.notes):
        update = {"notes": notes}
        found.append(_change(row, stored, ref, NOTES, (stored.notes, notes), update))
    return found


def plan_responses(workspace: Workspace, assessment_id: int, path: Path) -> ResponsesImport:
    """Compare a responses sheet with the stored answers (the dry run).

    Raises:
        UserError: No such assessment, it is final, or the file is not a responses workbook.
    """
    info = get_assessment(workspace, assessment_id)
    if info.final:
        raise UserError(
            f"assessment {assessment_id} is final and read-only; re-assess to import responses"
        )
    rows, problems, workbook_ref = _read(Path(path))
    expected = assessment_ref(assessment_id)
    if workbook_ref and workbook_ref != expected:
        raise UserError(f"{Path(path).name} holds the responses of {workbook_ref}, not {expected}")
    stored = {r.question_id: r for r in list_responses(workspace, assessment_id)}
    refs = {q.id: q.ref for _, q in load_questions(workspace, assessment_id).entries()}
    changes: list[ResponseChange] = []
    for row in rows:
        current = stored.get(row.question_id)
        if current is None:
            problems.append(
                f"sheet {RESPONSES_SHEET}, row {row.row}: question {row.question_id!r} is not "
                f"part of assessment {assessment_id}"
            )
            continue
        changes += _compare(row, current, refs.get(row.question_id, row.question_id))
    return ResponsesImport(
        Path(path), assessment_id, tuple(changes), tuple(problems), len(rows), True, False
    )


def import_responses(
    workspace: Workspace,
    assessment_id: int,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ResponsesImport:
    """Compare a responses sheet with the stored answers and, unless ``dry_run``, apply it.

    Nothing is applied when the sheet has any problem; the result lists them. The changes are
    applied in one write transaction with their journal entries: if any of them fails, none
    is stored.

    Raises:
        UserError: As :func:`plan_responses`, or a change the assessment service refuses.
        Cancelled: The caller cancelled; no change was applied.
    """
    plan = plan_responses(workspace, assessment_id, path)
    if dry_run or plan.problems or not plan.changes:
        return plan
    by_question: dict[str, dict[str, Any]] = {}
    for change in plan.changes:
        by_question.setdefault(change.question_id, {}).update(change.changes)
    check_cancelled(progress)
    with workspace.unit_of_work() as uow:
        _apply(uow, plan, by_question, progress)
        set_source(uow, assessment_id, _client_answers(plan), AnswerSource.CLIENT)
    logger.info(
        "imported %s to %s of assessment %s from %s",
        plural(len(plan.changes), "change"), plural(len(by_question), "question"),
        assessment_id, Path(path).name,
    )  # fmt: skip
    return ResponsesImport(plan.file, assessment_id, plan.changes, (), plan.rows_read, False, True)


def _client_answers(plan: ResponsesImport) -> list[str]:
    """Return the questions whose answer (level or N/A) the client gave in the sheet."""
    return sorted({change.question_id for change in plan.changes if change.field == ANSWER})


def _apply(
    uow: UnitOfWork,
    plan: ResponsesImport,
    by_question: dict[str, dict[str, Any]],
    progress: Progress | None,
) -> None:
    """Apply every question's changes in the caller's one write transaction.

    Any refusal, database error or cancel raises out of the transaction, which then rolls
    back every answer already changed: the workbook is applied whole or not at all.
    """
    for number, (question_id, changes) in enumerate(by_question.items()):
        check_cancelled(progress)
        if progress is not None:
            progress.report(number / len(by_question), f"Applying {question_id}")
        update_response(uow, plan.assessment_id, question_id, **changes)
    uow.record(
        "responses.import",
        "assessment",
        plan.assessment_id,
        after={
            "file": plan.file.name,
            "changes": len(plan.changes),
            "questions": sorted(by_question),
        },
    )
