"""The portfolio workbook: organisation results once, each system's own results and counts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.catalog.registry import load_default_catalog
from app.reports.xlsx_cells import FORMULA_TRIGGERS
from app.services import assessments as svc
from app.services import bulk_answers
from app.services.errors import UserError
from app.services.reporting import generate_portfolio
from app.storage.models import AISystem, JournalEntry

GV = "ir8596.secure.GV.OC-04"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


@pytest.fixture
def engagement(workspace, catalog):
    """Organisation answered at level 2; two agentic systems, one overriding; one unassessed."""
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="=cmd|calc", autonomy="autonomous"))
        session.add(
            AISystem(
                external_id="AIS-002", name="Agent two", owner_name="Ops", autonomy="autonomous"
            )
        )
        session.add(AISystem(external_id="AIS-003", name="Not assessed yet"))
    org = svc.new_assessment(workspace, None, ["nist-ai-rmf", "nist-ir-8596"], catalog=catalog)
    changes = {r.question_id: {"level": 2} for r in svc.list_responses(workspace, org.id)}
    bulk_answers.update_many(workspace, org.id, changes)
    a = svc.new_assessment(workspace, "AIS-001", preset="agentic", catalog=catalog)
    svc.new_assessment(workspace, "AIS-002", preset="agentic", catalog=catalog)
    bulk_answers.override(workspace, a.id, GV, "separate regulated entity")
    svc.answer(workspace, a.id, GV, 0)
    return workspace, org


def _rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _write(ws, tmp_path, **kwargs):
    out = tmp_path / "portfolio.xlsx"
    outcome = generate_portfolio(ws, out, today=TODAY, **kwargs)
    return outcome, load_workbook(out)


def test_workbook_holds_the_organisation_once_and_each_systems_counts(engagement, tmp_path):
    ws, org = engagement
    outcome, book = _write(ws, tmp_path)
    assert outcome.kind == "portfolio"
    assert outcome.pages == 0
    assert book.sheetnames == ["Summary", "Systems", "Heat map", "Identity KPIs", "Top findings"]
    summary = [
        [c for c in row if c is not None] for row in book["Summary"].iter_rows(values_only=True)
    ]
    flat = [value for row in summary for value in row]
    assert flat.count("Organisation assessment") == 1
    assert outcome.journal_hash in flat
    frameworks = [row for row in summary if row and row[0] in ("AI RMF", "IR 8596")]
    assert [r[0] for r in frameworks].count("AI RMF") >= 2  # the framework and its functions
    govern = next(r for r in frameworks if "GOVERN" in r)
    assert govern[-4:] == [2, 2, 0, 1]  # mean, achieved, coverage (target 3), completeness
    systems = {row["System ID"]: row for row in _rows(book["Systems"])}
    assert set(systems) == {"AIS-001", "AIS-002", "AIS-003"}
    one = systems["AIS-001"]
    info = next(i for i in svc.list_assessments(ws) if i.system == "AIS-001")
    assert (one["Own answers"], one["Inherited answers"], one["Overridden answers"]) == (
        info.questions - info.inherited - info.overridden,
        info.inherited,
        1,
    )
    assert one["Name"] == "=cmd|calc"
    assert systems["AIS-002"]["Overridden answers"] == 0
    assert systems["AIS-002"]["Mean"] > one["Mean"]
    assert systems["AIS-001"]["Owner"] == "unknown"
    assert systems["AIS-003"]["Assessment status"] == "Not assessed"
    assert systems["AIS-003"]["Mean"] is None
    assert all("provisional: provisional" not in row["Risk tier"] for row in systems.values())
    heat = _rows(book["Heat map"])
    assert [row["System ID"] for row in heat] == ["AIS-001", "AIS-002"]


def test_each_focus_area_of_the_organisation_is_named(engagement, tmp_path):
    ws, _ = engagement
    _, book = _write(ws, tmp_path)
    parts = [row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0] == "IR 8596"]
    assert {"secure", "defend", "thwart", "secure GV", "thwart RC"} <= set(parts)
    assert len(parts) == len(set(parts))  # no line repeats another


def test_no_cell_is_a_formula(engagement, tmp_path):
    ws, _ = engagement
    _, book = _write(ws, tmp_path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)


def test_workbook_is_journalled_as_a_portfolio_of_kind_xlsx(engagement, tmp_path):
    ws, _ = engagement
    outcome, _ = _write(ws, tmp_path)
    with ws.db.read() as session:
        entry = (
            session.execute(
                sa.select(JournalEntry).where(JournalEntry.action == "report.portfolio")
            )
            .scalars()
            .one()
        )
    assert entry.after["kind"] == "xlsx"
    assert entry.after["sha256"] == outcome.sha256


def test_without_organisation_assessment_and_with_a_bad_suffix(workspace, tmp_path):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Lonely"))
    _, book = _write(workspace, tmp_path)
    flat = [v for row in book["Summary"].iter_rows(values_only=True) for v in row if v]
    assert "No organisation assessment in this workspace." in flat
    with pytest.raises(UserError, match=r"\.pdf or \.xlsx"):
        generate_portfolio(workspace, tmp_path / "portfolio.csv")
    assert not (tmp_path / "portfolio.csv").exists()
