"""One AI system in full: profile, identities, grants, delegations, blast radius, findings."""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
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
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.theme import SEVERITY_COLOURS, TIER_TEXT_COLOURS
from app.gui.widgets.blast_radius_layout import TIER_COLOURS
from app.gui.widgets.blast_radius_view import BlastRadiusView
from app.gui.widgets.rows_table import RowsTable
from app.services.errors import UserError
from app.services.system_view import SystemViewData, load_system_view

logger = logging.getLogger(__name__)

_TEXT_COLOURS = TIER_TEXT_COLOURS


def _badge(colour: str, text: str) -> str:
    return f"<span style='background:{colour}; color:#000'>&nbsp;{html.escape(text)}&nbsp;</span>"


def profile_html(data: SystemViewData) -> str:
    """Describe the system's record and risk tier; every value is escaped."""
    e = html.escape
    detail, row, risk = data.detail, data.detail.row, data.analysis.risk

    def line(label: str, value: Any) -> str:
        text = ", ".join(map(str, value)) if isinstance(value, tuple | list) else value
        shown = e(str(text)) if text not in (None, "") else "<i style='color:gray'>not recorded</i>"
        return (
            f"<tr><td style='color:gray; padding-right:12px'>{e(label)}</td><td>{shown}</td></tr>"
        )

    factors = "".join(f"<li>{e(f.text)} → {e(f.tier.value)}</li>" for f in risk.factors)
    parts = [
        f"<h2>{e(row.ext_id)} — {e(row.name)}</h2>",
        f"<p><b style='color:{_TEXT_COLOURS[risk.tier]}'>Risk tier {e(risk.tier.value)}</b> "
        f"(set by {e(risk.factor)}); default target maturity {risk.target_level}.</p>",
        "<table cellpadding='2'>",
        line("Description", detail.description),
        line("Owner", row.owner),
        line("Business unit", row.business_unit),
        line("Provider", detail.provider),
        line("Model", detail.model),
        line("Lifecycle stage", row.lifecycle_stage),
        line("Environment", row.environment),
        line("Autonomy", row.autonomy),
        line("Data classification", row.data_classification),
        line("Exposure", row.exposure),
        line("Tools", detail.tools),
        line("Identities used", detail.identities),
        line("Tags", detail.tags),
        line("Review due", detail.review_due.isoformat() if detail.review_due else ""),
        "</table>",
        f"<h3>Risk factors</h3><ul>{factors}</ul>",
    ]
    return "\n".join(parts)


class SystemView(QWidget):
    """Loads one system on a worker and shows it in tabs."""

    loaded = Signal()
    """The view has been filled (or shows why it could not be)."""

    def __init__(self, context: GuiContext, ext_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.ext_id = ext_id
        self.data: SystemViewData | None = None
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
        self.blast_radius = BlastRadiusView()
        self.findings = self._findings_table()
        self.tabs = QTabWidget()
        self.tabs.addTab(profile, "Profile")
        self.tabs.addTab(self.identities, "Identities")
        self.tabs.addTab(self.grants, "Grants")
        self.tabs.addTab(delegations, "Delegations")
        self.tabs.addTab(self.blast_radius, "Blast radius")
        self.tabs.addTab(self.findings, "Findings")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        context.data_changed.connect(self._on_data_changed)
        self.reload()

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

    def _on_data_changed(self, area: str) -> None:
        if area in ("inventory", "settings"):
            self.reload()

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
        self.badge.setText(
            f"{_badge(TIER_COLOURS[tier], f'risk {tier.value}')}&nbsp;"
            f"{_badge(TIER_COLOURS[blast.tier], f'blast radius {blast.score}')}"
        )
        self.profile.setHtml(profile_html(data))
        self.attributes.set_rows(sorted(data.detail.attributes.items()))
        self.identities.set_rows(list(data.identities))
        self.grants.set_rows(list(data.grants))
        self.delegations.set_rows(list(data.delegations))
        chain = analysis.blast_radius.chain
        self.chain_label.setText(
            f"Longest delegation chain: {chain.depth} hop(s) — {' → '.join(chain.identities)}"
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
