"""``assay check``: integrity of the workspace, its journal and its evidence."""

from __future__ import annotations

import argparse
import logging

from app.cli.common import CliContext
from app.services.integrity import CheckReport, check_workspace
from app.storage.server_db import is_server_location

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``check`` to the CLI."""
    parser = subparsers.add_parser(
        "check", help="verify the workspace file, the journal chain and every evidence hash"
    )
    parser.add_argument(
        "--expect-head",
        metavar="SEQ:HASH",
        help="a journal head recorded earlier (printed by check, carried in reports) that "
        "the journal must still hold",
    )
    parser.set_defaults(handler=run_check)


def run_check(ctx: CliContext) -> int:
    """Check the workspace; exit 1 when anything is wrong."""
    with ctx.progress("Checking the workspace") as progress:
        report = check_workspace(
            ctx.workspace(create=False),
            progress,
            expect_head=getattr(ctx.args, "expect_head", None),
        )
    ctx.output(report.as_dict(), lambda: _describe(report))
    return 0 if report.ok else 1


_SHOWN = 10
_LABELS = {"anchor": "anchor", "foreign_keys": "links", "rows": "rows", "seals": "seal",
           "evidence_rows": "evidence", "schema": "schema"}  # fmt: skip


def _describe(report: CheckReport) -> str:
    chain = report.journal
    lines = [
        f"workspace   {report.workspace} (schema {report.schema})",
        f"{'server' if is_server_location(report.workspace) else 'file':<12}{report.quick_check}",
        f"journal     {'ok' if chain.ok else 'BROKEN'}: {chain.entries} entries checked",
    ]
    if not chain.ok:
        lines.append(f"            first broken entry: #{chain.broken_seq}: {chain.reason}")
    lines.append(f"head        {report.head} (record it to detect a truncated journal later)")
    lines.append(
        f"evidence    {report.evidence_checked} files checked, "
        f"{len(report.evidence_problems)} problems"
    )
    lines.extend(f"            {problem}" for problem in report.evidence_problems)
    for check, problems in report.problems.items():
        label = _LABELS.get(check, check)
        lines.extend(f"{label:<12}{problem}" for problem in problems[:_SHOWN])
        if len(problems) > _SHOWN:
            lines.append(f"{label:<12}… and {len(problems) - _SHOWN} more (see --json)")
    lines.extend(f"note        {note}" for note in report.notes)
    lines.append("result      " + ("all checks passed" if report.ok else "PROBLEMS FOUND"))
    return "\n".join(lines)
