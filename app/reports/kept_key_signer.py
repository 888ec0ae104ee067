"""A PKCS#12 signer that loads and checks its private key once per signature, not three times.

pyHanko's simple signer keeps the key as DER and turns it back into a key object, with the
full RSA consistency check, every time it signs — and a PAdES signature signs twice (once to
size the signature container, once for real). Loading the key once and keeping the object
makes signing a report about three times faster; other key types fall back to pyHanko's path.

Imported only when a report is signed (it imports pyHanko at module level).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

logger = logging.getLogger(__name__)


class KeptKeySigner(SimpleSigner):  # type: ignore[misc]
    """A simple signer holding its private key as a ready key object.

    Args:
        key: The loaded private key.
        **kwargs: As for pyHanko's ``SimpleSigner``.
    """

    def __init__(self, key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign with the kept key (RSA PKCS#1 v1.5 and ECDSA); other schemes as pyHanko does."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(self._key, EllipticCurvePrivateKey):
            return self._key.sign(data, ECDSA(digest))
        return bytes(super().sign_raw(data, digest_algorithm))


def load_p12_signer(path: Path, password: bytes) -> KeptKeySigner | None:
    """Return a signer for the key and certificates in a PKCS#12 file, or None if it has none.

    Raises:
        ValueError: The data is not PKCS#12 or the password is wrong.
    """
    key, cert, others = pkcs12.load_key_and_certificates(Path(path).read_bytes(), password)
    if key is None or cert is None:
        return None
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    store = SimpleCertificateStore()
    store.register_multiple(
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in others
    )
    return KeptKeySigner(
        key,
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        cert_registry=store,
    )
