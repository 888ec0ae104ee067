"""Trial assessor certificates: a self-signed certificate and key in a PKCS#12 file.

The ``.p12`` file holds the private key and is written readable by its owner only (0600);
its password is a parameter only, never logged or stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from app.reports.errors import SigningError
from app.reports.signing import write_file

logger = logging.getLogger(__name__)


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
    write_file(path, data, private=True)
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
    write_file(pem_path, cert.public_bytes(serialization.Encoding.PEM))
