"""Open a workspace held on a PostgreSQL server, and create its schema (``assay server init``).

A server workspace is the same workspace as a file, kept in a database that several people
use at once. Opening one refuses a database that holds no Assay schema yet (``assay server
init`` creates it), another program's tables, or a schema written by a newer Assay. The
journal's actor is the database login, whoever the operating-system user is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.services.errors import WorkspaceError
from app.services.workspace import Workspace, _recover
from app.storage import errors as db_errors
from app.storage import server_roles, server_schema
from app.storage.server_db import ServerDatabase
from app.support.locations import display_location

logger = logging.getLogger(__name__)

T = TypeVar("T")


def open_server_workspace(url: str, *, read_only: bool = False) -> Workspace:
    """Open the workspace held in the server database at ``url``.

    Args:
        url: A ``postgresql://user@host:port/dbname`` URL.
        read_only: Open it read-only: changes are refused (by the server as well).

    Raises:
        WorkspaceError: The server cannot be reached or refuses the login, or the database
            holds no Assay workspace, another program's tables, or a schema of another Assay.
    """
    location = display_location(url)
    database = ServerDatabase(url, read_only=read_only)
    try:
        state = _on_server(url, lambda: server_schema.inspect_server(database.engine))
        _refuse_unusable(state, location)
        actor = _on_server(url, database.login)
        role = _on_server(url, lambda: server_roles.login_role(database.engine))
    except WorkspaceError:
        database.close()
        raise
    workspace = Workspace(path=None, db=database, actor=actor, read_only=read_only, team_role=role)
    if not read_only:
        _recover(workspace, False)
    logger.info("opened server workspace %s%s", location, " read-only" if read_only else "")
    return workspace


def reopen_server(url: str, actor: str, read_only: bool = False) -> Workspace:
    """Reopen in another process a server workspace already checked by its opener."""
    database = ServerDatabase(url, read_only=read_only)
    return Workspace(path=None, db=database, actor=actor, read_only=read_only)


def _refuse_unusable(state: server_schema.ServerState, location: str) -> None:
    if state.kind == "empty":
        raise WorkspaceError(
            f"{location} holds no Assay workspace yet; run `assay server init {location}` first"
        )
    if state.kind == "foreign":
        raise WorkspaceError(
            f"{location} holds tables of another program, not an Assay workspace; "
            "it was left as it is"
        )
    if state.too_new:
        raise WorkspaceError(
            f"{location} was written by a newer version of Assay (schema {state.revision}); "
            "update Assay to open it"
        )
    if not state.up_to_date:
        raise WorkspaceError(
            f"{location} holds an older Assay schema ({state.revision or 'unstamped'}); "
            f"run `assay server init {location}` to upgrade it"
        )


@dataclass(frozen=True)
class InitResult:
    """What ``assay server init`` did.

    Attributes:
        location: The database, without password.
        before: The schema revision found (None for an empty database).
        after: The schema revision now.
    """

    location: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        """Return True when the schema was created or upgraded."""
        return self.before != self.after


def init_server(url: str) -> InitResult:
    """Create (or upgrade) Assay's schema in an existing server database.

    Raises:
        WorkspaceError: The server cannot be reached, or the database holds another
            program's tables or a newer Assay's schema.
    """
    location = display_location(url)
    database = ServerDatabase(url)
    try:
        before, after = _on_server(url, lambda: server_schema.initialise(database.engine))
    except server_schema.UnusableDatabaseError as exc:
        _refuse_unusable(exc.state, location)
        raise
    finally:
        database.close()
    logger.info("server schema at %s: %s -> %s", location, before.revision, after.revision)
    return InitResult(location, before.revision, after.revision)


def server_answers(workspace: Workspace) -> str:
    """Return ``ok`` when the server holding ``workspace`` answers."""
    return _on_server(
        getattr(workspace.db, "url", ""), lambda: server_schema.server_verdict(workspace.db.engine)
    )


def server_revision(workspace: Workspace) -> str | None:
    """Return the schema revision of a server workspace."""
    return server_schema.schema_revision(workspace.db.engine)


def _on_server(url: str, work: Callable[[], T]) -> T:
    """Run ``work``; a database failure becomes a WorkspaceError with one plain sentence."""
    try:
        return work()
    except Exception as exc:
        if not db_errors.is_database_error(exc):
            raise
        raise WorkspaceError(db_errors.describe_server(exc, url)) from exc
