"""Identity analysis on a real workspace: loading, analysis, findings refresh, drift, queries."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa

from app.domain.drift import snapshot_of
from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    RiskTier,
    Sensitivity,
)
from app.domain.inventory_facts import (
    DelegationFacts,
    GrantFacts,
    IdentityFacts,
    InventoryFacts,
    ResourceFacts,
    SystemFacts,
)
from app.services import identity_analysis as ia
from app.services import inventory_queries as iq
from app.services.errors import UserError
from app.services.progress import Cancelled
from app.services.settings import set_workspace_setting
from app.storage.models import (
    AISystem,
    Delegation,
    Finding,
    Grant,
    Identity,
    ImportRun,
    JournalEntry,
    Person,
    Resource,
    SystemIdentity,
)
from app.storage.repositories import row_insert
from tests.recording_progress import RecordingProgress

TODAY = dt.date(2026, 3, 1)


def sample_facts() -> InventoryFacts:
    return InventoryFacts.of(
        systems=[
            SystemFacts("AIS-1", "Claims agent", "ann@example.org", Autonomy.AUTONOMOUS,
                        Environment.PRODUCTION, Sensitivity.RESTRICTED, Exposure.INTERNAL,
                        ("svc-claims",)),
            SystemFacts("AIS-2", "Helpdesk bot", "", Autonomy.ADVISORY, Environment.PRODUCTION,
                        Sensitivity.INTERNAL, Exposure.PUBLIC, ("svc-claims", "svc-help")),
        ],
        identities=[
            IdentityFacts("svc-claims", "claims", IdentityKind.SERVICE_ACCOUNT, "ann@example.org",
                          Environment.PRODUCTION, dt.date(2025, 1, 1), dt.date(2025, 6, 1),
                          dt.date(2026, 2, 27), dt.date(2026, 6, 1), "runbook RB-1"),
            IdentityFacts("role-db", "db admin role", IdentityKind.ROLE, "ann@example.org",
                          Environment.PRODUCTION, revocation_procedure="detach policy"),
            IdentityFacts("svc-help", "help", IdentityKind.API_KEY, "", Environment.PRODUCTION,
                          dt.date(2026, 1, 1), None, dt.date(2026, 2, 28), dt.date(2026, 5, 1),
                          "rotate in portal"),
        ],
        resources=[
            ResourceFacts("claims-db", "Claims DB", Environment.PRODUCTION, Sensitivity.RESTRICTED),
            ResourceFacts("kb", "Knowledge base", Environment.PRODUCTION, Sensitivity.INTERNAL),
        ],
        grants=[
            GrantFacts("svc-claims", "kb", Action.READ, "kb:read", None, dt.date(2026, 2, 1)),
            GrantFacts("role-db", "claims-db", Action.WRITE, "tables/claims", False, None),
            GrantFacts("svc-help", "kb", Action.READ, "", None, None),
        ],
        delegations=[DelegationFacts("svc-claims", "role-db", DelegationKind.ASSUME_ROLE)],
    )  # fmt: skip


def seed(ws, facts: InventoryFacts) -> None:
    """Write facts into the workspace with bulk inserts (owners become people)."""
    owners = sorted({s.owner for s in facts.systems.values()} |
                    {i.owner for i in facts.identities.values()} - {""})  # fmt: skip
    with ws.db.write() as session:
        if owners:
            session.execute(sa.insert(Person), [{"email": o, "name": o} for o in owners])
        person = dict(session.execute(sa.select(Person.email, Person.id)).all())
        session.execute(
            sa.insert(Resource),
            [
                {
                    "external_id": r.ext_id,
                    "name": r.name,
                    "environment": r.environment,
                    "sensitivity": r.sensitivity,
                    "attributes": {},
                }
                for r in facts.resources.values()
            ],
        )
        session.execute(
            sa.insert(Identity),
            [
                {
                    "external_id": i.ext_id,
                    "name": i.name,
                    "kind": i.kind,
                    "owner_id": person.get(i.owner),
                    "environment": i.environment,
                    "created": i.created,
                    "last_rotated": i.last_rotated,
                    "last_used": i.last_used,
                    "expires": i.expires,
                    "revocation_procedure": i.revocation_procedure,
                    "attributes": {},
                }
                for i in facts.identities.values()
            ],
        )
        session.execute(
            sa.insert(AISystem),
            [
                {
                    "external_id": s.ext_id,
                    "name": s.name,
                    "owner_id": person.get(s.owner),
                    "autonomy": s.autonomy,
                    "environment": s.environment,
                    "data_classification": s.data_classification,
                    "exposure": s.exposure,
                    "tools": [],
                    "tags": [],
                    "attributes": {},
                }
                for s in facts.systems.values()
            ],
        )
        ids = dict(session.execute(sa.select(Identity.external_id, Identity.id)).all())
        res = dict(session.execute(sa.select(Resource.external_id, Resource.id)).all())
        sys_ids = dict(session.execute(sa.select(AISystem.external_id, AISystem.id)).all())
        links = [
            {"system_id": sys_ids[s.ext_id], "identity_id": ids[i]}
            for s in facts.systems.values()
            for i in s.identities
        ]
        if links:
            session.execute(sa.insert(SystemIdentity), links)
        if facts.grants:
            session.execute(
                sa.insert(Grant),
                [
                    {
                        "identity_id": ids[g.identity],
                        "resource_id": res[g.resource],
                        "action": g.action,
                        "scope": g.scope,
                        "approval_required": g.approval_required,
                        "last_used": g.last_used,
                        "attributes": {},
                    }
                    for g in facts.grants
                ],
            )
        if facts.delegations:
            session.execute(sa.insert(Delegation), [
                {"from_identity_id": ids[d.source], "to_identity_id": ids[d.target],
                 "kind": d.kind} for d in facts.delegations])  # fmt: skip


@pytest.fixture
def seeded(workspace):
    seed(workspace, sample_facts())
    return workspace


def test_driver_rows_refuse_a_query_whose_parameters_they_would_drop(seeded) -> None:
    from app.storage.models import AISystem
    from app.storage.repositories.inventory_facts import _driver_rows

    with seeded.db.read() as session:
        conn = session.connection()
        every = list(_driver_rows(conn, sa.select(AISystem.external_id)))
        assert every
        with pytest.raises(ValueError, match="without parameters"):
            list(
                _driver_rows(
                    conn, sa.select(AISystem.external_id).where(AISystem.external_id == "AIS-1")
                )
            )


def test_load_inventory_reads_back_the_facts(seeded) -> None:
    loaded = iq.load_inventory(seeded)
    expected = sample_facts()
    assert loaded.facts.systems == expected.systems
    assert loaded.facts.identities == expected.identities
    assert loaded.facts.resources == expected.resources
    assert sorted(loaded.facts.grants, key=repr) == sorted(expected.grants, key=repr)
    assert loaded.facts.delegations == expected.delegations
    assert set(loaded.system_ids) == {"AIS-1", "AIS-2"}


def test_values_outside_the_vocabulary_count_as_unrecorded(seeded) -> None:
    with seeded.db.write() as session:
        session.execute(sa.update(AISystem).where(AISystem.external_id == "AIS-1")
                        .values(autonomy="fully-robotic"))  # fmt: skip
    assert iq.load_inventory(seeded).facts.systems["AIS-1"].autonomy is None


def test_analyse_system(seeded) -> None:
    result = ia.analyse_system(seeded, "AIS-1", today=TODAY)
    blast = result.blast_radius
    assert [p.text("AIS-1") for p in blast.paths()] == [
        "AIS-1 → svc-claims → role-db → claims-db (write)",
        "AIS-1 → svc-claims → kb (read)",
    ]
    assert (blast.raw, blast.score, blast.tier) == (26, 48, RiskTier.MODERATE)
    assert blast.chain.depth == 1
    assert result.risk.tier is RiskTier.CRITICAL
    assert result.risk.factor == "autonomous system with restricted data"
    assert result.risk.target_level == 4
    rules = {(f.rule_id, f.system, f.identity) for f in result.findings}
    assert ("autonomous-write-without-approval", "AIS-1", None) in rules
    assert ("key-not-rotated", None, "svc-claims") in rules
    assert ("identity-shared-by-systems", None, "svc-claims") in rules
    assert all(f.system in (None, "AIS-1") for f in result.findings)
    assert "e^" in result.formula


def test_analyse_unknown_system_or_identity(seeded) -> None:
    with pytest.raises(UserError, match="AIS-404"):
        ia.analyse_system(seeded, "AIS-404")
    with pytest.raises(UserError, match="nobody"):
        ia.analyse_identity(seeded, "nobody")


def test_analyse_identity(seeded) -> None:
    result = ia.analyse_identity(seeded, "role-db", today=TODAY)
    assert result.systems == ()
    assert [(r.resource, r.action) for r in result.blast_radius.resources] == [
        ("claims-db", Action.WRITE)
    ]
    assert result.findings == ()
    shared = ia.analyse_identity(seeded, "svc-claims", today=TODAY)
    assert shared.systems == ("AIS-1", "AIS-2")


def test_analyse_all(seeded) -> None:
    progress = RecordingProgress()
    portfolio = ia.analyse_all(seeded, progress)
    assert [s.ext_id for s in portfolio.systems] == ["AIS-1", "AIS-2"]
    second = portfolio.get("AIS-2")
    assert second is not None
    assert (second.score, second.identities, second.chain_depth) == (48, 2, 1)
    assert second.risk_tier is RiskTier.HIGH
    assert second.risk_factor == "exposure: public"
    assert progress.reports[-1] == 1.0
    with pytest.raises(Cancelled):
        ia.analyse_all(seeded, RecordingProgress(cancel=True))


def test_portfolio_leaves_out_grants_of_an_action_outside_the_vocabulary(seeded, caplog) -> None:
    with seeded.db.write() as session:
        session.execute(sa.update(Grant).where(Grant.action == "write").values(action="overwrite"))
    with caplog.at_level("WARNING"):
        line = ia.analyse_all(seeded).get("AIS-1")
    assert "overwrite" in caplog.text
    full = ia.analyse_system(seeded, "AIS-1", today=TODAY).blast_radius
    assert line is not None
    assert (line.raw, line.score, line.resources) == (full.raw, full.score, len(full.resources))
    assert "claims-db" not in {item.resource for item in full.resources}


def _journal_count(ws) -> int:
    with ws.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(JournalEntry)).scalar_one()


def _statuses(ws) -> dict[str, str]:
    with ws.db.read() as session:
        return dict(session.execute(sa.select(Finding.key, Finding.status)).all())


def test_refresh_is_idempotent_and_journals_once(seeded) -> None:
    first = ia.refresh_identity_findings(seeded, today=TODAY)
    assert first.created > 0
    after_first = _journal_count(seeded)
    rows_first = _statuses(seeded)
    second = ia.refresh_identity_findings(seeded, today=TODAY)
    assert second == ia.FindingRefresh(unchanged=first.created)
    assert _journal_count(seeded) == after_first
    assert _statuses(seeded) == rows_first
    with seeded.db.read() as session:
        entry = session.execute(
            sa.select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)
        ).scalar_one()
    assert entry.action == "findings.identity-refresh"
    assert entry.after["created"] == first.created


def test_refresh_resolves_then_reopens_and_keeps_triage(seeded) -> None:
    ia.refresh_identity_findings(seeded, today=TODAY)
    key = "identity-rule:key-not-rotated:-:svc-claims"
    shared = "identity-rule:identity-shared-by-systems:-:svc-claims"
    with seeded.db.write() as session:
        session.execute(sa.update(Finding).where(Finding.key == shared)
                        .values(status="accepted", owner="ann"))  # fmt: skip
        session.execute(sa.update(Identity).where(Identity.external_id == "svc-claims")
                        .values(last_rotated=TODAY))  # fmt: skip
    result = ia.refresh_identity_findings(seeded, today=TODAY)
    assert result.resolved == 1
    assert _statuses(seeded)[key] == "resolved"
    assert _statuses(seeded)[shared] == "accepted"
    later = TODAY + dt.timedelta(days=200)
    again = ia.refresh_identity_findings(seeded, today=later)
    assert again.reopened >= 1
    assert _statuses(seeded)[key] == "open"
    assert _statuses(seeded)[shared] == "accepted"
    with seeded.db.read() as session:
        row = session.execute(sa.select(Finding).where(Finding.key == key)).scalar_one()
    assert "200 days" in row.title
    assert row.source == "identity-rule"
    assert row.references == ["OWASP NHI7:2025", "OWASP ASI03:2026"]
    assert row.identity_id is not None


def test_refresh_follows_workspace_thresholds(seeded) -> None:
    ia.refresh_identity_findings(seeded, today=TODAY)
    assert "identity-rule:key-not-rotated:-:svc-claims" in _statuses(seeded)
    set_workspace_setting(seeded, "hygiene.rotation_days", 365)
    result = ia.refresh_identity_findings(seeded, today=TODAY)
    assert result.resolved >= 1
    assert _statuses(seeded)["identity-rule:key-not-rotated:-:svc-claims"] == "resolved"


def test_list_findings_filters(seeded) -> None:
    ia.refresh_identity_findings(seeded, today=TODAY)
    with seeded.db.write() as session:
        session.add(Finding(source="manual", title="Hand-written", severity="low"))
    every = iq.list_findings(seeded)
    assert {f.source for f in every} == {"identity-rule", "manual"}
    assert [f.severity for f in every][0] == "critical"
    rules_only = iq.list_findings(seeded, source="identity-rule")
    assert all(f.source == "identity-rule" for f in rules_only)
    assert len(rules_only) == len(every) - 1
    about_help = iq.list_findings(seeded, system="AIS-2")
    assert {f.identity for f in about_help if f.identity} == {"svc-help", "svc-claims"}
    assert all(f.system in (None, "AIS-2") for f in about_help)
    assert iq.list_findings(seeded, status="resolved") == []
    with pytest.raises(UserError):
        iq.list_findings(seeded, system="AIS-404")


def test_listing_systems_and_identities(seeded) -> None:
    ia.refresh_identity_findings(seeded, today=TODAY)
    systems = iq.list_systems(seeded)
    assert [(s.ext_id, s.owner, s.identities) for s in systems] == [
        ("AIS-1", "ann@example.org", 1),
        ("AIS-2", "", 2),
    ]
    assert systems[0].open_findings == 1
    assert [s.ext_id for s in iq.list_systems(seeded, search="helpdesk")] == ["AIS-2"]
    detail = iq.get_system(seeded, "AIS-2")
    assert detail.identities == ("svc-claims", "svc-help")
    with pytest.raises(UserError):
        iq.get_system(seeded, "AIS-404")
    identities = iq.list_identities(seeded)
    assert [(i.ext_id, i.systems, i.grants) for i in identities] == [
        ("role-db", (), 1),
        ("svc-claims", ("AIS-1", "AIS-2"), 1),
        ("svc-help", ("AIS-2",), 1),
    ]
    assert [i.ext_id for i in iq.list_identities(seeded, system="AIS-1")] == ["svc-claims"]


def _add_run(ws, facts: InventoryFacts, name: str) -> int:
    with ws.db.write() as session:
        run = ImportRun(file_name=name, snapshot=snapshot_of(facts))
        session.add(run)
        session.flush()
        return int(run.id)


def test_drift_between_imports_and_with_current_inventory(seeded) -> None:
    with pytest.raises(UserError, match="two applied imports"):
        ia.inventory_drift(seeded)
    old = sample_facts()
    old.grants = [g for g in old.grants if g.identity != "role-db"]
    first = _add_run(seeded, old, "january.xlsx")
    _add_run(seeded, sample_facts(), "march.xlsx")
    drift = ia.inventory_drift(seeded)
    assert drift.old.startswith(f"import {first} (january.xlsx")
    assert drift.report.grants_added == ("role-db → claims-db (write)",)
    assert [w.subject for w in drift.report.identities_widened] == ["role-db", "svc-claims"]
    against_now = ia.inventory_drift(seeded, old_run=first)
    assert against_now.new == "current inventory"
    assert against_now.report == drift.report
    with pytest.raises(UserError, match="99"):
        ia.inventory_drift(seeded, old_run=99)


def test_drift_reads_the_importers_snapshot(seeded) -> None:
    from app.services.inventory_import import store

    with seeded.unit_of_work() as uow:
        snapshot = store.snapshot(uow)
    with seeded.db.write() as session:
        session.add(ImportRun(file_name="a.xlsx", snapshot=snapshot))
    with seeded.db.write() as session:
        session.execute(sa.delete(Delegation))
    drift = ia.inventory_drift(seeded, old_run=1)
    assert drift.report.delegations_removed == ("svc-claims → role-db (assume-role)",)
    assert drift.report.systems_added == ()
    assert drift.report.grants_added == ()


# -- command line -------------------------------------------------------------------------------


@pytest.fixture
def cli(seeded, monkeypatch, capsys):
    import app.cli

    if "systems" not in app.cli.COMMAND_MODULES:
        monkeypatch.setattr(app.cli, "COMMAND_MODULES", (*app.cli.COMMAND_MODULES, "systems"))
    path = seeded.location

    def run(*argv: str) -> tuple[int, str, str]:
        code = app.cli.main(["--workspace", path, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_systems(cli) -> None:
    code, out, _ = cli("systems", "list", "--json")
    assert code == 0
    listed = {item["ext_id"]: item for item in json.loads(out)}
    assert listed["AIS-1"]["analysis"]["risk_tier"] == "critical"
    code, out, _ = cli("systems", "show", "AIS-1", "--today", "2026-03-01")
    assert code == 0
    assert "AIS-1 → svc-claims → role-db → claims-db (write)" in out
    assert "Risk tier: critical (set by autonomous system with restricted data)" in out
    code, out, err = cli("systems", "show", "AIS-404")
    assert (code, out) == (1, "")
    assert err.strip() == "assay: no AI system with id 'AIS-404' in this workspace"


def test_cli_identities_and_findings(cli) -> None:
    code, out, _ = cli("identities", "list", "--system", "AIS-1")
    assert code == 0
    assert "svc-claims" in out
    assert "svc-help" not in out
    code, out, _ = cli("identities", "show", "role-db", "--json")
    assert json.loads(out)["blast_radius"]["resources"][0]["resource"] == "claims-db"
    assert cli("findings", "refresh", "--today", "2026-03-01")[1].startswith("Identity findings:")
    code, out, _ = cli("findings", "list", "--system", "AIS-2", "--json")
    assert code == 0
    assert {row["source"] for row in json.loads(out)} == {"identity-rule"}
    assert cli("findings", "refresh", "--today", "31/02/2026")[0] == 1
    code, _, err = cli("identities", "drift")
    assert code == 1
    assert "two applied imports" in err


def test_system_search_treats_percent_and_underscore_as_text(workspace):
    from app.services.inventory_queries import list_systems
    from app.storage.models import AISystem

    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS_1", name="100% agent"))
        session.add(AISystem(external_id="AISX1", name="Other agent"))
    assert [r.ext_id for r in list_systems(workspace, search="AIS_")] == ["AIS_1"]
    assert [r.ext_id for r in list_systems(workspace, search="100%")] == ["AIS_1"]


def test_one_identity_with_its_grants_delegations_and_open_findings(seeded) -> None:
    ia.refresh_identity_findings(seeded, today=TODAY)
    claims = iq.get_identity(seeded, "svc-claims")
    assert claims.row == next(i for i in iq.list_identities(seeded) if i.ext_id == "svc-claims")
    assert claims.row.owner == "ann@example.org"
    assert claims.row.systems == ("AIS-1", "AIS-2")
    assert claims.grants == (
        iq.GrantRow("kb", "Knowledge base", "internal", "read", "kb:read", None,
                    dt.date(2026, 2, 1)),
    )  # fmt: skip
    assert [(d.source, d.target, d.kind) for d in claims.acts_as] == [
        ("svc-claims", "role-db", "assume-role")
    ]
    assert claims.acted_as_by == ()
    role = iq.get_identity(seeded, "role-db")
    assert role.row.systems == ()
    assert [(g.resource, g.action, g.approval_required) for g in role.grants] == [
        ("claims-db", "write", False)
    ]
    assert [(d.source, d.target) for d in role.acted_as_by] == [("svc-claims", "role-db")]
    assert role.acts_as == ()
    with seeded.db.read() as session:
        help_id = session.execute(
            sa.select(Identity.id).where(Identity.external_id == "svc-help")
        ).scalar_one()
        recorded = session.execute(
            sa.select(sa.func.count())
            .select_from(Finding)
            .where(Finding.identity_id == help_id, Finding.status == "open")
        ).scalar_one()
    assert recorded > 0
    assert iq.get_identity(seeded, "svc-help").open_findings == recorded
    with pytest.raises(UserError, match="no identity with id 'svc-404'"):
        iq.get_identity(seeded, "svc-404")


def _stored_findings(ws) -> list:
    with ws.db.read() as session:
        return session.execute(
            sa.select(Finding.key, Finding.severity, Finding.title, Finding.detail,
                      Finding.references, Finding.system_id, Finding.identity_id,
                      Finding.status, Finding.owner, Finding.question_id, Finding.rule_id,
                      Finding.source, Finding.edited).order_by(Finding.key)
        ).all()  # fmt: skip


def test_findings_written_in_batches_equal_findings_written_at_once(workspace, monkeypatch) -> None:
    """New findings go in a few at a time, indexes built after; each is stored as it was."""
    seed(workspace, sample_facts())
    whole = ia.refresh_identity_findings(workspace, today=TODAY)
    expected = _stored_findings(workspace)
    with workspace.db.write() as session:
        session.execute(sa.delete(Finding))
    monkeypatch.setattr(row_insert, "_BATCH", 2)
    batched = ia.refresh_identity_findings(workspace, today=TODAY)
    assert batched.created == whole.created > 2
    assert _stored_findings(workspace) == expected


def _finding_indexes(ws) -> list[tuple[str, str]]:
    with ws.db.read() as session:
        return session.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = 'finding' ORDER BY name")
        ).all()  # fmt: skip


def _add_manual_finding(ws, title: str) -> None:
    with ws.db.write() as session:
        session.add(Finding(source="manual", title=title, key=f"manual:{title}"))


@pytest.mark.sqlite_only
def test_a_refresh_adding_more_than_the_table_holds_builds_its_indexes_again(
    workspace, monkeypatch, caplog
) -> None:
    """Findings added to a table holding fewer rows are stored alike, its indexes rebuilt."""
    seed(workspace, sample_facts())
    _add_manual_finding(workspace, "kept")
    indexes = _finding_indexes(workspace)
    kept = ia.refresh_identity_findings(workspace, today=TODAY)
    expected = _stored_findings(workspace)
    with workspace.db.write() as session:
        session.execute(sa.delete(Finding).where(Finding.source == "identity-rule"))
    monkeypatch.setattr(row_insert, "_MIN_REBUILD", 1)
    monkeypatch.setattr(row_insert, "_BATCH", 2)
    with caplog.at_level("INFO", logger=row_insert.__name__):
        rebuilt = ia.refresh_identity_findings(workspace, today=TODAY)
    assert "indexes built again" in caplog.text
    assert rebuilt.created == kept.created > 2
    assert _stored_findings(workspace) == expected
    assert _finding_indexes(workspace) == indexes
    with workspace.db.read() as session:
        plan = session.execute(
            sa.text("EXPLAIN QUERY PLAN SELECT id FROM finding WHERE identity_id = 1")
        ).all()
    assert "ix_finding_identity_id" in str(plan)


@pytest.mark.sqlite_only
def test_a_refresh_that_fails_while_writing_leaves_findings_and_indexes_as_they_were(
    workspace, monkeypatch
) -> None:
    seed(workspace, sample_facts())
    _add_manual_finding(workspace, "kept")
    indexes, before = _finding_indexes(workspace), _stored_findings(workspace)
    journal = _journal_count(workspace)
    monkeypatch.setattr(row_insert, "_MIN_REBUILD", 1)
    monkeypatch.setattr(row_insert, "_BATCH", 2)
    written = row_insert._sqlite_insert

    def fail_after_writing(conn, *args, **kwargs) -> None:
        written(conn, *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(row_insert, "_sqlite_insert", fail_after_writing)
    with pytest.raises(OSError, match="disk full"):
        ia.refresh_identity_findings(workspace, today=TODAY)
    assert _stored_findings(workspace) == before
    assert _finding_indexes(workspace) == indexes
    assert _journal_count(workspace) == journal


def test_new_findings_take_the_defaults_and_a_global_id_each(seeded) -> None:
    created = ia.refresh_identity_findings(seeded, today=TODAY).created
    with seeded.db.read() as session:
        rows = session.execute(sa.select(Finding)).scalars().all()
    assert len(rows) == created > 2
    assert len({row.gid for row in rows}) == created
    for row in rows:
        gid = uuid.UUID(row.gid)
        assert (str(gid), gid.version, gid.variant) == (row.gid, 4, uuid.RFC_4122)
    for row in rows:
        empty = (row.owner, row.question_id, row.effort, row.accepted_by, row.management_response)
        assert (row.status, *empty) == ("open", "", "", "", "", "")
        assert (row.edited, row.merged_keys, row.due_date, row.assessment_id) == (
            [],
            [],
            None,
            None,
        )
        assert row.created_at == row.updated_at
        assert row.references
        assert all(ref.startswith("OWASP ") for ref in row.references)
