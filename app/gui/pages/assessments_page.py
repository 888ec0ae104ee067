"""The Assessments page: choose an assessment, answer its questions, watch its dashboard.

Keyboard first: 0–5 answer the current question, N marks it not applicable (asking why),
F flags it, J / Ctrl+Down and K / Ctrl+Up move to the next and previous question shown,
Ctrl+F searches and Ctrl+Z undoes the last answer change. Every change is saved at once
through the services, which journal it; scoring the whole assessment, reading it and storing
evidence files run on workers.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import file_dialogs, tasks
from app.gui.context import GuiContext
from app.gui.dialogs.error_dialog import show_error
from app.gui.dialogs.new_assessment_dialog import NewAssessmentChoice, NewAssessmentDialog
from app.gui.dialogs.opinion_dialog import OpinionDialog
from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.dialogs.requests_dialog import RequestsDialog
from app.gui.pages.answer_saving import AnswerSaving
from app.gui.pages.assessment_scope import ScopeController
from app.gui.widgets.assessment_dashboard import AssessmentDashboard
from app.gui.widgets.assessment_navigator import AssessmentNavigator
from app.gui.widgets.lifecycle_bar import STATUS_TEXT, LifecycleBar
from app.gui.widgets.question_panel import QuestionPanel
from app.gui.writer import Written
from app.services.assessment_state import (
    AssessmentState,
    Attached,
    attach_files,
    load_state,
    score_state,
)
from app.services.assessments import (
    AssessmentInfo,
    ResponseInfo,
    list_assessments,
    new_assessment,
)
from app.services.errors import UserError
from app.services.evidence import export_evidence, get_evidence, link_to_response
from app.services.scoring import AssessmentScore
from app.services.suggestions import Accepted, Suggestion, accept, suggestions_for, undo_accept
from app.services.workspace import Workspace
from app.support.safe_files import is_runnable

logger = logging.getLogger(__name__)

UNDO_LIMIT = 50
_ANSWER_FIELDS = ("level", "not_applicable", "justification")
FINAL_BANNER = (
    "This assessment is final and read-only. Use Re-assess to start a new round from a copy."
)


@dataclass(frozen=True)
class UndoStep:
    """An answer change that Ctrl+Z can take back: the question and its fields before.

    An accepted suggestion also keeps what accepting added (evidence links, the analysis
    file), which its undo removes.
    """

    question_id: str
    before: dict[str, Any]
    accepted: Accepted | None = None
    bulk: Any = None  # a bulk or subcategory answer: undone as one (see ScopeController)


def assessment_label(info: AssessmentInfo) -> str:
    status = STATUS_TEXT.get(info.status, info.status)
    scope = ""
    if info.inherited or info.overridden:
        scope = f"; {info.own_answers} own, {info.inherited} inherited"
        scope += f", {info.overridden} overridden" if info.overridden else ""
    return (
        f"#{info.id} {info.system} — {info.title} ({status}, {info.answered}/{info.questions}"
        f"{scope})"
    )


class AssessmentsPage(QWidget):
    """Navigator, question panel and dashboard of the chosen assessment."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.state: AssessmentState | None = None
        self._generation = 0
        self._score_task: tasks.Task | None = None
        self._shown: tuple[AssessmentState, str] | None = None
        """The state and question :meth:`show_question` showed last."""
        self._score_again = False
        self._suggestion_for: tuple[int, str] | None = None
        self.answers = AnswerSaving(self)
        self.undo_stack: list[UndoStep] = []
        self.na_drafts: dict[tuple[int, str], str] = {}
        """N/A reasons typed whose save failed, offered again on the next try."""
        self._build()
        self._build_shortcuts()
        context.workspace_changed.connect(self._on_workspace_changed)
        context.watch("assessments", self._on_changed, owner=self)
        self.refresh()

    # Layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        heading = QLabel("Assessments")
        heading.setObjectName("pageHeading")
        self.assessment_box = QComboBox()
        self.assessment_box.setAccessibleName("Assessment")
        self.assessment_box.setMinimumWidth(360)
        self.new_button = QPushButton("New assessment…")
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip("Assess an AI system against one or more frameworks")
        self.lifecycle = LifecycleBar(self._context)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(self.assessment_box, 1)
        self.opinion_button = QPushButton("Opinion…")
        self.opinion_button.setToolTip("The assessor's opinion, summary, themes and limitations")
        self.requests_button = QPushButton("Evidence requests…")
        self.requests_button.setToolTip("Evidence asked of the client, with due dates")
        top.addWidget(self.opinion_button)
        top.addWidget(self.requests_button)
        top.addWidget(self.new_button)
        self.banner = QLabel(FINAL_BANNER)
        self.banner.setObjectName("banner")
        self.banner.setStyleSheet(
            "QLabel#banner { background: #fff4ce; color: #5c4400; padding: 6px 10px;"
            " border: 1px solid #e0c96a; border-radius: 4px; }"
        )
        self.banner.setVisible(False)
        self.navigator = AssessmentNavigator()
        self.advance_box = QCheckBox("Next question after answering")
        self.advance_box.setToolTip("Move on by itself after a level or N/A is given")
        self.navigator.layout().addWidget(self.advance_box)
        self.panel = QuestionPanel()
        self.dashboard = AssessmentDashboard()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.panel, "Question")
        self.tabs.addTab(self.dashboard, "Dashboard")
        self.scope = ScopeController(self)
        splitter = QSplitter()
        splitter.addWidget(self.navigator)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([430, 700])
        self.empty_label = QLabel()
        self.empty_label.setObjectName("pageHint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.body = QStackedWidget()
        self.body.addWidget(self.empty_label)
        self.body.addWidget(splitter)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.lifecycle)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)
        self.assessment_box.currentIndexChanged.connect(self._on_assessment_box_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.opinion_button.clicked.connect(lambda: self._open_voice_dialog(OpinionDialog))
        self.requests_button.clicked.connect(lambda: self._open_voice_dialog(RequestsDialog))
        self.lifecycle.changed.connect(self._on_lifecycle_changed)
        self.lifecycle.message.connect(self._context.status_message)
        self.navigator.question_selected.connect(self.show_question)
        self.panel.level_chosen.connect(self.answer_level)
        self.panel.na_requested.connect(self.answer_not_applicable)
        self.panel.notes_edited.connect(self._on_notes_edited)
        self.panel.flag_changed.connect(lambda on: self._save_current(flagged=on))
        self.panel.reviewed_changed.connect(lambda on: self._save_current(reviewed=on))
        self.panel.strength_changed.connect(
            lambda value: self._save_current(evidence_strength=value)
        )
        self.panel.target_changed.connect(lambda value: self._save_current(target_override=value))
        self.panel.evidence.files_dropped.connect(self.attach)
        self.panel.evidence.add_requested.connect(self._on_add_evidence_requested)
        self.panel.evidence.open_requested.connect(self._open_evidence)
        self.panel.evidence.remove_requested.connect(self._unlink_evidence)
        self.panel.suggestions.accepted.connect(self.accept)

    def _open_voice_dialog(self, kind: type[OpinionDialog] | type[RequestsDialog]) -> None:
        assessment_id = self.current_assessment_id()
        if assessment_id is not None:
            kind(self._context, assessment_id, self).exec()

    def _build_shortcuts(self) -> None:
        self.shortcuts: dict[str, QAction] = {}
        for level in range(6):
            self._shortcut(f"level{level}", [str(level)], lambda _c=False, v=level: self._key(v))
        self._shortcut("na", ["N"], lambda: self._key(None))
        self._shortcut("flag", ["F"], self.toggle_flag)
        self._shortcut("next", ["J", "Ctrl+Down"], lambda: self.navigator.step(1))
        self._shortcut("previous", ["K", "Ctrl+Up"], lambda: self.navigator.step(-1))
        self._shortcut("search", ["Ctrl+F"], self._focus_search)
        self._shortcut("undo", ["Ctrl+Z"], self.undo)
        self._shortcut("tree", ["Escape"], self.navigator.tree.setFocus)

    def _shortcut(self, name: str, keys: Sequence[str], slot: Any) -> None:
        action = QAction(name, self)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        self.shortcuts[name] = action

    # Listing and opening -------------------------------------------------------------------
    @property
    def workspace(self) -> Workspace:
        return self._context.workspace

    @property
    def context(self) -> GuiContext:
        return self._context

    def refresh(self, select: int | None = None) -> None:
        """Reload the list of assessments, keeping (or moving to) the chosen one."""
        current = select if select is not None else self.current_assessment_id()
        infos = list_assessments(self.workspace)
        self.assessment_box.blockSignals(True)
        self.assessment_box.clear()
        for info in infos:
            self.assessment_box.addItem(assessment_label(info), info.id)
        index = self.assessment_box.findData(current) if current is not None else -1
        if index < 0 and infos:
            index = len(infos) - 1
        self.assessment_box.setCurrentIndex(index)
        self.assessment_box.blockSignals(False)
        if not infos:
            self._generation += 1  # a load still running for another workspace is dropped
            self.empty_label.setText(
                "No assessment yet.\n\nChoose New assessment… to assess an AI system of the "
                "inventory against NIST IR 8596, NIST AI RMF or the OWASP lists."
            )
            self.body.setCurrentIndex(0)
            self._set_state(None)
            return
        self.open_assessment(int(self.assessment_box.currentData()))

    def current_assessment_id(self) -> int | None:
        data = self.assessment_box.currentData()
        return int(data) if data is not None else None

    def _on_assessment_box_changed(self, _index: int) -> None:
        assessment_id = self.current_assessment_id()
        if assessment_id is not None:
            self.open_assessment(assessment_id)

    def open_assessment(self, assessment_id: int) -> None:
        """Read the assessment on a worker and show it when it arrives."""
        self._generation += 1
        generation = self._generation
        self.panel.flush_notes()
        self.answers.landed.clear()
        tasks.run_task(
            load_state,
            self.workspace,
            assessment_id,
            on_success=lambda state: self._loaded(generation, state),
            on_failure=lambda exc: show_error(self, "Cannot open the assessment", exc),
        )

    def _loaded(self, generation: int, state: AssessmentState) -> None:
        if generation != self._generation:
            return
        self.answers.keep_own(state, self.state)
        self.body.setCurrentIndex(1)
        self._set_state(state)

    def _set_state(self, state: AssessmentState | None) -> None:
        previous = self.state
        self.state = state
        if previous is None or state is None or previous.info.id != state.info.id:
            self.undo_stack.clear()
        read_only = state is not None and state.read_only
        self.banner.setVisible(read_only)
        self.lifecycle.set_info(state.info if state is not None else None)
        self.panel.set_read_only(read_only)
        self.navigator.set_state(state)
        self.dashboard.set_state(state)
        if state is None:
            self.panel.show_nothing("No assessment open.")
            return
        current = self.navigator.current_question()
        if current is None:
            first = next((e.id for e in state.entries if not state.responses[e.id].answered), None)
            self.navigator.select_question(first or state.entries[0].id)
        elif not self._showing(state, current):  # selecting it again in the tree showed it
            self.show_question(current)

    def _showing(self, state: AssessmentState, question_id: str) -> bool:
        shown = self._shown
        return shown is not None and shown[0] is state and shown[1] == question_id

    # The current question ------------------------------------------------------------------
    def show_question(self, question_id: str) -> None:
        self.panel.flush_notes()  # first: the answer shown below then includes those notes
        state = self.state
        if state is None or question_id not in state.responses:
            return
        response = state.responses[question_id]
        self.panel.show_question(
            state.entry(question_id), response, self._evidence_of(response), state.info.target_level
        )
        self.scope.question_shown(question_id)
        self.panel.review.show_for(self.workspace, state.info.id, question_id, state.read_only)
        if self.tabs.currentWidget() not in (self.panel, self.scope.subcategory):
            self.tabs.setCurrentWidget(self.panel)
        self._load_suggestions(question_id)
        self._shown = (state, question_id)

    def _evidence_of(self, response: ResponseInfo) -> list:
        state = self.state
        if state is None:
            return []
        missing = [i for i in response.evidence_ids if i not in state.evidence]
        for evidence_id in missing:
            state.evidence[evidence_id] = get_evidence(self.workspace, evidence_id)
        return [state.evidence[i] for i in response.evidence_ids]

    def _load_suggestions(self, question_id: str) -> None:
        state = self.state
        if state is None:
            return
        key = (state.info.id, question_id)
        self._suggestion_for = key
        self.panel.suggestions.set_loading()
        tasks.run_task(
            suggestions_for,
            self.workspace,
            state.info.id,
            question_id,
            catalog=self._context.catalog(),
            with_progress=False,
            on_success=lambda found: self._suggestions_arrived(key, found),
            on_failure=lambda exc: self._suggestions_arrived(key, [], exc),
        )

    def _suggestions_arrived(
        self, key: tuple[int, str], found: list[Suggestion], exc: BaseException | None = None
    ) -> None:
        if key != self._suggestion_for or not shiboken6.isValid(self.panel.suggestions):
            return  # another question is shown now, or the window closed meanwhile
        if exc is not None:
            logger.warning("no suggestions for %s: %s", key, exc)
        self.panel.suggestions.set_suggestions(found)

    # Answering -----------------------------------------------------------------------------
    def _key(self, level: int | None) -> None:
        if self.panel.question_id is None or self.panel.read_only:
            return
        if level is None:
            self.answer_not_applicable()
        else:
            self.answer_level(level)

    def answer_level(self, level: int) -> bool:
        """Answer the current question with ``level``; True when the change was sent."""
        if not self._save_current(undoable=True, level=level):
            return False
        self._advance()
        return True

    def _advance(self) -> None:
        if self.advance_box.isChecked():
            self.navigator.step(1)

    def answer_not_applicable(self) -> None:
        """Ask why the question does not apply, then mark it N/A with that justification."""
        state, question_id = self.state, self.panel.question_id
        if state is None or question_id is None or state.read_only:
            return
        response = state.responses[question_id]
        ref = state.entry(question_id).question.ref
        key = (state.info.id, question_id)
        text, ok = QInputDialog.getMultiLineText(
            self,
            "Not applicable",
            f"Why does {ref} not apply to this system? (needed for N/A)",
            self.na_drafts.get(key, response.justification),
        )
        if not ok or not text.strip():
            self._context.status_message.emit("N/A needs a justification; the answer is unchanged")
            self.panel.show_response(response, self._evidence_of(response))
            return
        self.na_drafts[key] = text.strip()  # kept until stored: a failed save loses no typing
        if self._save_current(undoable=True, not_applicable=True, justification=text.strip()):
            self._advance()

    def toggle_flag(self) -> None:
        state, question_id = self.state, self.panel.question_id
        if state is not None and question_id is not None and not state.read_only:
            self._save_current(undoable=True, flagged=not state.responses[question_id].flagged)

    def _on_notes_edited(self, question_id: str, text: str) -> None:
        self._save(question_id, notes=text)

    def _save_current(self, undoable: bool = False, **changes: Any) -> bool:
        if self.panel.question_id is None:
            return False
        return self._save(self.panel.question_id, undoable=undoable, **changes)

    def _save(
        self,
        question_id: str,
        *,
        undoable: bool = False,
        undo_step: UndoStep | None = None,
        **changes: Any,
    ) -> bool:
        """Show a change of one answer at once and send it to the one writer.

        When the write fails (a refused value, a workspace another program is writing to, a
        read-only file) the panel shows the answer as stored again and the window says why.

        Args:
            question_id: The question answered.
            undoable: Ctrl+Z can take the change back.
            undo_step: The undo step this change carries out (back on the stack if it fails).
            **changes: The fields of the answer changed.

        Returns:
            True when the change was sent (it is shown; its outcome comes later).
        """
        state = self.state
        if state is None or state.read_only or question_id not in state.responses:
            return False
        before = state.responses[question_id]
        step = None
        if undoable:
            fields = {
                *changes,
                *(_ANSWER_FIELDS if {"level", "not_applicable"} & set(changes) else ()),
            }
            step = self._push_undo(question_id, before, fields)
        self.answers.send(state, question_id, changes, step, undo_step)
        return True

    def saving(self) -> bool:
        """Return True while answers sent to the writer are not written yet (tests wait)."""
        return bool(self.answers.in_flight)

    def _push_undo(self, question_id: str, before: ResponseInfo, fields: set[str]) -> UndoStep:
        step = UndoStep(question_id, {f: getattr(before, f) for f in fields})
        self.undo_stack.append(step)
        del self.undo_stack[:-UNDO_LIMIT]
        return step

    def show_answer(
        self, state: AssessmentState, response: ResponseInfo, score: bool = True
    ) -> None:
        """Show one answer in the state, its badge and (when current) the panel."""
        state.responses[response.question_id] = response
        self.navigator.update_question(response.question_id)
        if response.question_id == self.panel.question_id:
            self.panel.show_response(response, self._evidence_of(response))
        if score:
            self.schedule_score()

    def stored(self, response: ResponseInfo, assessment_id: int | None = None) -> None:
        """Show an answer as the workspace now holds it."""
        state = self.state
        if state is None or (assessment_id is not None and state.info.id != assessment_id):
            return
        self.show_answer(state, response)

    def undo(self) -> None:
        """Restore the answer before the last answer change, through the service."""
        state = self.state
        if state is None or state.read_only or not self.undo_stack:
            self._context.status_message.emit("Nothing to undo")
            return
        step = self.undo_stack.pop()
        values = dict(step.before)
        if values.get("not_applicable"):
            values.pop("level", None)
        if step.bulk is not None:
            undone = self.scope.undo_bulk(step)
        elif step.accepted is not None:
            undone = self._undo_accept(step)
        else:
            undone = self._save(step.question_id, undo_step=step, **values)
        if undone:
            self.navigator.select_question(step.question_id)
            ref = state.entry(step.question_id).question.ref
            self._context.status_message.emit(f"Undid the last change to {ref}")
        else:
            self.undo_stack.append(step)  # not undone: Ctrl+Z can try again

    # Scores --------------------------------------------------------------------------------
    def schedule_score(self) -> None:
        """Score the whole assessment on a worker; one run at a time, the latest answers win."""
        if self.state is None:
            return
        if self._score_task is not None:
            self._score_again = True
            return
        state = self.state
        self._score_again = False
        self._score_task = tasks.run_task(
            score_state,
            state.loaded,
            list(state.responses.values()),
            with_progress=False,
            on_success=lambda score: self._scored(state, score),
            on_failure=lambda exc: self._scored(state, None, exc),
        )

    def _scored(
        self, state: AssessmentState, score: AssessmentScore | None, exc: Any = None
    ) -> None:
        self._score_task = None
        if exc is not None:
            logger.warning("scoring failed: %s", exc)
        if not shiboken6.isValid(self.navigator):
            return  # the window closed while the score was computed
        if state is self.state and score is not None:
            state.score = score
            self.navigator.update_scores(score)
            self.dashboard.update_score(score)
        if self._score_again:
            self.schedule_score()

    def scoring(self) -> bool:
        """Return True while a score is being computed (tests wait on it)."""
        return self._score_task is not None

    # Evidence ------------------------------------------------------------------------------
    def attach(self, paths: list[Path]) -> None:
        """Store files as evidence of the current answer, on the write worker."""
        state, question_id = self.state, self.panel.question_id
        if state is None or question_id is None or state.read_only or not paths:
            return
        run_with_progress(
            self,
            "Storing evidence",
            attach_files,
            self.workspace,
            state.info.id,
            question_id,
            list(paths),
            writes=True,
            origin=self,
            on_success=lambda result: self._attached(state, result),
        )

    def _attached(self, state: AssessmentState, result: Attached) -> None:
        for info in result.evidence:
            state.evidence[info.id] = info
        if state is self.state:
            self.stored(result.response)
            names = ", ".join(info.file_name for info in result.evidence)
            self._context.status_message.emit(f"Stored and linked {names}")

    def _on_add_evidence_requested(self) -> None:
        paths = file_dialogs.get_open_file_names(self, "Attach evidence files")
        self.attach([Path(p) for p in paths])

    def _open_evidence(self, evidence_id: int) -> None:
        try:
            folder = Path(tempfile.mkdtemp(prefix="assay-evidence-"))
            path = export_evidence(self.workspace, evidence_id, folder)
        except UserError as exc:
            show_error(self, "Cannot open the evidence", exc)
            return
        # A program or script is shown in its folder, never run by a double click.
        target = folder if is_runnable(path) else path
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def _unlink_evidence(self, evidence_id: int) -> None:
        """Show the file unlinked at once; unlink it on the writer (linked again if refused)."""
        state, question_id = self.state, self.panel.question_id
        if state is None or question_id is None:
            return
        old = state.responses[question_id]
        kept = tuple(i for i in old.evidence_ids if i != evidence_id)
        self.show_answer(state, _with_evidence(old, kept))

        def failed(exc: BaseException) -> None:
            if self.state is state:
                self.show_answer(state, old)
            self._refused("Cannot unlink the evidence", "Unlinking the evidence", exc)

        self._context.write(link_to_response, evidence_id, state.info.id, question_id,
                            remove=True, origin=self, on_failure=failed)  # fmt: skip

    def _refused(self, title: str, what: str, exc: BaseException) -> None:
        self._context.refuse(self, title, what, exc)

    # Suggestions ---------------------------------------------------------------------------
    def accept(self, suggestion: Suggestion) -> None:
        """Record a suggested answer on the writer (undoable once written)."""
        state = self.state
        if state is None or state.read_only:
            return

        def accepted(result: Accepted) -> None:
            self.undo_stack.append(UndoStep(suggestion.question_id, {}, result))
            del self.undo_stack[:-UNDO_LIMIT]
            self.stored(result.response, state.info.id)

        self._context.write(accept, state.info.id, suggestion, origin=self, on_success=accepted,
                            on_failure=lambda exc: self._refused(
                                "Cannot accept the suggestion", "The suggestion", exc))  # fmt: skip

    def _undo_accept(self, step: UndoStep) -> bool:
        """Take back an accepted suggestion: its answer, evidence links and analysis file."""
        state, accepted = self.state, step.accepted
        if state is None or accepted is None:
            return False

        def undone(response: ResponseInfo) -> None:
            for evidence_id in accepted.created:
                state.evidence.pop(evidence_id, None)
            self.stored(response, state.info.id)

        def failed(exc: BaseException) -> None:
            self.undo_stack.append(step)  # not undone: Ctrl+Z can try again
            self._refused("Cannot undo the suggestion", "Undoing the suggestion", exc)

        self._context.write(undo_accept, accepted, origin=self, on_success=undone,
                            on_failure=failed)  # fmt: skip
        return True

    # New assessment and lifecycle ----------------------------------------------------------
    def new_assessment_dialog(self) -> NewAssessmentDialog:
        return NewAssessmentDialog(self.workspace, self._context.catalog(), self)

    def _on_new_button_clicked(self) -> None:
        dialog = self.new_assessment_dialog()
        if dialog.exec() == NewAssessmentDialog.DialogCode.Accepted:
            self.create_assessment(dialog.choice())

    def create_assessment(self, choice: NewAssessmentChoice) -> None:
        """Create the assessment on the write worker, then open it."""
        run_with_progress(
            self,
            "Creating the assessment",
            partial(new_assessment, title=choice.title),  # run_with_progress has its own title
            self.workspace,
            None if choice.organisation else choice.system,
            choice.frameworks,
            preset=choice.preset,
            focus_areas=choice.focus_areas,
            max_priority=choice.max_priority,
            target=choice.target,
            risk_tier=choice.risk_tier,
            risk_factor=choice.risk_factor,
            catalog=self._context.catalog(),
            writes=True,
            origin=self,
            with_progress=False,
            on_success=self._created,
        )

    def _created(self, info: AssessmentInfo) -> None:
        self._context.status_message.emit(
            f"Assessment {info.id} of {info.system} created with {info.questions} questions"
        )
        self.refresh(select=info.id)

    def _on_lifecycle_changed(self, assessment_id: int) -> None:
        """Show the assessment the lifecycle bar changed (its writes reach others by themselves)."""
        self.refresh(select=assessment_id)

    # Notifications -------------------------------------------------------------------------
    def _on_workspace_changed(self) -> None:
        self.assessment_box.blockSignals(True)
        self.assessment_box.clear()
        self.assessment_box.blockSignals(False)
        self._set_state(None)
        self.refresh()

    def _on_changed(self, written: Written) -> None:
        """Reload after records this page shows changed elsewhere (not by the lifecycle bar)."""
        if written.origin is self.lifecycle:
            return
        if "framework_version" in written.entities():
            self._context.reset_catalog()
        self.refresh()

    def _focus_search(self) -> None:
        self.navigator.search.setFocus()
        self.navigator.search.selectAll()


def _with_evidence(response: ResponseInfo, evidence_ids: tuple[int, ...]) -> ResponseInfo:
    return replace(response, evidence_ids=evidence_ids)
