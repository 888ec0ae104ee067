"""Signing on the command line: credentials, countersigning, extending, tokens, verifying.

``assay report countersign|extend|tokens``, ``assay verify`` and ``assay certificate create``.
A password or PIN is asked with ``getpass`` or read from the first line of ``--password-file``
/ ``--pin-file``; it is never an argument, never printed, logged or stored. The TSA and the
trust anchors default to the user's preferences (Settings); the network is used only for a
TSA the user configured and for ``--fetch-revocation``.
"""

from __future__ import annotations

import argparse
import getpass
import logging
from pathlib import Path

from app.cli.common import CliContext, table
from app.services.errors import UserError
from app.services.reporting import (
    SigningRequest,
    VerifyOutcome,
    countersign_report,
    create_certificate,
    extend_report,
    list_token_keys,
    verify_report,
)
from app.support.preferences import load_preferences
from app.support.text import plural

logger = logging.getLogger(__name__)

_DEFAULT_DAYS = 365


# --------------------------------------------------------------------------- options


def password_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--password-file`` (the secret never goes on the command line)."""
    parser.add_argument(
        "--password-file",
        metavar="F",
        help="read the certificate password from the first line of F instead of asking",
    )


def credential_options(parser: argparse.ArgumentParser, *, sign_flag: str = "--sign") -> None:
    """Add the options naming a PKCS#12 file or a token key, and the signature's details."""
    parser.add_argument(sign_flag, dest="sign", metavar="P12", help="sign with this PKCS#12 file")
    parser.add_argument("--pkcs11-lib", metavar="PATH", help="sign on a token: its PKCS#11 library")
    parser.add_argument("--token", metavar="LABEL", default="", help="the token's label")
    parser.add_argument("--key", metavar="LABEL", default="", help="the key's label on the token")
    parser.add_argument(
        "--pin-file", metavar="F", help="read the token PIN from the first line of F"
    )
    password_option(parser)
    parser.add_argument("--reason", default="", help="the reason written into the signature")
    parser.add_argument("--location", default="", help="where the report was signed")


def ltv_options(parser: argparse.ArgumentParser) -> None:
    """Add the long-term validation options: TSA, trust anchors, revocation data."""
    parser.add_argument(
        "--tsa", metavar="URL", help="time-stamping authority (default: the one in Settings)"
    )
    parser.add_argument(
        "--no-tsa", action="store_true", help="do not ask the configured TSA (stay offline)"
    )
    trust_option(parser, "anchors the signer's chain reaches, to embed validation data")
    parser.add_argument(
        "--revocation",
        metavar="FILE",
        action="append",
        default=[],
        help="a CRL or OCSP response to embed (DER or PEM); may be repeated",
    )
    parser.add_argument(
        "--fetch-revocation",
        action="store_true",
        help="fetch missing CRLs/OCSP responses over the network (cached in the workspace)",
    )


def trust_option(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--trust PATH`` (repeatable) for certificates, folders and trusted lists."""
    parser.add_argument(
        "--trust",
        metavar="PATH",
        action="append",
        default=[],
        help=f"a certificate, folder of CA certificates or trusted-list XML: {what} "
        "(added to those in Settings); may be repeated",
    )


# --------------------------------------------------------------------------- secrets


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


def _trust(args: argparse.Namespace) -> tuple[Path, ...]:
    configured = [Path(p) for p in load_preferences().trust_anchors]
    return tuple(configured + [Path(p) for p in args.trust])


def _tsa(args: argparse.Namespace) -> str:
    if args.no_tsa:
        return ""
    return args.tsa or load_preferences().tsa_url


def signing_request(args: argparse.Namespace, role: str) -> SigningRequest | None:
    """Build the signing request from the options; None when no credential was named.

    Raises:
        UserError: Both or neither kind of credential, or a secret that cannot be read.
    """
    if args.sign and args.pkcs11_lib:
        raise UserError("sign with --sign P12 or with --pkcs11-lib PATH, not both")
    if not args.sign and not args.pkcs11_lib:
        if args.password_file or args.pin_file:
            raise UserError("--password-file/--pin-file go with --sign P12 or --pkcs11-lib PATH")
        return None
    if args.sign:
        secret = read_password(args.password_file, f"Password for {Path(args.sign).name}: ")
    else:
        prompt = f"PIN for token {args.token or '?'}: "
        secret = read_password(args.pin_file or args.password_file, prompt)
    return SigningRequest(
        p12_path=Path(args.sign) if args.sign else None,
        password=secret,
        reason=args.reason,
        location=args.location,
        pkcs11_lib=Path(args.pkcs11_lib) if args.pkcs11_lib else None,
        token=args.token,
        key=args.key,
        role=role,
        tsa_url=_tsa(args),
        trust=_trust(args),
        revocation=tuple(Path(p) for p in args.revocation),
        fetch=args.fetch_revocation,
    )


def _named_workspace(ctx: CliContext) -> object:
    return ctx.workspace(create=False) if getattr(ctx.args, "workspace", None) else None


# --------------------------------------------------------------------------- report verbs


def add_report_verbs(verbs: argparse._SubParsersAction) -> None:
    """Add ``report countersign``, ``report extend`` and ``report tokens``."""
    countersign = verbs.add_parser(
        "countersign", help="add the reviewer's signature to a report the assessor signed"
    )
    countersign.add_argument("file", metavar="FILE.pdf", help="the report signed by the assessor")
    countersign.add_argument(
        "-o", "--output", metavar="FILE.pdf", help="write here (default: in place)"
    )
    credential_options(countersign)
    ltv_options(countersign)
    countersign.set_defaults(handler=run_countersign)
    extend = verbs.add_parser(
        "extend", help="raise a signed report to PAdES B-LTA (validation data + time stamp)"
    )
    extend.add_argument("file", metavar="FILE.pdf", help="the signed report")
    extend.add_argument("-o", "--output", metavar="FILE.pdf", help="write here (default: in place)")
    ltv_options(extend)
    extend.set_defaults(handler=run_extend)
    tokens = verbs.add_parser("tokens", help="list the tokens and keys a PKCS#11 library sees")
    tokens.add_argument("--pkcs11-lib", required=True, metavar="PATH")
    tokens.set_defaults(handler=run_tokens)


def run_countersign(ctx: CliContext) -> int:
    """Countersign a signed report as the reviewer."""
    args = ctx.args
    request = signing_request(args, "reviewer")
    if request is None:
        raise UserError("name the reviewer's credential: --sign P12 or --pkcs11-lib PATH")
    output = Path(args.output) if args.output else None
    outcome = countersign_report(Path(args.file), output, request, _named_workspace(ctx))
    lines = [f"countersigned {output or args.file} as reviewer: {outcome.signer} ({outcome.level})"]
    lines += [f"warning: {w}" for w in outcome.warnings]
    ctx.output(vars(outcome), "\n".join(lines))
    return 0


def run_extend(ctx: CliContext) -> int:
    """Add validation data and a document time stamp to a signed report."""
    args = ctx.args
    output = Path(args.output) if args.output else None
    count = extend_report(
        Path(args.file),
        output,
        tsa_url=_tsa(args),
        trust=_trust(args),
        revocation=tuple(Path(p) for p in args.revocation),
        fetch=args.fetch_revocation,
        workspace=_named_workspace(ctx),
    )
    target = output or Path(args.file)
    ctx.output(
        {"file": str(target), "signatures": count, "level": "B-LTA"},
        f"extended {target} to PAdES B-LTA ({plural(count, 'signature')})",
    )
    return 0


def run_tokens(ctx: CliContext) -> int:
    """List the tokens of a PKCS#11 library and the certificates (keys) on each."""
    tokens = list_token_keys(Path(ctx.args.pkcs11_lib))
    rows = [
        [t.label, k.label, k.subject, f"{k.not_after:%Y-%m-%d}" if k.not_after else "-"]
        for t in tokens
        for k in t.keys or ()
    ]
    data = [
        {
            "token": t.label,
            "manufacturer": t.manufacturer,
            "model": t.model,
            "keys": [{"label": k.label, "subject": k.subject} for k in t.keys],
        }
        for t in tokens
    ]
    ctx.output(data, table(rows, ["token", "key", "subject", "valid until"]))
    return 0


# --------------------------------------------------------------------------- verify, certificate


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``verify`` and ``certificate`` to the CLI."""
    verify = subparsers.add_parser(
        "verify", help="check every signature of a PDF (exit 0 only when intact and trusted)"
    )
    verify.add_argument("file", metavar="FILE.pdf", help="the signed PDF")
    trust_option(verify, "trust anchors")
    verify.add_argument(
        "--revocation",
        metavar="FILE",
        action="append",
        default=[],
        help="a CRL or OCSP response known beside what the PDF carries; may be repeated",
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
    password_option(create)
    create.set_defaults(handler=run_certificate_create)


def describe_verify(outcome: VerifyOutcome) -> str:
    """Return the verification as text: one block per signature, then the verdict."""
    lines = [f"file      {outcome.file}"]
    for index, row in enumerate(outcome.signatures, 1):
        lines += [
            f"signature {index}: {row.role} — {row.signer}",
            f"  time        {row.signing_time} ({row.time_source})",
            f"  level       {row.level}    field {row.field}",
            f"  covers      {row.coverage}; changed after: {row.changed_after}",
            f"  verdict     {row.verdict.upper()}",
        ]
        lines += [f"  why         {problem}" for problem in row.problems]
    anchors = ", ".join(outcome.trust_sources) or "none configured (use --trust or Settings)"
    lines += [
        f"trust     {anchors}",
        f"result    {outcome.verdict.upper()}",
        f"details   {outcome.summary}",
    ]
    return "\n".join(lines)


def run_verify(ctx: CliContext) -> int:
    """Check a PDF's signatures; exit 0 only when every one is intact and trusted."""
    args = ctx.args
    trust = [Path(p) for p in load_preferences().trust_anchors] + [Path(p) for p in args.trust]
    outcome = verify_report(Path(args.file), trust, [Path(p) for p in args.revocation])
    ctx.output(outcome.as_dict(), lambda: describe_verify(outcome))
    return 0 if outcome.valid else 1


def run_certificate_create(ctx: CliContext) -> int:
    """Make a self-signed assessor certificate (PKCS#12, 0600) protected by a password."""
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
            f"wrote {info.path} (private key, readable by you only; keep its password private)\n"
            f"wrote {info.certificate_path} (the public certificate: give it to verifiers, "
            "e.g. assay verify FILE --trust CERT)\n"
            f"subject  {info.subject}\nvalid    until {info.not_after}\n"
            f"sha256   {info.fingerprint}\nself-signed: for trials only"
        ),
    )
    return 0
