"""``assay report``, ``assay verify`` and ``assay certificate``: reports, signatures, certificates.

Passwords are read with ``getpass`` (or from the first line of ``--password-file``), handed to
the service as bytes and never printed, logged or stored.
"""

from __future__ import annotations

import argparse
import getpass
import logging
from pathlib import Path

from app.cli.common import CliContext, table
from app.services.errors import UserError
from app.services.progress import NullProgress
from app.services.reporting import (
    PROFILES,
    ReportOutcome,
    ResponsesImport,
    SigningRequest,
    VerifyOutcome,
    create_certificate,
    generate_pdf,
    generate_portfolio,
    generate_workbook,
    import_responses,
    verify_report,
)

logger = logging.getLogger(__name__)

_DEFAULT_DAYS = 365


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report``, ``verify`` and ``certificate`` to the CLI."""
    _register_report(subparsers)
    verify = subparsers.add_parser(
        "verify", help="check the signature of a PDF report (exit 1 when not valid)"
    )
    verify.add_argument("file", metavar="FILE.pdf", help="the signed PDF")
    verify.add_argument(
        "--trust",
        metavar="CERT",
        action="append",
        default=[],
        help="a certificate (PEM or DER) to trust as signer or root; may be repeated",
    )
    verify.set_defaults(handler=run_verify)
    certificate = subparsers.add_parser("certificate", help="assessor certificates for signing")
    verbs = certificate.add_subparsers(dest="verb", metavar="VERB", required=True)
    create = verbs.add_parser("create", help="make a self-signed assessor certificate for trials")
    create.add_argument("-o", "--output", required=True, metavar="FILE.p12")
    create.add_argument("--name", help="the assessor's name (default: your assessor name)")
    create.add_argument("--org", default="", help="the assessor's organisation")
    create.add_argument("--email", default="", help="the assessor's e-mail address")
    create.add_argument("--days", type=int, default=_DEFAULT_DAYS, help="days of validity")
    _password_option(create)
    create.set_defaults(handler=run_certificate_create)


def _register_report(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="PDF and Excel reports, responses round trip")
    verbs = report.add_subparsers(dest="verb", metavar="VERB", required=True)
    pdf = verbs.add_parser("pdf", help="the PDF report of an assessment, optionally signed")
    _assessment_options(pdf)
    pdf.add_argument("--sign", metavar="P12", help="sign with this PKCS#12 certificate file")
    pdf.add_argument("--reason", default="", help="the reason written into the signature")
    pdf.add_argument("--location", default="", help="where the report was signed")
    _password_option(pdf)
    pdf.set_defaults(handler=run_pdf)
    xlsx = verbs.add_parser("xlsx", help="the Excel workbook of an assessment")
    _assessment_options(xlsx)
    xlsx.set_defaults(handler=run_xlsx)
    portfolio = verbs.add_parser("portfolio", help="the portfolio PDF of every AI system")
    portfolio.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
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


def _assessment_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--assessment", type=int, required=True, metavar="ID")
    parser.add_argument("-o", "--output", required=True, metavar="FILE")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="internal",
        help="client: hide internal notes and mask secret identifiers (default: internal)",
    )


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-file",
        metavar="F",
        help="read the certificate password from the first line of F instead of asking",
    )


# --------------------------------------------------------------------------- passwords


def read_password(password_file: str | None, prompt: str, *, confirm: bool = False) -> bytes:
    """Return a password from ``password_file`` (its first line) or asked for on the terminal.

    Raises:
        UserError: The file cannot be read, the password is empty, or the two entries differ.
    """
    if password_file:
        try:
            text = Path(password_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the password file {password_file}: {exc}") from exc
        lines = text.splitlines()
        password = lines[0] if lines else ""
    else:
        password = _ask(prompt)
        if confirm and _ask("Repeat the password: ") != password:
            raise UserError("the two passwords differ")
    if not password:
        raise UserError("the password is empty")
    return password.encode("utf-8")


def _ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except (EOFError, OSError) as exc:
        raise UserError("no terminal to ask for the password; use --password-file F") from exc


# --------------------------------------------------------------------------- report


def _describe_outcome(outcome: ReportOutcome) -> str:
    lines = [f"wrote {outcome.path}"]
    if outcome.pages:
        lines[0] += f" ({outcome.pages} pages)"
    if outcome.signed_by:
        lines.append(f"signed by {outcome.signed_by}")
    lines += [f"warning: {text}" for text in outcome.warnings]
    return "\n".join(lines)


def run_pdf(ctx: CliContext) -> int:
    """Write the PDF report, signed when ``--sign`` is given."""
    args = ctx.args
    signing = None
    if args.sign:
        password = read_password(args.password_file, f"Password for {Path(args.sign).name}: ")
        signing = SigningRequest(
            Path(args.sign), password, reason=args.reason, location=args.location
        )
    elif args.password_file:
        raise UserError("--password-file is for --sign; name the certificate with --sign P12")
    outcome = generate_pdf(
        ctx.workspace(create=False),
        args.assessment,
        Path(args.output),
        profile=args.profile,
        signing=signing,
        progress=NullProgress(),
    )
    ctx.output(outcome.as_dict(), lambda: _describe_outcome(outcome))
    return 0


def run_xlsx(ctx: CliContext) -> int:
    """Write the Excel workbook of an assessment."""
    args = ctx.args
    outcome = generate_workbook(
        ctx.workspace(create=False), args.assessment, Path(args.output), profile=args.profile
    )
    ctx.output(outcome.as_dict(), lambda: _describe_outcome(outcome))
    return 0


def run_portfolio(ctx: CliContext) -> int:
    """Write the portfolio report of every AI system."""
    outcome = generate_portfolio(
        ctx.workspace(create=False), Path(ctx.args.output), profile=ctx.args.profile
    )
    ctx.output(outcome.as_dict(), lambda: _describe_outcome(outcome))
    return 0


def _describe_import(result: ResponsesImport) -> str:
    lines = [
        f"{result.file.name}: {len(result.changes)} change(s), {len(result.problems)} problem(s)"
    ]
    if result.changes:
        rows = [
            [str(c.row), c.question_id, c.field, c.before_text, c.after_text]
            for c in result.changes
        ]
        lines.append(table(rows, ["row", "question", "field", "before", "after"]))
    lines += [f"problem: {p}" for p in result.problems]
    if result.applied:
        lines.append(f"applied {len(result.changes)} change(s); each is in the journal")
    elif result.dry_run:
        lines.append("dry run: nothing was stored")
    return "\n".join(lines)


def run_import_responses(ctx: CliContext) -> int:
    """Compare a filled-in responses sheet with the assessment; store the changes unless dry."""
    args = ctx.args
    result = import_responses(
        ctx.workspace(create=False), args.assessment, Path(args.file), dry_run=args.dry_run
    )
    ctx.output(result.as_dict(), lambda: _describe_import(result))
    return 0 if not result.problems else 1


# --------------------------------------------------------------------------- verify, certificate


def _describe_verify(outcome: VerifyOutcome) -> str:
    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    trusted = "not checked (use --trust CERT)" if outcome.trusted is None else yes(outcome.trusted)
    when = outcome.signing_time.isoformat(sep=" ") if outcome.signing_time else "-"
    return "\n".join(
        [
            f"file                 {outcome.file}",
            f"signer               {outcome.signer or '-'}",
            f"signing time         {when}",
            f"intact               {yes(outcome.intact)}",
            f"covers the document  {yes(outcome.covers_whole_document)}",
            f"changed after        {yes(outcome.modified_after_signing)}",
            f"trusted signer       {trusted}",
            f"result               {'VALID' if outcome.valid else 'NOT VALID'}",
            f"details              {outcome.summary}",
        ]
    )


def run_verify(ctx: CliContext) -> int:
    """Check a PDF's signature; exit 0 when valid, 1 when not."""
    outcome = verify_report(Path(ctx.args.file), [Path(p) for p in ctx.args.trust])
    ctx.output(outcome.as_dict(), lambda: _describe_verify(outcome))
    return 0 if outcome.valid else 1


def run_certificate_create(ctx: CliContext) -> int:
    """Make a self-signed assessor certificate (PKCS#12) protected by a password."""
    args = ctx.args
    if args.days < 1:
        raise UserError("--days must be at least 1")
    password = read_password(args.password_file, "Password for the new certificate: ", confirm=True)
    info = create_certificate(
        Path(args.output),
        name=args.name,
        organisation=args.org,
        email=args.email,
        days=args.days,
        password=password,
    )
    ctx.output(
        info.as_dict(),
        lambda: (
            f"wrote {info.path} (keep it and its password private)\n"
            f"wrote {info.certificate_path} (the public certificate: give it to verifiers, "
            "e.g. assay verify FILE --trust CERT)\n"
            f"subject  {info.subject}\nvalid    until {info.not_after}\n"
            f"sha256   {info.fingerprint}\nself-signed: for trials only"
        ),
    )
    return 0
