"""Verification of signed reports (pyHanko), offline.

:func:`verify_pdf` checks every signature of a PDF: that the signed bytes are unchanged
(``intact``), that the signature covers the whole file and nothing was added after it, and —
when trust anchors are given — that the signer's certificate chains to one of them. Nothing is
fetched from the network. A file that cannot even be parsed is reported as not intact, never as
an exception.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import ReportError

logger = logging.getLogger(__name__)

_PYHANKO_NOISY = "pyhanko.sign.validation.generic_cms"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of verifying a signed PDF.

    Attributes:
        signer: The signer's common name (empty when there is no readable signature).
        signing_time: The signing time the signer recorded, if any.
        intact: The signed bytes are unchanged and the cryptographic signature is valid.
        covers_whole_document: The (last) signature covers the file up to its end.
        modified_after_signing: Anything was added or changed after signing.
        trusted: The certificate chains to one of the given trust anchors.
        summary: One or two sentences for the user.
        signatures: How many signatures the file holds.
        attachments: Names of the embedded files.
    """

    signer: str
    signing_time: dt.datetime | None
    intact: bool
    covers_whole_document: bool
    modified_after_signing: bool
    trusted: bool
    summary: str
    signatures: int = 0
    attachments: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Return True when the report is intact and unchanged since signing."""
        return self.intact and self.covers_whole_document and not self.modified_after_signing


class _NoTraceback(logging.Filter):
    """Turns pyHanko's expected "untrusted certificate" warnings into quiet debug lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def _quiet_pyhanko() -> None:
    noisy = logging.getLogger(_PYHANKO_NOISY)
    if not any(isinstance(f, _NoTraceback) for f in noisy.filters):
        noisy.addFilter(_NoTraceback())


def _validation_context(trust: list[Path] | None) -> Any:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for path in trust or []:
        try:
            roots.append(load_cert_from_pemder(str(path)))
        except (OSError, ValueError) as exc:
            raise ReportError(f"Cannot read the trusted certificate {path.name}.") from exc
    return ValidationContext(trust_roots=roots, allow_fetching=False)


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


def _failure(summary: str, signatures: int = 0, signer: str = "") -> VerifyResult:
    return VerifyResult(signer, None, False, False, True, False, summary, signatures)


def _summary(result: VerifyResult) -> str:
    who = result.signer or "an unknown signer"
    when = f" on {result.signing_time:%Y-%m-%d %H:%M} UTC" if result.signing_time else ""
    if not result.intact:
        return f"INVALID: the signature by {who} does not match the document; it was altered."
    if not result.covers_whole_document or result.modified_after_signing:
        return f"CHANGED: signed by {who}{when}, but the file was modified after signing."
    trust = (
        "The certificate is trusted."
        if result.trusted
        else "The certificate is not in the trusted list (self-signed or unknown issuer)."
    )
    return f"VALID: signed by {who}{when}; unchanged since signing. {trust}"


def _status(embedded: Any, context: Any) -> Any:
    from pyhanko.sign.validation import validate_pdf_signature

    return validate_pdf_signature(embedded, context)


def verify_pdf(path: Path, trust: list[Path] | None = None) -> VerifyResult:
    """Verify the signatures of a PDF report, offline.

    Args:
        path: The signed PDF.
        trust: PEM or DER certificates to trust as anchors (e.g. the assessor's exported
            certificate or the firm's CA); without them ``trusted`` is False.

    Returns:
        The outcome; a damaged or unsigned file gives ``intact=False`` with a summary.

    Raises:
        ReportError: A trust certificate cannot be read.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel
    from pyhanko.sign.validation.errors import SignatureValidationError

    _quiet_pyhanko()
    context = _validation_context(trust)
    try:
        data = path.read_bytes()
    except OSError:
        return _failure(f"Cannot read {path.name}.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        logger.info("cannot parse %s: %s", path.name, exc)
        return _failure(f"INVALID: {path.name} is damaged and cannot be read as a signed PDF.")
    if not embedded:
        return _failure(f"{path.name} is not signed.")
    statuses = []
    for signature in embedded:
        try:
            statuses.append(_status(signature, context))
        except (SignatureValidationError, PdfError, ValueError, KeyError) as exc:
            logger.info("signature of %s cannot be validated: %s", path.name, exc)
            return _failure(
                f"INVALID: a signature in {path.name} cannot be validated.", len(embedded)
            )
    first, last = statuses[0], statuses[-1]
    signer_subject = first.signing_cert.subject.native
    result = VerifyResult(
        signer=str(signer_subject.get("common_name") or first.signing_cert.subject.human_friendly),
        signing_time=first.signer_reported_dt,
        intact=all(s.intact and s.valid for s in statuses),
        covers_whole_document=last.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modified_after_signing=last.coverage != SignatureCoverageLevel.ENTIRE_FILE
        or any(_modified(s) for s in statuses),
        trusted=all(s.trusted for s in statuses),
        summary="",
        signatures=len(statuses),
        attachments=tuple(sorted(read_attachments(path))),
    )
    summary = _summary(result)
    logger.info("verified %s: %s", path.name, summary)
    return _replace_summary(result, summary)


def _modified(status: Any) -> bool:
    from pyhanko.sign.diff_analysis import ModificationLevel

    level = getattr(status, "modification_level", None)
    return level is not None and level != ModificationLevel.NONE


def _replace_summary(result: VerifyResult, summary: str) -> VerifyResult:
    from dataclasses import replace

    return replace(result, summary=summary)
