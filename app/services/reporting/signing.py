"""Signing reports, verifying signed PDFs and making trial assessor certificates.

The certificate password travels as bytes from the caller straight to the signing library; it
is never logged, stored, put in an exception message or kept after the call. The quality gate
runs before anything is rendered and its errors refuse the signature.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.reports.errors import ReportError
from app.services import journal
from app.services.errors import UserError
from app.services.quality_gate import run_quality_gate
from app.services.reporting.build import ReportBundle
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SigningRequest:
    """What signing a report needs. The password never shows in ``repr``.

    Attributes:
        p12_path: The assessor's PKCS#12 file (certificate and private key).
        password: Its password, as bytes.
        reason: The reason written into the signature.
        location: Where the report was signed.
    """

    p12_path: Path
    password: bytes = field(repr=False)
    reason: str = ""
    location: str = ""


@dataclass(frozen=True)
class VerifyOutcome:
    """What checking a signed PDF found.

    Attributes:
        file: The PDF checked.
        signed: True when the PDF carries a signature at all.
        signer: The signer's name from the certificate.
        signing_time: When it was signed (as the signer's clock said).
        intact: The signed bytes are unchanged.
        covers_whole_document: The signature covers the whole file.
        modified_after_signing: Something was added or changed after the signature.
        trusted: The signer chains to a certificate given with ``trust``; None without one.
        summary: One sentence for the user.
    """

    file: Path
    signed: bool
    signer: str
    signing_time: dt.datetime | None
    intact: bool
    covers_whole_document: bool
    modified_after_signing: bool
    trusted: bool | None
    summary: str

    @property
    def valid(self) -> bool:
        """Return True when intact, unchanged since signing, and trusted when trust was asked."""
        return (
            self.signed
            and self.intact
            and self.covers_whole_document
            and not self.modified_after_signing
            and self.trusted is not False
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data, with ``valid``."""
        return journal.jsonable(asdict(self) | {"valid": self.valid})


@dataclass(frozen=True)
class CertificateInfo:
    """A certificate written by :func:`create_certificate`."""

    path: Path
    certificate_path: Path
    subject: str
    not_after: dt.datetime
    fingerprint: str

    def as_dict(self) -> dict[str, Any]:
        """Return the certificate's facts as JSON-ready data."""
        return journal.jsonable(asdict(self))


def check_can_sign(workspace: Workspace, assessment_id: int, signing: SigningRequest) -> None:
    """Refuse signing before any work: a missing certificate file or quality-gate errors.

    Raises:
        UserError: The certificate file is missing, its password is wrong, or the quality
            gate found errors.
    """
    if not Path(signing.p12_path).is_file():
        raise UserError(f"no certificate file {signing.p12_path}")
    _check_password(Path(signing.p12_path), signing.password)
    gate = run_quality_gate(workspace, assessment_id)
    if gate.errors:
        raise UserError(
            f"cannot sign: the quality gate found {len(gate.errors)} error(s) in assessment "
            f"{assessment_id}, first: {gate.errors[0].message}"
        )


def _check_password(path: Path, password: bytes) -> None:
    """Open the PKCS#12 file once, so a wrong password fails before any rendering."""
    from cryptography.hazmat.primitives.serialization import pkcs12  # deferred: heavy

    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"cannot open the certificate {path.name}: wrong password or not a PKCS#12 file"
        ) from exc
    except OSError as exc:
        raise UserError(f"cannot read the certificate {path.name}: {exc.strerror}") from exc
    if key is None or certificate is None:
        raise UserError(f"{path.name} holds no private key and certificate to sign with")


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


def sign_bundle(bundle: ReportBundle, pdf: Path, output: Path, signing: SigningRequest) -> str:
    """Sign a rendered report with its evidence manifest and results attached.

    Returns:
        The signer's name from the certificate.

    Raises:
        UserError: The certificate cannot be opened (wrong password, not PKCS#12) or the PDF
            cannot be signed.
    """
    from app.reports.manifest import attachments_for
    from app.reports.signing import sign_pdf  # deferred: pyHanko is heavy

    try:
        signed = sign_pdf(
            pdf,
            output,
            signing.p12_path,
            signing.password,
            attachments=attachments_for(bundle.data) | journal_attachment(bundle),
            reason=signing.reason or f"Assessment report {bundle.data.document.assessment_ref}",
            location=signing.location,
        )
    except ReportError as exc:
        raise UserError(f"cannot sign the report: {exc}") from exc
    logger.info("signed report %s", bundle.data.document.assessment_ref)
    return signed.signer


def verify_report(path: Path, trust: list[Path] | None = None) -> VerifyOutcome:
    """Check the signature of a PDF: signer, time, integrity, changes after signing.

    Raises:
        UserError: The file or a trusted certificate cannot be read.
    """
    from app.reports.verify import verify_pdf  # deferred: pyHanko is heavy

    path = Path(path)
    if not path.is_file():
        raise UserError(f"no file {path}")
    try:
        result = verify_pdf(path, list(trust) if trust else None)
    except ReportError as exc:
        raise UserError(f"cannot verify {path.name}: {exc}") from exc
    return VerifyOutcome(
        file=path,
        signed=result.signatures > 0,
        signer=result.signer,
        signing_time=result.signing_time,
        intact=result.intact,
        covers_whole_document=result.covers_whole_document,
        modified_after_signing=result.modified_after_signing,
        trusted=result.trusted if trust else None,
        summary=result.summary,
    )


def create_certificate(
    path: Path,
    *,
    name: str | None,
    organisation: str = "",
    email: str = "",
    days: int = 365,
    password: bytes,
) -> CertificateInfo:
    """Write a self-signed assessor certificate (PKCS#12) and its public part (PEM) for trials.

    Args:
        path: The ``.p12`` file to write; the certificate alone goes beside it as ``.pem``.
        name: The assessor's name; the name in the preferences when None.
        organisation: The assessor's organisation.
        email: The assessor's e-mail address.
        days: Days of validity.
        password: The password protecting the private key.

    Raises:
        UserError: No name, an existing file, or the file cannot be written.
    """
    from app.reports.signing import (  # deferred: cryptography is heavy
        create_self_signed_p12,
        export_certificate_pem,
    )
    from app.support.preferences import load_preferences

    path = Path(path).expanduser()
    name = (name or load_preferences().assessor_name or "").strip()
    if not name:
        raise UserError("give the assessor's name with --name (or set it in Settings)")
    for existing in (path, path.with_suffix(".pem")):
        if existing.exists():
            raise UserError(f"{existing} already exists; choose another file name")
    if not path.parent.is_dir():
        raise UserError(f"the folder {path.parent} does not exist")
    pem = path.with_suffix(".pem")
    try:
        create_self_signed_p12(path, name, organisation, email, password, days)
        export_certificate_pem(path, password, pem)
    except (ReportError, OSError) as exc:
        raise UserError(f"cannot write the certificate {path.name}: {exc}") from exc
    return _certificate_info(path, pem)


def _certificate_info(path: Path, pem: Path) -> CertificateInfo:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    certificate = x509.load_pem_x509_certificate(pem.read_bytes())
    return CertificateInfo(
        path=path,
        certificate_path=pem,
        subject=certificate.subject.rfc4514_string(),
        not_after=certificate.not_valid_after_utc,
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
    )
