"""Merge an assessor's hand-back: what is new, what only they changed, and the conflicts.

The dialog shows the dry run of the merge (nothing is written while it is open): one tab per
group, the conflicts with both versions side by side (level, note, evidence, who, when) and a
decision for each, taken one by one or for all at once. *Merge* stays disabled while a
conflict is undecided; the merge itself is one write of the window's one writer.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.theme import WARNING
from app.services.packages.merge import MergeItem, MergeResult, Side
from app.support.text import plural

logger = logging.getLogger(__name__)

UNDECIDED = "Undecided"
CHOICES: dict[str, Side | None] = {UNDECIDED: None, "Keep mine": "mine", "Take theirs": "theirs"}
_SIDE_COLUMNS = ("level", "note", "evidence", "who, when")
CONFLICT_HEADERS = (
    "Record",
    "Decision",
    *(f"Mine\n{c}" for c in _SIDE_COLUMNS),
    *(f"Theirs\n{c}" for c in _SIDE_COLUMNS),
)
DECISION_COLUMN = 1
LIST_HEADERS = ("Record", "Level", "Note", "Evidence", "Who, when")


def side_cells(kind: str, record: dict[str, Any] | None, who: str, when: str) -> list[str]:
    """Return one version of a record as the table shows it: level, note, evidence, who, when."""
    if record is None:
        return ["(not here)", "", "", ""]
    if kind == "response":
        level = "N/A" if record.get("not_applicable") else record.get("level")
        shown = "—" if level is None else str(level)
        note = str(record.get("notes") or record.get("justification") or "")
    else:
        shown = str(record.get("status") or record.get("severity") or "")
        note = str(record.get("title") or record.get("text") or record.get("description") or "")
    evidence = len(record.get("evidence") or [])
    moment = when[:16].replace("T", " ")
    return [shown, note, plural(evidence, "file"), ", ".join(p for p in (who, moment) if p)]


def _table(headers: tuple[str, ...], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(row, column, item)
    table.setWordWrap(True)
    for column, header in enumerate(headers):
        table.setColumnWidth(column, _width(header))
    table.resizeRowsToContents()
    return table


_WIDTHS = {"record": 170, "decision": 120, "level": 55, "note": 210, "evidence": 70}


def _width(header: str) -> int:
    """Return a column's width: notes wide, levels and counts narrow."""
    word = header.rpartition("\n")[2].lower()
    return _WIDTHS.get(word, 150)


class MergeDialog(QDialog):
    """The groups of a merge's dry run, and the lead's decision on every conflict."""

    def __init__(
        self, result: MergeResult, parent: QWidget | None = None, file_name: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Merge package {file_name}".strip())
        self.result = result
        self.conflicts = result.group("conflict")
        signed = f"signed by {result.signer}" if result.signer else "unsigned"
        counts = result.counts()
        summary = QLabel(
            f"Hand-back by {result.author or 'an unknown author'} ({signed}): "
            f"{counts['new']} new, {counts['theirs']} changed by them only, "
            f"{counts['conflict']} changed on both sides, {counts['same']} already the same."
        )
        summary.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._conflict_tab(), f"Conflicts ({counts['conflict']})")
        self.tabs.addTab(self._list(result.group("new")), f"New ({counts['new']})")
        self.tabs.addTab(
            self._list(result.group("theirs")), f"Changed by them only ({counts['theirs']})"
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = self.buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(1300, 480)
        self._update_merge_button()

    def _conflict_tab(self) -> QWidget:
        page = QWidget()
        rows = [
            [i.label, "", *side_cells(i.kind, i.mine, i.mine_by, i.mine_at),
             *side_cells(i.kind, i.theirs, i.author, i.at)]
            for i in self.conflicts
        ]  # fmt: skip
        self.conflict_table = _table(CONFLICT_HEADERS, rows)
        self.decision_boxes: list[QComboBox] = []
        for row, _item in enumerate(self.conflicts):
            box = QComboBox()
            box.addItems(list(CHOICES))
            box.setAccessibleName(f"Decision for conflict {row + 1}")
            box.currentTextChanged.connect(self._update_merge_button)
            self.conflict_table.setCellWidget(row, DECISION_COLUMN, box)
            self.decision_boxes.append(box)
        self.keep_all = QPushButton("Keep all mine")
        self.take_all = QPushButton("Take all theirs")
        self.keep_all.clicked.connect(lambda: self.decide_all("Keep mine"))
        self.take_all.clicked.connect(lambda: self.decide_all("Take theirs"))
        self.undecided_label = QLabel()
        self.undecided_label.setStyleSheet(f"color: {WARNING}")
        bar = QHBoxLayout()
        bar.addWidget(self.undecided_label, 1)
        bar.addWidget(self.keep_all)
        bar.addWidget(self.take_all)
        layout = QVBoxLayout(page)
        layout.addWidget(self.conflict_table, 1)
        layout.addLayout(bar)
        return page

    def _list(self, items: list[MergeItem]) -> QTableWidget:
        rows = [[i.label, *side_cells(i.kind, i.theirs, i.author, i.at)] for i in items]
        return _table(LIST_HEADERS, rows)

    def decide_all(self, choice: str) -> None:
        """Give every conflict the same decision (``Keep mine`` or ``Take theirs``)."""
        for box in self.decision_boxes:
            box.setCurrentText(choice)

    def decisions(self) -> dict[str, Side]:
        """Return the decision of every decided conflict, by gid."""
        chosen = {}
        for item, box in zip(self.conflicts, self.decision_boxes, strict=True):
            side = CHOICES[box.currentText()]
            if side is not None:
                chosen[item.gid] = side
        return chosen

    def _update_merge_button(self, *_args: object) -> None:
        open_ = len(self.conflicts) - len(self.decisions())
        self.merge_button.setEnabled(open_ == 0)
        self.undecided_label.setText(
            f"{plural(open_, 'conflict')} still to decide: nothing is overwritten without a "
            "decision"
            if open_
            else "Every conflict is decided."
        )
        self.undecided_label.setAlignment(Qt.AlignmentFlag.AlignVCenter)
