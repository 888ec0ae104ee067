"""Trial assessor certificates: a self-signed PKCS#12 file and its public certificate.

The ``.p12`` file holds the private key and is written 0600; its password is never logged or
stored. Real reports are signed with the credential the firm issued (PKCS#12 or a token).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import ReportError
from app.services.errors import UserError
from app.storage import journal

logger = logging.getLogger(__name__)


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
        jsonable: dict[str, Any] = journal.jsonable(asdict(self))
        return jsonable


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
    from app.reports.certificates import (  # deferred: cryptography is heavy
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
