"""Signing reports: the assessor signs, the reviewer countersigns, a signed report is extended.

The credential is a PKCS#12 file or a key on a PKCS#11 token (smart card, USB token). Its
password or PIN travels as bytes from the caller straight to the signing library; it is never
logged, stored, journalled, put in an exception message or kept after the call. The quality
gate runs before anything is rendered and its errors refuse the signature.

Long-term validation data: the trust anchors and TSA come from the caller (the user's
configuration); revocation data comes from files the user gave, from the workspace cache of
earlier signatures, and from the network only when the user asks (``fetch``). What a signature
embedded is cached in the workspace, so a later signature can be made offline.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.reports.errors import ReportError
from app.services.errors import UserError
from app.services.quality_gate import run_quality_gate
from app.services.reporting.build import ReportBundle
from app.services.reporting.revocation_cache import cache_revocation, cached_revocation
from app.services.reporting.verification import load_trust_and_revocation
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

ROLES = ("assessor", "reviewer")


@dataclass(frozen=True)
class SigningRequest:
    """What signing a report needs. The password or PIN never shows in ``repr``.

    Attributes:
        p12_path: The signer's PKCS#12 file, or None when signing on a token.
        password: The PKCS#12 password or the token PIN, as bytes.
        reason: The reason written into the signature.
        location: Where the report was signed.
        pkcs11_lib: The token's PKCS#11 library.
        token: The token's label.
        key: The label of the key and certificate on the token.
        role: ``assessor`` or ``reviewer``.
        tsa_url: The time-stamping authority to ask (empty: no time stamp).
        trust: Trust anchors the chain must reach to embed validation data (B-LT/B-LTA).
        revocation: CRL or OCSP response files to embed.
        fetch: Fetch missing revocation data over the network (the user asked).
    """

    p12_path: Path | None = None
    password: bytes = field(default=b"", repr=False)
    reason: str = ""
    location: str = ""
    pkcs11_lib: Path | None = None
    token: str = ""
    key: str = ""
    role: str = "assessor"
    tsa_url: str = ""
    trust: tuple[Path, ...] = ()
    revocation: tuple[Path, ...] = ()
    fetch: bool = False

    def credential(self) -> Any:
        """Return the reports layer's credential (the secret included)."""
        from app.reports.credentials import Credential

        return Credential(
            Path(self.p12_path) if self.p12_path else None,
            Path(self.pkcs11_lib) if self.pkcs11_lib else None,
            self.token,
            self.key,
            self.password,
        )


@dataclass(frozen=True)
class SignOutcome:
    """A signature made: who, as what, at which PAdES level, with which warnings."""

    signer: str
    role: str
    level: str
    warnings: tuple[str, ...] = ()


def check_request(signing: SigningRequest) -> None:
    """Refuse a request that cannot work, before any rendering.

    Raises:
        UserError: No credential, a missing file or library, or an unknown role.
    """
    if signing.role not in ROLES:
        raise UserError(f"unknown role {signing.role!r}: assessor or reviewer")
    if signing.p12_path is None and signing.pkcs11_lib is None:
        raise UserError("name a certificate file (--sign P12) or a token (--pkcs11-lib PATH)")
    if signing.p12_path is not None and not Path(signing.p12_path).is_file():
        raise UserError(f"no certificate file {signing.p12_path}")
    if signing.pkcs11_lib is not None and not Path(signing.pkcs11_lib).is_file():
        raise UserError(f"no PKCS#11 library {signing.pkcs11_lib}")
    if signing.pkcs11_lib is not None and not (signing.token and signing.key):
        raise UserError("name the token with --token LABEL and the key with --key LABEL")


def check_can_sign(workspace: Workspace, assessment_id: int, signing: SigningRequest) -> None:
    """Refuse signing before any work: a credential that cannot open, or quality-gate errors.

    Raises:
        UserError: The credential is missing or cannot be opened (wrong password or PIN), or
            the quality gate found errors.
    """
    from app.reports.credentials import open_signer

    check_request(signing)
    try:
        with open_signer(signing.credential()):
            pass
    except ReportError as exc:
        raise UserError(str(exc).rstrip(".")) from exc
    gate = run_quality_gate(workspace, assessment_id)
    if gate.errors:
        raise UserError(
            f"cannot sign: the quality gate found {plural(len(gate.errors), 'error')} in "
            "assessment "
            f"{assessment_id}, first: {gate.errors[0].message}"
        )


JOURNAL_ATTACHMENT = "workspace-journal.json"


def journal_attachment(bundle: ReportBundle) -> dict[str, bytes]:
    """Return the workspace history fingerprint as an attachment: entries and head hash."""
    data = {
        "format": "assay-journal-head",
        "format_version": 1,
        "assessment": bundle.data.document.assessment_ref,
        "entries": bundle.journal_seq,
        "head_hash": bundle.journal_hash,
    }
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    return {JOURNAL_ATTACHMENT: text.encode("utf-8")}


def _ltv(workspace: Workspace | None, signing: SigningRequest) -> Any:
    from app.reports.ltv import LtvOptions

    if not (signing.tsa_url or signing.trust or signing.revocation or signing.fetch):
        return None
    anchors, known = load_trust_and_revocation(signing.trust, signing.revocation)
    if workspace is not None:
        known = known + cached_revocation(workspace)
    return LtvOptions(signing.tsa_url, anchors, known, signing.fetch)


def _sign(
    workspace: Workspace | None,
    pdf: Path,
    output: Path,
    signing: SigningRequest,
    attachments: dict[str, bytes] | None,
    reason: str,
) -> SignOutcome:
    from app.reports.signing import sign_pdf  # deferred: pyHanko is heavy

    check_request(signing)
    try:
        signed = sign_pdf(
            pdf,
            output,
            signing.credential(),
            attachments=attachments,
            role=signing.role,
            reason=signing.reason or reason,
            location=signing.location,
            ltv=_ltv(workspace, signing),
        )
    except ReportError as exc:
        raise UserError(f"cannot sign {Path(pdf).name}: {str(exc).rstrip('.')}") from exc
    if workspace is not None:
        cache_revocation(workspace, output)
    return SignOutcome(signed.signer, signed.role, signed.level, signed.warnings)


def sign_bundle(
    bundle: ReportBundle,
    pdf: Path,
    output: Path,
    signing: SigningRequest,
    workspace: Workspace | None = None,
) -> SignOutcome:
    """Sign a rendered report as assessor, with its evidence manifest and results attached.

    Raises:
        UserError: The credential cannot be used or the PDF cannot be signed.
    """
    from app.reports.manifest import attachments_for

    attachments = attachments_for(bundle.data) | journal_attachment(bundle)
    ref = bundle.data.document.assessment_ref
    outcome = _sign(workspace, pdf, output, signing, attachments, f"Assessment report {ref}")
    logger.info("signed report %s", ref)
    return outcome


def countersign_report(
    pdf: Path,
    output: Path | None,
    signing: SigningRequest,
    workspace: Workspace | None = None,
) -> SignOutcome:
    """Add the reviewer's signature to a report the assessor signed (in place without output).

    Raises:
        UserError: The PDF is not signed by the assessor, already countersigned, or the
            credential cannot be used.
    """
    from dataclasses import replace

    pdf, output = _checked_paths(pdf, output)
    request = replace(signing, role="reviewer")
    return _sign(workspace, pdf, output, request, None, "Reviewed and countersigned")


def extend_report(
    pdf: Path,
    output: Path | None,
    *,
    tsa_url: str,
    trust: tuple[Path, ...],
    revocation: tuple[Path, ...] = (),
    fetch: bool = False,
    workspace: Workspace | None = None,
) -> int:
    """Raise a signed report to PAdES B-LTA: validation data and a document time stamp.

    Returns:
        The number of signatures extended.

    Raises:
        UserError: No TSA or anchors, an unsigned PDF, an unreachable TSA, or a chain that
            does not reach a trust anchor.
    """
    from app.reports.ltv import LtvOptions, extend_pdf

    pdf, output = _checked_paths(pdf, output)
    if not tsa_url:
        raise UserError("extending needs a time-stamping authority: give --tsa URL")
    if not trust:
        raise UserError("extending needs the trust anchors the chains reach: give --trust")
    anchors, known = load_trust_and_revocation(trust, revocation)
    if workspace is not None:
        known = known + cached_revocation(workspace)
    try:
        count = extend_pdf(pdf, output, LtvOptions(tsa_url, anchors, known, fetch))
    except ReportError as exc:
        raise UserError(f"cannot extend {pdf.name}: {str(exc).rstrip('.')}") from exc
    if workspace is not None:
        cache_revocation(workspace, output)
    return count


def _checked_paths(pdf: Path, output: Path | None) -> tuple[Path, Path]:
    pdf = Path(pdf).expanduser()
    if not pdf.is_file():
        raise UserError(f"no file {pdf}")
    output = Path(output).expanduser() if output else pdf
    if output.suffix.lower() != ".pdf":
        raise UserError(f"{output.name}: the file name must end in .pdf")
    if not output.parent.is_dir():
        raise UserError(f"the folder {output.parent} does not exist")
    return pdf, output


def list_token_keys(library: Path) -> list[Any]:
    """Return the tokens a PKCS#11 library sees, each with the labels of its keys.

    Raises:
        UserError: The library is missing or cannot be loaded.
    """
    from app.reports.credentials import list_tokens

    if not Path(library).is_file():
        raise UserError(f"no PKCS#11 library {library}")
    try:
        return list_tokens(Path(library))
    except ReportError as exc:
        raise UserError(str(exc).rstrip(".")) from exc
