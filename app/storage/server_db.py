"""Engine, connections and sessions of a workspace held on a PostgreSQL server.

The team store behaves as the file does: a snapshot is one ``REPEATABLE READ READ ONLY``
transaction, and every write transaction first takes one transaction-scoped advisory lock, so
writers follow one another exactly as ``BEGIN IMMEDIATE`` makes them do on a file and the
journal's hash chain stays one line. Every connection waits at most the busy timeout for a lock
(``lock_timeout``, set when it connects, so a write spends no round trip on it); the brief wait
of the window's thread becomes its write transaction's own ``lock_timeout``.

psycopg is imported only when a server workspace is opened (through SQLAlchemy's
``postgresql+psycopg`` dialect), so a file workspace starts without it.

Passwords are never kept by Assay: libpq finds them (``PGPASSWORD``, the password file), or
the URL given for this connection carries one, which is used for it and shown nowhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import Session

from app.storage.db import BUSY_TIMEOUT_MS, Database
from app.storage.server_roles import watch_roles
from app.support.locations import display_location

logger = logging.getLogger(__name__)

#: The key of the advisory lock every writer takes ("ASSY"): one writer at a time.
WRITE_LOCK_KEY = 0x41535359
#: How long opening a connection may take before the server counts as unreachable.
CONNECT_TIMEOUT_S = 10


def server_url(url: str) -> sa.URL:
    """Return SQLAlchemy's URL for the psycopg dialect (password, if any, kept in memory)."""
    parsed = sa.make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def where(url: str) -> tuple[str, str, str]:
    """Return ``(host:port, user, database)`` of a URL for messages (libpq's defaults)."""
    parsed = sa.make_url(url)
    host = parsed.host or "localhost"
    return f"{host}:{parsed.port or 5432}", parsed.username or "", parsed.database or ""


def create_server_engine(url: str, *, read_only: bool = False) -> sa.Engine:
    """Create the SQLAlchemy engine for a server workspace.

    Every connection runs in UTC (stored times are UTC, as in a file) and, read-only, refuses
    writes on the server side too. Statements' parameters are kept out of error messages.
    Each connection learns its login's team role, so an action the role may not take is
    refused in a sentence that names it.

    Args:
        url: The ``postgresql://`` URL.
        read_only: Open the workspace read-only.
    """
    options = f"-c timezone=UTC -c lock_timeout={BUSY_TIMEOUT_MS}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    engine = sa.create_engine(
        server_url(url),
        hide_parameters=True,
        pool_pre_ping=True,
        connect_args={
            "options": options,
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "assay",
        },
    )
    watch_roles(engine)
    return engine


class ServerDatabase(Database):
    """Sessions on a workspace held in a PostgreSQL database.

    Args:
        url: The ``postgresql://`` URL (a password in it is used, never shown).
        read_only: Open it read-only: every write is refused.
    """

    is_server = True

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.location = display_location(url)
        self.read_only = read_only
        self.engine = create_server_engine(url, read_only=read_only)
        self._brief_waits: dict[int, int] = {}
        self._snapshots = threading.local()

    def _snapshot_connection(self, conn: sa.Connection) -> sa.Connection:
        return conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)

    def _pin_snapshot(self, conn: sa.Connection) -> None:
        conn.exec_driver_sql("SELECT 1").all()

    @contextmanager
    def _write_connection(self, conn: sa.Connection, brief: int | None) -> Iterator[sa.Connection]:
        yield conn  # the lock is taken inside the transaction, by _take_write_lock

    def _take_write_lock(self, session: Session, brief: int | None) -> None:
        if brief is not None:  # otherwise the connection's own lock_timeout applies
            session.execute(sa.text(f"SET LOCAL lock_timeout = {int(brief)}"))
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})

    def login(self) -> str:
        """Return the database login this workspace works as (the journal's actor)."""
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("SELECT current_user").scalar_one())
