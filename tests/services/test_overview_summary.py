"""The workspace summary: counts, the busiest systems, and systems whose access is unknown."""

from __future__ import annotations

from app.services.findings import create_finding
from app.services.inventory_edit import add_record
from app.services.overview import systems_access_unknown, workspace_summary


def _systems(workspace, *ext_ids: str) -> None:
    for ext_id in ext_ids:
        add_record(workspace, "systems", ext_id, {"name": f"Agent {ext_id}"})


def test_busiest_systems_come_by_open_findings_then_by_id(workspace):
    _systems(workspace, "AIS-3", "AIS-1", "AIS-2", "AIS-4")
    for system, count in (("AIS-3", 1), ("AIS-1", 1), ("AIS-2", 2)):
        for number in range(count):
            create_finding(workspace, title=f"Finding {number}", system=system)
    busiest = workspace_summary(workspace).systems_most_findings
    assert busiest == [
        ("AIS-2", "Agent AIS-2", 2),
        ("AIS-1", "Agent AIS-1", 1),
        ("AIS-3", "Agent AIS-3", 1),
    ]


def test_the_window_reads_unknown_access_apart_from_the_counts(workspace):
    _systems(workspace, "AIS-1", "AIS-2")
    summary = workspace_summary(workspace, access_unknown=False)
    assert summary.systems == 2
    assert summary.systems_access_unknown is None
    assert systems_access_unknown(workspace) == 2
    assert workspace_summary(workspace).systems_access_unknown == 2
