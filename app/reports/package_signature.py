"""A detached CMS (PKCS#7) signature over a package's manifest, made and checked offline.

The assessor's credential (PKCS#12 file or token key, as for reports) signs the manifest's
bytes; the manifest holds the SHA-256 of every other member, so the signature covers the
whole package. Checking tells whether the bytes are intact and the signature valid, and names
the signer; whether the signer is trusted is the reader's judgement (the certificate is shown).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from app.reports.certcheck import common_name
from app.reports.credentials import Credential, open_signer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackageSignature:
    """What checking a package's signature found.

    Attributes:
        ok: True when the manifest is as signed and the signature is valid.
        signer: The signer certificate's subject in words.
        reason: Why the signature fails (empty when it holds).
    """

    ok: bool
    signer: str = ""
    reason: str = ""


def sign_manifest(credential: Credential, manifest: bytes) -> bytes:
    """Return a detached CMS signature (DER) of ``manifest`` made with the credential.

    Raises:
        SigningError: The credential cannot be opened or may not sign.
    """
    with open_signer(credential) as signer:
        content = asyncio.run(signer.async_sign_general_data(manifest, "sha256", detached=True))
    return bytes(content.dump())


def signer_name(credential: Credential) -> str:
    """Return the subject of the credential's certificate in words."""
    with open_signer(credential) as signer:
        return common_name(signer.signing_cert)


def check_manifest_signature(manifest: bytes, signature: bytes) -> PackageSignature:
    """Check a detached CMS signature of ``manifest`` (offline; trust is not judged)."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    try:
        info = cms.ContentInfo.load(signature)
        signed_data: Any = info["content"]
        # The signer's own certificates anchor the path: this checks the bytes and the
        # signature, not whether the signer is trusted (the reader judges that by the name).
        anchors = [c.chosen for c in signed_data["certificates"]]
        context = ValidationContext(trust_roots=anchors)
        status = asyncio.run(
            async_validate_detached_cms(manifest, signed_data, signer_validation_context=context)
        )
    except Exception as exc:  # noqa: BLE001 - whatever breaks the check fails the signature
        return PackageSignature(False, reason=f"the signature cannot be checked ({exc})")
    signer = common_name(status.signing_cert) if status.signing_cert else ""
    if not status.intact:
        return PackageSignature(False, signer, "the manifest was changed after it was signed")
    if not status.valid:
        return PackageSignature(False, signer, "the signature does not verify")
    return PackageSignature(True, signer)
