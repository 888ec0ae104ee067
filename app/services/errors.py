"""Errors that services raise for the user to read."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on; its message is one plain sentence.

    The CLI prints it on stderr and exits 1; the GUI shows it in a dialog. It never carries a
    traceback to the user.
    """


class WorkspaceError(UserError):
    """The workspace file cannot be opened, checked or migrated."""
