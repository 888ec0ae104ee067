"""How the Assessments page saves an answer: shown at once, written by the one writer.

The page shows the change before it is written; the write runs on the window's one writer,
after every change asked for before. When it is refused (another program holds the lock, a
read-only file, a value the service refuses) the answer as stored is shown again and the
window says why. A read of the assessment that may predate some writes keeps the page's own
answers over what it read.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.gui.dialogs.error_dialog import show_error
from app.services.assessment_state import AssessmentState
from app.services.assessments import ResponseInfo, get_response, update_response
from app.services.errors import UserError

if TYPE_CHECKING:
    from app.gui.pages.assessments_page import AssessmentsPage, UndoStep

logger = logging.getLogger(__name__)

Key = tuple[int, str]
"""An answer: (assessment id, question id)."""


class AnswerSaving:
    """The page's answers on their way to the workspace.

    Args:
        page: The Assessments page whose answers these are.
    """

    def __init__(self, page: AssessmentsPage) -> None:
        self.page = page
        self.in_flight: dict[Key, int] = {}
        """Answers sent to the writer and not written yet, with how many writes are pending."""
        self.landed: dict[Key, ResponseInfo] = {}
        """Answers written since the assessment was last read (the read may predate them)."""

    def send(
        self,
        state: AssessmentState,
        question_id: str,
        changes: dict[str, Any],
        step: UndoStep | None = None,
        undo_step: UndoStep | None = None,
    ) -> None:
        """Show ``changes`` to one answer now and write them on the one writer.

        Args:
            state: The assessment shown.
            question_id: The question answered.
            changes: The fields of the answer changed.
            step: The undo step this change pushed (taken off again if it fails).
            undo_step: The undo step this change carries out (back on the stack if it fails).
        """
        page, before = self.page, state.responses[question_id]
        assessment_id = state.info.id
        key = (assessment_id, question_id)
        self.in_flight[key] = self.in_flight.get(key, 0) + 1
        page.show_answer(state, expected(before, changes), score=False)

        def saved(after: ResponseInfo) -> None:
            if changes.get("not_applicable"):
                page.na_drafts.pop(key, None)  # the reason is stored now
            self.landed[key] = after
            if self._done(key):
                page.stored(after, assessment_id)

        def failed(exc: BaseException) -> None:
            self._done(key)
            if step is not None and step in page.undo_stack:
                page.undo_stack.remove(step)
            if undo_step is not None:
                page.undo_stack.append(undo_step)  # not undone: Ctrl+Z can try again
            self._not_saved(key, before, exc, notes="notes" in changes)

        page.context.write(update_response, assessment_id, question_id, origin=page,
                           on_success=saved, on_failure=failed, **changes)  # fmt: skip

    def _done(self, key: Key) -> bool:
        """Count one write of an answer as done; True when no later one is still on its way."""
        left = self.in_flight.get(key, 1) - 1
        if left:
            self.in_flight[key] = left
        else:
            self.in_flight.pop(key, None)
        return left == 0

    def keep_own(self, state: AssessmentState, previous: AssessmentState | None) -> None:
        """Keep the answers the page wrote or is writing over a read that may predate them."""
        for (assessment_id, question_id), response in self.landed.items():
            if assessment_id == state.info.id and question_id in state.responses:
                state.responses[question_id] = response
        if previous is None or previous.info.id != state.info.id:
            return
        for assessment_id, question_id in self.in_flight:
            if assessment_id == state.info.id and question_id in previous.responses:
                state.responses[question_id] = previous.responses[question_id]

    def _not_saved(
        self, key: Key, before: ResponseInfo, exc: BaseException, *, notes: bool
    ) -> None:
        """Show the stored answer again after a refused write and say the change was lost."""
        page, (assessment_id, question_id) = self.page, key
        state = page.state
        if state is None or state.info.id != assessment_id:
            page.context.refused("A change to an answer", exc)
            return
        try:  # reading still works while another program holds the write lock
            stored = get_response(page.workspace, assessment_id, question_id)
        except Exception:  # noqa: BLE001 - fall back on the answer last read
            logger.warning("cannot re-read the answer to %s", question_id, exc_info=True)
            stored = before
        if question_id == page.panel.question_id and notes:
            page.panel.keep_unsaved_notes()  # typing is not thrown away; saved on next try
        page.show_answer(state, stored)
        ref = state.entry(question_id).question.ref
        message = page.context.refused(f"The change to {ref}", exc)
        shown = UserError(f"{message}. The answer shown is the one stored in the workspace.")
        show_error(page, "Cannot save the answer", exc if isinstance(exc, UserError) else shown)


def expected(before: ResponseInfo, changes: dict[str, Any]) -> ResponseInfo:
    """Return the answer as it will be once ``changes`` are written (shown meanwhile)."""
    known = {k: v for k, v in changes.items() if hasattr(before, k)}
    if changes.get("level") is not None:
        known.setdefault("not_applicable", False)
    if changes.get("not_applicable"):
        known["level"] = None
    return replace(before, **known)
