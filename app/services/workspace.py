"""Create, open, check and describe workspaces: files, and databases on a team server.

Opening a workspace file checks it is an SQLite file made by Assay, runs ``PRAGMA quick_check``,
refuses a file from a newer Assay, and backs up then migrates an older one. A ``postgresql://``
URL opens a workspace held on a server (see :mod:`app.services.server_workspace`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.services.errors import UserError, WorkspaceError
from app.storage import errors as db_errors
from app.storage import migrate
from app.storage.db import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    SQLITE_MAGIC,
    Database,
    raw_connect,
)
from app.storage.unit_of_work import Change, UnitOfWork
from app.support import paths
from app.support.locations import is_server_location
from app.support.safe_files import create_private

logger = logging.getLogger(__name__)


@dataclass
class Workspace:
    """An open workspace: its file or server database, and who is working in it.

    Attributes:
        path: The workspace file; None for a workspace held on a server.
        db: Sessions on the file.
        actor: The name written into the journal for changes made through this object.
        backup_path: The backup taken before a migration on open, if one was taken.
        read_only: True when the file's location cannot be written; changes are refused.
        team_role: On a team server, the login's team role (``assessor``, ``reviewer`` or
            ``lead``); None for a file, the database's owner or a login without one.
        clock: Where units of work take the time from; the real time when None. Only the
            demo builder sets one (to date a fictitious engagement's history); it is not
            kept when the workspace is handed to another process.
    """

    path: Path | None
    db: Database
    actor: str
    backup_path: Path | None = field(default=None)
    read_only: bool = False
    team_role: str | None = None
    clock: Callable[[], dt.datetime] | None = field(default=None, repr=False, compare=False)
    _change_listeners: list[Callable[[list[Change]], None]] = field(
        default_factory=list, repr=False, compare=False
    )

    @property
    def is_server(self) -> bool:
        """Return True for a workspace held on a database server rather than in a file."""
        return self.db.is_server

    @property
    def location(self) -> str:
        """Return where the workspace is, as shown: its file, or its URL without password."""
        if self.path is not None:
            return str(self.path)
        return str(getattr(self.db, "location", ""))

    @property
    def name(self) -> str:
        """Return the workspace's display name: the file name without suffix, or the database."""
        if self.path is not None:
            return self.path.stem
        return self.location.rstrip("/").rpartition("/")[2].partition("?")[0] or self.location

    def close(self) -> None:
        """Record the journal's head on this computer, then close every connection."""
        from app.services.anchor import remember_head  # the anchor module builds on this one

        remember_head(self)
        self.db.close()

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """Yield a unit of work in one write transaction, acting as :attr:`actor`.

        The transaction commits when the block ends normally and rolls back when it raises;
        after a commit every change listener receives the unit's change records.
        """
        with self.db.write() as session:
            unit = UnitOfWork(session, self.actor, clock=self.clock)
            yield unit
        if unit.changes:
            self._announce(list(unit.changes))

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """Yield a unit of work that only reads (inside ``db.snapshot()`` it reads the snapshot)."""
        with self.db.read() as session:
            yield UnitOfWork(session, self.actor, writable=False, clock=self.clock)

    def add_change_listener(self, listener: Callable[[list[Change]], None]) -> None:
        """Call ``listener`` with the change records of every unit committed through this object.

        The listener runs on the thread that committed; it must be quick and must not write.
        """
        self._change_listeners.append(listener)

    def remove_change_listener(self, listener: Callable[[list[Change]], None]) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        if listener in self._change_listeners:
            self._change_listeners.remove(listener)

    def _announce(self, changes: list[Change]) -> None:
        for listener in list(self._change_listeners):
            try:
                listener(changes)
            except Exception:  # a listener's failure must not undo a committed change
                logger.exception("a change listener failed")

    def refuse_own_file(self, path: Path, use: str) -> None:
        """Refuse to read ``path`` as ``use`` when it is this workspace's file or its WAL files.

        Opening and closing the workspace file outside SQLite drops every lock SQLite holds on
        it in this process; another process could then delete the WAL under our feet.

        Raises:
            UserError: ``path`` is the workspace file, its ``-wal`` or its ``-shm``.
        """
        if self.path is None:
            return  # a server workspace has no file of its own on this computer
        own = {self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))}
        try:
            target = Path(path).expanduser().resolve()
            same = target in own or (target.exists() and os.path.samefile(target, self.path))
        except OSError:
            return
        if same:
            raise UserError(f"{target.name} is the open workspace itself; it cannot be {use}")

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as the file (or URL) and actor: another process reopens it, never creates it."""
        if self.path is None:
            from app.services.server_workspace import reopen_server

            return (reopen_server, (getattr(self.db, "url", ""), self.actor, self.read_only))
        return (_reopen, (self.path, self.actor, self.read_only))


def _reopen(path: Path, actor: str, read_only: bool = False) -> Workspace:
    """Reopen a workspace that another process has open, checked and migrated."""
    if not path.is_file():
        raise WorkspaceError(f"no workspace at {path}")
    return Workspace(
        path=path, db=Database(path, read_only=read_only), actor=actor, read_only=read_only
    )


def default_actor() -> str:
    """Return the operating-system user name, the actor when none is configured."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "assessor"


def open_workspace(
    path: Path | str | None = None,
    *,
    create: bool = True,
    actor: str | None = None,
    read_only: bool | None = None,
    checked: str | None = None,
) -> Workspace:
    """Open (and if needed create and migrate) a workspace.

    A file in a location that cannot be written (a read-only file, folder or medium) or that
    cannot be opened for writing (a full disk) is opened read-only: it can be read, listed,
    checked and reported on from, and any change is refused with a clear message.

    A ``postgresql://`` URL opens a workspace held on a server instead; its actor is always
    the database login.

    Args:
        path: The workspace file or server URL; the user's default workspace when None.
        create: Create the file when it does not exist; otherwise refuse.
        actor: Who is working; the operating-system user when None.
        read_only: Open read-only (True), writable (False), or as the location allows (None).
        checked: ``"ok"`` when ``PRAGMA quick_check`` passed on the file moments before (the
            window runs it while the database layers load); None to run it here.

    Returns:
        The open workspace.

    Raises:
        WorkspaceError: The file is missing, not a workspace, damaged, too new, or needs a
            migration that a read-only location does not allow.
    """
    if is_server_location(path):
        from app.services.server_workspace import open_server_workspace

        return open_server_workspace(str(path), read_only=bool(read_only))
    path = Path(path) if path is not None else paths.default_workspace_path()
    path = path.expanduser().resolve()
    if path.is_dir():
        raise WorkspaceError(f"{path} is a folder, not a workspace file")
    is_new = not path.exists() or path.stat().st_size == 0
    if is_new and not create:
        if path.exists():
            raise WorkspaceError(f"{path} is an empty file, not a workspace; it was left as it is")
        raise WorkspaceError(f"no workspace at {path}")
    if is_new:
        _create_file(path)
        read_only = False
    elif read_only is None:
        read_only = not _location_writable(path)
    read_only, backup = _check_and_prepare(path, is_new, read_only, checked)
    database = Database(path, read_only=read_only)
    if backup is not None or is_new:
        _migrate(database, path, backup)
    logger.info("opened workspace %s%s", path.name, " read-only" if read_only else "")
    workspace = Workspace(
        path=path,
        db=database,
        actor=actor or default_actor(),
        backup_path=backup,
        read_only=read_only,
    )
    if not read_only:
        _recover(workspace, is_new)
    return workspace


def _create_file(path: Path) -> None:
    """Create an empty workspace file readable by its owner only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
    except OSError as exc:
        raise WorkspaceError(f"cannot create {path}: {exc.strerror or exc}") from exc


def _location_writable(path: Path) -> bool:
    """Return True when the file and its folder can be written (SQLite needs both)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _migrate(database: Database, path: Path, backup: Path | None) -> None:
    try:
        migrate.upgrade_to_head(database.engine)
    except Exception as exc:
        database.close()
        where = f"; the backup taken before is {backup}" if backup else ""
        reason = db_errors.describe(exc, path) if db_errors.is_database_error(exc) else exc
        raise WorkspaceError(f"could not migrate {path.name}: {reason}{where}") from exc


def _recover(workspace: Workspace, is_new: bool) -> None:
    """Name the workspace if it has no id yet; complete what a killed run left half-done.

    A new file forgets the journal heads recorded for an older workspace at the same path.
    """
    from app.services.anchor import forget_path, workspace_id
    from app.services.pending import recover_interrupted

    try:
        if is_new and workspace.path is not None:
            forget_path(workspace.path)
        workspace_id(workspace, create=True)
        recover_interrupted(workspace)
    except Exception as exc:
        if not db_errors.is_database_error(exc):
            raise
        logger.warning("interrupted work not completed: %s", db_errors.classify(exc).kind)


def _check_and_prepare(
    path: Path, is_new: bool, read_only: bool, checked: str | None
) -> tuple[bool, Path | None]:
    """Check an existing file; return whether it opens read-only and the pre-migration backup.

    A file that cannot be opened for writing (a full disk, a medium that refuses the WAL
    files) is opened read-only instead.
    """
    if is_new:
        return False, None
    try:
        return read_only, _inspect_file(path, read_only, checked)
    except _CannotWriteError:
        logger.info("%s cannot be opened for writing; opening it read-only", path.name)
        return True, _inspect_file(path, True, checked)


class _CannotWriteError(Exception):
    """The file could be read but not opened for writing."""


def _inspect_file(path: Path, read_only: bool, checked: str | None) -> Path | None:
    try:
        conn = raw_connect(path, read_only=read_only)
    except sqlite3.Error as exc:
        raise WorkspaceError(f"cannot open {path.name}: {db_errors.describe(exc, path)}") from exc
    try:
        _check_identity(conn, path)
        if not read_only:
            _probe_writable(conn)
        return _inspect(conn, path, read_only, checked)
    except sqlite3.DatabaseError as exc:
        if not read_only and db_errors.classify(exc).kind in _WRITE_FAILURES:
            raise _CannotWriteError() from exc
        raise WorkspaceError(_unreadable(path, exc)) from exc
    finally:
        conn.close()


_WRITE_FAILURES = ("full", "read-only", "io")


def _probe_writable(conn: sqlite3.Connection) -> None:
    """Take and release the write lock once, which fails early on a full or read-only medium.

    A writer busy elsewhere proves the file writable: the probe does not wait for it.
    """
    conn.execute("PRAGMA busy_timeout=0")
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if db_errors.classify(exc).kind != "busy":
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> str:
    """Say why a file cannot be read: damaged (with the newest backup), or not ours."""
    failure = db_errors.classify(exc)
    with path.open("rb") as stream:
        is_sqlite = stream.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    if failure.kind in ("busy", "io", "full"):
        return f"cannot open {path.name}: {db_errors.describe(exc, path)}"
    if is_sqlite or db_errors.newest_backup(path) is not None:
        return db_errors.damaged_sentence(path)
    return f"{path.name} is not an Assay workspace (it is not an SQLite file)"


def _check_identity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse, before anything is written to it, an SQLite file that Assay did not make."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise WorkspaceError(
            f"{path.name} is an SQLite file of another program, not an Assay workspace; "
            "it was left as it is"
        )


def _inspect(
    conn: sqlite3.Connection, path: Path, read_only: bool, checked: str | None
) -> Path | None:
    result = checked if checked == "ok" else conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise WorkspaceError(db_errors.damaged_sentence(path))
    revision = migrate.current_revision(conn)
    if revision is not None and revision not in migrate.KNOWN_REVISIONS:
        raise WorkspaceError(
            f"{path.name} was written by a newer version of Assay (schema {revision}); "
            "update Assay to open it"
        )
    if revision == migrate.HEAD_REVISION:
        return None
    if read_only:
        raise WorkspaceError(
            f"{path.name} was written by an older Assay and must be upgraded, which its "
            "read-only location does not allow; copy it somewhere writable first"
        )
    return migrate.backup_file(conn, path, f"before-{migrate.HEAD_REVISION}")


def quick_check(workspace: Workspace) -> str:
    """Run ``PRAGMA quick_check`` and return its verdict (``ok`` when sound).

    A server keeps its own storage sound (checksums and write-ahead log are the server's
    administration); its verdict here is ``ok`` once it answers a query.
    """
    if workspace.path is None:
        from app.services.server_workspace import server_answers

        return server_answers(workspace)
    conn = raw_connect(workspace.path, read_only=workspace.read_only)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        conn.close()


def schema_revision(workspace: Workspace) -> str | None:
    """Return the schema revision stamped in the workspace."""
    if workspace.path is None:
        from app.services.server_workspace import server_revision

        return server_revision(workspace)
    conn = raw_connect(workspace.path, read_only=workspace.read_only)
    try:
        return migrate.current_revision(conn)
    finally:
        conn.close()
