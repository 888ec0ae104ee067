"""One identity in full: its record, the systems using it, grants, delegations, hygiene findings.

Opened by double-clicking an identity in the Inventory page or a system view. The identity
and its analysis (blast radius, hygiene rules) are read on a worker: the analysis builds the
identity graph of the whole inventory.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.blast_radius import BlastRadius
from app.gui import tasks
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.theme import SEVERITY_COLOURS, UNKNOWN_TEXT
from app.gui.widgets.record_html import UNKNOWN_RECORDED, record_line, unknown_html
from app.gui.widgets.rows_table import RowsTable
from app.services.errors import UserError
from app.services.identity_analysis import IdentityAnalysis, analyse_identity
from app.services.inventory_queries import DelegationRow, IdentityDetail, get_identity
from app.services.progress import Progress, check_cancelled
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

GRANTS_TAB, DELEGATIONS_TAB, FINDINGS_TAB = 1, 2, 3


@dataclass(frozen=True)
class IdentityViewData:
    """What the identity dialog shows: the record and its analysis."""

    detail: IdentityDetail
    analysis: IdentityAnalysis


@dataclass(frozen=True, slots=True)
class DelegationLine:
    """A delegation from or to the identity, as the dialog lists it."""

    direction: str
    """``can act as`` (from this identity) or ``acted as by`` (to it)."""
    other: str
    kind: str
    attributes: str


def load_identity_view(
    workspace: Workspace, ext_id: str, progress: Progress | None = None
) -> IdentityViewData:
    """Read one identity and analyse it (on a worker).

    Raises:
        UserError: No identity has this inventory id.
    """
    detail = get_identity(workspace, ext_id)
    check_cancelled(progress)
    return IdentityViewData(detail, analyse_identity(workspace, ext_id))


def delegation_lines(detail: IdentityDetail) -> list[DelegationLine]:
    """Return the identity's delegations both ways, those it can use first."""

    def extra(row: DelegationRow) -> str:
        return "; ".join(f"{k}: {v}" for k, v in sorted(row.attributes.items()))

    return [DelegationLine("can act as", d.target, d.kind, extra(d)) for d in detail.acts_as] + [
        DelegationLine("acted as by", d.source, d.kind, extra(d)) for d in detail.acted_as_by
    ]


def _blast_html(blast: BlastRadius, open_findings: int) -> str:
    findings = f"{plural(open_findings, 'recorded finding')} still open."
    if blast.unknown:
        return (
            f"<p>Blast radius <b>{unknown_html(UNKNOWN_TEXT)}</b>: access not recorded "
            f"({html.escape(blast.unknown)}); {findings}</p>"
        )
    return (
        f"<p>Blast radius <b>{blast.score}</b>/100 ({html.escape(blast.tier.value)}), "
        f"{plural(len(blast.resources), 'resource')}; {findings}</p>"
    )


def profile_html(data: IdentityViewData) -> str:
    """Describe the identity's record, who uses it and what it reaches; every value escaped."""
    e = html.escape
    row, blast = data.detail.row, data.analysis.blast_radius

    line = record_line
    attributes = sorted(data.detail.attributes.items())
    paths = "".join(f"<li>{e(p.text())}</li>" for p in blast.paths())
    return "\n".join(
        [
            f"<h2>{e(row.ext_id)}{' — ' + e(row.name) if row.name else ''}</h2>",
            _blast_html(blast, data.detail.open_findings),
            "<table cellpadding='2'>",
            line("Kind", row.kind, UNKNOWN_RECORDED),
            line("Provider", row.provider),
            line("Owner", row.owner, UNKNOWN_RECORDED),
            line("Environment", row.environment),
            line("Used by", data.analysis.systems),
            line("Created", row.created),
            line("Last rotated", row.last_rotated),
            line("Last used", row.last_used),
            line("Expires", row.expires, missing="never, or not recorded"),
            line("Revocation", row.revocation_procedure),
            *(line(name, value) for name, value in attributes),
            "</table>",
            f"<h3>What it reaches</h3><ul>{paths}</ul>" if paths else "",
        ]
    )


class IdentityDialog(QDialog):
    """Loads one identity on a worker and shows it in tabs."""

    loaded = Signal()
    """The dialog has been filled (or shows why it could not be)."""

    def __init__(self, workspace: Workspace, ext_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ext_id = ext_id
        self.data: IdentityViewData | None = None
        self.setWindowTitle(f"Identity {ext_id}")
        self.resize(760, 560)
        self.message = QLabel("Loading…")
        self.message.setWordWrap(True)
        self.profile = QTextBrowser()
        self.profile.setAccessibleName("Identity profile")
        self.grants = RowsTable(
            [
                Column("Resource", attr("resource"), tooltip=attr("resource_name")),
                Column("Resource name", attr("resource_name")),
                Column("Sensitivity", attr("sensitivity")),
                Column("Action", attr("action")),
                Column("Scope", attr("scope")),
                Column("Approval", attr("approval_required")),
                Column("Last used", attr("last_used")),
                Column(
                    "Narrowed?", attr("conditional"), display=lambda v: "conditional" if v else ""
                ),
            ],
            noun="grants",
        )
        self.delegations = RowsTable(
            [
                Column("Direction", attr("direction")),
                Column("Identity", attr("other")),
                Column("Kind", attr("kind")),
                Column("Custom attributes", attr("attributes"), tooltip=attr("attributes")),
            ],
            noun="delegations",
        )
        self.findings = RowsTable(
            [
                Column("Severity", lambda f: f.severity.value,
                       colour=lambda f: SEVERITY_COLOURS.get(f.severity.value)),
                Column("Finding", attr("title"), tooltip=lambda f: f.detail),
                Column("Rule", attr("rule_id")),
                Column("Recommendation", attr("recommendation"),
                       tooltip=lambda f: f.recommendation),
                Column("References", attr("references")),
            ],
            noun="findings",
        )  # fmt: skip
        self.tabs = QTabWidget()
        self.tabs.addTab(self.profile, "Profile")
        self.tabs.addTab(self.grants, "Grants")
        self.tabs.addTab(self.delegations, "Delegations")
        self.tabs.addTab(self.findings, "Hygiene findings")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.tabs.setEnabled(False)
        self._task = tasks.run_task(
            load_identity_view,
            workspace,
            ext_id,
            on_success=self._on_loaded,
            on_failure=self._on_failed,
        )

    def _on_failed(self, exc: BaseException) -> None:
        self._task = None
        text = str(exc) if isinstance(exc, UserError) else f"Cannot show {self.ext_id}: {exc}"
        self.message.setText(text)
        self.loaded.emit()

    def _on_loaded(self, data: IdentityViewData) -> None:
        self._task = None
        self.data = data
        self.message.clear()
        self.message.setVisible(False)
        self.tabs.setEnabled(True)
        detail, findings = data.detail, data.analysis.findings
        self.profile.setHtml(profile_html(data))
        self.grants.set_rows(list(detail.grants))
        lines = delegation_lines(detail)
        self.delegations.set_rows(lines)
        self.findings.set_rows(list(findings))
        self.tabs.setTabText(GRANTS_TAB, f"Grants ({len(detail.grants)})")
        self.tabs.setTabText(DELEGATIONS_TAB, f"Delegations ({len(lines)})")
        self.tabs.setTabText(FINDINGS_TAB, f"Hygiene findings ({len(findings)})")
        for table in (self.grants, self.delegations, self.findings):
            table.resize_columns()
        self.loaded.emit()

    def done(self, result: int) -> None:
        """Stop a read still running when the dialog closes."""
        if self._task is not None:
            self._task.cancel()
        super().done(result)


def show_identity(
    workspace: Workspace, ext_id: str, parent: QWidget, open_dialogs: dict[str, IdentityDialog]
) -> IdentityDialog:
    """Show an identity in its own window, reusing the one already open for it.

    Args:
        workspace: The open workspace.
        ext_id: The identity's inventory id.
        parent: The widget the dialog belongs to.
        open_dialogs: The caller's open identity dialogs by inventory id; kept up to date.
    """
    dialog = open_dialogs.get(ext_id)
    if dialog is None:
        dialog = IdentityDialog(workspace, ext_id, parent)
        open_dialogs[ext_id] = dialog

        def closed(_result: int) -> None:
            open_dialogs.pop(ext_id, None)
            dialog.deleteLater()

        dialog.finished.connect(closed)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
