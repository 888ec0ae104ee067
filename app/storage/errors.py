"""Turn a database failure into one plain sentence that names what happened and nothing more.

SQLAlchemy's exceptions carry the SQL statement and, unless hidden, the rows' values: neither
may reach the terminal, a dialog or the log (imported rows can hold secrets). The sentence is
built only from SQLite's error kind, never from the statement or parameters.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.storage import server_refusals
from app.storage.server_errors import is_server_error, server_kind, server_sentence

logger = logging.getLogger(__name__)

#: SQLite's own wording, lower-cased, for each kind of failure a user can act on.
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("busy", ("database is locked", "database is busy", "database table is locked")),
    ("full", ("database or disk is full", "no space left")),
    ("read-only", ("readonly database", "read-only", "readonly")),
    ("too-large", ("too big", "string or blob too big", "too large")),
    ("damaged", ("malformed", "file is not a database", "not a database", "disk image")),
    ("io", ("disk i/o error", "unable to open database file")),
)

_SENTENCES = {
    "busy": "the workspace is busy: another program or window is writing to it; nothing was "
    "saved, try again when it has finished",
    "full": "the disk holding the workspace is full; nothing was saved (free some space and "
    "try again)",
    "read-only": "the workspace cannot be written (read-only file, folder or medium); nothing "
    "was saved",
    "too-large": "a value is too large for the workspace (SQLite's limit is 1 GB per value); "
    "nothing was saved",
    "damaged": "the workspace file is damaged",
    "io": "the workspace file cannot be read or written (input/output error); nothing was saved",
}


@dataclass(frozen=True)
class DatabaseFailure:
    """A classified database error.

    Attributes:
        kind: ``busy``, ``full``, ``read-only``, ``too-large``, ``damaged``, ``io``,
            ``refused`` (a team server refused the action to the user's role) or ``other``.
        error_class: The driver's exception class name (safe to log).
    """

    kind: str
    error_class: str


def is_database_error(exc: BaseException) -> bool:
    """Return True for an error raised by SQLite, a server's driver, or SQLAlchemy around them."""
    return isinstance(exc, sa.exc.SQLAlchemyError | sqlite3.Error) or is_server_error(exc)


def classify(exc: BaseException) -> DatabaseFailure:
    """Return what kind of database failure ``exc`` is, from SQLite's message only."""
    original = getattr(exc, "orig", None) or exc
    if server_refusals.is_refusal(exc):
        return DatabaseFailure("refused", type(original).__name__)
    if isinstance(original, MemoryError | OverflowError):
        return DatabaseFailure("too-large", type(original).__name__)
    if is_server_error(original):
        return DatabaseFailure(server_kind(original), type(original).__name__)
    text = _driver_message(original).lower()
    for kind, needles in _KINDS:
        if any(needle in text for needle in needles):
            return DatabaseFailure(kind, type(original).__name__)
    return DatabaseFailure("other", type(original).__name__)


def _driver_message(original: BaseException) -> str:
    """Return SQLite's message (never SQLAlchemy's, which embeds the statement)."""
    if isinstance(original, sa.exc.SQLAlchemyError):
        return ""
    return str(original.args[0]) if original.args else ""


def describe(exc: BaseException, workspace: Path | None = None) -> str:
    """Return one sentence for a database error; a damaged file gets the newest backup's path.

    Args:
        exc: The error (SQLAlchemy's or sqlite3's).
        workspace: The workspace file, to look for backups beside it.
    """
    failure = classify(exc)
    if failure.kind == "refused":
        return server_refusals.refusal_sentence(exc)
    if failure.kind in _SERVER_ONLY or is_server_error(getattr(exc, "orig", None) or exc):
        return server_sentence(failure.kind, failure.error_class, None)
    if failure.kind == "damaged":
        return damaged_sentence(workspace)
    if failure.kind == "other":
        return (
            f"the workspace could not be read or written ({failure.error_class}); nothing was saved"
        )
    return _SENTENCES[failure.kind]


def describe_server(exc: BaseException, url: str) -> str:
    """Return one sentence for a failure of the server holding the workspace at ``url``."""
    from app.storage.server_db import where  # the server module is loaded only for servers

    failure = classify(exc)
    if failure.kind == "refused":
        return server_refusals.refusal_sentence(exc)
    return server_sentence(failure.kind, failure.error_class, where(url))


_SERVER_ONLY = ("unreachable", "login", "no-password", "no-database", "permission")


def damaged_sentence(workspace: Path | None) -> str:
    """Return the message for a damaged workspace, naming the newest backup if there is one."""
    name = workspace.name if workspace else "the workspace file"
    backup = newest_backup(workspace) if workspace else None
    advice = f"restore the newest backup, {backup}" if backup else "no backup was found beside it"
    return f"{name} is damaged (SQLite cannot read it); {advice}"


def newest_backup(workspace: Path) -> Path | None:
    """Return the newest ``NAME.*.bak`` beside a workspace file, or None."""
    try:
        backups = list(workspace.parent.glob(f"{workspace.stem}.*.bak"))
        return max(backups, key=lambda p: p.stat().st_mtime) if backups else None
    except OSError:
        return None
