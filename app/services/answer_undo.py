"""Undo the last answer change of an assessment, from its journal.

The journal records every answer change with the values before it, so taking the last one back
needs no memory of the window or the command that made it: ``assay assess undo`` and the
window use the same history. An undo is itself a journalled change (``response.update``) plus a
``response.undo`` entry naming the change it took back; undoing again walks further back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from app.services.assessments import ResponseInfo, update_response
from app.services.errors import UserError
from app.services.unit import writes
from app.storage.models import JournalEntry
from app.storage.repositories.responses import ResponseRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

UNDOABLE_FIELDS = ("level", "not_applicable", "justification", "flagged")
"""The fields of an answer change that undo restores (the answer itself and its flag)."""


@dataclass(frozen=True)
class Undone:
    """What an undo took back.

    Attributes:
        question_id: The question whose answer was restored.
        undone_seq: The journal entry of the change taken back.
        restored: The values put back.
        response: The answer after the undo.
    """

    question_id: str
    undone_seq: int
    restored: dict[str, Any]
    response: ResponseInfo


@writes
def undo_last_answer(uow: UnitOfWork, assessment_id: int) -> Undone:
    """Take back the newest answer change of an assessment not yet undone.

    Args:
        uow: The unit of work (or the workspace, to undo at once).
        assessment_id: The assessment.

    Returns:
        What was undone.

    Raises:
        UserError: Nothing left to undo, or the assessment is final.
    """
    responses = uow.repository(ResponseRepository)
    entry = _last_undoable(responses.answer_journal(assessment_id))
    if entry is None:
        raise UserError(f"assessment {assessment_id} has no answer change left to undo")
    question_id = entry.entity_id.split(":", 1)[1]
    restored = {k: v for k, v in (entry.before or {}).items() if k in UNDOABLE_FIELDS}
    if restored.get("not_applicable"):
        restored.pop("level", None)  # N/A carries no level; setting one would clear it
    response = update_response(uow, assessment_id, question_id, **restored)
    after = {"undo_of": entry.seq, "update": responses.journal_head()}
    uow.record("response.undo", "response", entry.entity_id, after=after)
    logger.info("undid journal entry %s (%s)", entry.seq, entry.entity_id)
    return Undone(question_id, entry.seq or 0, restored, response)


def _last_undoable(entries: list[JournalEntry]) -> JournalEntry | None:
    """Return the newest entry not yet undone that changed an undoable field."""
    skipped: set[int] = set()
    for entry in entries:
        if entry.action == "response.undo":
            skipped.update(int((entry.after or {})[key]) for key in ("undo_of", "update"))
        elif entry.seq not in skipped and set(entry.before or {}) & set(UNDOABLE_FIELDS):
            return entry
    return None
