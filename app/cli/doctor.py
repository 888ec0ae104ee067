"""``assay doctor``: what this computer offers Assay, and what is missing."""

from __future__ import annotations

import argparse
import logging

from app.cli.common import CliContext
from app.services.environment import EnvironmentReport, inspect_environment

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``doctor`` to the CLI."""
    parser = subparsers.add_parser(
        "doctor",
        help="check folders, bundled content, system libraries and background processes",
    )
    parser.set_defaults(handler=run_doctor)


def run_doctor(ctx: CliContext) -> int:
    """Print the environment report; exit 1 when something required is missing."""
    report = inspect_environment()
    ctx.output(report.as_dict(), lambda: _describe(report))
    return 0 if report.ok else 1


def _describe(report: EnvironmentReport) -> str:
    kind = "bundle" if report.bundled else "installed package"
    lines = [f"Assay {report.version} ({kind}), Python {report.python}, {report.platform}"]
    for check in report.checks:
        mark = "ok" if check.ok else ("MISSING" if check.required else "optional, missing")
        lines.append(f"{check.area:<9} {check.name:<20} {mark:<17} {check.detail}")
    verdict = "everything Assay needs is here" if report.ok else "SOMETHING REQUIRED IS MISSING"
    lines.append(f"result    {verdict}")
    return "\n".join(lines)
