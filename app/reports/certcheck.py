"""What makes a certificate unfit to sign a document at a given time, in plain words; its name.

Used before signing (today) and when verifying (at the signing time): a certificate that had
expired, was not yet valid, or may not sign documents makes the signature not valid, whatever
its cryptography says.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

logger = logging.getLogger(__name__)

#: Extended key usages that allow signing documents (no EKU extension allows everything).
DOCUMENT_EKUS = frozenset(
    {
        "1.3.6.1.4.1.311.10.3.12",  # Microsoft document signing
        "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning
        "1.3.6.1.5.5.7.3.4",  # e-mail protection (S/MIME signing certificates)
        "1.2.840.113583.1.1.5",  # Adobe authentic documents trust
        "2.5.29.37.0",  # any extended key usage
    }
)
_SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})


def common_name(cert: Any) -> str:
    """Return the common name of an asn1crypto certificate (or its whole subject)."""
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def certificate_problems(cert: Any, moment: dt.datetime) -> list[str]:
    """Return why ``cert`` (asn1crypto) could not sign a document at ``moment``; [] if fit."""
    problems = []
    not_before, not_after = cert.not_valid_before, cert.not_valid_after
    if moment > not_after:
        problems.append(f"the certificate had expired on {not_after:%Y-%m-%d}")
    if moment < not_before:
        problems.append(f"the certificate was not yet valid (valid from {not_before:%Y-%m-%d})")
    usage = cert.key_usage_value
    if usage is not None and not set(usage.native) & _SIGNING_USAGES:
        problems.append("the certificate's key usage does not allow signatures")
    eku = cert.extended_key_usage_value
    if eku is not None and not {item.dotted for item in eku} & DOCUMENT_EKUS:
        problems.append("the certificate's extended key usage does not allow signing documents")
    return problems
