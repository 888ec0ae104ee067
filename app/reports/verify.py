"""Verification of signed reports (pyHanko), offline, with verdicts that mean what they say.

:func:`verify_pdf` checks every signature and document time stamp of a PDF and gives each a
verdict, worst first:

- **broken** (red): the signed bytes do not match, or the signer's certificate was not fit to
  sign at the signing time (expired, not yet valid, revoked when revocation data is known,
  wrong key usage);
- **changed after signing** (red): content was changed after the signature (later
  signatures, form filling of signature fields and validation data are allowed);
- **intact, signer not trusted** (amber): unchanged, but the certificate does not chain to a
  trust anchor the user configured;
- **intact and trusted** (green): unchanged and chaining to a configured trust anchor.

The document's verdict is the worst of its signatures. The certificate is judged at the
time stamp when there is one, else at the time the signer's clock recorded. Nothing is fetched
from the network: revocation data comes from the document (PAdES B-LT/B-LTA) or from files.
A file that cannot be parsed is "broken", never an exception.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.reports.signatures import SignatureFacts, describe_signature, document_facts
from app.reports.trust import RevocationData, TrustStore

logger = logging.getLogger(__name__)

_PYHANKO_NOISY = ("pyhanko.sign.validation.generic_cms", "pyhanko_certvalidator")


class Verdict(StrEnum):
    """What a signature (or a whole document) is worth, best first."""

    TRUSTED = "intact and trusted"
    UNTRUSTED = "intact, signer not trusted"
    CHANGED = "changed after signing"
    BROKEN = "broken"

    @property
    def colour(self) -> str:
        """Return ``green``, ``amber`` or ``red``."""
        return {"intact and trusted": "green", "intact, signer not trusted": "amber"}.get(
            self.value, "red"
        )

    @property
    def rank(self) -> int:
        """Return 0 for the best verdict up to 3 for the worst."""
        return list(Verdict).index(self)


@dataclass(frozen=True)
class SignatureCheck:
    """One signature (or document time stamp) and its verdict.

    Attributes:
        facts: Field, role, signer, time and level.
        coverage: What the signature covers ("whole file" or "its revision").
        changed_after: What changed after it ("nothing", "signatures added", ...).
        intact: The signed bytes match the signature.
        trusted: The certificate chains to a configured trust anchor, valid at that time.
        problems: Why the signature is not valid, in plain words (empty when it is).
        verdict: The verdict.
    """

    facts: SignatureFacts
    coverage: str
    changed_after: str
    intact: bool
    trusted: bool
    problems: tuple[str, ...]
    verdict: Verdict


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of verifying a signed PDF.

    Attributes:
        verdict: The worst verdict of all signatures ("broken" when there is none).
        signatures: Each signature and document time stamp, in signing order.
        summary: One or two sentences for the user.
        attachments: Names of the embedded files.
        trust_configured: Trust anchors were given.
    """

    verdict: Verdict
    signatures: tuple[SignatureCheck, ...]
    summary: str
    attachments: tuple[str, ...] = ()
    trust_configured: bool = False

    @property
    def ok(self) -> bool:
        """Return True only when every signature is intact and trusted."""
        return self.verdict is Verdict.TRUSTED


class _NoTraceback(logging.Filter):
    """Turns pyHanko's expected "untrusted certificate" warnings into quiet debug lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def _quiet_pyhanko() -> None:
    for name in _PYHANKO_NOISY:
        noisy = logging.getLogger(name)
        if not any(isinstance(f, _NoTraceback) for f in noisy.filters):
            noisy.addFilter(_NoTraceback())


def read_attachments(path: Path) -> dict[str, bytes]:
    """Return the files embedded in a PDF, by name (empty if none or unreadable)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        return {name: contents[0] for name, contents in reader.attachments.items() if contents}
    except (OSError, PdfReadError, ValueError, KeyError) as exc:
        logger.info("cannot list attachments of %s: %s", path.name, exc)
        return {}


def _context(trust: TrustStore, revocation: RevocationData, dss: Any, moment: Any) -> Any:
    kwargs = {
        "trust_roots": list(trust.roots),
        "crls": list(revocation.crls),
        "ocsps": list(revocation.ocsps),
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
        "moment": moment,
    }
    if dss is not None:
        return dss.as_validation_context(kwargs)
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(**kwargs)


def _status(signature: Any, facts: SignatureFacts, context: Any) -> Any:
    from pyhanko.sign.validation import (
        KeyUsageConstraints,
        validate_pdf_signature,
        validate_pdf_timestamp,
    )

    if facts.is_timestamp:
        return validate_pdf_timestamp(signature, context)
    usage = KeyUsageConstraints(
        key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
    )
    return validate_pdf_signature(signature, context, key_usage_settings=usage)


def _changes(status: Any) -> tuple[str, str, bool]:
    """Return (coverage, what changed after, whether content changed) from a status."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "whole file", "nothing", False
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return "part of the file", "unsigned parts", True
    level = status.modification_level
    allowed = {
        ModificationLevel.NONE: "nothing",
        ModificationLevel.LTA_UPDATES: "validation data and time stamps added",
        ModificationLevel.FORM_FILLING: "later signatures added",
    }
    if level in allowed and getattr(status, "docmdp_ok", True) is not False:
        return "its revision", allowed[level], False
    return "its revision", "content changed", True


def _judge(status: Any, facts: SignatureFacts, trust: TrustStore) -> SignatureCheck:
    from app.reports.certcheck import certificate_problems

    coverage, changed_after, content_changed = _changes(status)
    intact = bool(status.intact and status.valid)
    problems = [] if intact else ["the signed bytes do not match the signature"]
    if not facts.is_timestamp:
        moment = facts.signing_time or dt.datetime.now(dt.UTC)
        problems += certificate_problems(status.signing_cert, moment)
    if getattr(status, "revoked", False):
        problems.append("the signer's certificate was revoked")
    trusted = bool(status.trusted) and not problems
    if problems:
        verdict = Verdict.BROKEN
    elif content_changed:
        verdict = Verdict.CHANGED
        problems.append("the document's content was changed after this signature")
    elif trusted:
        verdict = Verdict.TRUSTED
    else:
        verdict = Verdict.UNTRUSTED
        problems.append(
            "the certificate does not chain to a configured trust anchor"
            if trust.configured
            else "no trust anchor is configured (give the firm's root or CA folder)"
        )
    return SignatureCheck(facts, coverage, changed_after, intact, trusted, tuple(problems), verdict)


def _check(signature: Any, facts: SignatureFacts, trust: TrustStore, extra: Any) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator.errors import PathValidationError

    revocation, dss = extra
    try:
        status = _status(signature, facts, _context(trust, revocation, dss, facts.signing_time))
    except (SignatureValidationError, PathValidationError, PdfError, ValueError, KeyError) as exc:
        logger.info("signature %s cannot be validated: %s", facts.field, exc)
        problem = f"it cannot be validated ({exc})"
        return SignatureCheck(facts, "-", "-", False, False, (problem,), Verdict.BROKEN)
    return _judge(status, facts, trust)


def _summary(verdict: Verdict, checks: tuple[SignatureCheck, ...]) -> str:
    who = ", ".join(
        f"{c.facts.signer} ({c.facts.role})" for c in checks if not c.facts.is_timestamp
    )
    if verdict is Verdict.TRUSTED:
        return f"Intact and trusted: signed by {who}; unchanged since, chains to a trust anchor."
    worst = next(c for c in checks if c.verdict is verdict)
    reason = worst.problems[0] if worst.problems else verdict.value
    found = f"{verdict.value.capitalize()}: {worst.facts.signer} ({worst.facts.role}): {reason}."
    return f"{found} {_NEXT_STEP[verdict]}"


# What the reader should do about each verdict short of "intact and trusted".
_NEXT_STEP = {
    Verdict.UNTRUSTED: "Check who the signer is before relying on it: verify again with the "
    "root certificate of the signer's firm, obtained from the firm itself.",
    Verdict.CHANGED: "Do not rely on this copy: ask the signers for the file as they signed it.",
    Verdict.BROKEN: "Do not rely on this signature: ask the signers for the original file, "
    "or for a new signature with a valid certificate.",
}


def _failure(summary: str) -> VerifyResult:
    return VerifyResult(Verdict.BROKEN, (), summary)


def verify_pdf(
    path: Path,
    trust: TrustStore | None = None,
    revocation: RevocationData | None = None,
) -> VerifyResult:
    """Verify every signature of a PDF report, offline.

    Args:
        path: The signed PDF.
        trust: The configured trust anchors; without them nothing is "trusted".
        revocation: CRLs and OCSP responses known beside those the document carries.

    Returns:
        The verdict of each signature and of the document; an unsigned or damaged file is
        "broken" with a summary.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    _quiet_pyhanko()
    trust = trust or TrustStore()
    try:
        reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
        embedded = list(reader.embedded_signatures)
        document = document_facts(reader)
    except OSError:
        return _failure(f"Cannot read {path.name}.")
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        logger.info("cannot parse %s: %s", path.name, exc)
        return _failure(f"Broken: {path.name} is damaged and cannot be read as a signed PDF.")
    if not embedded:
        return _failure(f"Broken: {path.name} is not signed.")
    extra = (revocation or RevocationData(), document.dss)
    checks = tuple(_check(sig, describe_signature(sig, document), trust, extra) for sig in embedded)
    verdict = max((c.verdict for c in checks), key=lambda v: v.rank)
    result = VerifyResult(
        verdict,
        checks,
        _summary(verdict, checks),
        tuple(sorted(read_attachments(path))),
        trust.configured,
    )
    logger.info("verified %s: %s", path.name, result.summary)
    return result


def signing_time_text(moment: dt.datetime | None) -> str:
    """Return a signing time as ``YYYY-MM-DD HH:MM UTC`` (or a dash)."""
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if moment else "-"
