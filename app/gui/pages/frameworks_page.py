"""The Frameworks page: every questionnaire set, its tree, and each question in full."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from app.catalog.registry import Catalog
from app.catalog.schema import Framework, Node, Question
from app.gui import file_dialogs
from app.gui.context import GuiContext
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.widgets.rows_table import RowsTable
from app.services.frameworks import add_custom_framework

logger = logging.getLogger(__name__)

PRIORITY_NAMES = {1: "High", 2: "Moderate", 3: "Foundational"}
QUESTION_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class FrameworkRow:
    """One line of the frameworks table."""

    framework_id: str
    title: str
    version: str
    publisher: str
    questions: int
    origin: str


def framework_rows(catalog: Catalog) -> list[FrameworkRow]:
    return [
        FrameworkRow(
            fw.id,
            fw.title,
            fw.version,
            fw.publisher,
            len(fw.questions),
            "custom" if fw.custom else "shipped",
        )
        for fw in catalog.frameworks()
    ]


def question_label(question: Question) -> str:
    parts = [question.ref]
    if question.focus_area:
        parts.append(question.focus_area.value.capitalize())
    if question.priority:
        parts.append(PRIORITY_NAMES[question.priority])
    return f"{' · '.join(parts)} — {question.title}"


def question_html(catalog: Catalog, question: Question) -> str:
    """Describe a question for the detail pane; every value is escaped."""
    e = html.escape
    framework = catalog.framework_of(question.id)
    path = " › ".join(e(node.title) for node in framework.question_path(question.id))
    rows = [
        f"<h3>{e(question.ref)} — {e(question.title)}</h3>",
        f"<p style='color:gray'>{e(framework.title)} › {path}</p>",
        f"<p><b>{e(question.prompt)}</b></p>",
    ]
    facts = []
    if question.focus_area:
        facts.append(f"Focus area: {e(question.focus_area.value.capitalize())}")
    if question.priority:
        facts.append(f"Priority: {question.priority} ({PRIORITY_NAMES[question.priority]})")
    facts.append(f"Weight: {question.weight:g}")
    rows.append(f"<p>{' · '.join(facts)}</p>")
    if question.guidance:
        rows.append(f"<h4>Guidance</h4><p>{e(question.guidance)}</p>")
    rows.append("<h4>Evidence to request</h4><ul>")
    rows += [f"<li>{e(item)}</li>" for item in question.evidence]
    rows.append("</ul>")
    if question.levels:
        rows.append("<h4>Levels</h4><table cellpadding='3'>")
        rows += [
            f"<tr><td><b>{level}</b></td><td>{e(text)}</td></tr>"
            for level, text in sorted(question.levels.items())
        ]
        rows.append("</table>")
    if question.inventory_facts:
        facts_text = ", ".join(e(f) for f in question.inventory_facts)
        rows.append(f"<h4>Answered from the inventory</h4><p>{facts_text}</p>")
    related = catalog.related_questions(question.id)
    if related:
        rows.append("<h4>Crosswalk</h4><ul>")
        for item in related:
            other = catalog.question(item.question_id)
            rows.append(
                f"<li>{e(item.type.value)}: <a href='question:{e(other.id)}'>"
                f"{e(item.framework_id)} {e(other.ref)}</a> — {e(other.title)}</li>"
            )
        rows.append("</ul>")
    return "\n".join(rows)


def framework_html(framework: Framework) -> str:
    """Describe a framework for the detail pane before a question is chosen."""
    e = html.escape
    counts: dict[str, int] = {}
    for question in framework.questions:
        key = question.focus_area.value.capitalize() if question.focus_area else "Questions"
        counts[key] = counts.get(key, 0) + 1
    count_text = ", ".join(f"{name}: {n}" for name, n in counts.items() if name != "Questions")
    return (
        f"<h3>{e(framework.title)}</h3>"
        f"<p>Version {e(framework.version)} · {e(framework.publisher)}"
        f"{' · published ' + e(framework.published) if framework.published else ''}</p>"
        f"<p>{len(framework.questions)} questions{f' ({e(count_text)})' if count_text else ''} in "
        f"{len(framework.iter_nodes())} groups.</p>"
        f"<p style='color:gray'>{e(framework.source_note)}</p>"
        f"<p style='color:gray'>File {e(framework.source_name)}, SHA-256 {e(framework.sha256)}</p>"
        "<p>Choose a question in the tree to read its prompt, guidance and evidence.</p>"
    )


class FrameworksPage(QWidget):
    """Lists the frameworks; browses the selected one's tree and questions."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        heading = QLabel("Frameworks")
        heading.setObjectName("pageHeading")
        self.add_button = QPushButton("Add your own framework…")
        self.add_button.setToolTip("A YAML file in Assay's format or an Excel sheet")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.add_button)
        self.table = RowsTable(
            [
                Column("Framework", attr("title")),
                Column("Version", attr("version")),
                Column("Publisher", attr("publisher")),
                Column("Questions", attr("questions"), align_right=True),
                Column("Origin", attr("origin")),
            ],
            noun="frameworks",
        )
        self.table.setMaximumHeight(170)
        header = self.table.view.horizontalHeader()
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Framework tree")
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.setAccessibleName("Question details")
        self.detail.anchorClicked.connect(lambda url: self.show_question(url.path()))
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.detail)
        splitter.setSizes([420, 600])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(splitter, 1)
        self.table.selection_changed.connect(self._on_table_selection_changed)
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        context.workspace_changed.connect(self.refresh)
        context.watch("frameworks", lambda _written: self._framework_added())
        self.refresh()

    def refresh(self) -> None:
        self.table.set_rows(framework_rows(self._context.catalog()))
        if self.table.proxy.rowCount():
            self.table.view.selectRow(0)

    def _on_table_selection_changed(self, row: FrameworkRow | None) -> None:
        self.tree.clear()
        if row is None:
            return
        framework = self._context.catalog().framework(row.framework_id)
        self._fill_tree(framework)
        self.detail.setHtml(framework_html(framework))

    def _fill_tree(self, framework: Framework) -> None:
        by_node: dict[str, list[Question]] = {}
        for question in framework.questions:
            by_node.setdefault(question.node, []).append(question)

        def add(node: Node, parent: QTreeWidget | QTreeWidgetItem) -> None:
            label = node.title if node.id == node.title else f"{node.id} — {node.title}"
            item = QTreeWidgetItem(parent, [label])
            item.setToolTip(0, node.summary)
            for child in node.children:
                add(child, item)
            for question in by_node.get(node.id, []):
                leaf = QTreeWidgetItem(item, [question_label(question)])
                leaf.setData(0, QUESTION_ROLE, question.id)

        for node in framework.nodes:
            add(node, self.tree)
        self.tree.expandToDepth(0)

    def _on_tree_current_item_changed(self, item: QTreeWidgetItem | None, _prev: object) -> None:
        question_id = item.data(0, QUESTION_ROLE) if item else None
        if question_id:
            catalog = self._context.catalog()
            self.detail.setHtml(question_html(catalog, catalog.question(question_id)))

    def show_question(self, question_id: str) -> None:
        """Select the question's framework and the question itself."""
        framework_id = self._context.catalog().framework_of(question_id).id
        for row in range(self.table.proxy.rowCount()):
            source = self.table.proxy.mapToSource(self.table.proxy.index(row, 0))
            if self.table.model.row_at(source.row()).framework_id == framework_id:
                self.table.view.selectRow(row)
                break
        iterator = QTreeWidgetItemIterator(self.tree)
        while (item := iterator.value()) is not None:
            if item.data(0, QUESTION_ROLE) == question_id:
                self.tree.setCurrentItem(item)
                return
            iterator += 1

    def _on_add_button_clicked(self) -> None:
        path = file_dialogs.get_open_file_name(
            self, "Add a framework", "", "Framework files (*.yaml *.yml *.xlsx)"
        )
        if not path:
            return
        self._context.write(
            add_custom_framework, Path(path),
            on_success=lambda added: self._context.status_message.emit(f"Added framework {added}"),
            on_failure=lambda exc: self._context.refuse(
                self, "Cannot add the framework", "The framework", exc),
        )  # fmt: skip

    def _framework_added(self) -> None:
        """Load the catalog again and show it (a framework was added here or elsewhere)."""
        self._context.reset_catalog()
        self.refresh()
