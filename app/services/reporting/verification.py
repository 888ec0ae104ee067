"""Checking a signed PDF: every signature with its verdict, against the user's trust anchors.

The verdict of the document is green ("intact and trusted") only when each signature is
unchanged and its certificate chains to an anchor the user configured; amber when intact but
not trusted; red when changed after signing or broken. Nothing is fetched from the network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import ReportError
from app.services.errors import UserError
from app.storage import journal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureRow:
    """One signature as shown to the user (plain values)."""

    field: str
    role: str
    signer: str
    signing_time: str
    time_source: str
    level: str
    coverage: str
    changed_after: str
    verdict: str
    colour: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class VerifyOutcome:
    """What checking a signed PDF found.

    Attributes:
        file: The PDF checked.
        verdict: "intact and trusted", "intact, signer not trusted", "changed after signing"
            or "broken".
        colour: ``green``, ``amber`` or ``red``.
        summary: One or two sentences for the user.
        signatures: Each signature and document time stamp, in signing order.
        attachments: The names of the embedded files.
        trust_sources: The trust anchors used (files, folders, trusted lists).
    """

    file: Path
    verdict: str
    colour: str
    summary: str
    signatures: tuple[SignatureRow, ...]
    attachments: tuple[str, ...]
    trust_sources: tuple[str, ...]

    @property
    def valid(self) -> bool:
        """Return True only for "intact and trusted"."""
        return self.colour == "green"

    @property
    def signed(self) -> bool:
        """Return True when the PDF carries at least one signature."""
        return bool(self.signatures)

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data, with ``valid``."""
        data = {
            "file": str(self.file),
            "verdict": self.verdict,
            "colour": self.colour,
            "valid": self.valid,
            "summary": self.summary,
            "signatures": [vars(row) | {"problems": list(row.problems)} for row in self.signatures],
            "attachments": list(self.attachments),
            "trust_sources": list(self.trust_sources),
        }
        jsonable: dict[str, Any] = journal.jsonable(data)
        return jsonable


def _row(check: Any) -> SignatureRow:
    from app.reports.verify import signing_time_text

    facts = check.facts
    return SignatureRow(
        field=facts.field,
        role=facts.role,
        signer=facts.signer,
        signing_time=signing_time_text(facts.signing_time),
        time_source=facts.time_source,
        level=facts.level,
        coverage=check.coverage,
        changed_after=check.changed_after,
        verdict=check.verdict.value,
        colour=check.verdict.colour,
        problems=check.problems,
    )


def load_trust_and_revocation(
    trust: list[Path] | tuple[Path, ...], revocation: list[Path] | tuple[Path, ...] = ()
) -> tuple[Any, Any]:
    """Read trust anchors and revocation files for the reports layer.

    Raises:
        UserError: A file or folder cannot be read.
    """
    from app.reports.trust import load_revocation, load_trust

    try:
        return load_trust([Path(p) for p in trust]), load_revocation([Path(p) for p in revocation])
    except ReportError as exc:
        raise UserError(str(exc).rstrip(".")) from exc


def verify_report(
    path: Path,
    trust: list[Path] | tuple[Path, ...] = (),
    revocation: list[Path] | tuple[Path, ...] = (),
) -> VerifyOutcome:
    """Check every signature of a PDF against the given trust anchors, offline.

    Args:
        path: The PDF.
        trust: Certificates, folders of certificates or trusted-list XML copies to trust.
        revocation: CRL or OCSP response files known beside those the PDF carries.

    Raises:
        UserError: The file, a trust anchor or a revocation file cannot be read.
    """
    from app.reports.verify import verify_pdf  # deferred: pyHanko is heavy

    path = Path(path)
    if not path.is_file():
        raise UserError(f"no file {path}")
    anchors, known = load_trust_and_revocation(trust, revocation)
    result = verify_pdf(path, anchors, known)
    return VerifyOutcome(
        file=path,
        verdict=result.verdict.value,
        colour=result.verdict.colour,
        summary=result.summary,
        signatures=tuple(_row(check) for check in result.signatures),
        attachments=result.attachments,
        trust_sources=anchors.sources,
    )
