"""Engine, connections and sessions of one workspace file.

Reads use ordinary deferred transactions; writes use ``BEGIN IMMEDIATE`` so that two writers
never interleave (the journal's hash chain depends on that). Every connection gets the same
pragmas: WAL, foreign keys, a busy timeout and full sync on commit.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

logger = logging.getLogger(__name__)

#: Marks a SQLite file as an Assay workspace (``PRAGMA application_id``): "ASSY".
APPLICATION_ID = 0x41535359
#: The table that marks a server database as an Assay workspace (holding ``APPLICATION_ID``).
SERVER_MARK_TABLE = "assay_workspace"
BUSY_TIMEOUT_MS = 15_000
#: The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
_WRITE_OPTION = "assay_write"


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe), so that
    # writes can ask for BEGIN IMMEDIATE.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _on_connect_read_only(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    dbapi_conn.execute("PRAGMA foreign_keys=ON")


def _uri(path: Path, read_only: bool) -> str:
    """Return the SQLite URI of a file: never creating it; read-only ones as immutable.

    A read-only workspace lives where nothing can write (an archive share, a full disk), so
    SQLite is told not to look for other writers, which also spares it the WAL's side files.
    """
    mode = "ro&immutable=1" if read_only else "rw"
    return f"{Path(path).resolve().as_uri()}?mode={mode}"


def _on_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get(_WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def create_engine(path: Path, *, read_only: bool = False) -> sa.Engine:
    """Create the SQLAlchemy engine for a workspace file with Assay's pragmas.

    The file must exist: a connection opened late (say by a background task of a workspace
    that was closed and deleted meanwhile) fails instead of leaving an empty file behind.

    Statements' parameters are kept out of SQLAlchemy's error messages (rows can hold
    secrets); :mod:`app.storage.errors` turns errors into plain sentences.

    Args:
        path: The workspace file.
        read_only: Open the file read-only.

    Returns:
        An engine whose connections are configured for Assay.
    """
    target = _uri(path, read_only)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            target, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )

    # The URL names the file so SQLAlchemy pools as for a file (not one connection per thread).
    engine = sa.create_engine(f"sqlite:///{path}", creator=connect, hide_parameters=True)
    sa.event.listen(engine, "connect", _on_connect_read_only if read_only else _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
    return engine


class SnapshotWriteError(RuntimeError):
    """A write was attempted inside a read snapshot (a programming error, never the user's)."""


class Database:
    """Sessions on one workspace file.

    The server store (:class:`app.storage.server_db.ServerDatabase`) shares this interface and
    its read, snapshot and write logic; it differs only in how a snapshot is pinned and how a
    writer takes the write lock.

    Args:
        path: The workspace file, which must already carry the current schema.
        read_only: Open it read-only: every write is refused.
    """

    #: True for a workspace held on a database server.
    is_server = False

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.engine = create_engine(self.path, read_only=read_only)
        self._brief_waits: dict[int, int] = {}
        self._snapshots = threading.local()

    def wait_briefly_on_this_thread(self, busy_ms: int) -> None:
        """Let writes started on the calling thread wait at most ``busy_ms`` for the lock.

        The desktop app calls this on its UI thread: when another program holds the write
        lock, a change typed in the window fails after a moment (and says so) instead of
        freezing the window for the full busy timeout. Other threads keep the long wait.
        """
        self._brief_waits[threading.get_ident()] = busy_ms

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading; nothing it does is committed.

        Inside :meth:`snapshot` on the same thread the session reads the snapshot.
        """
        pinned: sa.Connection | None = getattr(self._snapshots, "connection", None)
        if pinned is not None:
            with Session(
                bind=pinned, expire_on_commit=False, join_transaction_mode="create_savepoint"
            ) as session:
                yield session
            return
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Make every read on this thread inside the block one read transaction.

        All :meth:`read` sessions of the calling thread see the workspace as it was when the
        block began, whatever other connections or processes commit meanwhile; a write on
        this thread inside the block is refused (a report is built from one snapshot and
        writes nothing). Nested blocks share the outer snapshot.

        Raises:
            SnapshotWriteError: From :meth:`write` called on this thread inside the block.
        """
        if getattr(self._snapshots, "connection", None) is not None:
            yield
            return
        with self.engine.connect() as plain:
            conn = self._snapshot_connection(plain)
            with conn.begin():
                self._pin_snapshot(conn)
                self._snapshots.connection = conn
                try:
                    yield
                finally:
                    self._snapshots.connection = None

    def _snapshot_connection(self, conn: sa.Connection) -> sa.Connection:
        """Return the connection a snapshot runs on (the server sets its isolation here)."""
        return conn

    def _pin_snapshot(self, conn: sa.Connection) -> None:
        """Read once so the snapshot is taken now, not at the first read inside the block."""
        conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Yield a session inside one write transaction.

        The transaction takes the workspace's write lock first (``BEGIN IMMEDIATE`` on a file),
        commits when the block ends normally and rolls back when it raises.

        Raises:
            sqlite3.OperationalError: The workspace was opened read-only.
            SnapshotWriteError: The calling thread is inside :meth:`snapshot`.
        """
        if self.read_only:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        if getattr(self._snapshots, "connection", None) is not None:
            raise SnapshotWriteError("a write was attempted while reading one snapshot")
        brief = self._brief_waits.get(threading.get_ident())
        with (
            self.engine.connect() as conn,
            self._write_connection(conn, brief) as writing,
            Session(bind=writing, expire_on_commit=False) as session,
            session.begin(),
        ):
            self._take_write_lock(session, brief)
            yield session

    @contextmanager
    def _write_connection(self, conn: sa.Connection, brief: int | None) -> Iterator[sa.Connection]:
        """Yield the connection a write runs on: ``BEGIN IMMEDIATE`` and the thread's wait."""
        if brief is not None:
            _set_busy_timeout(conn, brief)
        try:
            yield conn.execution_options(**{_WRITE_OPTION: True})
        finally:
            if brief is not None:
                _set_busy_timeout(conn, BUSY_TIMEOUT_MS)

    def _take_write_lock(self, session: Session, brief: int | None) -> None:
        """Take the write lock inside the transaction (a file took it with its BEGIN)."""

    def close(self) -> None:
        """Release every pooled connection (the file can then be moved or deleted)."""
        self.engine.dispose()


def _set_busy_timeout(conn: sa.Connection, busy_ms: int) -> None:
    # On the driver's connection, outside any transaction (it runs in autocommit mode).
    driver = conn.connection.driver_connection
    assert driver is not None  # a checked-out connection always has its driver connection
    driver.execute(f"PRAGMA busy_timeout={int(busy_ms)}")


def raw_connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open a plain sqlite3 connection to an existing file, for checks and backups."""
    conn = sqlite3.connect(_uri(path, read_only), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn
