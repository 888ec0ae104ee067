"""Random CSV files against a real workspace: nothing written on rejection, re-import idempotent."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.inventory_import import (
    ImportFileError,
    ImportRejectedError,
    apply_plan,
    plan_import,
)
from app.storage.models import (
    AISystem,
    Delegation,
    Grant,
    Identity,
    ImportRun,
    JournalEntry,
    Person,
    Resource,
    SystemIdentity,
)

MODELS = (AISystem, Identity, Resource, Grant, Delegation, SystemIdentity, Person, ImportRun,
          JournalEntry)  # fmt: skip
HEADERS = ["id", "System ID", "name", "Owner", "Owner email", "Env", "Autonomy", "Identities",
           "Identity", "Identity kind", "Last rotated", "Resource", "Action", "Scope", "Notes",
           "Cost centre", "Used by", "Type", "from", "to"]  # fmt: skip
VALUES = ["AIS-1", "AIS-2", "svc-1", "svc-2", "svc-1; svc-2", "db", "prod", "test", "HITL",
          "autonomous", "api key", "role", "read", "admin", "2025-01-31", "31/02/2025",
          "01/02/2025", "a@example.com", "B@Example.com", "Name <c@example.com>", "not mail",
          "yes", "", "x", "café"]  # fmt: skip
NAMES = ["inventory", "identities", "grants", "register", "resources", "delegations"]


@st.composite
def csv_files(draw):
    width = draw(st.integers(min_value=1, max_value=6))
    header = draw(st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=12)),
                           min_size=width, max_size=width))  # fmt: skip
    cell = st.one_of(st.sampled_from(VALUES), st.text(max_size=12))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"]))).writerows([header, *rows])
    return draw(st.sampled_from(NAMES)), buffer.getvalue()


def _counts(ws) -> dict[str, int]:
    with ws.db.read() as session:
        return {
            m.__tablename__: session.execute(sa.select(sa.func.count()).select_from(m)).scalar()
            for m in MODELS
        }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(csv_files(), min_size=1, max_size=3))
def test_random_files_are_all_or_nothing_and_idempotent(workspace, files):
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files:
            path = Path(folder) / f"{name}.csv"
            path.write_text(text, encoding="utf-8")
            refusal = ""
            try:
                plan = plan_import(workspace, path)
            except ImportFileError as exc:
                refusal = str(exc)
            if refusal:
                assert refusal.startswith(path.name)
                continue
            for problem in plan.problems:
                assert str(problem).startswith(path.name)
                assert problem.reason
            before = _counts(workspace)
            if plan.has_errors:
                with pytest.raises(ImportRejectedError):
                    apply_plan(workspace, plan)
                assert _counts(workspace) == before
                apply_plan(workspace, plan, valid_only=True)
            else:
                apply_plan(workspace, plan)
            again = plan_import(workspace, path)
            for entity, numbers in again.summary().items():
                assert numbers.get("creates", 0) == 0, (entity, again.to_dict()["details"])
                assert numbers.get("updates", 0) == 0, (entity, again.to_dict()["details"])
