"""New assessment: which AI system, which frameworks, which part of IR 8596, and the target.

Choosing a system works out its risk tier (and so the default target) on a worker: the
identity graph of a big inventory takes a moment to build. Until the chosen system's answer
is in, the dialog says so and Create stays disabled; an answer for a system no longer chosen
is kept for later but not shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.catalog.registry import Catalog
from app.catalog.schema import Framework
from app.domain.enums import FocusArea
from app.domain.risk import RiskAssessment
from app.gui import tasks
from app.services.assessment_state import short_title
from app.services.assessments import system_risk_of
from app.services.errors import UserError
from app.services.inventory_queries import get_system, list_systems
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

FRAMEWORK_ROLE = Qt.ItemDataRole.UserRole + 1
PRIORITIES = (
    ("All priorities", None),
    ("High and Moderate", 2),
    ("High only", 1),
)
DEFAULT_FRAMEWORKS = ("nist-ir-8596",)
WORKING_TEXT = "Working out the risk tier…"


@dataclass(frozen=True)
class SystemTarget:
    """What the dialog needs to know about one system before it can offer Create.

    Attributes:
        ext_id: The system's inventory id.
        risk: Its risk tier and default target; None when it could not be worked out.
        uses_tools: Whether the system records tools (some questions depend on it).
        problem: Why the risk tier is missing, if it is.
        found: False when the system is no longer in the inventory.
    """

    ext_id: str
    risk: RiskAssessment | None
    uses_tools: bool = False
    problem: str = ""
    found: bool = True


def read_target(workspace: Workspace, ext_id: str) -> SystemTarget:
    """Work out one system's risk tier and whether it uses tools (on a worker)."""
    try:
        uses_tools = bool(get_system(workspace, ext_id).tools)
    except UserError as exc:
        return SystemTarget(ext_id, None, problem=str(exc), found=False)
    try:
        risk = system_risk_of(workspace, ext_id)
    except UserError as exc:
        logger.warning("no risk tier for %s: %s", ext_id, exc)
        return SystemTarget(ext_id, None, uses_tools, problem=str(exc))
    return SystemTarget(ext_id, risk, uses_tools)


@dataclass(frozen=True)
class NewAssessmentChoice:
    """What the dialog collected, ready for ``new_assessment``."""

    system: str
    frameworks: tuple[str, ...]
    focus_areas: tuple[str, ...] | None
    max_priority: int | None
    target: int
    risk_tier: str | None
    risk_factor: str
    title: str


class NewAssessmentDialog(QDialog):
    """Collects the choices of a new assessment; :meth:`choice` returns them."""

    target_ready = Signal(str)
    """The chosen system's risk tier has been worked out (its inventory id)."""

    def __init__(self, workspace: Workspace, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New assessment")
        self.setMinimumWidth(560)
        self._workspace = workspace
        self._catalog = catalog
        self._systems = {row.ext_id: row for row in list_systems(workspace)}
        self._targets: dict[str, SystemTarget] = {}
        self._asked: set[str] = set()
        self._risk: RiskAssessment | None = None
        self.system_box = QComboBox()
        self.system_box.setAccessibleName("AI system")
        for row in self._systems.values():
            self.system_box.addItem(f"{row.ext_id} — {row.name or 'unnamed'}", row.ext_id)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("By default: the system's name and today's date")
        self.framework_list = QListWidget()
        self.framework_list.setAccessibleName("Frameworks")
        self.framework_list.setMaximumHeight(120)
        for framework in catalog.frameworks():
            item = QListWidgetItem(short_title(framework))
            item.setToolTip(framework.title)
            item.setData(FRAMEWORK_ROLE, framework.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = framework.id in DEFAULT_FRAMEWORKS
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.framework_list.addItem(item)
        self.focus_boxes: dict[str, QCheckBox] = {}
        focus_row = QHBoxLayout()
        for area in FocusArea:
            box = QCheckBox(area.value.capitalize())
            box.setChecked(True)
            box.setAccessibleName(f"Focus area {area.value}")
            self.focus_boxes[area.value] = box
            focus_row.addWidget(box)
        focus_row.addStretch(1)
        self.priority_box = QComboBox()
        self.priority_box.setAccessibleName("Priority threshold")
        for label, value in PRIORITIES:
            self.priority_box.addItem(label, value)
        self.target_spin = QSpinBox()
        self.target_spin.setRange(0, 5)
        self.target_spin.setAccessibleName("Target maturity")
        self.risk_label = QLabel()
        self.risk_label.setObjectName("pageHint")
        self.risk_label.setWordWrap(True)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("AI system:", self.system_box)
        form.addRow("Title:", self.title_edit)
        form.addRow("Frameworks:", self.framework_list)
        form.addRow("IR 8596 focus areas:", focus_row)
        form.addRow("IR 8596 priorities:", self.priority_box)
        form.addRow("Target maturity:", self.target_spin)
        form.addRow("", self.risk_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not self._systems:
            hint = QLabel("The inventory has no AI system yet. Import an inventory first.")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(self.buttons)
        self.system_box.currentIndexChanged.connect(lambda _i: self._system_changed())
        self.framework_list.itemChanged.connect(lambda _item: self._update())
        self.priority_box.currentIndexChanged.connect(lambda _i: self._update())
        for box in self.focus_boxes.values():
            box.toggled.connect(lambda _on: self._update())
        self._system_changed()

    # Choices -------------------------------------------------------------------------------
    def set_system(self, ext_id: str) -> None:
        self.system_box.setCurrentIndex(self.system_box.findData(ext_id))

    def set_frameworks(self, framework_ids: tuple[str, ...] | list[str]) -> None:
        for index in range(self.framework_list.count()):
            item = self.framework_list.item(index)
            on = item.data(FRAMEWORK_ROLE) in framework_ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def chosen_frameworks(self) -> list[Framework]:
        items = (self.framework_list.item(i) for i in range(self.framework_list.count()))
        return [
            self._catalog.framework(item.data(FRAMEWORK_ROLE))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _focus_areas(self) -> tuple[str, ...]:
        return tuple(key for key, box in self.focus_boxes.items() if box.isChecked())

    def choice(self) -> NewAssessmentChoice:
        """Return the choices as plain values."""
        frameworks = self.chosen_frameworks()
        focused = any("focus_area" in fw.dimensions for fw in frameworks)
        risk = self._risk
        return NewAssessmentChoice(
            system=str(self.system_box.currentData()),
            frameworks=tuple(fw.id for fw in frameworks),
            focus_areas=self._focus_areas() if focused else None,
            max_priority=self.priority_box.currentData() if focused else None,
            target=self.target_spin.value(),
            risk_tier=risk.tier.value if risk is not None else None,
            risk_factor=risk.factor if risk is not None else "",
            title=self.title_edit.text().strip(),
        )

    # Feedback ------------------------------------------------------------------------------
    def target_known(self) -> bool:
        """Return whether the chosen system's risk tier has been worked out."""
        return self.system_box.currentData() in self._targets

    def _system_changed(self) -> None:
        ext_id = self.system_box.currentData()
        self._risk = None
        self.risk_label.setText("")
        if ext_id in self._targets:
            self._show_target(self._targets[ext_id])
        elif ext_id in self._systems:
            self.risk_label.setText(WORKING_TEXT)
            self._ask(ext_id)
        self._update()

    def _ask(self, ext_id: str) -> None:
        if ext_id in self._asked:
            return  # its answer is on the way
        self._asked.add(ext_id)
        tasks.run_task(
            read_target,
            self._workspace,
            ext_id,
            on_success=self._on_target,
            on_failure=self._on_target_failed,
            with_progress=False,
        )

    def _on_target(self, target: SystemTarget) -> None:
        self._asked.discard(target.ext_id)
        self._targets[target.ext_id] = target
        if target.ext_id != self.system_box.currentData():
            return  # the user has chosen another system meanwhile
        self._show_target(target)
        self._update()
        self.target_ready.emit(target.ext_id)

    def _on_target_failed(self, exc: BaseException) -> None:
        logger.error("working out a risk tier failed: %s", exc)
        self._asked.clear()
        self.risk_label.setText(f"Cannot work out the risk tier: {exc}")

    def _show_target(self, target: SystemTarget) -> None:
        self._risk = target.risk
        if self._risk is not None:
            self.target_spin.setValue(self._risk.target_level)
            self.risk_label.setText(
                f"Risk tier {self._risk.tier.value} ({self._risk.factor}) sets target "
                f"{self._risk.target_level}; change it if the engagement agreed otherwise."
                + (f" The tier is {self._risk.note()}." if self._risk.provisional else "")
            )
        elif not target.found:
            self.risk_label.setText(f"Cannot assess this system: {target.problem}")
        else:
            self.risk_label.setText(
                f"No risk tier ({target.problem}); set the target maturity by hand."
            )

    def question_count(self) -> int:
        """Return how many questions the current choices put in scope."""
        ext_id = self.system_box.currentData()
        row = self._systems.get(ext_id) if ext_id else None
        target = self._targets.get(ext_id) if ext_id else None
        if row is None or target is None or not target.found:
            return 0
        areas = frozenset(FocusArea(a) for a in self._focus_areas())
        total = 0
        for framework in self.chosen_frameworks():
            total += len(
                framework.select(
                    autonomy=row.autonomy,
                    uses_tools=target.uses_tools,
                    focus_areas=areas if "focus_area" in framework.dimensions else None,
                    max_priority=self.priority_box.currentData(),
                )
            )
        return total

    def _update(self) -> None:
        frameworks = self.chosen_frameworks()
        focused = any("focus_area" in fw.dimensions for fw in frameworks)
        for box in self.focus_boxes.values():
            box.setEnabled(focused)
        self.priority_box.setEnabled(focused)
        count = self.question_count()
        ok = bool(self._systems) and bool(frameworks) and count > 0 and self.target_known()
        if focused and not self._focus_areas():
            ok = False
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if not frameworks:
            self.count_label.setText("Choose at least one framework.")
        elif self._systems and not self.target_known():
            self.count_label.setText("Questions in scope: known once the risk tier is.")
        else:
            self.count_label.setText(f"<b>{count}</b> questions in scope for this system.")
