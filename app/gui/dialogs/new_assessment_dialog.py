"""New assessment: which AI system (or the organisation), which preset or frameworks, the target.

A preset (shipped or the user's own) fixes the frameworks and what of each is asked; the
dialog shows, for the chosen system, how many questions each preset asks of its own and how
many it inherits from the organisation assessment before anything is created. Custom choices
can be saved as a preset of the user's own.

Choosing a system works out its risk tier (and so the default target) on a worker: the
identity graph of a big inventory takes a moment to build. Until the chosen system's answer
is in, the dialog says so and Create stays disabled; an answer for a system no longer chosen
is kept for later but not shown.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.catalog.registry import Catalog
from app.catalog.schema import Framework
from app.domain.enums import FocusArea
from app.domain.risk import RiskAssessment
from app.gui import tasks
from app.services.assessment_selection import FrameworkFilter
from app.services.assessment_state import short_title
from app.services.assessments import Plan, plan_assessment, system_risk_of
from app.services.errors import UserError
from app.services.inventory_queries import get_system, list_systems
from app.services.presets import PresetInfo, list_presets, save_preset
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
    preset: str | None = None
    organisation: bool = False


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
        self.system_box.addItem(ORGANISATION_TEXT, ORGANISATION)
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
        self.preset_box = QComboBox()
        self.preset_box.setAccessibleName("Preset")
        self.preset_box.setToolTip("A named scope; the counts are for the chosen system")
        self._presets = load_presets()
        self.save_preset_button = QPushButton("Save as preset…")
        self.save_preset_button.setToolTip("Keep these frameworks and filters as your own preset")
        self.save_preset_button.clicked.connect(self._on_save_preset)
        preset_row = QHBoxLayout()
        preset_row.addWidget(self.preset_box, 1)
        preset_row.addWidget(self.save_preset_button)
        form = QFormLayout()
        form.addRow("Assess:", self.system_box)
        form.addRow("Preset:", preset_row)
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
        self.preset_box.currentIndexChanged.connect(lambda _i: self._preset_changed())
        self.framework_list.itemChanged.connect(lambda _item: self._update())
        self.priority_box.currentIndexChanged.connect(lambda _i: self._update())
        for box in self.focus_boxes.values():
            box.toggled.connect(lambda _on: self._update())
        if self._systems:
            self.system_box.setCurrentIndex(1)  # a system first: the organisation is once
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
        preset = self.preset()
        return NewAssessmentChoice(
            system="" if self.organisation() else str(self.system_box.currentData()),
            preset=preset.id if preset is not None else None,
            organisation=self.organisation(),
            frameworks=tuple(fw.id for fw in frameworks),
            focus_areas=self._focus_areas() if focused else None,
            max_priority=self.priority_box.currentData() if focused else None,
            target=self.target_spin.value(),
            risk_tier=risk.tier.value if risk is not None else None,
            risk_factor=risk.factor if risk is not None else "",
            title=self.title_edit.text().strip(),
        )

    # Presets -------------------------------------------------------------------------------
    def preset(self) -> PresetInfo | None:
        """Return the chosen preset; None for custom choices."""
        preset_id = self.preset_box.currentData()
        return next((p for p in self._presets if p.id == preset_id), None)

    def set_preset(self, preset_id: str | None) -> None:
        self.preset_box.setCurrentIndex(max(0, self.preset_box.findData(preset_id)))

    def plan(self) -> Plan | None:
        """Return what the current choices would ask, or None when it cannot be told yet."""
        preset = self.preset()
        return self._plan_for(preset)

    def _plan_for(self, preset: PresetInfo | None) -> Plan | None:
        ext_id = self.system_box.currentData()
        system = None if ext_id == ORGANISATION else ext_id
        if preset is not None:
            frameworks, filters = preset.framework_ids, preset.filters
        else:
            frameworks, filters = [fw.id for fw in self.chosen_frameworks()], self._filters()
        try:
            return plan_assessment(
                self._workspace, system, frameworks, catalog=self._catalog, filters=filters
            )
        except UserError as exc:
            logger.debug("no plan for %s: %s", ext_id, exc)
            return None

    def _filters(self) -> dict[str, FrameworkFilter]:
        areas, priority = self._focus_areas(), self.priority_box.currentData()
        return {
            fw.id: FrameworkFilter(areas, priority) if "focus_area" in fw.dimensions
            else FrameworkFilter()
            for fw in self.chosen_frameworks()
        }  # fmt: skip

    def _fill_presets(self) -> None:
        """List the presets meant for the chosen kind, each with its question count."""
        chosen = self.preset_box.currentData()
        kind = "organisation" if self.organisation() else "system"
        self.preset_box.blockSignals(True)
        self.preset_box.clear()
        self.preset_box.addItem(CUSTOM_TEXT, None)
        for preset in self._presets:
            if preset.preset.kind.value != kind:
                continue
            plan = self._plan_for(preset)
            if plan is None:
                count = "no question for this system"
            elif plan.inherited:
                count = f"{plan.own} own + {plan.inherited} inherited questions"
            else:
                count = f"{plan.total} questions"
            self.preset_box.addItem(f"{preset.label} — {count}", preset.id)
        self.preset_box.setCurrentIndex(max(0, self.preset_box.findData(chosen)))
        self.preset_box.blockSignals(False)

    def _preset_changed(self) -> None:
        preset = self.preset()
        if preset is not None:
            self.set_frameworks(preset.framework_ids)
            profile = preset.filters.get("nist-ir-8596")
            if profile is not None:
                for area, box in self.focus_boxes.items():
                    box.setChecked(profile.focus_areas is None or area in profile.focus_areas)
                self.priority_box.setCurrentIndex(self.priority_box.findData(profile.max_priority))
        self._update()

    def _on_save_preset(self) -> None:
        name, ok = QInputDialog.getText(self, "Save as preset", "Name of the preset:")
        if ok and name.strip():
            self.save_current_as(name)

    def save_current_as(self, name: str) -> PresetInfo | None:
        """Save the current custom choices as the user's own preset and choose it."""
        kind = "organisation" if self.organisation() else "system"
        frameworks = [fw.id for fw in self.chosen_frameworks()]
        try:
            saved = save_preset(_slug(name), name, frameworks, self._filters(), kind=kind)
        except UserError as exc:
            self.count_label.setText(f"Cannot save the preset: {exc}")
            return None
        self._presets = [p for p in self._presets if p.id != saved.id] + [saved]
        self._fill_presets()
        self.set_preset(saved.id)
        return saved

    # Feedback ------------------------------------------------------------------------------
    def target_known(self) -> bool:
        """Return whether the chosen system's risk tier has been worked out."""
        return self.organisation() or self.system_box.currentData() in self._targets

    def organisation(self) -> bool:
        """Return True when the organisation assessment is chosen."""
        return self.system_box.currentData() == ORGANISATION

    def _system_changed(self) -> None:
        ext_id = self.system_box.currentData()
        self._risk = None
        self.risk_label.setText("")
        self._fill_presets()
        if ext_id == ORGANISATION:
            self.target_spin.setValue(3)
            self.risk_label.setText(
                "The organisation assessment answers the organisation-level questions once; "
                "every system assessment inherits them."
            )
        elif ext_id in self._targets:
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
        if ext_id == ORGANISATION or self.preset() is not None:
            plan = self.plan()
            return plan.total if plan is not None else 0
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
        preset = self.preset()
        for widget in (self.framework_list, self.priority_box, *self.focus_boxes.values()):
            widget.setEnabled(preset is None and (focused or widget is self.framework_list))
        self.save_preset_button.setEnabled(preset is None and bool(frameworks))
        count = self.question_count()
        ok = bool(frameworks) and count > 0 and self.target_known()
        ok = ok and (bool(self._systems) or self.organisation())
        if focused and not self._focus_areas() and preset is None:
            ok = False
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if not frameworks:
            self.count_label.setText("Choose at least one framework.")
        elif self._systems and not self.target_known():
            self.count_label.setText("Questions in scope: known once the risk tier is.")
        else:
            self.count_label.setText(self._count_text(count))

    def _count_text(self, count: int) -> str:
        plan = self.plan()
        if self.organisation():
            return f"<b>{count}</b> organisation-level questions, answered once for every system."
        if plan is not None and plan.inherited:
            return (
                f"<b>{plan.own}</b> questions of its own for this system, and {plan.inherited} "
                "inherited from the organisation assessment."
            )
        return f"<b>{count}</b> questions in scope for this system."


ORGANISATION = "__organisation__"
ORGANISATION_TEXT = "The organisation (organisation-level questions, once for all systems)"
CUSTOM_TEXT = "Custom: choose the frameworks below"


def load_presets() -> list[PresetInfo]:
    """Return the presets, or none (logged) when a presets file is broken."""
    try:
        return list_presets()
    except UserError as exc:
        logger.warning("presets not offered: %s", exc)
        return []


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
