"""The Assessments page's engagement-scope parts: inherited answers and one screen per subcategory.

Kept apart from the page itself: :class:`ScopeController` adds the inheritance bar above the
question and a Subcategory tab, follows the question the page shows, and saves through the
bulk-answer services (one journal entry per action).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QInputDialog, QPushButton

from app.gui import file_dialogs
from app.gui.dialogs.bulk_answer_dialog import BulkAnswerDialog
from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.widgets.inheritance_bar import InheritanceBar
from app.gui.widgets.subcategory_panel import SubcategoryPanel
from app.services import bulk_answers
from app.services.evidence import bulk_answer_with_evidence
from app.support.text import plural

if TYPE_CHECKING:
    from app.catalog.schema import Question
    from app.gui.pages.assessments_page import AssessmentsPage

logger = logging.getLogger(__name__)

SUBCATEGORY_TAB = "Subcategory"


class ScopeController:
    """Wires the inheritance bar and the subcategory screen into the Assessments page."""

    def __init__(self, page: AssessmentsPage) -> None:
        self.page = page
        self.bar = InheritanceBar()
        self.subcategory = SubcategoryPanel()
        page.tabs.addTab(self.subcategory, SUBCATEGORY_TAB)
        body = page.panel.widget().layout()  # the question panel scrolls one body widget
        body.insertWidget(0, self.bar)  # type: ignore[attr-defined]
        self.bulk_button = QPushButton("Answer several…")
        self.bulk_button.setToolTip(
            "Give the questions picked in the tree (Ctrl/Shift-click), or all the filter shows, "
            "one level, N/A, note, provenance or evidence in one step"
        )
        self.bulk_button.clicked.connect(self._on_bulk_clicked)
        page.navigator.layout().addWidget(self.bulk_button)
        self.bar.override_requested.connect(self.override)
        self.bar.inherit_requested.connect(self.inherit)
        self.subcategory.save_requested.connect(self.save_subcategory)
        self.subcategory.attach_requested.connect(self._on_attach_requested)

    def question_shown(self, question_id: str) -> None:
        """Follow the page's current question: origin line, read-only state, subcategory."""
        state = self.page.state
        if state is None or question_id not in state.responses:
            self.bar.show_response(None)
            return
        response = state.responses[question_id]
        self.bar.show_response(response, state.read_only)
        self.page.panel.set_read_only(state.read_only or response.inherited)
        self._show_group(question_id)

    def _show_group(self, question_id: str) -> None:
        state = self.page.state
        if state is None:
            return
        group = bulk_answers.focus_area_group(state.loaded, question_id)
        if len(group) < 2:
            self.subcategory.show_nothing(_single_text(group[0]))
            return
        pairs = [(q, state.responses[q.id]) for q in group if q.id in state.responses]
        ids = {i for _, r in pairs for i in r.evidence_ids}
        names = [state.evidence[i].file_name for i in sorted(ids) if i in state.evidence]
        self.subcategory.show_group(group[0].title, pairs, names, state.read_only)

    def save_subcategory(self, ref: str, levels: dict, note: str, strength: object) -> None:
        """Answer the subcategory's focus areas in one action, on the one writer."""
        state = self.page.state
        if state is None or not levels:
            return
        assessment_id = state.info.id
        self._write(
            bulk_answers.answer_focus_areas, "Cannot save the subcategory",
            lambda result: self._done(assessment_id, result),
            assessment_id, ref, levels, note=note.strip() or None, strength=strength,
        )  # fmt: skip

    def _write(self, service: Any, title: str, done: Any, *args: Any, **kwargs: Any) -> None:
        """Run a change on the one writer; say why when it is refused."""
        context = self.page._context
        context.write(
            service, *args, origin=self.page, on_success=done, **kwargs,
            on_failure=lambda exc: context.refuse(self.page, title, "The change", exc),
        )  # fmt: skip

    def _done(self, assessment_id: int, result: bulk_answers.BulkResult) -> None:
        """Show a bulk result and make it one Ctrl+Z step."""
        from app.gui.pages.assessments_page import UNDO_LIMIT, UndoStep

        first = next(iter(result.before), "")
        self.page.undo_stack.append(UndoStep(first, {}, None, (assessment_id, result)))
        del self.page.undo_stack[:-UNDO_LIMIT]
        self._stored(result.responses)
        self.page._context.status_message.emit(
            f"Changed {plural(len(result.responses), 'answer')} in one step (Ctrl+Z undoes it)"
        )

    def undo_bulk(self, step: Any) -> bool:
        """Take back one bulk or subcategory answer as one action; return True when sent.

        ``step`` is the page's undo step; it goes back on the undo stack when the undo fails.
        """
        assessment_id, result = step.bulk
        if self.page.state is None or self.page.state.info.id != assessment_id:
            return False

        def refused(exc: BaseException) -> None:
            self.page.undo_stack.append(step)  # not undone: Ctrl+Z can try again
            self.page._context.refuse(self.page, "Cannot undo", "The undo", exc)

        self.page._context.write(
            bulk_answers.restore_answers, assessment_id, result.before, result.linked,
            origin=self.page, on_success=lambda restored: self._stored(restored.responses),
            on_failure=refused,
        )  # fmt: skip
        return True

    def _on_attach_requested(self) -> None:
        paths = file_dialogs.get_open_file_names(self.page, "Evidence for every focus area")
        self.attach_to_subcategory([Path(p) for p in paths])

    def attach_to_subcategory(self, paths: list[Path]) -> None:
        """Store files and link them to the shown subcategory's own answers, in one step."""
        state, current = self.page.state, self.page.panel.question_id
        if state is None or current is None or not paths:
            return
        group = bulk_answers.focus_area_group(state.loaded, current)
        targets = self.own_questions([q.id for q in group])
        self._run_bulk(targets, {}, paths)

    def _run_bulk(self, targets: list[str], changes: dict, paths: list[Path]) -> None:
        state = self.page.state
        if state is None or state.read_only or not targets:
            self.page._context.status_message.emit("No own answer to change")
            return
        run_with_progress(
            self.page, "Answering several questions", bulk_answer_with_evidence,
            self.page.workspace, state.info.id, {q: dict(changes) for q in targets}, paths,
            writes=True, origin=self.page,
            on_success=lambda result: self._bulk_saved(state, result),
        )  # fmt: skip

    # Bulk answering ------------------------------------------------------------------------
    def own_questions(self, question_ids: list[str]) -> list[str]:
        """Return the questions among these whose answers this assessment gives itself."""
        state = self.page.state
        if state is None:
            return []
        return [
            q for q in question_ids if q in state.responses and not state.responses[q].inherited
        ]

    def bulk_dialog(self) -> BulkAnswerDialog:
        """Return the dialog for answering the picked (or shown) questions at once."""
        navigator = self.page.navigator
        picked = self.own_questions(navigator.selected_questions())
        shown = self.own_questions(navigator.visible_questions())
        return BulkAnswerDialog(len(picked), len(shown), self.page)

    def _on_bulk_clicked(self) -> None:
        dialog = self.bulk_dialog()
        if dialog.exec() == BulkAnswerDialog.DialogCode.Accepted:
            self.apply_bulk(dialog)

    def apply_bulk(self, dialog: BulkAnswerDialog) -> None:
        """Save what the dialog holds to the picked or shown questions, on the write worker."""
        state, navigator = self.page.state, self.page.navigator
        if state is None or state.read_only:
            return
        chosen = navigator.selected_questions() if dialog.use_picked() else (
            navigator.visible_questions()
        )  # fmt: skip
        self._run_bulk(self.own_questions(chosen), dialog.changes(), dialog.files())

    def _bulk_saved(self, state: object, result: bulk_answers.BulkResult) -> None:
        if state is self.page.state and self.page.state is not None:
            self._done(self.page.state.info.id, result)

    def _stored(self, responses: tuple) -> None:
        for response in responses:
            self.page.stored(response)
        current = self.page.panel.question_id
        if current is not None:
            self._show_group(current)

    def override(self, question_id: str) -> None:
        """Ask why, then answer an inherited question for this system."""
        state = self.page.state
        if state is None:
            return
        reason, ok = QInputDialog.getMultiLineText(
            self.page, "Override the organisation answer",
            "Why does this system differ from the organisation? (needed to override)",
        )  # fmt: skip
        if not ok or not reason.strip():
            return
        self._change(bulk_answers.override, state.info.id, question_id, reason)

    def inherit(self, question_id: str) -> None:
        """Drop the override: the organisation's answer counts again."""
        state = self.page.state
        if state is not None:
            self._change(bulk_answers.inherit_again, state.info.id, question_id)

    def _change(self, action: object, *args: object) -> None:
        def changed(response: Any) -> None:
            self.page.stored(response)
            self.question_shown(response.question_id)

        self._write(action, "Cannot change where the answer comes from", changed, *args)


def _single_text(question: Question) -> str:
    """Say why a question's subcategory screen has nothing side by side, and where to answer."""
    if question.focus_area is None:
        return "This question has no focus areas: answer it on the Question tab."
    area = question.focus_area.value.capitalize()
    return (
        f"This assessment asks only the {area} focus area of {question.ref}: "
        "answer it on the Question tab."
    )
