"""Schema versions of a workspace file and the Alembic upgrade that brings it to head.

The revision list is kept here as well as in ``migrations/versions`` so that opening an
up-to-date workspace never has to import Alembic; a test checks the two agree.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from app.support.safe_files import create_private
from app.support.text import plural

logger = logging.getLogger(__name__)

#: Every schema revision this version of Assay knows, oldest first.
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004_registers",
    "0005_idsources",
    "0006_orgscope",
    "0007_themed_findings",
    "0008_voice_review",
    "0009_global_ids",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def current_revision(conn: sqlite3.Connection) -> str | None:
    """Return the Alembic revision stamped in a workspace, or None for an unstamped file."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def backup_file(conn: sqlite3.Connection, path: Path, reason: str) -> Path:
    """Copy a workspace with SQLite's online backup API next to the original.

    Args:
        conn: An open connection to the workspace.
        path: The workspace file (names the backup).
        reason: A short word put into the backup's name, such as ``before-0002``.

    Returns:
        The path of the backup file.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{reason}.{stamp}.bak")
    create_private(target)  # a backup holds everything the workspace holds: owner only
    with sqlite3.connect(str(target)) as dest:
        conn.backup(dest)
    dest.close()
    logger.info("backed up %s to %s", path, target)
    return target


def upgrade_to_head(engine: sa.Engine) -> None:
    """Run every pending Alembic migration on the workspace behind ``engine`` (file or server)."""
    from alembic import command  # imported here: only needed when the schema changes
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            # A server checks foreign keys at each statement and changes tables in place.
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
            logger.info("server workspace migrated to %s", HEAD_REVISION)
            return
        # SQLite's documented way to change a table other tables point at: foreign keys off
        # (outside any transaction), change, check, on again. Otherwise recreating a table
        # ("batch" mode) would cascade its DROP into the rows that reference it.
        driver = conn.connection.driver_connection
        assert driver is not None  # a checked-out connection always has its driver connection
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration broke {plural(len(broken), 'foreign key')}")
        finally:
            driver.execute("PRAGMA foreign_keys=ON")
    logger.info("workspace migrated to %s", HEAD_REVISION)


def revision_of(conn: sa.Connection) -> str | None:
    """Return the Alembic revision stamped in a workspace on any store, or None if unstamped."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return str(row[0]) if row else None


def script_heads() -> list[str]:
    """Return the head revisions of the migration scripts (used by tests)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return list(ScriptDirectory.from_config(config).get_heads())
