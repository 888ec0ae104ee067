"""``assay server``: prepare a PostgreSQL database to hold a team's workspace."""

from __future__ import annotations

import argparse
import logging

from app.cli import server_roles
from app.cli.common import CliContext
from app.services.errors import UserError
from app.services.server_workspace import InitResult, init_server
from app.support.locations import display_location, is_server_location

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``server init`` and the team-role commands (``grant``, ``revoke``, ``roles``)."""
    parser = subparsers.add_parser(
        "server", help="prepare a PostgreSQL team server and give its logins team roles"
    )
    commands = parser.add_subparsers(dest="server_command", metavar="COMMAND", required=True)
    init = commands.add_parser(
        "init",
        help="create (or upgrade) Assay's schema in an existing, empty PostgreSQL database",
        description="Create Assay's schema in an existing PostgreSQL database through the "
        "same migrations a workspace file gets; an up-to-date database is left as it is. "
        "The password comes from PGPASSWORD or the password file (~/.pgpass).",
    )
    init.add_argument("url", metavar="URL", help="postgresql://user@host:port/dbname")
    init.set_defaults(handler=run_init)
    server_roles.register(commands)


def run_init(ctx: CliContext) -> int:
    """Create or upgrade the schema; print what was done."""
    url = str(ctx.args.url)
    if not is_server_location(url):
        shown = display_location(url)  # a password typed into the address is never echoed
        raise UserError(f"{shown!r} is not a server URL (use postgresql://user@host:port/dbname)")
    result = init_server(url)
    ctx.output(
        {"location": result.location, "before": result.before, "after": result.after},
        lambda: _describe(result),
    )
    return 0


def _describe(result: InitResult) -> str:
    if not result.changed:
        return (
            f"{result.location} already holds Assay's schema {result.after}; the team roles' "
            "grants were brought up to date"
        )
    if result.before is None:
        return f"created Assay's schema {result.after} in {result.location}"
    return f"upgraded {result.location} from schema {result.before} to {result.after}"
