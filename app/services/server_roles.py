"""Who may do what on a team server: give, take and list the team roles of logins.

These run as an administrator of the server (the database's owner or a superuser), outside
any workspace: they change the server's roles, not the engagement, so nothing is journalled
here (the server keeps its own record of role changes).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.services.errors import UserError
from app.storage import server_admin, server_roles
from app.storage.server_guards import REFUSAL_PREFIX
from app.storage.server_refusals import is_privilege_error
from app.storage.server_roles import TEAM_ROLES, Member, RoleError
from app.support.scram import scram_verifier

logger = logging.getLogger(__name__)

__all__ = ["REFUSAL_PREFIX", "TEAM_ROLES", "Member", "grant", "members", "revoke"]


@contextmanager
def _administering(url: str) -> Iterator[Any]:
    """Yield an administrator's connection; the storage layer's refusals become UserError."""
    try:
        with server_admin.admin_connection(url) as connection:
            yield connection
    except RoleError as exc:
        raise UserError(str(exc)) from None
    except Exception as exc:
        if not is_privilege_error(exc):
            raise
        raise UserError(
            "the login of this address may not manage roles on this database: use the "
            "database owner's or a superuser's address"
        ) from None


def grant(url: str, login: str, role: str, *, password: str | None = None) -> None:
    """Give ``login`` the team role ``role`` on the server's database.

    Args:
        url: An administrator's ``postgresql://`` address of the database.
        login: The person's database login.
        role: ``assessor``, ``reviewer`` or ``lead``.
        password: When given, the login is created first with this password (sent to the
            server only as a SCRAM verifier), in the same transaction as the grant.

    Raises:
        UserError: Bad address, unreachable server, unknown role or login, or a login to
            create that exists already.
    """
    with _administering(url) as connection:
        if password is not None:
            server_roles.create_login(connection, login, scram_verifier(password))
        server_roles.grant_role(connection, login, role)


def revoke(url: str, login: str) -> list[str]:
    """Take every team role from ``login``; return the roles it held.

    Raises:
        UserError: Bad address, unreachable server, or unknown login.
    """
    with _administering(url) as connection:
        held: list[str] = server_roles.revoke_role(connection, login)
    return held


def members(url: str) -> list[Member]:
    """Return the logins holding a team role on the server's database, by login.

    Raises:
        UserError: Bad address or unreachable server.
    """
    with _administering(url) as connection:
        found: list[Member] = server_roles.list_members(connection)
    return found
