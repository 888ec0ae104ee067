"""``assay workspace copy SRC DST``: move a workspace between a file and a server, verified."""

from __future__ import annotations

import argparse
import logging

from app.cli.common import CliContext, table
from app.services.workspace_copy import CopyResult, copy_workspace
from app.support.preferences import load_preferences
from app.support.text import plural

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``workspace copy``."""
    parser = subparsers.add_parser("workspace", help="copy a workspace between a file and a server")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    copy = verbs.add_parser(
        "copy",
        help="copy every record, evidence file and journal entry, then check both sides",
        description="Copy a workspace file to a server, a server workspace to a file, or a "
        "file to another file. The journal is copied as it is, so both sides end with the same "
        "journal head; the command exits 0 only when both pass 'assay check' with that head.",
    )
    copy.add_argument("source", metavar="SRC", help="workspace file or postgresql:// URL")
    copy.add_argument(
        "destination",
        metavar="DST",
        help="workspace file (created when missing) or postgresql:// URL of an initialised, "
        "empty database",
    )
    copy.add_argument(
        "--replace",
        action="store_true",
        help="replace a destination file that already holds a workspace",
    )
    copy.set_defaults(handler=run_copy)


def run_copy(ctx: CliContext) -> int:
    """Copy, check both sides; exit 1 unless the copy is verified."""
    with ctx.progress("Copying the workspace") as progress:
        result = copy_workspace(
            ctx.args.source,
            ctx.args.destination,
            replace=ctx.args.replace,
            actor=load_preferences().assessor_name or None,
            progress=progress,
        )
    ctx.output(result.as_dict(), lambda: _describe(result))
    return 0 if result.verified else 1


def _describe(result: CopyResult) -> str:
    rows = [[name, f"{count:,}"] for name, count in result.tables.items() if count]
    lines = [
        f"from          {result.source}",
        f"to            {result.destination}",
        "",
        table(rows, ["table", "rows"]),
        "",
        f"rows          {result.rows:,} in {plural(len(rows), 'table')}",
        f"evidence      {result.evidence_bytes:,} bytes",
        f"journal head  {result.source_head} (source)",
        f"              {result.destination_head} (copy)",
        f"time          {result.seconds:.1f} s",
    ]
    lines.extend(f"problem       {problem}" for problem in result.problems)
    verdict = "verified: both sides pass check with the same journal head"
    lines.append("result        " + (verdict if result.verified else "NOT VERIFIED"))
    return "\n".join(lines)
