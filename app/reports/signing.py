"""PAdES signatures on reports (pyHanko) and self-signed assessor certificates for trials.

:func:`sign_pdf` attaches the evidence manifest and results JSON first and signs afterwards, so
the signature covers the attachments. The signature is PAdES baseline B-B
(``ETSI.CAdES.detached``, SHA-256), the signer's certificate (and any chain in the PKCS#12) is
embedded, and the visible stamp goes into the empty ``AssessorSignature`` field that
:mod:`app.reports.pdf` placed on the attestation page — or, for another PDF, into a new box on
its last page.

Passwords are parameters only: never logged, stored or put in an error message.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import SigningError
from app.reports.pdf import SIGNATURE_FIELD
from app.support.safe_files import PRIVATE_MODE, SHARED_MODE, write_atomically

logger = logging.getLogger(__name__)

#: Where a new signature box goes when the PDF has no empty field (points, last page).
FALLBACK_BOX = (330, 40, 560, 120)
STAMP_TEXT = "Digitally signed by %(signer)s\nDate: %(ts)s"


@dataclass(frozen=True, slots=True)
class SignedReport:
    """What :func:`sign_pdf` did."""

    signer: str
    signed_at: dt.datetime
    attachments: tuple[str, ...]


def _load_signer(p12_path: Path, password: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers

    try:
        data = p12_path.read_bytes()
    except OSError as exc:
        raise SigningError(f"Cannot read the certificate file {p12_path.name}.") from exc
    try:
        _key, cert, _chain = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError):
        raise SigningError(
            f"Cannot open {p12_path.name}: wrong password or not a PKCS#12 (.p12/.pfx) file."
        ) from None
    if cert is None:
        raise SigningError(f"{p12_path.name} holds no certificate.")
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise SigningError(
            f"The certificate in {p12_path.name} expired on {cert.not_valid_after_utc:%Y-%m-%d}."
        )
    if cert.not_valid_before_utc > now:
        raise SigningError(
            f"The certificate in {p12_path.name} is valid only from "
            f"{cert.not_valid_before_utc:%Y-%m-%d}."
        )
    return signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password or None)


def _embed(writer: Any, name: str, data: bytes, now: dt.datetime) -> None:
    from pyhanko.pdf_utils import embed, generic

    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        data,
        mime_type=media_type,
        params=embed.EmbeddedFileParams(creation_date=now, modification_date=now),
    )
    spec = embed.FileSpec(
        file_spec_string=name,
        file_name=name,
        embedded_data=stream,
        description=f"{name} (covered by the report signature)",
        af_relationship=generic.pdf_name("/Data"),
    )
    embed.embed_file(writer, spec)


def _has_empty_field(writer: Any, name: str) -> bool:
    from pyhanko.sign import fields

    return any(
        field_name == name
        for field_name, _value, _ref in fields.enumerate_sig_fields(writer, filled_status=False)
    )


def _signer_name(signer: Any) -> str:
    subject = signer.signing_cert.subject.native
    return str(subject.get("common_name") or signer.signing_cert.subject.human_friendly)


def sign_pdf(
    in_path: Path,
    out_path: Path,
    p12_path: Path,
    password: bytes,
    *,
    attachments: dict[str, bytes],
    reason: str = "Assessment report issued by the assessor",
    location: str = "",
) -> SignedReport:
    """Attach files to a PDF, then sign it (PAdES B-B) with a PKCS#12 certificate.

    Args:
        in_path: The unsigned PDF.
        out_path: The signed PDF to write (may equal ``in_path``).
        p12_path: The assessor's PKCS#12 file.
        password: Its password (never logged or stored).
        attachments: Files to embed before signing, by file name (e.g. from
            :func:`app.reports.manifest.attachments_for`).
        reason: The reason recorded in the signature.
        location: The place of signing, if wanted.

    Returns:
        Who signed, when, and which files were attached.

    Raises:
        SigningError: The certificate cannot be opened or is not valid today, or the PDF
            cannot be read or written.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    signer = _load_signer(p12_path, password)
    name = _signer_name(signer)
    now = dt.datetime.now(dt.UTC)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(in_path.read_bytes()))
    except (OSError, PdfError, ValueError) as exc:
        raise SigningError(f"Cannot read {in_path.name} as a PDF.") from exc
    for file_name in sorted(attachments):
        _embed(writer, file_name, attachments[file_name], now)
    new_field = None
    if not _has_empty_field(writer, SIGNATURE_FIELD):
        new_field = fields.SigFieldSpec(SIGNATURE_FIELD, on_page=-1, box=FALLBACK_BOX)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        stamp_style=TextStampStyle(stamp_text=STAMP_TEXT, border_width=1),
        new_field_spec=new_field,
    )
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=output)
    except (PdfError, ValueError) as exc:
        raise SigningError(f"Cannot sign {in_path.name}: {exc}") from exc
    _write(out_path, output.getvalue())
    logger.info("signed %s as %s with %d attachment(s)", out_path.name, name, len(attachments))
    return SignedReport(name, now, tuple(sorted(attachments)))


def _write(path: Path, data: bytes, mode: int = SHARED_MODE) -> None:
    try:
        write_atomically(path, data, mode)
    except OSError as exc:
        raise SigningError(f"Cannot write {path.name}: {exc.strerror or exc}") from exc


def create_self_signed_p12(
    path: Path,
    name: str,
    org: str,
    email: str,
    password: bytes,
    days: int = 365,
) -> None:
    """Create a self-signed signing certificate and key in a PKCS#12 file, for trials.

    The certificate (RSA 3072, SHA-256) carries digital-signature and non-repudiation key
    usage and the document-signing extended key usage. Readers will say its issuer is not
    trusted; give the certificate to ``verify_pdf(trust=...)`` to trust it explicitly.

    Args:
        path: The ``.p12`` file to write.
        name: The assessor's name (certificate common name).
        org: The organisation.
        email: The e-mail address.
        password: The password protecting the file (never logged or stored).
        days: How long the certificate is valid.

    Raises:
        SigningError: The file cannot be written or an argument is empty.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

    if not name.strip() or not password:
        raise SigningError("A certificate needs a name and a password.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name.strip())]
    if org.strip():
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.strip()))
    if email.strip():
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email.strip()))
    subject = x509.Name(attributes)
    now = dt.datetime.now(dt.UTC)
    document_signing = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=max(days, 1)))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, document_signing]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if email.strip():
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email.strip())]), critical=False
        )
    cert = builder.sign(key, hashes.SHA256())
    data = pkcs12.serialize_key_and_certificates(
        name.strip().encode("utf-8"),
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(password),
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SigningError(f"Cannot create the folder of {path.name}.") from exc
    _write(path, data, PRIVATE_MODE)  # the private key: its owner only, whatever the umask
    logger.info("created a self-signed certificate for %s in %s", name, path.name)


def export_certificate_pem(p12_path: Path, password: bytes, pem_path: Path) -> None:
    """Write the certificate of a PKCS#12 file as PEM (to hand to verifiers as trust anchor).

    Raises:
        SigningError: The PKCS#12 file cannot be opened.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        _key, cert, _chain = pkcs12.load_key_and_certificates(
            p12_path.read_bytes(), password or None
        )
    except (OSError, ValueError, TypeError):
        raise SigningError(
            f"Cannot open {p12_path.name}: wrong password or not a PKCS#12 file."
        ) from None
    if cert is None:
        raise SigningError(f"{p12_path.name} holds no certificate.")
    _write(pem_path, cert.public_bytes(serialization.Encoding.PEM))
