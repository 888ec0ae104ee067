"""``assay demo [--out DIR]``: build the demo workspace (and, with --out, its reports)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from app.cli.common import CliContext
from app.services.demo.builder import DEMO_FILE_NAME, build_demo
from app.services.errors import UserError
from app.support.paths import user_data_dir

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``demo``."""
    parser = subparsers.add_parser(
        "demo", help="build a demo workspace of a fictitious insurer, with --out also its reports"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="write the workspace, its PDF, signed PDF, workbooks and portfolio into DIR",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file named with --workspace",
    )
    parser.set_defaults(handler=run_demo)


def run_demo(ctx: CliContext) -> int:
    """Build the demo; print where everything went."""
    out = Path(ctx.args.out) if ctx.args.out else None
    explicit = getattr(ctx.args, "workspace", None)
    target = Path(explicit) if explicit else (out or user_data_dir()) / DEMO_FILE_NAME
    if explicit and target.exists() and not ctx.args.force:
        raise UserError(f"{target} exists; the demo would replace it (add --force to replace it)")
    result = build_demo(target)
    summary: dict[str, object] = {
        "workspace": str(result.workspace_path),
        "assessments": result.assessment_ids,
        "organisation_assessment": result.organisation_assessment_id,
    }
    if out is not None:
        from app.services.demo.reports import write_demo_reports  # reporting is heavy

        files = write_demo_reports(result, out)
        summary.update({name: str(path) for name, path in vars(files).items()})
    lines = [f"{name:<12} {value}" for name, value in summary.items()]
    ctx.output(summary, "\n".join(lines))
    return 0
