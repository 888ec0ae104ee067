"""The Inventory page: AI systems and identities, the import wizard, and one tab per open system.

The tables load on a worker; the blast radius and risk tier of every system follow from a
second worker and fill their columns when ready. Both tables are large RowsTable views over
plain rows: searching, filtering and sorting run on a worker and the view shows the result when
it is ready, so 100,000 systems and 200,000 identities never hold the UI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import RiskTier
from app.domain.hygiene import HygieneSettings
from app.domain.risk import provisional_note, tier_rank
from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.dialogs.engagement_dialog import EngagementDialog
from app.gui.dialogs.error_dialog import show_error
from app.gui.dialogs.identity_dialog import IdentityDialog, show_identity
from app.gui.dialogs.import_action import create_import_action
from app.gui.dialogs.import_wizard import ImportWizard, open_import_wizard
from app.gui.dialogs.record_dialog import RecordDialog, delete_with_confirmation
from app.gui.itemmodels.paint_gate import SteppingAside
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.role_gate import gate
from app.gui.theme import BAD, TIER_TEXT_COLOURS, UNKNOWN_COLOUR, UNKNOWN_TEXT
from app.gui.widgets.rows_table import RowsTable
from app.gui.widgets.system_view import SystemView
from app.gui.writer import Written
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.services.identity_analysis import (
    PortfolioAnalysis,
    SystemSummary,
    analyse_all,
    hygiene_settings,
    refresh_identity_findings,
)
from app.services.inventory_edit import noun_title
from app.services.inventory_queries import IdentityRow, SystemRow, list_identities, list_systems
from app.services.progress import Progress, check_cancelled
from app.services.workspace import Workspace
from app.support.gc_pause import keep_out_of_collections, paused_gc

logger = logging.getLogger(__name__)

DELETE_TIP = "Delete the chosen system or identity"

_TIERS = tuple(RiskTier)
_TIER_TEXT = TIER_TEXT_COLOURS
#: The sort value of a blast radius whose access is not recorded (below every real score).
_UNKNOWN_SCORE = -1
_ACTING = ("human-on-the-loop", "autonomous")
_FIXED_TABS = 2


def load_rows(
    workspace: Workspace, generation: int, progress: Progress | None = None
) -> tuple[int, list[SystemRow], list[IdentityRow], HygieneSettings]:
    """Read both tables' rows (on a worker); the generation tells stale answers apart."""
    with paused_gc():  # tens of thousands of rows: no collection may stop the UI thread
        systems = list_systems(workspace)
        check_cancelled(progress)
        identities = list_identities(workspace)
        settings = hygiene_settings(workspace)
        keep_out_of_collections()  # the rows live until the next reload: never walk them
        return generation, systems, identities, settings


def analyse_rows(
    workspace: Workspace, generation: int, progress: Progress | None = None
) -> tuple[int, dict[str, SystemSummary], int]:
    """Compute every system's blast radius and risk tier (on a worker).

    Returns:
        The generation, each system's summary by inventory id, and how many systems are at
        high or critical risk.
    """
    with paused_gc():  # the identity graph is built from every grant and delegation
        # Seconds of Python: the worker steps aside whenever a table paints meanwhile.
        portfolio: PortfolioAnalysis = analyse_all(workspace, progress=SteppingAside(progress))
        high = sum(1 for s in portfolio.systems if tier_rank(s.risk_tier) >= 2)
        by_id = {s.ext_id: s for s in portfolio.systems}
        keep_out_of_collections()
        return generation, by_id, high


def _score_text(value: int | None) -> str:
    if value is None:
        return ""
    return UNKNOWN_TEXT if value == _UNKNOWN_SCORE else str(value)


def _risk_text(value: int | None) -> str:
    if value is None:
        return ""
    return _TIERS[value // 2].value + (" (provisional)" if value % 2 else "")


def _provisional(summary: SystemSummary) -> str:
    note = provisional_note(summary.risk_missing)
    return f"; {note}" if note else ""


def _recorded(header: str, name: str) -> Column:
    """A column of an attribute that shows "unknown" in grey when it is not recorded."""
    get = attr(name)
    return Column(
        header,
        get,
        display=lambda value: UNKNOWN_TEXT if value in (None, "") else str(value),
        colour=lambda row: UNKNOWN_COLOUR if get(row) in (None, "") else None,
    )


def _days_since(day: dt.date | None, today: dt.date) -> int | None:
    return None if day is None else (today - day).days


class InventoryPage(QWidget):
    """Systems and identities tables, import, and system views in closable tabs."""

    rows_loaded = Signal()
    """Both tables hold the workspace's rows."""
    analysis_loaded = Signal()
    """The blast radius columns are filled."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._generation = 0
        self._analysis: dict[str, SystemSummary] = {}
        self._settings = HygieneSettings()
        self._today = dt.date.today()
        self._load_task: tasks.Task | None = None
        self._analysis_task: tasks.Task | None = None
        self.system_views: dict[str, SystemView] = {}
        self.identity_dialogs: dict[str, IdentityDialog] = {}
        self.wizard: ImportWizard | None = None
        self._pending_identities: list[IdentityRow] | None = None
        self.import_action = self._import_action()
        heading = QLabel("Inventory")
        heading.setObjectName("pageHeading")
        self.status = QLabel()
        self.status.setObjectName("pageHint")
        self.import_button = QPushButton("Import inventory…")
        self.import_button.setObjectName("primary")
        self.import_button.setToolTip(
            f"{self.import_action.toolTip()} ({self.import_action.shortcut().toString()})"
        )
        self.import_button.clicked.connect(self.start_import)
        self.findings_button = QPushButton("Update identity findings")
        self.findings_button.setToolTip(
            "Run the identity hygiene rules over the whole inventory and record the findings"
        )
        self.findings_button.clicked.connect(self._on_findings_button_clicked)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(self.status, 1)
        top.addWidget(self.findings_button)
        top.addWidget(self.import_button)
        self.record_dialog: RecordDialog | None = None
        self.engagement_dialog: EngagementDialog | None = None
        edits = self._edit_buttons()
        self.systems = RowsTable(self._system_columns(), noun="AI systems",
                                 filters=self._system_filters(), layout_key="systems",
                                 large=True)  # fmt: skip
        self.identities = RowsTable(self._identity_columns(), noun="identities",
                                    filters=self._identity_filters(),
                                    layout_key="identities", large=True)  # fmt: skip
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.systems, "AI systems")
        self.tabs.addTab(self.identities, "Identities")
        for index in range(_FIXED_TABS):
            self.tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self._on_tab_close_requested)
        self.tabs.currentChanged.connect(lambda _index: self._show_pending_identities())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(edits)
        layout.addWidget(self.tabs, 1)
        self.systems.row_activated.connect(lambda row: self.open_system(row.ext_id))
        self.systems.view.setToolTip("Double-click or press Enter to open a system")
        self.identities.row_activated.connect(lambda row: self.open_identity(row.ext_id))
        self.identities.view.setToolTip(
            "Double-click or press Enter to see an identity's grants, systems and findings"
        )
        context.workspace_changed.connect(self._on_workspace_changed)
        context.watch("inventory", self._on_changed)
        self.refresh()

    def _import_action(self) -> QAction:
        action = self._context.actions.get("inventory.import")
        if action is None:
            action = create_import_action(self._context, self, trigger=self.start_import)
            self.addAction(action)
            self._context.actions["inventory.import"] = action
        return action

    def _edit_buttons(self) -> QHBoxLayout:
        self.add_button = QToolButton()
        self.add_button.setText("Add")
        self.add_button.setToolTip("Add a record to the inventory by hand")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        for entity in (SYSTEMS, IDENTITIES, RESOURCES, GRANTS, DELEGATIONS):
            action = menu.addAction(f"{noun_title(entity)}…")
            action.triggered.connect(lambda _on=False, e=entity: self.add_record(e))
        self.add_button.setMenu(menu)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Edit the chosen system or identity")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip(DELETE_TIP)
        self.delete_button.clicked.connect(self.delete_selected)
        self.engagement_button = QPushButton("Engagement details…")
        self.engagement_button.setToolTip(
            "Client, assessor, reviewer, fieldwork dates and classification"
        )
        self.engagement_button.clicked.connect(self.edit_engagement)
        row = QHBoxLayout()
        for widget in (self.add_button, self.edit_button, self.delete_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.engagement_button)
        return row

    # Hand edits ---------------------------------------------------------------------------
    def _chosen(self) -> tuple[str, str] | None:
        """Return the record kind and id chosen in the table shown, if any."""
        table = self.tabs.currentWidget()
        if table is self.systems:
            row = self.systems.selected_row()
            return (SYSTEMS, row.ext_id) if row is not None else None
        if table is self.identities:
            row = self.identities.selected_row()
            return (IDENTITIES, row.ext_id) if row is not None else None
        if isinstance(table, SystemView):
            return SYSTEMS, table.ext_id
        return None

    def add_record(self, entity: str, preset: dict[str, str] | None = None) -> RecordDialog:
        """Open the form of a new record of this kind."""
        return self._open_record(RecordDialog(self._context, entity, None, preset, self))

    def edit_selected(self) -> RecordDialog | None:
        """Open the form of the chosen system or identity."""
        chosen = self._chosen()
        if chosen is None:
            QMessageBox.information(self, "Edit", "Choose a system or an identity first.")
            return None
        entity, ext_id = chosen
        return self._open_record(RecordDialog(self._context, entity, (ext_id,), None, self))

    def delete_selected(self) -> tasks.Task | None:
        """Delete the chosen system or identity after the user confirms."""
        chosen = self._chosen()
        if chosen is None:
            QMessageBox.information(self, "Delete", "Choose a system or an identity first.")
            return None
        return delete_with_confirmation(self._context, self, chosen[0], (chosen[1],))

    def _open_record(self, dialog: RecordDialog) -> RecordDialog:
        self.record_dialog = dialog
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.show()
        return dialog

    def edit_engagement(self) -> EngagementDialog:
        """Open the engagement's details."""
        dialog = EngagementDialog(self._context, self)
        self.engagement_dialog = dialog
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.show()
        return dialog

    # Columns and filters ------------------------------------------------------------------
    def _summary(self, row: SystemRow) -> SystemSummary | None:
        return self._analysis.get(row.ext_id)

    def _system_columns(self) -> list[Column]:
        def score(row: SystemRow) -> int | None:
            summary = self._summary(row)
            if summary is None:
                return None
            return _UNKNOWN_SCORE if summary.score is None else summary.score

        def score_colour(row: SystemRow) -> str | None:
            summary = self._summary(row)
            return _TIER_TEXT[summary.tier] if summary else None

        def score_tooltip(row: SystemRow) -> str:
            summary = self._summary(row)
            if summary is None:
                return "not computed yet"
            if summary.unknown:
                return f"Blast radius unknown: {summary.unknown} (access not recorded)"
            return f"Blast radius {summary.blast_text}"

        def risk(row: SystemRow) -> int | None:
            # Twice the tier's rank, plus one when provisional: sorts by tier, shows both.
            summary = self._summary(row)
            if summary is None:
                return None
            return 2 * tier_rank(summary.risk_tier) + bool(summary.risk_missing)

        def risk_colour(row: SystemRow) -> str | None:
            summary = self._summary(row)
            return _TIER_TEXT[summary.risk_tier] if summary else None

        def risk_tooltip(row: SystemRow) -> str:
            summary = self._summary(row)
            if summary is None:
                return "not computed yet"
            return f"set by {summary.risk_factor}" + _provisional(summary)

        return [
            Column("ID", attr("ext_id")),
            Column("Name", attr("name")),
            Column("Risk tier", risk, display=_risk_text, colour=risk_colour,
                   tooltip=risk_tooltip),
            Column("Blast radius", score, display=_score_text, colour=score_colour,
                   tooltip=score_tooltip, align_right=True),
            _recorded("Autonomy", "autonomy"),
            _recorded("Data", "data_classification"),
            _recorded("Exposure", "exposure"),
            _recorded("Owner", "owner"),
            Column("Business unit", attr("business_unit")),
            Column("Environment", attr("environment")),
            Column("Stage", attr("lifecycle_stage")),
            Column("Identities", attr("identities"), align_right=True),
            Column("Open findings", attr("open_findings"), align_right=True),
        ]  # fmt: skip

    def _system_filters(self) -> list[tuple[str, Any]]:
        def tier_at_least(row: SystemRow, tier: RiskTier) -> bool:
            summary = self._summary(row)
            return summary is not None and tier_rank(summary.risk_tier) >= tier_rank(tier)

        return [
            ("All systems", None),
            ("Without an owner", lambda r: not r.owner),
            ("Acting on their own (on-the-loop, autonomous)", lambda r: r.autonomy in _ACTING),
            ("In production", lambda r: r.environment == "production"),
            ("Open to partners or the public", lambda r: r.exposure in ("partner", "public")),
            ("Confidential or restricted data",
             lambda r: r.data_classification in ("confidential", "restricted")),
            ("With open findings", lambda r: r.open_findings > 0),
            ("Risk tier high or critical", lambda r: tier_at_least(r, RiskTier.HIGH)),
        ]  # fmt: skip

    def _identity_columns(self) -> list[Column]:
        return [
            Column("ID", attr("ext_id")),
            Column("Name", attr("name")),
            Column("Kind", attr("kind")),
            Column("Provider", attr("provider")),
            Column("Owner", attr("owner")),
            Column("Environment", attr("environment")),
            Column("Created", attr("created")),
            Column("Last rotated", attr("last_rotated"), colour=self._rotation_colour),
            Column("Last used", attr("last_used")),
            Column("Expires", attr("expires")),
            Column("Revocation", attr("revocation_procedure")),
            Column("Systems", attr("systems")),
            Column("Grants", attr("grants"), align_right=True),
        ]

    def _stale(self, row: IdentityRow) -> bool:
        days = _days_since(row.last_rotated or row.created, self._today)
        return days is not None and days > self._settings.rotation_days

    def _unused(self, row: IdentityRow) -> bool:
        days = _days_since(row.last_used, self._today)
        return days is not None and days > self._settings.unused_days

    def _rotation_colour(self, row: IdentityRow) -> str | None:
        return BAD if self._stale(row) else None

    def _identity_filters(self) -> list[tuple[str, Any]]:
        return [
            ("All identities", None),
            ("Without an owner", lambda r: not r.owner),
            ("Not rotated in time", self._stale),
            ("Unused for a long time", self._unused),
            ("Never expiring", lambda r: r.expires is None),
            ("No revocation procedure", lambda r: not r.revocation_procedure),
            ("Shared by several systems", lambda r: len(r.systems) > 1),
            ("Used by no system", lambda r: not r.systems),
        ]

    # Loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload both tables (and then the blast radius columns) on workers."""
        role = self._context.workspace.team_role
        self.delete_button.setEnabled(gate(self.delete_button, role, "delete", DELETE_TIP))
        self._generation += 1
        for task in (self._load_task, self._analysis_task):
            if task is not None:
                task.cancel()
        self._analysis_task = None
        self.status.setText("Loading…")
        self._load_task = tasks.run_task(
            load_rows,
            self._context.workspace,
            self._generation,
            on_success=self._on_rows_loaded,
            on_failure=self._on_load_failed,
        )

    def _on_rows_loaded(
        self, outcome: tuple[int, list[SystemRow], list[IdentityRow], HygieneSettings]
    ) -> None:
        generation, systems, identities, settings = outcome
        if generation != self._generation:
            return
        self._load_task = None
        self._settings, self._today = settings, dt.date.today()
        self._analysis = {}
        self.set_system_rows(systems)
        self._pending_identities = identities
        if self.tabs.currentWidget() is self.identities:
            self._show_pending_identities()
        self.status.setText(
            f"{len(systems):,} AI systems · {len(identities):,} identities"
            + (" · computing blast radius…" if systems else "")
        )
        self.rows_loaded.emit()
        if systems:
            self._analysis_task = tasks.run_task(
                analyse_rows,
                self._context.workspace,
                generation,
                on_success=self._on_analysis_loaded,
                on_failure=self._on_load_failed,
            )

    def _show_pending_identities(self) -> None:
        """Fill the identities table when it is shown: a hidden table need not be rebuilt."""
        if self._pending_identities is None or self.tabs.currentWidget() is not self.identities:
            return
        rows, self._pending_identities = self._pending_identities, None
        self.identities.set_rows(rows)
        self.identities.resize_columns()

    def set_system_rows(self, rows: list[SystemRow]) -> None:
        """Show these rows in the systems table."""
        self.systems.set_rows(rows)
        self.systems.resize_columns()

    def _on_analysis_loaded(self, outcome: tuple[int, dict[str, SystemSummary], int]) -> None:
        generation, analysis, high = outcome
        if generation != self._generation:
            return
        self._analysis_task = None
        self._analysis = analysis
        self.systems.refresh_values()  # the blast radius columns fill in where they are
        self.systems.resize_columns()  # tiers such as "moderate (provisional)" are wider
        text = self.status.text().replace(" · computing blast radius…", "")
        self.status.setText(f"{text} · {high:,} at high or critical risk")
        self.analysis_loaded.emit()

    def _on_load_failed(self, exc: BaseException) -> None:
        self._load_task = self._analysis_task = None
        self.status.setText("The inventory could not be read")
        show_error(self, "Cannot read the inventory", exc)

    def _on_workspace_changed(self) -> None:
        while self.tabs.count() > _FIXED_TABS:
            self._close_tab(self.tabs.count() - 1)
        for dialog in list(self.identity_dialogs.values()):
            dialog.reject()
        self.refresh()

    def _on_changed(self, _written: Written) -> None:
        self.refresh()

    # Actions ------------------------------------------------------------------------------
    def start_import(self) -> ImportWizard:
        """Open the import wizard over this window."""
        wizard = open_import_wizard(self._context, self.window())
        wizard.imported.connect(self._on_imported)
        wizard.finished.connect(self._on_wizard_finished)
        self.wizard = wizard
        return wizard

    def _on_wizard_finished(self, _code: int) -> None:
        self.wizard = None  # the closed wizard's file and plan can be freed

    def _on_imported(self, _result: object) -> None:
        self.tabs.setCurrentIndex(0)
        show_page = getattr(self.window(), "show_page", None)
        if callable(show_page):
            show_page("inventory")

    def _on_findings_button_clicked(self) -> None:
        from app.gui.dialogs.progress_dialog import run_with_progress

        def done(refresh: Any) -> None:
            self._context.status_message.emit(
                f"Identity findings: {refresh.created} new, {refresh.resolved} resolved, "
                f"{refresh.reopened} reopened, {refresh.updated} updated",
            )

        run_with_progress(self, "Updating identity findings", refresh_identity_findings,
                          self._context.workspace, on_success=done, writes=True)  # fmt: skip

    def open_system(self, ext_id: str) -> SystemView:
        """Show one system in its own tab (reusing the tab when it is open)."""
        view = self.system_views.get(ext_id)
        if view is None:
            view = SystemView(self._context, ext_id)
            self.system_views[ext_id] = view
            self.tabs.addTab(view, ext_id)
        self.tabs.setCurrentWidget(view)
        return view

    def open_identity(self, ext_id: str) -> IdentityDialog:
        """Show one identity's details in a window (reusing the one open for it)."""
        return show_identity(self._context.workspace, ext_id, self, self.identity_dialogs)

    def _on_tab_close_requested(self, index: int) -> None:
        if index >= _FIXED_TABS:
            self._close_tab(index)

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if isinstance(widget, SystemView):
            self.system_views.pop(widget.ext_id, None)
            widget.deleteLater()
