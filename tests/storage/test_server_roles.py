# ruff: noqa: F811 - the fixtures imported above are parameters of the tests
"""The team roles are enforced by a real PostgreSQL server, whatever program connects.

An assessor's login cannot finalise, approve, sign or delete a record, by direct SQL or
through the services; a reviewer approves; a lead finalises and deletes; no role (nor the
journal's owner) can change or delete a journal entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.domain.record_kinds import SYSTEMS
from app.services import inventory_edit, review, server_roles
from app.services.assessment_lifecycle import finalize
from app.services.errors import database_message
from app.storage import server_roles as roles
from app.storage.models import AISystem, Assessment, Finding
from app.storage.unit_of_work import UnitOfWork
from tests.storage.team_server import LOGINS, OWNER, team_server  # noqa: F401
from tests.storage.team_server import engine_as as _engine


@contextmanager
def _unit(url: str, login: str) -> Iterator[UnitOfWork]:
    """A unit of work connected as ``login``, committed at the end of the block."""
    engine = _engine(url, login)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield UnitOfWork(session, login)
    finally:
        engine.dispose()


@pytest.fixture
def in_review(team_server: str) -> int:
    """An assessment in review of a new AI system, added by the owner; returns its id."""
    engine = _engine(team_server)
    with Session(engine) as session, session.begin():
        system = AISystem(external_id=f"S-{uuid.uuid4().hex[:6]}", name="Claims agent")
        session.add(system)
        session.flush()
        row = Assessment(system_id=system.id, title="Round 1", status="in-review")
        session.add(row)
        session.flush()
        found = row.id
    engine.dispose()
    assert found is not None
    return found


def _refused(url: str, login: str, statement: str) -> str:
    engine = _engine(url, login)
    try:
        with pytest.raises(sa.exc.DBAPIError) as caught, engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
    sentence = database_message(caught.value)
    assert sentence is not None
    return sentence


def _status(url: str, assessment_id: int) -> str:
    engine = _engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT status FROM assessment WHERE id = :i"), {"i": assessment_id}
        ).scalar_one()
    engine.dispose()
    return str(found)


def test_an_assessor_cannot_finalise_by_sql(team_server: str, in_review: int) -> None:
    sentence = _refused(
        team_server,
        "ann_assessor",
        f"UPDATE assessment SET status = 'final' WHERE id = {in_review}",
    )
    assert sentence == "your role on this server (assessor) cannot finalise an assessment"
    assert _status(team_server, in_review) == "in-review"


def test_an_assessor_cannot_finalise_through_the_service(team_server: str, in_review: int) -> None:
    with pytest.raises(sa.exc.DBAPIError) as caught, _unit(team_server, "ann_assessor") as uow:
        finalize(uow, in_review, force=True)
    assert database_message(caught.value) == (
        "your role on this server (assessor) cannot finalise an assessment"
    )
    assert _status(team_server, in_review) == "in-review"


def test_a_lead_finalises(team_server: str, in_review: int) -> None:
    with _unit(team_server, "lee_lead") as uow:
        info = finalize(uow, in_review, force=True)
    assert info.status == "final"
    assert _status(team_server, in_review) == "final"
    sentence = _refused(team_server, "rob_reviewer", f"UPDATE assessment SET title = 'x' "
                        f"WHERE id = {in_review}")  # fmt: skip
    assert sentence == "your role on this server (reviewer) cannot change a final assessment"


def test_an_assessor_cannot_delete(team_server: str, in_review: int) -> None:
    sentence = _refused(team_server, "ann_assessor", "DELETE FROM response")
    assert sentence == "your role on this server (assessor) cannot delete answers"
    engine = _engine(team_server)
    with Session(engine) as session, session.begin():
        system = AISystem(external_id="LONE-1", name="Unused system")
        session.add(system)
    engine.dispose()
    with pytest.raises(sa.exc.DBAPIError) as caught, _unit(team_server, "ann_assessor") as uow:
        inventory_edit.delete_record(uow, SYSTEMS, "LONE-1")
    assert database_message(caught.value) == (
        "your role on this server (assessor) cannot delete AI systems"
    )
    with _unit(team_server, "lee_lead") as uow:
        inventory_edit.delete_record(uow, SYSTEMS, "LONE-1")


def test_a_hand_written_finding_is_the_leads_to_delete(team_server: str) -> None:
    engine = _engine(team_server)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        manual, derived = Finding(title="By hand"), Finding(title="Gap", source="gap")
        session.add_all([manual, derived])
    engine.dispose()
    sentence = _refused(team_server, "ann_assessor", f"DELETE FROM finding WHERE id = {manual.id}")
    assert sentence == "your role on this server (assessor) cannot delete a finding entered by hand"
    assessor = _engine(team_server, "ann_assessor")
    with assessor.begin() as conn:  # a derived one goes with a refresh, whoever runs it
        deleted = conn.exec_driver_sql(f"DELETE FROM finding WHERE id = {derived.id}")
        assert deleted.rowcount == 1
    assessor.dispose()


@pytest.mark.parametrize("login", [*LOGINS, OWNER])
def test_no_one_changes_or_deletes_a_journal_entry(team_server: str, login: str) -> None:
    with _unit(team_server, "ann_assessor") as uow:
        uow.record("note.add", "note", 1, after={"text": "first"})
    role = LOGINS.get(login)
    for statement, verb in (("UPDATE journal_entry SET actor = 'someone else'", "change"),
                            ("DELETE FROM journal_entry", "delete"),
                            ("TRUNCATE journal_entry", "delete")):  # fmt: skip
        sentence = _refused(team_server, login, statement)
        if role is None:  # the owner passes the grants; the journal's own guard refuses
            assert (
                sentence == "the journal is append-only: its entries cannot be changed or deleted"
            )
        else:
            assert sentence == (f"your role on this server ({role}) cannot {verb} the journal's "
                                "entries: the journal is append-only")  # fmt: skip
    engine = _engine(team_server)
    with engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM journal_entry").scalar_one()
        actors = set(conn.exec_driver_sql("SELECT actor FROM journal_entry").scalars())
    engine.dispose()
    assert count >= 1
    assert "someone else" not in actors


def test_a_reviewer_approves_and_an_assessor_cannot(team_server: str, in_review: int) -> None:
    with pytest.raises(sa.exc.DBAPIError) as caught, _unit(team_server, "ann_assessor") as uow:
        review.approve(uow, in_review)
    assert database_message(caught.value) == (
        "your role on this server (assessor) cannot approve an assessment"
    )
    with _unit(team_server, "rob_reviewer") as uow:
        comment = review.add_comment(uow, in_review, "Say who rotates the key.")
    with _unit(team_server, "ann_assessor") as uow:  # answering a comment is the assessor's work
        review.resolve_comment(uow, comment.id, "Owner named.")
    with _unit(team_server, "rob_reviewer") as uow:
        approved_at = review.approve(uow, in_review)
    assert approved_at is not None
    sentence = _refused(
        team_server,
        "ann_assessor",
        "INSERT INTO review_comment (assessment_id, "
        f"question_id, text, author, created_at, status, resolution, "
        f"resolved_by) VALUES ({in_review}, '', 't', 'a', now(), 'open', '', '')",
    )
    assert sentence == "your role on this server (assessor) cannot write a review comment"


def test_only_a_lead_signs_a_report(team_server: str) -> None:
    signed = {"file": "r.pdf", "signed_by": "Ann"}
    with pytest.raises(sa.exc.DBAPIError) as caught, _unit(team_server, "ann_assessor") as uow:
        uow.record("report.pdf", "assessment", 1, after=signed)
    assert database_message(caught.value) == (
        "your role on this server (assessor) cannot sign a report"
    )
    with _unit(team_server, "ann_assessor") as uow:  # an unsigned report is anyone's to write
        uow.record("report.pdf", "assessment", 1, after={"file": "r.pdf", "signed_by": ""})
    with _unit(team_server, "lee_lead") as uow:
        uow.record("report.pdf", "assessment", 1, after=signed)


def test_the_schema_version_is_read_only(team_server: str) -> None:
    sentence = _refused(team_server, "lee_lead", "DELETE FROM alembic_version")
    assert sentence == "your role on this server (lead) cannot delete the schema version"


def test_grant_revoke_and_list(team_server: str) -> None:
    assert {(m.login, m.role) for m in server_roles.members(team_server)} >= set(LOGINS.items())
    engine = _engine(team_server)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE ROLE tmp_login LOGIN")
        assert roles.team_role(conn) == "lead"  # the owner may do everything a lead may
    engine.dispose()
    server_roles.grant(team_server, "tmp_login", "assessor")
    server_roles.grant(team_server, "tmp_login", "reviewer")  # one role at a time
    held = {m.login: m.role for m in server_roles.members(team_server)}
    assert held["tmp_login"] == "reviewer"
    assert server_roles.revoke(team_server, "tmp_login") == ["reviewer"]
    assert "tmp_login" not in {m.login for m in server_roles.members(team_server)}


def test_role_names_belong_to_one_database() -> None:
    assert roles.role_name("acme", "lead") == "acme_lead"
    odd = roles.role_name("Acme-2026", "assessor")
    assert odd.startswith("acme_2026_")
    assert odd.endswith("_assessor")
    assert odd != roles.role_name("acme_2026", "assessor")
    assert len(roles.role_name("x" * 63, "reviewer")) <= 63


def test_a_copied_database_does_not_keep_the_originals_roles(team_server: str) -> None:
    original = sa.make_url(team_server).database
    assert original is not None
    copy = f"{original}_copy"
    admin = _engine(team_server.rsplit("/", 1)[0] + "/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {copy} TEMPLATE {original}")
    admin.dispose()
    engine = _engine(team_server.rsplit("/", 1)[0] + f"/{copy}")
    with engine.begin() as conn:
        roles.install_roles(conn)
    with engine.connect() as conn:
        for database, expected in ((original, False), (copy, True)):
            held = conn.exec_driver_sql(
                "SELECT has_table_privilege(%(r)s, 'ai_system', 'SELECT')",
                {"r": roles.role_name(database, "assessor")},
            ).scalar_one()
            assert held is expected
    engine.dispose()
    admin = _engine(team_server.rsplit("/", 1)[0] + "/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"DROP DATABASE {copy} WITH (FORCE)")
    admin.dispose()


def test_an_assessor_working_in_the_server_workspace_is_told_why(
    team_server: str, in_review: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main
    from app.services.workspace import open_workspace

    as_ann = team_server.replace(f"{OWNER}@", "ann_assessor@")
    ws = open_workspace(as_ann)
    try:
        assert ws.actor == "ann_assessor"
        inventory_edit.add_record(ws, SYSTEMS, "ANN-1", {"name": "Triage bot"})  # allowed
        with pytest.raises(sa.exc.DBAPIError) as caught:
            finalize(ws, in_review, force=True)
        assert database_message(caught.value) == (
            "your role on this server (assessor) cannot finalise an assessment"
        )
    finally:
        ws.close()
    argv = ["--workspace", as_ann, "assess", "finalize", "--assessment", str(in_review), "--force"]
    assert main(argv) == 1
    assert capsys.readouterr().err.strip() == (
        "assay: your role on this server (assessor) cannot finalise an assessment"
    )
    assert _status(team_server, in_review) == "in-review"
