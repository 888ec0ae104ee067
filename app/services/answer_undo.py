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

import sqlalchemy as sa
from sqlmodel import Session

from app.services.assessments import ResponseInfo, update_response_in
from app.services.errors import UserError
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.models import JournalEntry

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


def undo_last_answer(workspace: Workspace, assessment_id: int) -> Undone:
    """Take back the newest answer change of an assessment not yet undone.

    Args:
        workspace: The open workspace.
        assessment_id: The assessment.

    Returns:
        What was undone.

    Raises:
        UserError: Nothing left to undo, or the assessment is final.
    """
    with workspace.db.write() as session:
        entry = _last_undoable(session, assessment_id)
        if entry is None:
            raise UserError(f"assessment {assessment_id} has no answer change left to undo")
        question_id = entry.entity_id.split(":", 1)[1]
        restored = {k: v for k, v in (entry.before or {}).items() if k in UNDOABLE_FIELDS}
        if restored.get("not_applicable"):
            restored.pop("level", None)  # N/A carries no level; setting one would clear it
        response = update_response_in(session, workspace, assessment_id, question_id, **restored)
        update_seq = _head_seq(session)
        journal.record(
            session,
            actor=workspace.actor,
            action="response.undo",
            entity="response",
            entity_id=entry.entity_id,
            after={"undo_of": entry.seq, "update": update_seq},
        )
    logger.info("undid journal entry %s (%s)", entry.seq, entry.entity_id)
    return Undone(question_id, entry.seq, restored, response)


def _last_undoable(session: Session, assessment_id: int) -> JournalEntry | None:
    prefix = f"{assessment_id}:"
    entries = session.execute(
        sa.select(JournalEntry)
        .where(
            JournalEntry.entity == "response",
            JournalEntry.entity_id.startswith(prefix),
            JournalEntry.action.in_(("response.update", "response.undo")),
        )
        .order_by(JournalEntry.seq.desc())
    ).scalars()
    skipped: set[int] = set()
    for entry in entries:
        if entry.action == "response.undo":
            skipped.update(int(entry.after[key]) for key in ("undo_of", "update"))
        elif entry.seq not in skipped and set(entry.before or {}) & set(UNDOABLE_FIELDS):
            return entry
    return None


def _head_seq(session: Session) -> int:
    return int(session.execute(sa.select(sa.func.max(JournalEntry.seq))).scalar_one())
