"""The signer's credential: a PKCS#12 file or a key on a PKCS#11 token (smart card, USB token).

:func:`open_signer` yields a pyHanko signer for either, after checking that the certificate
is valid today and allowed to sign documents. The password or PIN is a parameter only: never
logged, stored or put in an error message. :func:`list_tokens` names the tokens a PKCS#11
library sees and the certificates on each (readable without the PIN).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.reports.errors import SigningError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credential:
    """Where the signing key is. The secret never shows in ``repr``.

    Attributes:
        p12_path: A PKCS#12 file, or None for a token.
        pkcs11_lib: The PKCS#11 library (``.so``/``.dll``/``.dylib``) of the token.
        token: The token's label.
        key: The label of the key (and its certificate) on the token.
        secret: The PKCS#12 password or the token PIN, as bytes.
    """

    p12_path: Path | None = None
    pkcs11_lib: Path | None = None
    token: str = ""
    key: str = ""
    secret: bytes = field(default=b"", repr=False)

    @property
    def description(self) -> str:
        """Return where the key is, for messages (never the secret)."""
        if self.p12_path is not None:
            return Path(self.p12_path).name
        return f"key {self.key!r} on token {self.token!r}"


@dataclass(frozen=True)
class TokenKey:
    """A certificate on a token, named by its label."""

    label: str
    subject: str
    not_after: dt.datetime | None
    name: str = ""


@dataclass(frozen=True)
class TokenInfo:
    """A token seen through a PKCS#11 library."""

    label: str
    manufacturer: str
    model: str
    keys: tuple[TokenKey, ...]


def check_signing_certificate(cert: Any, where: str, now: dt.datetime | None = None) -> None:
    """Refuse a certificate that is not valid today or may not sign documents.

    Args:
        cert: An asn1crypto certificate.
        where: The credential, for the message.
        now: The time to check against (default: now).

    Raises:
        SigningError: Expired, not yet valid, or wrong key usage.
    """
    from app.reports.certcheck import certificate_problems

    problems = certificate_problems(cert, now or dt.datetime.now(dt.UTC))
    if problems:
        raise SigningError(f"Cannot sign with {where}: {problems[0]}.")


def _p12_signer(path: Path, password: bytes) -> Any:
    from app.reports.kept_key_signer import load_p12_signer

    if not Path(path).is_file():
        raise SigningError(f"Cannot read the certificate file {Path(path).name}.")
    try:
        signer = load_p12_signer(path, password)
    except OSError as exc:
        raise SigningError(f"Cannot read the certificate file {Path(path).name}.") from exc
    except (ValueError, TypeError):
        signer = None
    if signer is None or signer.signing_cert is None:
        raise SigningError(
            f"Cannot open {Path(path).name}: wrong password or not a PKCS#12 (.p12/.pfx) file."
        )
    return signer


@contextlib.contextmanager
def _token_signer(credential: Credential) -> Iterator[Any]:
    from pkcs11 import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11
    from pyhanko.sign.general import SigningError as PyhankoSigningError

    if not credential.token or not credential.key:
        raise SigningError("Name the token with --token LABEL and the key with --key LABEL.")
    try:
        session = pkcs11.open_pkcs11_session(
            str(credential.pkcs11_lib),
            token_criteria=TokenCriteria(label=credential.token),
            user_pin=credential.secret.decode("utf-8"),
        )
    except (PKCS11Error, RuntimeError, OSError) as exc:
        raise SigningError(_token_message(credential, exc)) from None
    try:
        signer = pkcs11.PKCS11Signer(session, key_label=credential.key, cert_label=credential.key)
        try:
            signer.signing_cert  # noqa: B018 - load key and certificate now
        except (PKCS11Error, PyhankoSigningError) as exc:
            raise SigningError(_token_message(credential, exc)) from None
        yield signer
    finally:
        session.close()


def _token_message(credential: Credential, exc: BaseException) -> str:
    reason = type(exc).__name__
    if "PinIncorrect" in reason or "PinLen" in reason:
        return f"Cannot open token {credential.token!r}: wrong PIN."
    if "No token" in str(exc) or "TokenNotPresent" in reason:
        return f"No token {credential.token!r} in {Path(str(credential.pkcs11_lib)).name}."
    if "Could not find" in str(exc) or "NoSuchKey" in reason:
        return f"No key and certificate {credential.key!r} on token {credential.token!r}."
    return f"Cannot use {credential.description}: {reason}."


@contextlib.contextmanager
def open_signer(credential: Credential) -> Iterator[Any]:
    """Yield a pyHanko signer for the credential, its certificate checked for signing.

    Raises:
        SigningError: The credential cannot be opened (wrong password or PIN, no such token
            or key) or its certificate may not sign today.
    """
    if credential.p12_path is not None:
        signer = _p12_signer(credential.p12_path, credential.secret)
        check_signing_certificate(signer.signing_cert, credential.description)
        yield signer
        return
    if credential.pkcs11_lib is None:
        raise SigningError("Give a PKCS#12 file or a PKCS#11 library to sign with.")
    with _token_signer(credential) as signer:
        check_signing_certificate(signer.signing_cert, credential.description)
        yield signer


def list_tokens(library: Path) -> list[TokenInfo]:
    """Return the tokens a PKCS#11 library sees, each with its certificates' labels.

    Raises:
        SigningError: The library cannot be loaded.
    """
    import pkcs11

    try:
        lib = pkcs11.lib(str(library))
        slots = lib.get_slots(token_present=True)
    except (pkcs11.exceptions.PKCS11Error, RuntimeError, OSError) as exc:
        raise SigningError(f"Cannot load the PKCS#11 library {library.name}: {exc}") from None
    tokens = []
    for slot in slots:
        try:
            token = slot.get_token()
            keys = _token_certificates(token)
        except pkcs11.exceptions.PKCS11Error as exc:
            logger.info("skipping a token that cannot be read (%s)", type(exc).__name__)
            continue
        tokens.append(TokenInfo(token.label, token.manufacturer_id, token.model, keys))
    return tokens


def _token_certificates(token: Any) -> tuple[TokenKey, ...]:
    """Return the certificates of a token (public objects: no PIN needed)."""
    import pkcs11
    from asn1crypto import x509

    from app.reports.certcheck import common_name

    keys = []
    with token.open() as session:
        query = {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE}
        for obj in session.get_objects(query):
            cert = x509.Certificate.load(obj[pkcs11.Attribute.VALUE])
            label = obj[pkcs11.Attribute.LABEL]
            subject, when = cert.subject.human_friendly, cert.not_valid_after
            keys.append(TokenKey(label, subject, when, common_name(cert)))
    return tuple(keys)
