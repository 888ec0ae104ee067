"""Which pages the navigation offers, in order. Pages are built the first time they are shown."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from app.gui.context import GuiContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSpec:
    """One entry of the navigation: a key, a label and where the page class lives."""

    key: str
    label: str
    module: str
    class_name: str
    icon: str
    tooltip: str

    def build(self, context: GuiContext, parent: QWidget | None = None) -> QWidget:
        page_class = getattr(importlib.import_module(self.module), self.class_name)
        return page_class(context, parent)


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "overview",
        "Overview",
        "app.gui.pages.overview_page",
        "OverviewPage",
        "overview",
        "What this workspace holds",
    ),
    PageSpec(
        "inventory",
        "Inventory",
        "app.gui.pages.inventory_page",
        "InventoryPage",
        "inventory",
        "AI systems and identities, their blast radius; import the client's inventory",
    ),
    PageSpec(
        "assessments",
        "Assessments",
        "app.gui.pages.assessments_page",
        "AssessmentsPage",
        "assessments",
        "Answer an AI system's questions, attach evidence and watch the scores",
    ),
    PageSpec(
        "findings",
        "Findings",
        "app.gui.pages.findings_page",
        "FindingsPage",
        "findings",
        "Triage findings from gaps, identity rules and by hand: owner, due date, status",
    ),
    PageSpec(
        "reports",
        "Reports",
        "app.gui.pages.reports_page",
        "ReportsPage",
        "reports",
        "PDF and Excel reports: generate, sign, preview and verify",
    ),
    PageSpec(
        "frameworks",
        "Frameworks",
        "app.gui.pages.frameworks_page",
        "FrameworksPage",
        "frameworks",
        "The questionnaires: NIST IR 8596, NIST AI RMF, OWASP Agentic and NHI, and your own",
    ),
)


def import_page_modules() -> None:
    """Import every page's module (run on a worker after start-up).

    Start-up imports none of them, so the window shows sooner; importing them in the
    background means a page's first visit only builds its widgets.
    """
    for spec in PAGES:
        importlib.import_module(spec.module)
    logger.debug("page modules imported")
