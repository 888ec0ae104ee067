"""What a PostgreSQL database holds, and the creation of Assay's schema in it.

A database holds nothing, Assay's schema, or another program's tables; ``assay server init``
creates the schema through the same Alembic migrations as a file gets.

A database is Assay's when it has the marker table that migration 0001 creates on a server (a
file carries ``PRAGMA application_id`` instead).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from app.storage import migrate
from app.storage.db import APPLICATION_ID, SERVER_MARK_TABLE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerState:
    """What a server database holds.

    Attributes:
        kind: ``empty`` (no tables), ``assay`` (marked as Assay's) or ``foreign`` (tables of
            another program).
        revision: The schema revision stamped in an Assay database.
    """

    kind: str
    revision: str | None = None

    @property
    def too_new(self) -> bool:
        """Return True when a newer Assay wrote the schema."""
        return self.revision is not None and self.revision not in migrate.KNOWN_REVISIONS

    @property
    def up_to_date(self) -> bool:
        """Return True when the schema is this Assay's head."""
        return self.revision == migrate.HEAD_REVISION


class UnusableDatabaseError(Exception):
    """The database cannot take Assay's schema; ``state`` says what it holds."""

    def __init__(self, state: ServerState) -> None:
        super().__init__(state.kind)
        self.state = state


def inspect_server(engine: sa.Engine) -> ServerState:
    """Return what the database behind ``engine`` holds (in its current schema)."""
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        if not tables:
            return ServerState("empty")
        if SERVER_MARK_TABLE not in tables:
            return ServerState("foreign")
        mark = conn.exec_driver_sql(f"SELECT application_id FROM {SERVER_MARK_TABLE}").first()
        if mark is None or mark[0] != APPLICATION_ID:
            return ServerState("foreign")
        return ServerState("assay", migrate.revision_of(conn))


def install_roles_hook(engine: sa.Engine) -> None:
    """Install the application's roles and grants after the schema is created or upgraded.

    The roles live in ``app.storage.server_roles`` (``install_roles(connection)``); until that
    module exists the schema is created without them.
    """
    try:
        from app.storage import server_roles  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        logger.info("no server roles module; the schema was created without roles")
        return
    with engine.begin() as conn:
        server_roles.install_roles(conn)


def initialise(engine: sa.Engine) -> tuple[ServerState, ServerState]:
    """Create or upgrade Assay's schema in a server database; return the states before, after.

    An up-to-date database is left as it is (the roles are installed again, which is harmless).

    Raises:
        UnusableDatabaseError: The database holds another program's tables, or a newer
            Assay's schema.
    """
    before = inspect_server(engine)
    if before.kind == "foreign" or before.too_new:
        raise UnusableDatabaseError(before)
    if not before.up_to_date:
        migrate.upgrade_to_head(engine)
    install_roles_hook(engine)
    return before, inspect_server(engine)


def schema_revision(engine: sa.Engine) -> str | None:
    """Return the schema revision stamped in a server database."""
    with engine.connect() as conn:
        return migrate.revision_of(conn)


def server_verdict(engine: sa.Engine) -> str:
    """Return ``ok`` when the server answers a query on the workspace's tables."""
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT count(*) FROM {SERVER_MARK_TABLE}").scalar_one()
    return "ok"
