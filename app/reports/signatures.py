"""What a PDF says about each of its signatures: field, role, signer, time and PAdES level.

These are facts read from the file, before any judgement: :mod:`app.reports.verify` gives the
verdict. The role comes from the signature field Assay names for it (``AssessorSignature``,
``ReviewerSignature``); a document time stamp is its own role.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from app.reports.certcheck import common_name
from app.reports.pdf import REVIEWER_SIGNATURE_FIELD, SIGNATURE_FIELD

logger = logging.getLogger(__name__)

ROLE_BY_FIELD = {SIGNATURE_FIELD: "assessor", REVIEWER_SIGNATURE_FIELD: "reviewer"}
TIMESTAMP_ROLE = "document time stamp"


@dataclass(frozen=True)
class DocumentFacts:
    """Document-wide facts: the DSS and the document time stamps."""

    dss: Any
    dss_revision: int | None
    timestamp_revisions: tuple[int, ...]


@dataclass(frozen=True)
class SignatureFacts:
    """One signature as the file describes it.

    Attributes:
        field: The signature field's name.
        role: ``assessor``, ``reviewer``, ``document time stamp`` or ``signer``.
        signer: The certificate's common name.
        signing_time: The time stamp's time, else the time the signer's clock recorded.
        time_source: ``time stamp``, ``signer's clock`` or ``unknown``.
        level: The PAdES baseline level: B-B, B-T, B-LT or B-LTA.
        is_timestamp: A document time stamp rather than a signature.
    """

    field: str
    role: str
    signer: str
    signing_time: dt.datetime | None
    time_source: str
    level: str
    is_timestamp: bool


def _has_revinfo(dss: Any) -> bool:
    return bool(dss.crls or dss.ocsps)


def _dss_revision(reader: Any) -> int | None:
    """Return the first revision whose document security store holds revocation data."""
    for revision in range(reader.xrefs.total_revisions):
        root = reader.get_historical_root(revision)
        dss = root.get("/DSS")
        if dss is not None:
            dss = dss.get_object()
            if "/OCSPs" in dss or "/CRLs" in dss:
                return revision
    return None


def document_facts(reader: Any) -> DocumentFacts:
    """Read the DSS and the revisions of the document time stamps of a PDF."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    stamps = tuple(sig.signed_revision for sig in reader.embedded_timestamp_signatures)
    revision = _dss_revision(reader) if dss is not None and _has_revinfo(dss) else None
    return DocumentFacts(dss, revision, stamps)


def _token_time(signature: Any) -> dt.datetime | None:
    attributes = signature.signer_info["unsigned_attrs"]
    if attributes.native is None:
        return None
    for attribute in attributes:
        if attribute["type"].native == "signature_time_stamp_token":
            content = attribute["values"][0]["content"]["encap_content_info"]["content"]
            return content.parsed["gen_time"].native
    return None


def _level(signature: Any, stamped: bool, document: DocumentFacts) -> str:
    later = [r for r in document.timestamp_revisions if r > signature.signed_revision]
    if not stamped and not later:
        return "B-B"
    if document.dss_revision is None:
        return "B-T"
    if any(r >= document.dss_revision for r in later):
        return "B-LTA"
    return "B-LT"


def describe_signature(signature: Any, document: DocumentFacts) -> SignatureFacts:
    """Return the facts of one embedded signature or document time stamp."""
    field = str(signature.field_name or "")
    if signature.sig_object_type == "/DocTimeStamp":
        content = signature.signed_data["encap_content_info"]["content"]
        when = content.parsed["gen_time"].native
        return SignatureFacts(
            field, TIMESTAMP_ROLE, common_name(signature.signer_cert), when, "time stamp", "-", True
        )
    stamp = _token_time(signature)
    when = stamp or signature.self_reported_timestamp
    source = "time stamp" if stamp else ("signer's clock" if when else "unknown")
    return SignatureFacts(
        field,
        ROLE_BY_FIELD.get(field, "signer"),
        common_name(signature.signer_cert),
        when,
        source,
        _level(signature, stamp is not None, document),
        False,
    )
