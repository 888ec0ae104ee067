"""``assay server grant|revoke|roles``: the team roles of logins on a PostgreSQL server.

Run with an administrator's address (the database owner or a superuser). A password for a
new login is asked on the terminal, never taken from the command line.
"""

from __future__ import annotations

import argparse
import getpass
import logging
from urllib.parse import unquote, urlsplit

from app.cli.common import CliContext, table
from app.services import server_roles
from app.services.errors import UserError

logger = logging.getLogger(__name__)


def register(actions: argparse._SubParsersAction) -> None:
    """Add ``grant``, ``revoke`` and ``roles`` to the sub-commands of ``server``."""
    grant = actions.add_parser("grant", help="give a login a team role on the server")
    grant.add_argument("url", metavar="URL", help="administrator's postgresql:// address")
    grant.add_argument("login", metavar="LOGIN", help="the person's database login")
    grant.add_argument("--role", required=True, choices=server_roles.TEAM_ROLES)
    grant.add_argument(
        "--create-login",
        action="store_true",
        help="create the login first (its password is asked on the terminal)",
    )
    grant.set_defaults(handler=run_grant)
    revoke = actions.add_parser("revoke", help="take a login's team role away")
    revoke.add_argument("url", metavar="URL", help="administrator's postgresql:// address")
    revoke.add_argument("login", metavar="LOGIN")
    revoke.set_defaults(handler=run_revoke)
    roles = actions.add_parser("roles", help="list the logins and their team roles")
    roles.add_argument("url", metavar="URL", help="administrator's postgresql:// address")
    roles.set_defaults(handler=run_roles)


def _ask_password(login: str) -> str:
    password = getpass.getpass(f"password for the new login {login}: ")
    if not password:
        raise UserError("a new login needs a password; nothing was changed")
    if getpass.getpass("the same password again: ") != password:
        raise UserError("the two passwords differ; nothing was changed")
    return password


def run_grant(ctx: CliContext) -> int:
    """Give a login its team role, creating the login first on request."""
    args = ctx.args
    password = _ask_password(args.login) if args.create_login else None
    server_roles.grant(args.url, args.login, args.role, password=password)
    data = {"login": args.login, "role": args.role, "created": bool(args.create_login)}
    ctx.output(data, f"{args.login} is now {args.role} in {_database(args.url)}")
    return 0


def run_revoke(ctx: CliContext) -> int:
    """Take a login's team role away."""
    held = server_roles.revoke(ctx.args.url, ctx.args.login)
    where = _database(ctx.args.url)
    text = (
        f"{ctx.args.login} is no longer {' or '.join(held)} in {where}"
        if held
        else f"{ctx.args.login} held no team role in {where}; nothing changed"
    )
    ctx.output({"login": ctx.args.login, "revoked": held}, text)
    return 0


def run_roles(ctx: CliContext) -> int:
    """Print the logins holding a team role, with their role."""
    found = server_roles.members(ctx.args.url)
    rows = [[m.login, m.role, "yes" if m.can_login else "no (group)"] for m in found]
    data = [{"login": m.login, "role": m.role, "can_login": m.can_login} for m in found]
    ctx.output(data, lambda: table(rows, ["login", "role", "can log in"]))
    return 0


def _database(url: str) -> str:
    """Return "database NAME" for a server URL: a team role holds in that database only."""
    name = unquote(urlsplit(url).path.lstrip("/"))
    return f"database {name}" if name else "this database"
