"""An administrator's connection to a team server, for work outside any workspace.

Granting roles and creating logins run as the database's owner (or a superuser), on the
URL the administrator gives: ``postgresql://user@host:port/dbname``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from app.storage.server_roles import RoleError

logger = logging.getLogger(__name__)

_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def engine_url(url: str) -> sa.URL:
    """Return the SQLAlchemy URL (psycopg 3 driver) of a ``postgresql://`` address.

    Raises:
        RoleError: The address is not a PostgreSQL URL naming a database.
    """
    if not url.startswith(_SCHEMES):
        raise RoleError(f"{_shown(url)} is not a server address: use postgresql://USER@HOST/DB")
    try:
        parsed = sa.make_url(url).set(drivername="postgresql+psycopg")
    except sa.exc.ArgumentError:
        raise RoleError(f"{_shown(url)} is not a valid server address") from None
    if not parsed.database:
        raise RoleError(f"{_shown(url)} names no database: add /DBNAME at the end")
    return parsed


def _shown(url: str) -> str:
    """Return the address without any password it carries."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "the address"


@contextmanager
def admin_connection(url: str) -> Iterator[sa.Connection]:
    """Yield a connection in one transaction, committed when the block ends normally.

    Raises:
        RoleError: The server cannot be reached or refuses the login.
    """
    engine = sa.create_engine(engine_url(url), hide_parameters=True, poolclass=sa.NullPool)
    try:
        try:
            connection = engine.connect()
        except sa.exc.OperationalError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise RoleError(f"cannot connect to {_shown(url)}: {reason}") from None
        with connection, connection.begin():
            yield connection
    finally:
        engine.dispose()
