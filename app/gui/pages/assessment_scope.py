"""The Assessments page's engagement-scope parts: inherited answers and one screen per subcategory.

Kept apart from the page itself: :class:`ScopeController` adds the inheritance bar above the
question and a Subcategory tab, follows the question the page shows, and saves through the
bulk-answer services (one journal entry per action).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from app.gui.dialogs.error_dialog import show_error
from app.gui.widgets.inheritance_bar import InheritanceBar
from app.gui.widgets.subcategory_panel import SubcategoryPanel
from app.services import bulk_answers
from app.services.errors import UserError

if TYPE_CHECKING:
    from app.gui.pages.assessments_page import AssessmentsPage

logger = logging.getLogger(__name__)

SUBCATEGORY_TAB = "Subcategory"


class ScopeController:
    """Wires the inheritance bar and the subcategory screen into the Assessments page."""

    def __init__(self, page: AssessmentsPage) -> None:
        self.page = page
        self.bar = InheritanceBar()
        self.subcategory = SubcategoryPanel()
        self.last_bulk: tuple[int, dict] | None = None
        page.tabs.addTab(self.subcategory, SUBCATEGORY_TAB)
        body = page.panel.widget().layout()  # the question panel scrolls one body widget
        body.insertWidget(0, self.bar)  # type: ignore[attr-defined]
        self.bar.override_requested.connect(self.override)
        self.bar.inherit_requested.connect(self.inherit)
        self.subcategory.save_requested.connect(self.save_subcategory)

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
            self.subcategory.show_nothing("This question has no focus areas to show side by side.")
            return
        pairs = [(q, state.responses[q.id]) for q in group if q.id in state.responses]
        ids = {i for _, r in pairs for i in r.evidence_ids}
        names = [state.evidence[i].file_name for i in sorted(ids) if i in state.evidence]
        self.subcategory.show_group(group[0].title, pairs, names, state.read_only)

    def save_subcategory(self, ref: str, levels: dict, note: str, strength: object) -> None:
        """Answer the subcategory's focus areas in one action."""
        state = self.page.state
        if state is None or not levels:
            return
        try:
            result = bulk_answers.answer_focus_areas(
                self.page.workspace, state.info.id, ref, levels,
                note=note.strip() or None, strength=strength,  # type: ignore[arg-type]
            )  # fmt: skip
        except UserError as exc:
            show_error(self.page, "Cannot save the subcategory", exc)
            return
        self.last_bulk = (state.info.id, result.before)
        self._stored(result.responses)

    def undo_last_bulk(self) -> bool:
        """Take back the last subcategory save as one action; return True when done."""
        if self.last_bulk is None or self.page.state is None:
            return False
        assessment_id, before = self.last_bulk
        result = bulk_answers.restore_answers(self.page.workspace, assessment_id, before)
        self.last_bulk = None
        self._stored(result.responses)
        return True

    def _stored(self, responses: tuple) -> None:
        for response in responses:
            self.page._stored(response)
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
        try:
            response = action(self.page.workspace, *args)  # type: ignore[operator]
        except UserError as exc:
            show_error(self.page, "Cannot change where the answer comes from", exc)
            return
        self.page._stored(response)
        self.question_shown(response.question_id)
