"""Errors that services raise for the user to read."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on; its message is one plain sentence.

    The CLI prints it on stderr and exits 1; the GUI shows it in a dialog. It never carries a
    traceback to the user.
    """


class WorkspaceError(UserError):
    """The workspace file cannot be opened, checked or migrated."""


def database_message(exc: BaseException) -> str | None:
    """Return the one-line sentence for a database failure a user can act on, else None.

    Busy, full, read-only, too large and damaged workspaces are environment problems, told
    without the SQL statement or any row value; other database errors are bugs (None).
    """
    from app.storage import errors as db_errors

    if not db_errors.is_database_error(exc) or db_errors.classify(exc).kind == "other":
        return None
    return db_errors.describe(exc)
