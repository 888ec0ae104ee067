"""Long-term validation of signed reports: time stamps, embedded chains and revocation data.

A signature made today must still validate when the signer's certificate has long expired.
PAdES reaches that in levels: B-T adds an RFC 3161 time stamp from a time-stamping authority
(TSA) the user configured; B-LT embeds the certificate chain and the revocation data (CRLs,
OCSP responses) in the document security store (DSS); B-LTA adds a document time stamp over
all of it. :func:`extend_pdf` raises a signed report to B-LTA later.

Nothing is fetched from the network unless the caller sets ``allow_fetching`` (the user asked
for it); otherwise only the revocation data given (files, the workspace cache) is used.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.reports.errors import SigningError
from app.reports.trust import RevocationData, TrustStore
from app.support.text import plural

logger = logging.getLogger(__name__)

TSA_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class LtvOptions:
    """What to add for long-term validation.

    Attributes:
        tsa_url: The TSA to ask for time stamps (http or https); empty for none.
        trust: The trust anchors the signer's chain must reach to embed validation data.
        revocation: CRLs and OCSP responses known beforehand.
        allow_fetching: Fetch missing revocation data over the network (the user asked).
    """

    tsa_url: str = ""
    trust: TrustStore = field(default_factory=TrustStore)
    revocation: RevocationData = field(default_factory=RevocationData)
    allow_fetching: bool = False

    @property
    def embeds(self) -> bool:
        """Return True when validation data (chain, revocation) is embedded."""
        return self.trust.configured


def validation_context(ltv: LtvOptions, **extra: Any) -> Any:
    """Return a pyHanko validation context for the anchors and revocation data of ``ltv``."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(ltv.trust.roots),
        crls=list(ltv.revocation.crls),
        ocsps=list(ltv.revocation.ocsps),
        allow_fetching=ltv.allow_fetching,
        revocation_mode="soft-fail",
        **extra,
    )


def timestamper(ltv: LtvOptions | None) -> Any:
    """Return a pyHanko time stamper for the configured TSA, or None without one.

    Raises:
        SigningError: The TSA address is not an http(s) URL.
    """
    if ltv is None or not ltv.tsa_url:
        return None
    if not ltv.tsa_url.lower().startswith(("http://", "https://")):
        raise SigningError(f"The TSA address must start with http:// or https://: {ltv.tsa_url}")
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(ltv.tsa_url, timeout=TSA_TIMEOUT_SECONDS)


def signing_context(ltv: LtvOptions | None, *, archival: bool) -> dict[str, Any]:
    """Return the signature metadata that embeds validation data (and asks for B-LTA)."""
    if ltv is None or not ltv.embeds:
        return {}
    return {
        "embed_validation_info": True,
        "use_pades_lta": archival,
        "validation_context": validation_context(ltv),
    }


def extend_pdf(in_path: Path, out_path: Path, ltv: LtvOptions) -> int:
    """Raise a signed PDF to B-LTA: validation data for every signature, then a time stamp.

    Args:
        in_path: The signed PDF.
        out_path: Where to write the extended PDF (may equal ``in_path``).
        ltv: The TSA (required), trust anchors (required) and revocation data.

    Returns:
        How many signatures the validation data was added for.

    Raises:
        SigningError: No TSA or anchors, no signature, an unreachable TSA, or a chain that
            does not reach an anchor.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import (
        InvalidCertificateError,
        PathBuildingError,
        PathValidationError,
    )

    stamper = timestamper(ltv)
    if stamper is None or not ltv.embeds:
        raise SigningError("Extending needs a TSA (--tsa URL) and trust anchors (--trust).")
    try:
        data = in_path.read_bytes()
        signatures = list(PdfFileReader(io.BytesIO(data), strict=False).embedded_regular_signatures)
    except (OSError, PdfError, ValueError) as exc:
        raise SigningError(f"Cannot read {in_path.name} as a PDF.") from exc
    if not signatures:
        raise SigningError(f"{in_path.name} is not signed; nothing to extend.")
    try:
        data = _with_validation_data(data, len(signatures), ltv)
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        output = io.BytesIO()
        signers.PdfTimeStamper(stamper).timestamp_pdf(
            writer, "sha256", validation_context(ltv), output=output
        )
    except TimestampRequestError as exc:
        raise SigningError(f"The time-stamping authority cannot be reached: {exc}") from None
    except (PathBuildingError, PathValidationError, InvalidCertificateError) as exc:
        raise SigningError(
            f"A signer's certificate does not chain to a trusted certificate: {exc}"
        ) from None
    except (PdfError, ValueError) as exc:
        raise SigningError(f"Cannot extend {in_path.name}: {exc}") from exc
    from app.reports.signing import write_file

    write_file(out_path, output.getvalue())
    logger.info("extended %s to B-LTA (%s)", out_path.name, plural(len(signatures), "signature"))
    return len(signatures)


def _with_validation_data(data: bytes, count: int, ltv: LtvOptions) -> bytes:
    """Add each signature's chain and revocation data to the DSS, one revision per signature."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import add_validation_info

    for index in range(count):
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signature = list(reader.embedded_regular_signatures)[index]
        data = add_validation_info(signature, validation_context(ltv), force_write=True).getvalue()
    return data


def revocation_in_pdf(path: Path) -> RevocationData:
    """Return the CRLs and OCSP responses a PDF's DSS holds (for the workspace cache)."""
    from asn1crypto import crl, ocsp
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(path.read_bytes())))
    except (NoDSSFoundError, OSError, PdfError, ValueError):
        return RevocationData()
    crls = tuple(crl.CertificateList.load(ref.get_object().data) for ref in dss.crls)
    ocsps = tuple(ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps)
    return RevocationData(crls, ocsps)
