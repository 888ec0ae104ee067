"""A server workspace with the team roles installed and one login per role, for role tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.services import server_roles
from app.services.server_workspace import init_server
from app.storage import server_roles as roles
from tests.pg_cluster import LOGIN as OWNER

__all__ = ["LOGINS", "OWNER", "engine_as", "team_server"]

LOGINS = {"ann_assessor": "assessor", "rob_reviewer": "reviewer", "lee_lead": "lead"}


@pytest.fixture(scope="module")
def team_server(pg_cluster) -> Iterator[str]:
    """A fresh server workspace whose roles are installed, with its logins; yields its URL."""
    url = pg_cluster.fresh_workspace_url()
    for login in LOGINS:
        pg_cluster.admin(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{login}') "
            f"THEN CREATE ROLE {login} LOGIN; END IF; END $$"
        )
    init_server(url)  # up to date already: installs the roles of this database only
    init_server(url)  # a second run changes nothing
    for login, role in LOGINS.items():
        server_roles.grant(url, login, role)
    yield url
    pg_cluster.drop_database(url)


def engine_as(url: str, login: str | None = None) -> sa.Engine:
    """Return an engine on the workspace's database connected as ``login`` (or its owner)."""
    address = sa.make_url(url).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(address.set(username=login) if login else address,
                              poolclass=sa.NullPool)  # fmt: skip
    roles.watch_roles(engine)
    return engine
