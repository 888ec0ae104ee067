"""A delegation sheet's custom columns are stored on the delegation and shown with it."""

from __future__ import annotations

import sqlalchemy as sa

from app.services.inventory_import import apply_plan, import_inventory, plan_import
from app.services.inventory_queries import DelegationRow, get_system
from app.storage.models import Delegation, ImportRun
from tests.services.test_inventory_import import DELEGATIONS, acme

WITH_TICKET = [
    [*DELEGATIONS[0], "Change ticket"],
    [*DELEGATIONS[1], "CHG-1042"],
]


def _stored(ws) -> list[dict]:
    with ws.db.read() as session:
        return [d.attributes for d in session.execute(sa.select(Delegation)).scalars()]


def test_delegation_custom_column_is_stored_and_read_back(workspace, tmp_path):
    path = acme(tmp_path, Delegations=WITH_TICKET)
    _plan, result = import_inventory(workspace, path)
    assert _stored(workspace) == [{"Change ticket": "CHG-1042"}]
    with workspace.db.read() as session:
        run = session.get(ImportRun, result.run_id)
    assert "delegation_attributes" not in run.snapshot  # kept on the delegation itself now
    detail = get_system(workspace, "AIS-1")
    assert detail.delegations == (
        DelegationRow("svc-1", "role-admin", "assume-role", {"Change ticket": "CHG-1042"}),
    )
    # Importing the same file again finds nothing to change.
    again = plan_import(workspace, path)
    assert again.summary()["delegations"]["updates"] == 0
    assert again.summary()["delegations"]["unchanged"] == 1


def test_changed_delegation_attribute_is_an_update(workspace, tmp_path):
    apply_plan(workspace, plan_import(workspace, acme(tmp_path, Delegations=WITH_TICKET)))
    changed = [[*WITH_TICKET[0], "Approved by"], [*DELEGATIONS[1], "CHG-2001", "CISO"]]
    plan = plan_import(workspace, acme(tmp_path, Delegations=changed))
    [update] = plan.diff.entities["delegations"].updates
    assert update.changes == {
        "attributes": (
            {"Change ticket": "CHG-1042"},
            {"Change ticket": "CHG-2001", "Approved by": "CISO"},
        )
    }
    result = apply_plan(workspace, plan)
    assert result.counts["delegations"]["updated"] == 1
    assert _stored(workspace) == [{"Change ticket": "CHG-2001", "Approved by": "CISO"}]


def test_system_view_and_cli_show_delegation_attributes(workspace, tmp_path, capsys):
    import app.cli
    from app.services.system_view import load_system_view

    apply_plan(workspace, plan_import(workspace, acme(tmp_path, Delegations=WITH_TICKET)))
    [line] = load_system_view(workspace, "AIS-1").delegations
    assert (line.source, line.target, line.attributes) == (
        "svc-1", "role-admin", "Change ticket: CHG-1042")  # fmt: skip
    workspace.close()
    argv = ["--workspace", workspace.location, "systems", "show", "AIS-1"]
    assert app.cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "svc-1 → role-admin (assume-role)  [Change ticket: CHG-1042]" in out
    assert app.cli.main([*argv[:2], "--json", *argv[2:]]) == 0
    assert '"Change ticket": "CHG-1042"' in capsys.readouterr().out
