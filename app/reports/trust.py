"""Trust anchors and revocation data read from files, for signing and verifying reports.

A trust anchor is what the user configured: a certificate file (PEM or DER, e.g. the firm's
root), a folder of such files, or a cached copy of a trusted list in ETSI TS 119 612 XML (the EU
Trusted List format), from which the certificates of the listed services are taken. Revocation
data is a CRL or an OCSP response, DER or PEM, fetched beforehand or given as files.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.reports.errors import ReportError
from app.support.text import plural

logger = logging.getLogger(__name__)

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.+?)-----END \1-----", re.DOTALL)
_TL_CERT = re.compile(r"<(?:\w+:)?X509Certificate>\s*([A-Za-z0-9+/=\s]+?)\s*</", re.DOTALL)


@dataclass(frozen=True)
class RevocationData:
    """CRLs and OCSP responses (asn1crypto objects) known before validation."""

    crls: tuple[Any, ...] = ()
    ocsps: tuple[Any, ...] = ()

    def __add__(self, other: RevocationData) -> RevocationData:
        return RevocationData(self.crls + other.crls, self.ocsps + other.ocsps)

    @property
    def empty(self) -> bool:
        """Return True when there is no revocation data at all."""
        return not self.crls and not self.ocsps


@dataclass(frozen=True)
class TrustStore:
    """The trust anchors the user configured, and where they came from."""

    roots: tuple[Any, ...] = ()
    sources: tuple[str, ...] = field(default=())

    @property
    def configured(self) -> bool:
        """Return True when at least one anchor was given."""
        return bool(self.roots)


def _der_blocks(data: bytes, kind: bytes) -> list[bytes]:
    """Return DER bodies: each PEM block of ``kind`` in ``data``, or ``data`` itself."""
    blocks = [base64.b64decode(body) for label, body in _PEM_BLOCK.findall(data) if kind in label]
    return blocks or ([data] if not data.lstrip().startswith(b"-----") else [])


def _load_certs(path: Path) -> list[Any]:
    from asn1crypto import x509

    data = path.read_bytes()
    if path.suffix.lower() == ".xml":
        text = data.decode("utf-8", errors="replace")
        return [x509.Certificate.load(base64.b64decode(b)) for b in _TL_CERT.findall(text)]
    certs = [x509.Certificate.load(der) for der in _der_blocks(data, b"CERTIFICATE")]
    for cert in certs:
        cert.native  # noqa: B018 - parse fully now, so a broken file fails here
    return certs


def load_trust(paths: list[Path]) -> TrustStore:
    """Read trust anchors from files, folders of certificates, and trusted-list XML copies.

    Raises:
        ReportError: A path is missing or a file is not a certificate or trusted list.
    """
    roots: list[Any] = []
    for path in paths:
        files = _anchor_files(path)
        for file in files:
            try:
                roots.extend(_load_certs(file))
            except (OSError, ValueError, TypeError) as exc:
                raise ReportError(f"Cannot read the trusted certificate {file.name}.") from exc
    logger.info(
        "loaded %s from %s", plural(len(roots), "trust anchor"), plural(len(paths), "source")
    )
    return TrustStore(tuple(roots), tuple(str(p) for p in paths))


def _anchor_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in CERT_SUFFIXES
        )
    if not path.is_file():
        raise ReportError(f"No trusted certificate or folder {path.name}.")
    return [path]


def parse_revocation(data: bytes, name: str) -> RevocationData:
    """Read one CRL or OCSP response (DER or PEM).

    Raises:
        ReportError: The bytes are neither.
    """
    from asn1crypto import crl, ocsp

    for der in _der_blocks(data, b""):
        try:
            response = ocsp.OCSPResponse.load(der)
            if response["response_status"].native == "successful":
                response.native  # noqa: B018 - parse fully
                return RevocationData(ocsps=(response,))
        except (ValueError, TypeError):
            pass
        try:
            certificate_list = crl.CertificateList.load(der)
            certificate_list.native  # noqa: B018 - parse fully
            return RevocationData(crls=(certificate_list,))
        except (ValueError, TypeError):
            pass
    raise ReportError(f"{name} is neither a CRL nor an OCSP response.")


def load_revocation(paths: list[Path]) -> RevocationData:
    """Read CRLs and OCSP responses from files.

    Raises:
        ReportError: A file cannot be read or holds neither.
    """
    data = RevocationData()
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ReportError(f"Cannot read the revocation file {path.name}.") from exc
        data = data + parse_revocation(raw, path.name)
    return data
