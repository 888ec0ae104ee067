"""Create, open, check and describe workspace files.

Opening a workspace checks it is an SQLite file made by Assay, runs ``PRAGMA quick_check``,
refuses a file from a newer Assay, and backs up then migrates an older one.
"""

from __future__ import annotations

import getpass
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from app.services.errors import UserError, WorkspaceError
from app.storage import migrate
from app.storage.db import APPLICATION_ID, Database, raw_connect
from app.support import paths

logger = logging.getLogger(__name__)


@dataclass
class Workspace:
    """An open workspace: its file, its database and who is working in it.

    Attributes:
        path: The workspace file.
        db: Sessions on the file.
        actor: The name written into the journal for changes made through this object.
        backup_path: The backup taken before a migration on open, if one was taken.
    """

    path: Path
    db: Database
    actor: str
    backup_path: Path | None = field(default=None)

    @property
    def name(self) -> str:
        """Return the workspace's display name (the file name without its suffix)."""
        return self.path.stem

    def close(self) -> None:
        """Close every connection to the file."""
        self.db.close()

    def refuse_own_file(self, path: Path, use: str) -> None:
        """Refuse to read ``path`` as ``use`` when it is this workspace's file or its WAL files.

        Opening and closing the workspace file outside SQLite drops every lock SQLite holds on
        it in this process; another process could then delete the WAL under our feet.

        Raises:
            UserError: ``path`` is the workspace file, its ``-wal`` or its ``-shm``.
        """
        own = {self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))}
        try:
            target = Path(path).expanduser().resolve()
            same = target in own or (target.exists() and os.path.samefile(target, self.path))
        except OSError:
            return
        if same:
            raise UserError(f"{target.name} is the open workspace itself; it cannot be {use}")

    def __reduce__(self) -> tuple:
        """Pickle as the file and actor: another process reopens the file (never creates it)."""
        return (_reopen, (self.path, self.actor))


def _reopen(path: Path, actor: str) -> Workspace:
    """Reopen a workspace that another process has open, checked and migrated."""
    if not path.is_file():
        raise WorkspaceError(f"no workspace at {path}")
    return Workspace(path=path, db=Database(path), actor=actor)


def default_actor() -> str:
    """Return the operating-system user name, the actor when none is configured."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "assessor"


def open_workspace(
    path: Path | None = None, *, create: bool = True, actor: str | None = None
) -> Workspace:
    """Open (and if needed create and migrate) a workspace.

    Args:
        path: The workspace file; the user's default workspace when None.
        create: Create the file when it does not exist; otherwise refuse.
        actor: Who is working; the operating-system user when None.

    Returns:
        The open workspace.

    Raises:
        WorkspaceError: The file is missing, not a workspace, damaged, or too new.
    """
    path = Path(path) if path is not None else paths.default_workspace_path()
    path = path.expanduser().resolve()
    if path.is_dir():
        raise WorkspaceError(f"{path} is a folder, not a workspace file")
    is_new = not path.exists() or path.stat().st_size == 0
    if is_new and not create:
        raise WorkspaceError(f"no workspace at {path}")
    if is_new:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create {path}: {exc.strerror or exc}") from exc
    backup = _check_and_prepare(path, is_new)
    if is_new:
        raw_connect(path).close()  # create the file; the engine only opens existing files
    database = Database(path)
    if backup is not None or is_new:
        try:
            migrate.upgrade_to_head(database.engine)
        except Exception as exc:
            database.close()
            where = f"; the backup taken before is {backup}" if backup else ""
            raise WorkspaceError(f"could not migrate {path.name}: {exc}{where}") from exc
    logger.info("opened workspace %s", path)
    return Workspace(path=path, db=database, actor=actor or default_actor(), backup_path=backup)


def _check_and_prepare(path: Path, is_new: bool) -> Path | None:
    """Check an existing file; return the backup path when it needs migrating."""
    if is_new:
        return None
    try:
        conn = raw_connect(path)
    except sqlite3.Error as exc:
        raise WorkspaceError(f"cannot open {path}: {exc}") from exc
    try:
        return _inspect(conn, path)
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(f"{path.name} is not an Assay workspace ({exc})") from exc
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, path: Path) -> Path | None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    if app_id != APPLICATION_ID and tables:
        raise WorkspaceError(f"{path.name} is an SQLite file but not an Assay workspace")
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise WorkspaceError(
            f"{path.name} is damaged (quick_check: {result}); "
            f"restore the latest backup{_latest_backup_hint(path)}"
        )
    revision = migrate.current_revision(conn)
    if revision is not None and revision not in migrate.KNOWN_REVISIONS:
        raise WorkspaceError(
            f"{path.name} was written by a newer version of Assay (schema {revision}); "
            "update Assay to open it"
        )
    if revision == migrate.HEAD_REVISION:
        return None
    return migrate.backup_file(conn, path, f"before-{migrate.HEAD_REVISION}")


def _latest_backup_hint(path: Path) -> str:
    backups = sorted(path.parent.glob(f"{path.stem}.*.bak"), key=lambda p: p.stat().st_mtime)
    return f" ({backups[-1]})" if backups else ""


def quick_check(workspace: Workspace) -> str:
    """Run ``PRAGMA quick_check`` and return its verdict (``ok`` when sound)."""
    conn = raw_connect(workspace.path)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        conn.close()


def schema_revision(workspace: Workspace) -> str | None:
    """Return the schema revision stamped in the workspace."""
    conn = raw_connect(workspace.path)
    try:
        return migrate.current_revision(conn)
    finally:
        conn.close()
