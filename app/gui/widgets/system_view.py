"""One AI system in full: profile, identities, grants, delegations, blast radius, findings."""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.dialogs.identity_dialog import IdentityDialog, show_identity
from app.gui.dialogs.record_dialog import RecordDialog, delete_with_confirmation
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.theme import SEVERITY_COLOURS, TIER_TEXT_COLOURS, UNKNOWN_COLOUR, UNKNOWN_TEXT
from app.gui.widgets.blast_radius_layout import TIER_COLOURS
from app.gui.widgets.blast_radius_view import BlastRadiusView
from app.gui.widgets.record_html import UNKNOWN_RECORDED, record_line
from app.gui.widgets.rows_table import RowsTable
from app.ingest.fields import DELEGATIONS, GRANTS, RESOURCES, SYSTEMS
from app.services.errors import UserError
from app.services.system_view import SystemViewData, load_system_view
from app.support.text import plural

logger = logging.getLogger(__name__)

_TEXT_COLOURS = TIER_TEXT_COLOURS


def _badge(colour: str, text: str) -> str:
    return f"<span style='background:{colour}; color:#000'>&nbsp;{html.escape(text)}&nbsp;</span>"


def _provisional_html(note: str) -> str:
    if not note:
        return ""
    return (
        f"<p style='color:{UNKNOWN_COLOUR}'><i>Tier {html.escape(note)}: an unrecorded input "
        "counts as moderate, never as the lowest value, until it is recorded.</i></p>"
    )


def profile_html(data: SystemViewData) -> str:
    """Describe the system's record and risk tier; every value is escaped."""
    e = html.escape
    detail, row, risk = data.detail, data.detail.row, data.analysis.risk

    line = record_line
    factors = "".join(f"<li>{e(f.text)} → {e(f.tier.value)}</li>" for f in risk.factors)
    parts = [
        f"<h2>{e(row.ext_id)} — {e(row.name)}</h2>",
        f"<p><b style='color:{_TEXT_COLOURS[risk.tier]}'>Risk tier {e(risk.tier.value)}</b> "
        f"(set by {e(risk.factor)}); default target maturity {risk.target_level}.</p>",
        _provisional_html(risk.note()),
        "<table cellpadding='2'>",
        line("Description", detail.description),
        line("Owner", row.owner, UNKNOWN_RECORDED),
        line("Business unit", row.business_unit),
        line("Provider", detail.provider),
        line("Model", detail.model),
        line("Lifecycle stage", row.lifecycle_stage),
        line("Environment", row.environment),
        line("Autonomy", row.autonomy, UNKNOWN_RECORDED),
        line("Data classification", row.data_classification, UNKNOWN_RECORDED),
        line("Exposure", row.exposure, UNKNOWN_RECORDED),
        line("Tools", detail.tools),
        line("Identities used", detail.identities),
        line("Tags", detail.tags),
        line("Review due", detail.review_due.isoformat() if detail.review_due else ""),
        "</table>",
        f"<h3>Risk factors</h3><ul>{factors}</ul>",
    ]
    return "\n".join(parts)


def _conditional_text(value: object) -> str:
    return "conditional" if value else ""


class SystemView(QWidget):
    """Loads one system on a worker and shows it in tabs."""

    loaded = Signal()
    """The view has been filled (or shows why it could not be)."""

    def __init__(self, context: GuiContext, ext_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.ext_id = ext_id
        self.data: SystemViewData | None = None
        self.record_dialog: RecordDialog | None = None
        self._task: tasks.Task | None = None
        self.title = QLabel(ext_id)
        self.title.setObjectName("pageHeading")
        self.badge = QLabel()
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip("Read this system again from the workspace")
        self.reload_button.clicked.connect(self.reload)
        self.message = QLabel()
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.badge)
        top.addStretch(1)
        self.edit_button = QPushButton("Edit system…")
        self.edit_button.setToolTip("Change this system's record (journalled)")
        self.edit_button.clicked.connect(self.edit_system)
        top.addWidget(self.edit_button)
        top.addWidget(self.reload_button)
        self.profile = QTextBrowser()
        self.profile.setAccessibleName("System profile")
        self.attributes = RowsTable(
            [Column("Custom attribute", lambda r: r[0]), Column("Value", lambda r: r[1])],
            noun="custom attributes",
        )
        profile = QSplitter(Qt.Orientation.Vertical)
        profile.addWidget(self.profile)
        profile.addWidget(self.attributes)
        profile.setSizes([380, 160])
        self.identities = self._identities_table()
        self.identity_dialogs: dict[str, IdentityDialog] = {}
        self.identities.row_activated.connect(lambda row: self.open_identity(row.ext_id))
        self.identities.view.setToolTip(
            "Double-click or press Enter to see an identity's grants, systems and findings"
        )
        self.grants = self._grants_table()
        self.delegations = RowsTable(
            [
                Column("From identity", attr("source")),
                Column("Can act as", attr("target")),
                Column("Kind", attr("kind")),
                Column("Custom attributes", attr("attributes"), tooltip=attr("attributes")),
            ],
            noun="delegations",
        )
        self.chain_label = QLabel()
        self.chain_label.setWordWrap(True)
        delegations = QWidget()
        box = QVBoxLayout(delegations)
        box.addWidget(self.chain_label)
        box.addWidget(self.delegations, 1)
        box.addLayout(self._buttons(("Add delegation…", self.add_delegation),
                                    ("Delete delegation…", self.delete_delegation)))  # fmt: skip
        self.blast_radius = BlastRadiusView()
        self.findings = self._findings_table()
        self.tabs = QTabWidget()
        self.tabs.addTab(profile, "Profile")
        self.tabs.addTab(self.identities, "Identities")
        self.tabs.addTab(self._with_buttons(self.grants, (
            ("Add grant…", self.add_grant), ("Edit grant…", self.edit_grant),
            ("Edit resource…", self.edit_resource), ("Delete grant…", self.delete_grant),
        )), "Grants")  # fmt: skip
        self.tabs.addTab(delegations, "Delegations")
        self.tabs.addTab(self.blast_radius, "Blast radius")
        self.tabs.addTab(self.findings, "Findings")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        context.watch("system", lambda _written: self.reload())
        self.reload()

    # Hand edits -----------------------------------------------------------------------------
    @staticmethod
    def _buttons(*specs: tuple[str, Any]) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, slot in specs:
            button = QPushButton(text)
            button.clicked.connect(lambda _on=False, s=slot: s())
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _with_buttons(self, table: QWidget, specs: tuple[tuple[str, Any], ...]) -> QWidget:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(table, 1)
        box.addLayout(self._buttons(*specs))
        return holder

    def _open(self, dialog: RecordDialog) -> RecordDialog:
        self.record_dialog = dialog
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.show()
        return dialog

    def edit_system(self) -> RecordDialog:
        """Open this system's record in a form."""
        return self._open(RecordDialog(self._context, SYSTEMS, (self.ext_id,), parent=self))

    def add_grant(self) -> RecordDialog:
        """Open the form of a new grant (for one of this system's identities)."""
        first = self.data.detail.identities[:1] if self.data else ()
        preset = {"identity": first[0]} if first else {}
        return self._open(RecordDialog(self._context, GRANTS, None, preset, self))

    def _chosen_grant(self) -> Any:
        row = self.grants.selected_row()
        if row is None:
            QMessageBox.information(self, "Grants", "Choose a grant first.")
        return row

    def edit_grant(self) -> RecordDialog | None:
        """Open the chosen grant in a form."""
        row = self._chosen_grant()
        if row is None:
            return None
        key = (row.identity, row.resource, row.action, row.scope)
        return self._open(RecordDialog(self._context, GRANTS, key, parent=self))

    def edit_resource(self) -> RecordDialog | None:
        """Open the resource of the chosen grant in a form."""
        row = self._chosen_grant()
        if row is None:
            return None
        return self._open(RecordDialog(self._context, RESOURCES, (row.resource,), parent=self))

    def delete_grant(self) -> tasks.Task | None:
        """Delete the chosen grant after the user confirms."""
        row = self._chosen_grant()
        if row is None:
            return None
        key = (row.identity, row.resource, row.action, row.scope)
        return delete_with_confirmation(self._context, self, GRANTS, key)

    def add_delegation(self) -> RecordDialog:
        """Open the form of a new delegation."""
        first = self.data.detail.identities[:1] if self.data else ()
        preset = {"from_identity": first[0]} if first else {}
        return self._open(RecordDialog(self._context, DELEGATIONS, None, preset, self))

    def delete_delegation(self) -> tasks.Task | None:
        """Delete the chosen delegation after the user confirms."""
        row = self.delegations.selected_row()
        if row is None:
            QMessageBox.information(self, "Delegations", "Choose a delegation first.")
            return None
        key = (row.source, row.target, row.kind)
        return delete_with_confirmation(self._context, self, DELEGATIONS, key)

    # Tables ---------------------------------------------------------------------------------
    @staticmethod
    def _identities_table() -> RowsTable:
        return RowsTable(
            [
                Column("Identity", attr("ext_id"), tooltip=attr("name")),
                Column("Kind", attr("kind")),
                Column("Reached", attr("reached")),
                Column("Findings", attr("findings"), align_right=True),
                Column("Owner", attr("owner")),
                Column("Last rotated", attr("last_rotated")),
                Column("Last used", attr("last_used")),
                Column("Expires", attr("expires")),
                Column("Revocation", attr("revocation_procedure")),
                Column("Environment", attr("environment")),
                Column("Name", attr("name")),
            ],
            noun="identities",
            filters=[
                ("All identities", None),
                ("Used directly", lambda r: r.depth == 0),
                ("Reached through delegation", lambda r: r.depth > 0),
                ("With findings", lambda r: r.findings > 0),
            ],
        )

    @staticmethod
    def _grants_table() -> RowsTable:
        return RowsTable(
            [
                Column("Identity", attr("identity")),
                Column("Resource", attr("resource")),
                Column("Resource name", attr("resource_name")),
                Column("Sensitivity", attr("sensitivity")),
                Column("Action", attr("action")),
                Column("Scope", attr("scope")),
                Column("Approval", attr("approval_required")),
                Column("Last used", attr("last_used")),
                Column("Held", attr("via")),
                Column("Narrowed?", attr("conditional"), display=_conditional_text),
            ],
            noun="grants",
            filters=[
                ("All grants", None),
                ("Write or admin", lambda g: g.action in ("write", "admin")),
                ("On confidential or restricted data",
                 lambda g: g.sensitivity in ("confidential", "restricted")),
                ("Through delegation", lambda g: g.via == "delegated"),
            ],
        )  # fmt: skip

    @staticmethod
    def _findings_table() -> RowsTable:
        return RowsTable(
            [
                Column("Severity", lambda f: f.severity.value,
                       colour=lambda f: SEVERITY_COLOURS.get(f.severity.value)),
                Column("Finding", attr("title"), tooltip=lambda f: f.detail),
                Column("Identity", attr("identity")),
                Column("Rule", attr("rule_id")),
                Column("Recommendation", attr("recommendation"),
                       tooltip=lambda f: f.recommendation),
                Column("References", attr("references")),
            ],
            noun="findings",
        )  # fmt: skip

    def open_identity(self, ext_id: str) -> IdentityDialog:
        """Show one of the system's identities in a window (reusing the one open for it)."""
        return show_identity(self._context.workspace, ext_id, self, self.identity_dialogs)

    # Loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the system again on a worker."""
        if self._task is not None:
            self._task.cancel()
        self.message.setText("Loading…")
        self.message.setVisible(True)
        self._task = tasks.run_task(
            load_system_view,
            self._context.workspace,
            self.ext_id,
            on_success=self._on_loaded,
            on_failure=self._on_failed,
        )

    def _on_failed(self, exc: BaseException) -> None:
        self._task = None
        self.data = None
        text = str(exc) if isinstance(exc, UserError) else f"Cannot show {self.ext_id}: {exc}"
        self.message.setText(text)
        self.message.setVisible(True)
        self.loaded.emit()

    def _on_loaded(self, data: SystemViewData) -> None:
        self._task = None
        self.data = data
        self.message.clear()
        self.message.setVisible(False)
        row, analysis = data.detail.row, data.analysis
        tier = analysis.risk.tier
        self.title.setText(f"{row.ext_id} — {row.name}" if row.name else row.ext_id)
        blast = analysis.blast_radius
        blast_text = f"blast radius {blast.score if blast.known else UNKNOWN_TEXT}"
        risk_text = f"risk {tier.value}" + (" (provisional)" if analysis.risk.provisional else "")
        self.badge.setText(
            f"{_badge(TIER_COLOURS[tier], risk_text)}&nbsp;"
            f"{_badge(TIER_COLOURS[blast.tier], blast_text)}"
        )
        self.profile.setHtml(profile_html(data))
        self.attributes.set_rows(sorted(data.detail.attributes.items()))
        self.identities.set_rows(list(data.identities))
        self.grants.set_rows(list(data.grants))
        self.delegations.set_rows(list(data.delegations))
        chain = analysis.blast_radius.chain
        self.chain_label.setText(
            f"Longest delegation chain: {plural(chain.depth, 'hop')} — "
            f"{' → '.join(chain.identities)}"
            if chain.depth
            else "None of this system's identities can act as another identity."
        )
        self.findings.set_rows(list(data.findings))
        self.tabs.setTabText(5, f"Findings ({len(data.findings)})")
        self.blast_radius.show_blast_radius(
            row.ext_id,
            row.name,
            analysis.blast_radius,
            direct=data.detail.identities,
            delegations=[(d.source, d.target, d.kind) for d in data.delegations],
            resource_names=data.resource_names,
            tier=tier,
            formula=analysis.formula,
            identity_names={i.ext_id: i.name for i in data.identities},
        )
        for table in (self.identities, self.grants, self.delegations, self.findings):
            table.resize_columns()
        self.loaded.emit()
