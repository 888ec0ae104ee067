"""The PostgreSQL store on a real throw-away server: writers in line, snapshots, refusals."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from app.cli import main
from app.services.errors import WorkspaceError
from app.services.integrity import check_workspace
from app.services.server_workspace import init_server
from app.services.workspace import open_workspace
from app.storage import errors as db_errors
from app.storage import journal
from app.storage.models import JournalEntry
from app.storage.server_db import WRITE_LOCK_KEY
from app.storage.server_errors import server_kind, server_sentence
from app.support.locations import display_location


def _append(workspace, count: int, label: str) -> None:
    for index in range(count):
        with workspace.db.write() as session:
            journal.record(
                session,
                actor=workspace.actor,
                action="test.change",
                entity=label,
                entity_id=index,
                before=None,
                after={"value": index},
            )


def _entries(workspace) -> int:
    with workspace.db.read() as session:
        return int(session.exec(select(func.count()).select_from(JournalEntry)).one())


def test_concurrent_writers_keep_one_linear_chain(server_url):
    writers = [open_workspace(server_url) for _ in range(3)]
    try:
        threads = [
            threading.Thread(target=_append, args=(ws, 15, f"writer-{n}"))
            for n, ws in enumerate(writers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        with writers[0].db.read() as session:
            chain = journal.verify_chain(session)
        assert chain.ok, chain.reason
        assert chain.entries == _entries(writers[0]) == 45
        assert check_workspace(writers[0]).ok
    finally:
        for ws in writers:
            ws.close()


def test_a_snapshot_does_not_see_what_another_user_commits(server_url):
    reader, writer = open_workspace(server_url), open_workspace(server_url)
    try:
        _append(writer, 2, "before")
        with reader.db.snapshot():
            assert _entries(reader) == 2
            _append(writer, 3, "during")
            assert _entries(reader) == 2
        assert _entries(reader) == 5
    finally:
        reader.close()
        writer.close()


def test_the_journal_actor_is_the_database_login(server_url):
    ws = open_workspace(server_url, actor="someone else")
    try:
        assert ws.actor == "tester"
        assert ws.is_server
        assert ws.path is None
        assert ws.location == server_url
        assert ws.name == server_url.rsplit("/", 1)[1]
    finally:
        ws.close()


def test_an_empty_database_asks_for_server_init_and_init_is_idempotent(pg_cluster, capsys):
    url = pg_cluster.create_database("assay_empty_db")
    try:
        with pytest.raises(WorkspaceError, match="run `assay server init"):
            open_workspace(url)
        assert main(["server", "init", url]) == 0
        assert "created Assay's schema" in capsys.readouterr().out
        assert main(["server", "init", url]) == 0
        assert "already holds Assay's schema" in capsys.readouterr().out
        open_workspace(url).close()
    finally:
        pg_cluster.drop_database(url)


def test_another_programs_database_is_refused_and_left_alone(pg_cluster):
    url = pg_cluster.create_database("assay_foreign_db")
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE invoices (id integer primary key)")
        with pytest.raises(WorkspaceError, match="another program"):
            open_workspace(url)
        with pytest.raises(WorkspaceError, match="another program"):
            init_server(url)
        with psycopg.connect(url) as conn:
            tables = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        assert tables == [("invoices",)]
    finally:
        pg_cluster.drop_database(url)


def test_a_newer_schema_is_refused(server_url):
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(WorkspaceError, match="newer version of Assay"):
        open_workspace(server_url)


def _open_error(url: str) -> str:
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(url)
    return str(caught.value)


def test_connection_failures_are_plain_sentences(pg_cluster):
    with socket_closed_port() as port:
        message = _open_error(f"postgresql://tester:hunter2@127.0.0.1:{port}/x")
    assert message.startswith(f"the server is not reachable at 127.0.0.1:{port}")
    assert "hunter2" not in message
    message = _open_error(pg_cluster.url("postgres", user="nobody"))
    assert "refused the login for user nobody" in message
    message = server_sentence("no-password", "OperationalError", ("db:5432", "ada", "acme"))
    assert message.startswith("the server at db:5432 asks for a password for user ada")
    assert server_kind(psycopg.OperationalError("fe_sendauth: no password supplied")) == (
        "no-password"
    )
    message = _open_error(pg_cluster.url("no_such_db"))
    assert "database no_such_db does not exist" in message
    assert "Traceback" not in message
    assert "SELECT" not in message


def test_a_password_in_the_url_is_used_but_never_shown(server_url):
    with_password = server_url.replace("tester@", "tester:s3cret@")
    ws = open_workspace(with_password)
    try:
        assert "s3cret" not in ws.location
        assert "s3cret" not in repr(ws.db.engine.url)
        assert display_location(with_password) == server_url
    finally:
        ws.close()


def test_a_brief_write_gives_up_while_another_writer_holds_the_lock(server_url):
    ws = open_workspace(server_url)
    holder = psycopg.connect(server_url)
    try:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
        ws.db.wait_briefly_on_this_thread(200)
        with pytest.raises(sa.exc.OperationalError) as caught, ws.db.write() as session:
            session.execute(sa.text("SELECT 1"))
        assert db_errors.classify(caught.value).kind == "busy"
        assert "lock wait timed out" in db_errors.describe(caught.value)
        holder.rollback()
        _append(ws, 1, "after")  # the lock is free again
    finally:
        holder.close()
        ws.close()


class socket_closed_port:  # noqa: N801 - used as a context manager
    """A local port with nothing listening on it."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def __exit__(self, *_exc: object) -> None:
        return None


def test_a_server_workspace_travels_to_another_process_by_its_url(server_url):
    ws = open_workspace(server_url)
    try:
        _append(ws, 1, "before")
        again = pickle.loads(pickle.dumps(ws))  # what a background process receives
        try:
            assert (again.location, again.actor, again.is_server) == (server_url, "tester", True)
            assert _entries(again) == 1
        finally:
            again.close()
        ws.refuse_own_file(Path("anything.xlsx"), "imported")  # no file of its own: no refusal
    finally:
        ws.close()


def test_a_login_without_rights_is_told_so_in_a_sentence(pg_cluster, server_url):
    pg_cluster.admin(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'visitor')"
        " THEN CREATE ROLE visitor LOGIN; END IF; END $$"
    )
    message = _open_error(server_url.replace("tester@", "visitor@"))
    assert message.startswith("the server at 127.0.0.1:")
    assert "does not let user visitor do that in database " in message
    assert "`assay server grant`" in message


def test_check_knows_assays_own_triggers_and_reports_a_rewritten_function(server_url):
    workspace = open_workspace(server_url)
    try:
        assert check_workspace(workspace).ok
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(
                "CREATE OR REPLACE FUNCTION change_count_bump() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN DELETE FROM response; RETURN NULL; END $$"
            )
            conn.execute(
                "CREATE FUNCTION quiet() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RETURN NEW; END $$"
            )
            conn.execute(
                "CREATE TRIGGER quiet BEFORE UPDATE ON response "
                "FOR EACH ROW EXECUTE FUNCTION quiet()"
            )
        report = check_workspace(workspace)
        assert not report.ok
        assert report.problems["schema"] == [
            "trigger 'quiet' on response was added outside Assay (it is not one of Assay's own)",
            "function 'change_count_bump' was changed outside Assay (it is not as Assay made it)",
            "function 'quiet' was added outside Assay (it is not one of Assay's own)",
        ]
    finally:
        workspace.close()


def test_check_reports_a_team_role_guard_rewritten_to_let_everyone_through(server_url):
    workspace = open_workspace(server_url)
    try:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(
                "CREATE OR REPLACE FUNCTION assay_may(wanted text) RETURNS boolean "
                "LANGUAGE sql STABLE AS $$ SELECT true $$"
            )
        assert check_workspace(workspace).problems["schema"] == [
            "function 'assay_may' was changed outside Assay (it is not as Assay made it)"
        ]
    finally:
        workspace.close()
