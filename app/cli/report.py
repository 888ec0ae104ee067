"""``assay report``: PDF (optionally signed), workbook, portfolio, responses round trip.

Signing options, countersigning, extending, ``assay verify`` and ``assay certificate`` live in
:mod:`app.cli.signing`; passwords and PINs are never arguments, printed, logged or stored.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from app.cli import signing
from app.cli.common import CliContext, table
from app.services.reporting import (
    APPENDICES,
    DEFAULT_APPENDICES,
    PROFILES,
    ReportOutcome,
    ResponsesImport,
    generate_pdf,
    generate_portfolio,
    generate_workbook,
    import_responses,
)
from app.support.text import plural

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report``, ``verify`` and ``certificate`` to the CLI."""
    _register_report(subparsers)
    signing.register(subparsers)


def _register_report(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="PDF and Excel reports, responses round trip")
    verbs = report.add_subparsers(dest="verb", metavar="VERB", required=True)
    pdf = verbs.add_parser("pdf", help="the PDF report of an assessment, optionally signed")
    _assessment_options(pdf)
    pdf.add_argument(
        "--appendices",
        metavar="LIST",
        help=(
            "appendices after the body, comma-separated, or all or none: "
            f"{', '.join(APPENDICES)} (default: the profile's; client: "
            f"{', '.join(DEFAULT_APPENDICES['client'])})"
        ),
    )
    signing.credential_options(pdf)
    signing.ltv_options(pdf)
    pdf.set_defaults(handler=run_pdf)
    xlsx = verbs.add_parser("xlsx", help="the Excel workbook of an assessment")
    _assessment_options(xlsx)
    xlsx.set_defaults(handler=run_xlsx)
    portfolio = verbs.add_parser(
        "portfolio", help="the portfolio of every AI system: PDF, or a workbook for .xlsx"
    )
    portfolio.add_argument("-o", "--output", required=True, metavar="FILE.pdf|FILE.xlsx")
    portfolio.add_argument(
        "--profile",
        choices=PROFILES,
        default="internal",
        help="client: mask secret identifiers (default: internal)",
    )
    portfolio.set_defaults(handler=run_portfolio)
    responses = verbs.add_parser(
        "import-responses", help="read back a responses sheet filled in by the client"
    )
    responses.add_argument("--assessment", type=int, required=True, metavar="ID")
    responses.add_argument("file", metavar="FILE.xlsx", help="the workbook with the responses")
    responses.add_argument(
        "--dry-run", action="store_true", help="show what would change and store nothing"
    )
    responses.set_defaults(handler=run_import_responses)
    signing.add_report_verbs(verbs)


def _assessment_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--assessment", type=int, required=True, metavar="ID")
    parser.add_argument("-o", "--output", required=True, metavar="FILE")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="internal",
        help="client: hide internal notes and mask secret identifiers (default: internal)",
    )


# --------------------------------------------------------------------------- report


def _describe_outcome(outcome: ReportOutcome) -> str:
    lines = [f"wrote {outcome.path}"]
    if outcome.pages:
        lines[0] += f" ({outcome.pages} pages)"
    if outcome.signed_by:
        lines.append(f"signed by {outcome.signed_by} (PAdES {outcome.signature_level})")
    lines += [f"warning: {text}" for text in outcome.warnings]
    return "\n".join(lines)


def run_pdf(ctx: CliContext) -> int:
    """Write the PDF report, signed when ``--sign`` is given."""
    args = ctx.args
    request = signing.signing_request(args, "assessor")
    with ctx.progress("Writing the PDF report") as progress:
        outcome = generate_pdf(
            ctx.workspace(create=False),
            args.assessment,
            Path(args.output),
            profile=args.profile,
            signing=request,
            progress=progress,
            appendices=_appendices(args.appendices),
        )
    ctx.output(outcome.as_dict(), lambda: _describe_outcome(outcome))
    return 0


def _appendices(text: str | None) -> tuple[str, ...] | None:
    """Return the appendices named on the command line (None: the profile's default)."""
    if text is None:
        return None
    words = tuple(w.strip() for w in text.split(",") if w.strip())
    if words == ("all",):
        return tuple(APPENDICES)
    return () if words in ((), ("none",)) else words


def run_xlsx(ctx: CliContext) -> int:
    """Write the Excel workbook of an assessment."""
    args = ctx.args
    with ctx.progress("Writing the workbook") as progress:
        outcome = generate_workbook(
            ctx.workspace(create=False),
            args.assessment,
            Path(args.output),
            profile=args.profile,
            progress=progress,
        )
    ctx.output(outcome.as_dict(), lambda: _describe_outcome(outcome))
    return 0


def run_portfolio(ctx: CliContext) -> int:
    """Write the portfolio report of every AI system."""
    with ctx.progress("Writing the portfolio report") as progress:
        outcome = generate_portfolio(
            ctx.workspace(create=False),
            Path(ctx.args.output),
            profile=ctx.args.profile,
            progress=progress,
        )
    ctx.output(outcome.as_dict(), lambda: _describe_outcome(outcome))
    return 0


def _describe_import(result: ResponsesImport) -> str:
    lines = [
        f"{result.file.name}: {plural(len(result.changes), 'change')}, "
        f"{plural(len(result.problems), 'problem')}"
    ]
    if result.changes:
        rows = [
            [str(c.row), c.question_id, c.field, c.before_text, c.after_text]
            for c in result.changes
        ]
        lines.append(table(rows, ["row", "question", "field", "before", "after"]))
    lines += [f"problem: {p}" for p in result.problems]
    if result.applied:
        lines.append(f"applied {plural(len(result.changes), 'change')}; each is in the journal")
    elif result.dry_run:
        lines.append("dry run: nothing was stored")
    return "\n".join(lines)


def run_import_responses(ctx: CliContext) -> int:
    """Compare a filled-in responses sheet with the assessment; store the changes unless dry."""
    args = ctx.args
    with ctx.progress("Reading the responses sheet") as progress:
        result = import_responses(
            ctx.workspace(create=False),
            args.assessment,
            Path(args.file),
            dry_run=args.dry_run,
            progress=progress,
        )
    ctx.output(result.as_dict(), lambda: _describe_import(result))
    return 0 if not result.problems else 1
