"""``assay workspace copy`` through a PostgreSQL server: file → server → file is identical."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.services.errors import UserError
from app.services.integrity import check_workspace
from app.services.workspace import open_workspace
from app.services.workspace_copy import copy_workspace
from tests.services.test_workspace_copy import table_contents


@pytest.fixture
def demo_file(demo_build, tmp_path) -> Path:
    """A private copy of the demo workspace."""
    result, _ = demo_build
    target = tmp_path / "demo.assay"
    shutil.copyfile(result.workspace_path, target)
    return target


def test_file_to_server_to_file_keeps_the_journal_head_and_every_row(
    demo_file, server_url, tmp_path
):
    there = copy_workspace(str(demo_file), server_url)
    back = copy_workspace(server_url, str(tmp_path / "back.assay"))

    assert there.verified, there.problems
    assert back.verified, back.problems
    assert back.destination_head == there.source_head
    assert back.tables == there.tables
    assert table_contents(tmp_path / "back.assay") == table_contents(demo_file)


def test_the_server_copy_passes_check_and_takes_new_rows(demo_file, server_url):
    copy_workspace(str(demo_file), server_url)

    server = open_workspace(server_url)
    try:
        report = check_workspace(server)
        assert report.ok, report.problems
        from app.services.engagement import update_engagement

        update_engagement(server, client="After the move")  # a fresh id and journal entry
        assert check_workspace(server).ok
    finally:
        server.close()


def test_a_server_holding_data_is_refused(demo_file, server_url):
    copy_workspace(str(demo_file), server_url)

    with pytest.raises(UserError, match="already holds a workspace with data"):
        copy_workspace(str(demo_file), server_url)


def test_an_empty_server_database_is_initialised_first(demo_file, pg_cluster):
    url = pg_cluster.create_database("assay_copy_empty")
    try:
        result = copy_workspace(str(demo_file), url)
        assert result.verified, result.problems
    finally:
        pg_cluster.drop_database(url)


def test_an_unreachable_server_is_one_sentence(demo_file):
    with pytest.raises(UserError) as caught:
        copy_workspace(str(demo_file), "postgresql://nobody@127.0.0.1:9/none")
    assert "\n" not in str(caught.value)


def test_a_lead_copies_a_workspace_onto_the_server(demo_file, pg_cluster):
    """The lead, not only the database owner, can move a workspace onto the team server."""
    from app.services import server_roles
    from app.services.server_workspace import init_server

    url = pg_cluster.create_database("assay_copy_by_lead")
    pg_cluster.admin(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'copy_lead') "
        "THEN CREATE ROLE copy_lead LOGIN; END IF; END $$"
    )
    try:
        init_server(url)
        server_roles.grant(url, "copy_lead", "lead")
        as_lead = url.replace(f"//{sa_user(url)}@", "//copy_lead@")
        result = copy_workspace(str(demo_file), as_lead)
        assert result.verified, result.problems
        assert result.destination_head == result.source_head
    finally:
        pg_cluster.drop_database(url)


def sa_user(url: str) -> str:
    """Return the login a PostgreSQL URL names."""
    import sqlalchemy as sa

    return str(sa.make_url(url).username)
