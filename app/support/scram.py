"""SCRAM-SHA-256 password verifiers, the form in which PostgreSQL keeps a login's password.

Creating a login with a verifier rather than the password means the password never travels
to the server, nor into its statement log: only the salted digests do (RFC 5802, RFC 7677).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import unicodedata

logger = logging.getLogger(__name__)

ITERATIONS = 4096


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def scram_verifier(password: str, *, salt: bytes | None = None) -> str:
    """Return the SCRAM-SHA-256 verifier of a password, as ``CREATE ROLE … PASSWORD`` takes it.

    Args:
        password: The password (normalised to NFKC, as SASLprep does for common text).
        salt: 16 random bytes when None (a fixed salt is only for tests).
    """
    salt = salt if salt is not None else os.urandom(16)
    secret = unicodedata.normalize("NFKC", password).encode("utf-8")
    salted = hashlib.pbkdf2_hmac("sha256", secret, salt, ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return f"SCRAM-SHA-256${ITERATIONS}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"
