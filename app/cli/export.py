"""``assay export oscal``: an assessment's OSCAL documents, or the frameworks, for GRC tools."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from app.cli.common import CliContext
from app.services.oscal import OscalExport, export_content, export_oscal
from app.support.text import plural

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``export oscal``."""
    parser = subparsers.add_parser("export", help="export an assessment for other tools")
    verbs = parser.add_subparsers(dest="verb", metavar="FORMAT", required=True)
    oscal = verbs.add_parser(
        "oscal",
        help="write the OSCAL assessment plan, results, POA&M and framework content",
        description=(
            "Writes assessment-plan.json, assessment-results.json, poam.json, one OSCAL "
            "profile or catalog per framework version and the evidence files (evidence/) into "
            "DIR. Same-named files are replaced; a re-export of unchanged data is identical."
        ),
    )
    what = oscal.add_mutually_exclusive_group(required=True)
    what.add_argument("--assessment", type=int, metavar="ID", help="the assessment to export")
    what.add_argument(
        "--content",
        action="store_true",
        help="only the frameworks: the Cyber AI Profile as a profile, the others as catalogs",
    )
    oscal.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write")
    oscal.set_defaults(handler=run_export_oscal)


def run_export_oscal(ctx: CliContext) -> int:
    """Write the OSCAL documents of an assessment."""
    folder = Path(ctx.args.output)
    if ctx.args.content:
        outcome = export_content(ctx.workspace(), folder)
    else:
        outcome = export_oscal(ctx.workspace(), ctx.args.assessment, folder)
    ctx.output(outcome.as_dict(), lambda: _text(outcome))
    return 0


def _text(outcome: OscalExport) -> str:
    lines = [f"OSCAL export written to {outcome.folder}"]
    lines += [f"  {name}  sha256 {digest[:16]}" for name, digest in outcome.documents.items()]
    if outcome.evidence_files:
        lines.append(f"  evidence/  {plural(outcome.evidence_files, 'file')}")
    if outcome.removed:
        lines.append(f"  removed {plural(len(outcome.removed), 'file')} of an earlier export:")
        lines += [f"    {name}" for name in outcome.removed]
    return "\n".join(lines)
