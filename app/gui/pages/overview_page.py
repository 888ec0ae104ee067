"""The first page: what this workspace holds, at a glance."""

from __future__ import annotations

import html
import logging
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.theme import SEVERITY_COLOURS
from app.gui.widgets.welcome_panel import WelcomePanel
from app.services.overview import WorkspaceSummary, systems_access_unknown, workspace_summary
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_TILES = (
    ("systems", "AI systems"),
    ("identities", "Identities"),
    ("resources", "Resources"),
    ("assessments", "Assessments"),
    ("open_findings", "Open findings"),
    ("evidence_files", "Evidence files"),
    ("systems_access_unknown", "AI systems with access not recorded (blast radius unknown)"),
)


def severity_html(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    chips = [
        f"<span style='color:{colour}'><b>{counts.get(name, 0)}</b> {name}</span>"
        for name, colour in SEVERITY_COLOURS.items()
    ]
    return "Open findings by severity: " + " &nbsp;·&nbsp; ".join(chips)


def busiest_html(rows: list[tuple[str, str, int]]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(ext)}</td><td>{html.escape(name)}</td>"
        f"<td align='right'>{count}</td></tr>"
        for ext, name, count in rows
    )
    return f"<table cellpadding='3'>{cells}</table>" if rows else ""


_ACCESS_KEY = "systems_access_unknown"
_COUNTING = "…"
"""What the tile of systems with unknown access shows until they are counted."""


def read_summary(workspace: Workspace, generation: int) -> tuple[int, WorkspaceSummary]:
    """Read the summary but the count of unknown access (on a worker).

    The generation tells stale answers apart.
    """
    return generation, workspace_summary(workspace, access_unknown=False)


def count_access_unknown(workspace: Workspace, generation: int) -> tuple[int, int]:
    """Count the AI systems whose access is not recorded (on a worker, after the summary)."""
    return generation, systems_access_unknown(workspace)


class OverviewPage(QWidget):
    """Counts of the workspace's records and where the file lives."""

    title = "Overview"
    refreshed = Signal()
    """The page shows the summary read last (systems with unknown access still counting)."""
    access_counted = Signal()
    """The tile of systems with unknown access shows their count too."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._generation = 0
        self.summary: WorkspaceSummary | None = None
        outer = QVBoxLayout(self)
        self.welcome = WelcomePanel(context.actions)
        self.welcome.hide()  # until the first summary says the workspace is empty
        self.summary_panel = QWidget()
        outer.addWidget(self.welcome)
        outer.addWidget(self.summary_panel)
        layout = QVBoxLayout(self.summary_panel)
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.subheading = QLabel()
        self.subheading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        grid = QGridLayout()
        self.tiles: dict[str, QLabel] = {}
        for index, (key, label) in enumerate(_TILES):
            grid.addWidget(self._tile(key, label), index // 3, index % 3)
        layout.addLayout(grid)
        self.severity_label = QLabel()
        self.severity_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.severity_label)
        self.busiest_heading = QLabel("<b>AI systems with the most open findings</b>")
        self.busiest = QLabel()
        self.busiest.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.busiest_heading)
        layout.addWidget(self.busiest)
        layout.addStretch(1)
        context.workspace_changed.connect(self.refresh)
        context.watch("overview", lambda _written: self.refresh())
        self.refresh()

    def _tile(self, key: str, label: str) -> QFrame:
        frame = QFrame()
        frame.setObjectName("tile")
        box = QVBoxLayout(frame)
        number = QLabel("0")
        number.setObjectName("tileNumber")
        number.setAccessibleName(label)
        caption = QLabel(label)
        box.addWidget(number)
        box.addWidget(caption)
        self.tiles[key] = number
        return frame

    def refresh(self) -> None:
        """Read the summary again on a worker; a newer request supersedes an older one."""
        self._generation += 1
        tasks.run_task(
            read_summary,
            self._context.workspace,
            self._generation,
            on_success=self._on_summary_read,
            on_failure=self._on_read_failed,
            with_progress=False,
        )

    def _on_read_failed(self, exc: BaseException) -> None:
        logger.warning("workspace summary not read: %s", exc)
        self.subheading.setText(f"The workspace summary could not be read: {exc}")

    def _on_summary_read(self, outcome: tuple[int, WorkspaceSummary]) -> None:
        generation, summary = outcome
        if generation != self._generation:
            return
        self.summary = summary
        self._show(summary)
        self.refreshed.emit()
        tasks.run_task(
            count_access_unknown,
            self._context.workspace,
            generation,
            on_success=self._on_access_counted,
            on_failure=self._on_read_failed,
            with_progress=False,
        )

    def _on_access_counted(self, outcome: tuple[int, int]) -> None:
        generation, count = outcome
        if generation != self._generation or self.summary is None:
            return
        self.summary = replace(self.summary, systems_access_unknown=count)
        self.tiles[_ACCESS_KEY].setText(f"{count:,}")
        self.access_counted.emit()

    def _show(self, summary: WorkspaceSummary) -> None:
        empty = summary.systems == 0 and summary.assessments == 0
        self.welcome.setVisible(empty)
        if empty:
            self.welcome.refresh()
        client = summary.client or "No client recorded yet"
        self.heading.setText(summary.name)
        self.subheading.setText(
            f"{client} · {summary.path} · {summary.journal_entries} journal entries"
        )
        for key, label in self.tiles.items():
            value = getattr(summary, key)
            label.setText(_COUNTING if value is None else f"{value:,}")
        self.severity_label.setText(severity_html(summary.open_by_severity))
        self.busiest.setText(busiest_html(summary.systems_most_findings))
        self.busiest_heading.setVisible(bool(summary.systems_most_findings))
