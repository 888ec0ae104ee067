"""The paint gate: a worker ordering rows waits while a large table paints its cells."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from app.gui.itemmodels.paint_gate import PAINTING, STEP_ROWS, PaintGate, in_steps
from app.gui.itemmodels.rows_table_model import Column
from app.gui.widgets.rows_table import RowsTable


def test_a_worker_waits_at_the_gate_while_a_paint_holds_it():
    gate, taken = PaintGate(), []
    worker = threading.Thread(target=lambda: (gate.step(), taken.append("step")))
    with gate.painting():
        worker.start()
        worker.join(0.05)
        assert taken == [], "the worker went on while the view painted"
    worker.join(5)
    assert taken == ["step"]


def test_steps_cover_every_row_in_order():
    numbers = list(range(2 * STEP_ROWS + 5))
    parts = list(in_steps(numbers))
    assert [len(part) for part in parts] == [STEP_ROWS, STEP_ROWS, 5]
    assert [n for part in parts for n in part] == numbers


@dataclass(frozen=True)
class Row:
    name: str


def test_a_large_table_holds_the_gate_while_it_paints(qtbot):
    seen: list[bool] = []

    def name(row: Row) -> str:
        seen.append(PAINTING.is_open())  # what a worker would find
        return row.name

    table = RowsTable([Column("Name", name)], large=True)
    qtbot.addWidget(table)
    table.resize(400, 300)
    table.set_rows([Row(f"agent {i}") for i in range(50)])
    seen.clear()
    table.view.viewport().grab()
    assert seen
    assert not any(seen), "cells painted with the gate open"
    assert PAINTING.is_open()


def test_a_service_asking_whether_to_stop_waits_while_a_table_paints():
    from app.gui.itemmodels.paint_gate import SteppingAside
    from app.support.progress import Cancelled, check_cancelled

    class Asked:
        cancelled = False
        reports: list[float] = []

        def report(self, fraction: float, message: str = "") -> None:
            self.reports.append(fraction)

    inner, answers = Asked(), []
    progress = SteppingAside(inner)
    worker = threading.Thread(target=lambda: answers.append(progress.cancelled))
    with PAINTING.painting():
        worker.start()
        worker.join(0.05)
        assert answers == [], "the work went on while the view painted"
    worker.join(5)
    assert answers == [False]
    progress.report(0.5, "half")
    assert inner.reports == [0.5]
    inner.cancelled = True
    with pytest.raises(Cancelled):
        check_cancelled(progress)
    assert SteppingAside(None).cancelled is False
