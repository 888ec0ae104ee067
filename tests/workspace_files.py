"""Fresh workspace files for the tests, copied from one migrated template per test process.

Migrating a new file to the current schema runs every Alembic revision (about half a second of
processor time here), and the suite opens hundreds of fresh workspaces. The template is made by
the steps ``open_workspace`` takes for a new file (an owner-only file, the real migrations) and
is never opened as a workspace, so it has no workspace id: opening a copy gives the copy its own
random id, checks the file and records it, as for any existing workspace.

Tests of creating, migrating or naming a workspace still call ``open_workspace`` on a new path.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def build_workspace_template(path: Path) -> Path:
    """Create a new workspace file at ``path`` and migrate it to the current schema.

    Args:
        path: Where the template goes (a path that does not exist yet).

    Returns:
        The path, holding the whole workspace in its main file (no write-ahead log to copy).
    """
    from app.storage import migrate
    from app.storage.db import Database
    from app.support.safe_files import create_private

    create_private(path)
    database = Database(path)
    try:
        migrate.upgrade_to_head(database.engine)
    finally:
        database.close()  # the last connection closed: SQLite folds the log into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


def copy_workspace_template(template: Path, path: Path) -> Path:
    """Write a new workspace file at ``path``: a copy of ``template``, readable by its owner only.

    Args:
        template: A file made by :func:`build_workspace_template` (owner-only: the copy keeps
            its mode).
        path: The new workspace file (its folder is created when missing).

    Returns:
        The path of the new file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(template, path)
    return path
