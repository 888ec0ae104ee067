"""Inventory import into a real workspace: plan, all-or-nothing apply, re-import, journal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services.inventory_import import (
    ImportFileError,
    ImportRejectedError,
    apply_plan,
    import_inventory,
    latest_runs,
    plan_import,
    snapshot_records,
)
from app.services.inventory_template import write_template
from app.services.progress import Cancelled
from app.storage import journal
from app.storage.models import (
    AISystem,
    Assessment,
    Delegation,
    Grant,
    Identity,
    ImportRun,
    JournalEntry,
    Person,
    Resource,
    SystemIdentity,
)

TABLES = (AISystem, Identity, Resource, Grant, Delegation, SystemIdentity, Person, ImportRun)


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def counts(ws) -> dict[str, int]:
    with ws.db.read() as session:
        return {
            model.__tablename__: session.execute(
                sa.select(sa.func.count()).select_from(model)
            ).scalar()
            for model in (*TABLES, JournalEntry)
        }


SYSTEMS = [
    ["System ID", "Name", "Owner", "Owner email", "Env", "Autonomy", "Identities", "Cost centre"],
    ["AIS-1", "Claims bot", "Maria Okafor", "maria@acme.test", "prod", "HITL", "svc-1", "CC1"],
    ["AIS-2", "Copilot", "Li Wei", "li@acme.test", "dev", "advisory", "svc-2; svc-1", ""],
]
IDENTITIES = [
    ["Identity", "Type", "Owner", "Last rotated", "Expires"],
    ["svc-1", "service account", "maria@acme.test", "2025-01-02", ""],
    ["svc-2", "api key", "ops@acme.test", "03/04/2025", "2026-12-31"],
    ["role-admin", "role", "ops@acme.test", "", ""],
]
RESOURCES = [["Resource", "Sensitivity"], ["claims-db", "restricted"], ["wiki", "internal"]]
GRANTS = [
    ["Identity", "Resource", "Action", "Scope", "Logged"],
    ["svc-1", "claims-db", "read", "claims/*", "yes"],
    ["role-admin", "claims-db", "admin", "", "no"],
]
DELEGATIONS = [["From", "To", "Kind"], ["svc-1", "role-admin", "assume role"]]


def acme(tmp_path: Path, **changes: list[list]) -> Path:
    sheets = {
        "AI systems": SYSTEMS,
        "Identities": IDENTITIES,
        "Resources": RESOURCES,
        "Grants": GRANTS,
        "Delegations": DELEGATIONS,
    }
    sheets.update({name.replace("_", " "): rows for name, rows in changes.items()})
    return write_xlsx(tmp_path / "acme.xlsx", sheets)


def test_import_then_reimport_changes_nothing(workspace, tmp_path):
    path = acme(tmp_path)
    plan = plan_import(workspace, path)
    assert plan.problems == []
    assert plan.summary()["systems"] == {
        "creates": 2, "updates": 0, "unchanged": 0, "rejected": 0, "missing": 0}  # fmt: skip
    result = apply_plan(workspace, plan)
    assert result.counts["identities"]["created"] == 3
    assert result.counts["links"]["created"] == 3
    assert result.people_created == 3
    with workspace.db.read() as session:
        system = session.execute(
            sa.select(AISystem).where(AISystem.external_id == "AIS-1")
        ).scalar_one()
        assert system.environment == "production"
        assert system.autonomy == "human-in-the-loop"
        assert system.attributes == {"Cost centre": "CC1"}
        owner = session.get(Person, system.owner_id)
        assert (owner.name, owner.email) == ("Maria Okafor", "maria@acme.test")
        svc2 = session.execute(
            sa.select(Identity).where(Identity.external_id == "svc-2")
        ).scalar_one()
        assert svc2.last_rotated == dt.date(2025, 4, 3)
        assert svc2.expires == dt.date(2026, 12, 31)
        grant = session.execute(sa.select(Grant).where(Grant.action == "admin")).scalar_one()
        assert grant.logged is False
        delegation = session.execute(sa.select(Delegation)).scalar_one()
        assert delegation.kind == "assume-role"
    before = counts(workspace)
    again = plan_import(workspace, path)
    assert all(
        c.get("creates", 0) == 0 and c.get("updates", 0) == 0 for c in again.summary().values()
    )
    apply_plan(workspace, again)
    after = counts(workspace)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"import_run", "journal_entry"}


def test_applied_import_is_journalled_with_a_snapshot(workspace, tmp_path):
    path = acme(tmp_path)
    result = apply_plan(workspace, plan_import(workspace, path))
    with workspace.db.read() as session:
        entry = (
            session.execute(sa.select(JournalEntry).order_by(JournalEntry.seq.desc()))
            .scalars()
            .first()
        )
        run = session.get(ImportRun, result.run_id)
        assert journal.verify_chain(session).ok
    assert entry.action == "inventory.import"
    assert entry.entity_id == str(result.run_id)
    assert entry.after["file"] == "acme.xlsx"
    assert entry.after["counts"]["systems"]["created"] == 2
    assert run.file_sha256 == entry.after["sha256"]
    assert run.actor == "tester"
    assert {r["id"] for r in snapshot_records(run.snapshot, "systems")} == {"AIS-1", "AIS-2"}
    assert {"identity": "role-admin", "resource": "claims-db", "action": "admin", "scope": "",
            "approval_required": None, "logged": False, "last_used": None,
            "conditional": None} in snapshot_records(run.snapshot, "grants")  # fmt: skip
    assert ["AIS-2", "svc-2"] in run.snapshot["links"]["rows"]
    assert latest_runs(workspace)[0]["id"] == result.run_id


def test_file_with_errors_writes_nothing(workspace, tmp_path):
    bad = [*GRANTS, ["svc-9", "claims-db", "read", "", ""]]
    plan = plan_import(workspace, acme(tmp_path, Grants=bad))
    [error] = plan.errors
    assert "identity 'svc-9' is neither in this file nor in the workspace" in str(error)
    before = counts(workspace)
    with pytest.raises(ImportRejectedError, match="nothing was imported"):
        apply_plan(workspace, plan)
    assert counts(workspace) == before


def test_valid_rows_only(workspace, tmp_path):
    bad_grants = [*GRANTS, ["svc-9", "claims-db", "read", "", ""], ["svc-1", "wiki", "fly", "", ""]]
    plan = plan_import(workspace, acme(tmp_path, Grants=bad_grants))
    assert plan.rejected_rows()["grants"] == 2
    result = apply_plan(workspace, plan, valid_only=True)
    assert result.counts["grants"] == {
        "created": 2, "updated": 0, "unchanged": 0, "rejected": 2, "deleted": 0}  # fmt: skip
    assert counts(workspace)["access_grant"] == 2


def test_changes_are_updates_and_custom_attributes_merge(workspace, tmp_path):
    apply_plan(workspace, plan_import(workspace, acme(tmp_path)))
    systems = [row[:] for row in SYSTEMS]
    systems[0].append("Risk note")
    systems[1][4] = "staging"
    systems[1][7] = ""
    systems[1].append("watch")
    systems[2].append("")
    plan = plan_import(workspace, acme(tmp_path, AI_systems=systems))
    diff = plan.diff.entities["systems"]
    assert [c.record.key for c in diff.updates] == [("AIS-1",)]
    assert diff.updates[0].changes == {
        "environment": ("production", "staging"),
        "attributes": ({"Cost centre": "CC1"}, {"Cost centre": "CC1", "Risk note": "watch"}),
    }
    assert [r.key for r in diff.unchanged] == [("AIS-2",)]
    apply_plan(workspace, plan)
    with workspace.db.read() as session:
        system = session.execute(
            sa.select(AISystem).where(AISystem.external_id == "AIS-1")
        ).scalar_one()
    assert system.environment == "staging"
    assert system.attributes == {"Cost centre": "CC1", "Risk note": "watch"}


def test_owner_change_and_people_unique_by_email(workspace, tmp_path):
    apply_plan(workspace, plan_import(workspace, acme(tmp_path)))
    systems = [row[:] for row in SYSTEMS]
    systems[2][2:4] = ["Ops team", "ops@acme.test"]
    plan = plan_import(workspace, acme(tmp_path, AI_systems=systems))
    [change] = plan.diff.entities["systems"].updates
    assert change.changes == {"owner": ("Li Wei <li@acme.test>", "Ops team <ops@acme.test>")}
    apply_plan(workspace, plan)
    with workspace.db.read() as session:
        people = session.execute(sa.select(Person.email, Person.name).order_by(Person.email)).all()
    assert people == [("li@acme.test", "Li Wei"), ("maria@acme.test", "Maria Okafor"),
                      ("ops@acme.test", "Ops team")]  # fmt: skip


def test_missing_records_are_kept_unless_asked(workspace, tmp_path):
    apply_plan(workspace, plan_import(workspace, acme(tmp_path)))
    with workspace.db.write() as session:
        system_id = session.execute(
            sa.select(AISystem.id).where(AISystem.external_id == "AIS-1")
        ).scalar_one()
        session.add(Assessment(system_id=system_id, title="Round 1"))
    smaller = write_xlsx(
        tmp_path / "smaller.xlsx",
        {"AI systems": [SYSTEMS[0], SYSTEMS[2]], "Grants": [GRANTS[0], GRANTS[1]]},
    )
    plan = plan_import(workspace, smaller)
    assert plan.summary()["systems"]["missing"] == 0  # AIS-1 has an assessment: kept
    assert plan.diff.entities["systems"].kept == [("AIS-1",)]
    assert plan.summary()["grants"]["missing"] == 1
    before = counts(workspace)
    apply_plan(workspace, plan)
    assert counts(workspace)["access_grant"] == before["access_grant"]
    result = apply_plan(workspace, plan_import(workspace, smaller), delete_missing=True)
    assert result.counts["grants"]["deleted"] == 1
    assert result.counts["systems"]["deleted"] == 0
    after = counts(workspace)
    assert after["access_grant"] == 1
    assert after["ai_system"] == 2  # kept: it has an assessment
    assert after["identity"] == before["identity"]  # identities were not in the file


def test_grant_resources_must_exist_somewhere(workspace, tmp_path):
    path = write_xlsx(
        tmp_path / "grants.xlsx",
        {
            "Identities": [["id"], ["svc-1"]],
            "Grants": [["identity", "resource", "action"], ["svc-1", "claims-db", "read"]],
        },
    )
    plan = plan_import(workspace, path)
    assert [p.reason for p in plan.errors] == [
        "resource 'claims-db' is neither in this file's resources nor in the workspace"
    ]
    apply_plan(workspace, plan_import(workspace, acme(tmp_path)))
    assert plan_import(workspace, path).errors == []


def test_stale_plan_is_compared_again(workspace, tmp_path):
    path = acme(tmp_path)
    first, second = plan_import(workspace, path), plan_import(workspace, path)
    apply_plan(workspace, first)
    result = apply_plan(workspace, second)
    assert result.counts["systems"]["created"] == 0
    assert result.counts["systems"]["unchanged"] == 2


class Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.reports: list[tuple[float, str]] = []
        self.cancel_after = cancel_after

    def report(self, fraction: float, message: str = "") -> None:
        self.reports.append((fraction, message))

    @property
    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.reports) >= self.cancel_after


def test_progress_and_cancellation(workspace, tmp_path):
    path = acme(tmp_path)
    recorder = Recorder()
    import_inventory(workspace, path, progress=recorder)
    fractions = [f for f, _ in recorder.reports]
    assert fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
    before = counts(workspace)
    plan = plan_import(workspace, acme(tmp_path, Resources=[*RESOURCES, ["new-db", "public"]]))
    with pytest.raises(Cancelled):
        apply_plan(workspace, plan, progress=Recorder(cancel_after=2))
    assert counts(workspace) == before
    with pytest.raises(Cancelled):
        plan_import(workspace, path, progress=Recorder(cancel_after=1))


def test_unreadable_file_is_a_user_error(workspace, tmp_path):
    path = tmp_path / "inventory.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(ImportFileError, match="inventory.xlsx is not an Excel workbook"):
        plan_import(workspace, path)


def test_template_imports_cleanly(workspace, tmp_path):
    path = write_template(tmp_path / "template")
    assert path.name == "template.xlsx"
    plan, result = import_inventory(workspace, path)
    assert plan.problems == []
    assert result is not None
    assert result.counts["delegations"]["created"] == 1


def test_aws_report_reimport_and_scoped_deletion(workspace, tmp_path):
    header = (
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
        "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
        "access_key_1_last_used_date,access_key_1_last_used_region,"
        "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
        "access_key_2_last_used_date,access_key_2_last_used_region,"
        "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
        "cert_2_last_rotated"
    )
    bot = (
        "ci-bot,arn:aws:iam::111122223333:user/ci-bot,2020-03-04T10:00:00+00:00,false,N/A,N/A,"
        "N/A,false,true,2020-03-04T10:05:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,"
        "false,N/A"
    )
    old = bot.replace("ci-bot", "old-bot")
    report = tmp_path / "credential-report.csv"
    report.write_text(f"{header}\n{bot}\n{old}\n", encoding="utf-8")
    apply_plan(workspace, plan_import(workspace, acme(tmp_path)))
    first = apply_plan(workspace, plan_import(workspace, report))
    assert first.counts["identities"]["created"] == 4
    report.write_text(f"{header}\n{bot}\n", encoding="utf-8")
    plan = plan_import(workspace, report)
    assert plan.summary()["identities"]["unchanged"] == 2
    assert plan.summary()["identities"]["missing"] == 2  # only old-bot and its key: AWS ones
    apply_plan(workspace, plan, delete_missing=True)
    with workspace.db.read() as session:
        ids = set(session.execute(sa.select(Identity.external_id)).scalars())
    assert {"svc-1", "svc-2", "role-admin"} <= ids
    assert "arn:aws:iam::111122223333:user/old-bot" not in ids


def test_flat_csv_register(workspace, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(
        "System ID;Name;Service account;Identity kind;Resource;Access\n"
        "AIS-1;Bot;svc-1;service principal;crm;Read/Write\n"
        "AIS-1;Bot;svc-2;API key;crm;read\n".encode("cp1252")
    )
    plan, result = import_inventory(workspace, path, dry_run=True)
    assert result is None
    assert [str(p) for p in plan.problems] == [
        "register.csv, row 2, column 'Resource': resource 'crm' is neither in this file's "
        "resources nor in the workspace",
        "register.csv, row 3, column 'Resource': resource 'crm' is neither in this file's "
        "resources nor in the workspace",
    ]
    crm = tmp_path / "resources.csv"
    crm.write_text("id,sensitivity\ncrm,confidential\n")
    import_inventory(workspace, crm)
    plan, result = import_inventory(workspace, path)
    assert result.counts["links"]["created"] == 2
    assert result.counts["grants"]["created"] == 2
    assert json.dumps(plan.to_dict())  # plain data throughout


@pytest.mark.sqlite_only  # SQLite keeps any type in any column; a server's columns are typed
def test_bulk_rows_are_stored_as_sqlalchemy_stores_them(workspace, tmp_path):
    apply_plan(workspace, plan_import(workspace, acme(tmp_path)))
    with workspace.db.write() as session:
        session.add(AISystem(external_id="by-orm", review_due=dt.date(2026, 1, 2), tools=["a"]))
    with workspace.db.read() as session:
        rows = (
            session.connection()
            .exec_driver_sql(
                "SELECT external_id, typeof(created_at), length(created_at), "
                "created_at LIKE '%+%', typeof(tools), typeof(attributes) FROM ai_system"
            )
            .fetchall()
        )
        systems = session.execute(sa.select(AISystem)).scalars().all()
    shapes = {row[1:] for row in rows}
    assert len(shapes) == 1  # imported rows look exactly like the ORM's row
    assert all(s.created_at.tzinfo is not None for s in systems)


def test_rejected_rows_are_never_deleted_as_missing(workspace, tmp_path):
    apply_plan(workspace, plan_import(workspace, acme(tmp_path)))
    identities = [row[:] for row in IDENTITIES]
    identities[2][3] = "31/02/2025"  # svc-2's row is rejected
    systems = [row[:] for row in SYSTEMS]
    systems[2][4] = "moon"  # AIS-2's row is rejected
    plan = plan_import(workspace, acme(tmp_path, Identities=identities, AI_systems=systems))
    assert plan.summary()["identities"]["missing"] == 0
    assert plan.summary()["systems"]["missing"] == 0
    assert plan.diff.link_missing == []
    result = apply_plan(workspace, plan, valid_only=True, delete_missing=True)
    assert result.counts["identities"]["deleted"] == 0
    assert result.counts["links"]["deleted"] == 0
    with workspace.db.read() as session:
        ids = set(session.execute(sa.select(Identity.external_id)).scalars())
    assert "svc-2" in ids
