"""``assay engagement show|set``: the client engagement recorded in the workspace."""

from __future__ import annotations

import argparse
import dataclasses
import logging

from app.cli.common import CliContext, date_option
from app.services.engagement import (
    CLASSIFICATIONS,
    EngagementInfo,
    get_engagement,
    update_engagement,
)
from app.services.errors import UserError

logger = logging.getLogger(__name__)

_TEXT_FIELDS = ("client", "title", "assessor", "assessor_organisation", "reviewer")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``engagement show`` and ``engagement set``."""
    parser = subparsers.add_parser("engagement", help="show or change the client engagement")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("show", help="show the engagement").set_defaults(handler=show)
    setter = verbs.add_parser("set", help="change details of the engagement")
    for name in _TEXT_FIELDS:
        setter.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT")
    setter.add_argument("--start-date", metavar="YYYY-MM-DD")
    setter.add_argument("--end-date", metavar="YYYY-MM-DD")
    setter.add_argument("--classification", choices=CLASSIFICATIONS)
    setter.set_defaults(handler=set_details)


def _describe(info: EngagementInfo) -> str:
    rows = dataclasses.asdict(info)
    width = max(len(k) for k in rows)
    return "\n".join(f"{k.replace('_', ' '):<{width}}  {v if v else '-'}" for k, v in rows.items())


def show(ctx: CliContext) -> int:
    """Print the engagement."""
    info = get_engagement(ctx.workspace())
    ctx.output(dataclasses.asdict(info), lambda: _describe(info))
    return 0


def set_details(ctx: CliContext) -> int:
    """Change the engagement with the options given."""
    args = ctx.args
    changes: dict[str, object] = {
        name: getattr(args, name) for name in _TEXT_FIELDS if getattr(args, name) is not None
    }
    if args.start_date:
        changes["start_date"] = date_option(args.start_date, "--start-date")
    if args.end_date:
        changes["end_date"] = date_option(args.end_date, "--end-date")
    if args.classification:
        changes["classification"] = args.classification
    if not changes:
        raise UserError("nothing to change: name at least one option (see --help)")
    info = update_engagement(ctx.workspace(create=True), **changes)
    ctx.output(dataclasses.asdict(info), lambda: _describe(info))
    return 0
