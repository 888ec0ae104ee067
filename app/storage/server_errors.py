"""Plain sentences for the failures of a PostgreSQL server, from psycopg's error kind only.

Like :mod:`app.storage.errors` for a file: the sentence names where (host and port, login,
database) and what happened, never the statement, its values or the server's full message.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

#: SQLSTATE classes and codes a user can act on, and the kind each one is.
_STATES: dict[str, str] = {
    "55P03": "busy",  # lock_not_available: the lock wait ran out
    "40P01": "busy",  # deadlock_detected
    "40001": "busy",  # serialization_failure
    "57014": "busy",  # query_canceled (statement or lock timeout)
    "25006": "read-only",  # read_only_sql_transaction
    "42501": "permission",  # insufficient_privilege
    "53100": "full",  # disk_full
    "53200": "full",  # out_of_memory
    "54000": "too-large",  # program_limit_exceeded
    "28000": "login",  # invalid_authorization_specification
    "28P01": "login",  # invalid_password
    "3D000": "no-database",  # invalid_catalog_name
    "57P03": "unreachable",  # cannot_connect_now (starting up or shutting down)
    "08006": "unreachable",  # connection_failure
    "08001": "unreachable",  # sqlclient_unable_to_establish_sqlconnection
}

#: libpq's wording at connection time (no SQLSTATE there), lower-cased, for each kind.
_CONNECT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("no-database", ('database "',)),
    ("no-password", ("no password supplied",)),
    (
        "login",
        (
            "password authentication failed",
            'role "',
            "authentication failed",
            "no pg_hba.conf entry",
        ),
    ),
    (
        "unreachable",
        (
            "connection refused",
            "could not connect",
            "could not translate host name",
            "timeout expired",
            "no such file or directory",
            "server closed the connection",
            "connection to server",
        ),
    ),
)


def is_server_error(exc: BaseException) -> bool:
    """Return True for an error raised by psycopg (checked without importing it)."""
    return type(exc).__module__.split(".")[0] == "psycopg"


def server_kind(exc: BaseException) -> str:
    """Return the kind of a psycopg error, from its SQLSTATE or libpq's wording at connection.

    One of ``unreachable``, ``login``, ``no-password``, ``no-database``, ``permission``, ``busy``,
    ``read-only``, ``full``, ``too-large`` or ``other``.
    """
    state = getattr(exc, "sqlstate", None)
    if isinstance(state, str) and state in _STATES:
        return _STATES[state]
    if isinstance(state, str) and state.startswith("08"):
        return "unreachable"
    text = str(exc.args[0]).lower() if exc.args else ""
    for kind, needles in _CONNECT_WORDS:
        if any(needle in text for needle in needles):
            return kind
    return "other"


def server_sentence(kind: str, error_class: str, where: tuple[str, str, str] | None) -> str:
    """Return the sentence for a server failure of ``kind``.

    Args:
        kind: From :func:`server_kind`.
        error_class: The driver's exception class name, for the unclassified case.
        where: ``(host:port, user, database)`` of the workspace, when known.
    """
    address, user, database = where or ("the server", "", "")
    login = f"user {user}" if user else "this login"
    named = f"database {database}" if database else "the database"
    sentences = {
        "unreachable": f"the server is not reachable at {address} (not running, wrong host or "
        "port, or a firewall between)",
        "login": f"the server at {address} refused the login for {login} (wrong user name or "
        "password)",
        "no-database": f"{named} does not exist on the server at {address}; ask its "
        "administrator to create it, then run `assay server init`",
        "no-password": f"the server at {address} asks for a password for {login} and none "
        "was given (type it when connecting, or set PGPASSWORD or a PostgreSQL password file)",
        "permission": f"the server at {address} does not let {login} do that in {named} (a "
        "login needs a team role there: `assay server grant`); nothing was changed",
        "busy": "the workspace is busy: a lock wait timed out while another user was writing; "
        "nothing was saved, try again in a moment",
        "read-only": "the workspace was opened read-only (or the server is read-only); "
        "nothing was saved",
        "full": "the server has run out of disk or memory; nothing was saved",
        "too-large": "a value is too large for the server; nothing was saved",
    }
    return sentences.get(
        kind,
        f"the server could not read or write the workspace ({error_class}); nothing was saved",
    )
