"""PAdES signatures on reports (pyHanko): the assessor signs, the reviewer countersigns.

:func:`sign_pdf` attaches the evidence manifest and results JSON first (assessor only) and
signs afterwards, so the signature covers the attachments. The signature is PAdES
(``ETSI.CAdES.detached``, SHA-256) with the signer's certificate chain embedded: baseline B-B
offline; B-T with a time stamp from the TSA the user configured; B-LT when revocation data is
embedded as well; B-LTA with a document time stamp over it (see :mod:`app.reports.ltv`). The
visible stamp (name, role, date) goes into the role's empty field that :mod:`app.reports.pdf`
placed on the attestation page, or, for another PDF, into a new box on its last page.

Passwords and PINs are parameters only: never logged, stored or put in an error message.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.reports.certcheck import common_name
from app.reports.credentials import Credential, open_signer
from app.reports.errors import SigningError
from app.reports.ltv import LtvOptions, signing_context, timestamper
from app.reports.pdf import REVIEWER_SIGNATURE_FIELD, SIGNATURE_FIELD
from app.support.safe_files import PRIVATE_MODE, SHARED_MODE, write_atomically

logger = logging.getLogger(__name__)

#: The signature field and the title of each signing role.
ROLE_FIELDS = {"assessor": SIGNATURE_FIELD, "reviewer": REVIEWER_SIGNATURE_FIELD}
ROLE_TITLES = {"assessor": "Assessor", "reviewer": "Reviewer"}
#: Where a new signature box goes when the PDF has no empty field (points, last page).
FALLBACK_BOXES = {"assessor": (330, 40, 560, 120), "reviewer": (60, 40, 290, 120)}
STAMP_TEXT = "%(role)s: %(signer)s\nSigned %(ts)s"


@dataclass(frozen=True, slots=True)
class SignedReport:
    """What :func:`sign_pdf` did."""

    signer: str
    signed_at: dt.datetime
    attachments: tuple[str, ...]
    role: str = "assessor"
    level: str = "B-B"
    warnings: tuple[str, ...] = ()


def _embed(writer: Any, name: str, data: bytes, now: dt.datetime) -> None:
    from pyhanko.pdf_utils import embed, generic

    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        data,
        mime_type=media_type,
        params=embed.EmbeddedFileParams(creation_date=now, modification_date=now),
    )
    spec = embed.FileSpec(
        file_spec_string=name,
        file_name=name,
        embedded_data=stream,
        description=f"{name} (covered by the report signature)",
        af_relationship=generic.pdf_name("/Data"),
    )
    embed.embed_file(writer, spec)


def _field_state(writer: Any, name: str) -> bool | None:
    """Return False for an empty field ``name``, True for a signed one, None when absent."""
    from pyhanko.sign import fields

    for field_name, value, _ref in fields.enumerate_sig_fields(writer):
        if field_name == name:
            return value is not None
    return None


def _open_writer(in_path: Path) -> Any:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError

    try:
        return IncrementalPdfFileWriter(io.BytesIO(in_path.read_bytes()), strict=False)
    except (OSError, PdfError, ValueError) as exc:
        raise SigningError(f"Cannot read {in_path.name} as a PDF.") from exc


def _field_spec(writer: Any, role: str) -> Any:
    from pyhanko.sign import fields

    state = _field_state(writer, ROLE_FIELDS[role])
    if state:
        raise SigningError(f"The report already carries a {role}'s signature.")
    if role == "reviewer" and _field_state(writer, SIGNATURE_FIELD) is not True:
        raise SigningError("The reviewer countersigns a report the assessor signed first.")
    if state is None:
        return fields.SigFieldSpec(ROLE_FIELDS[role], on_page=-1, box=FALLBACK_BOXES[role])
    return None


def sign_pdf(
    in_path: Path,
    out_path: Path,
    credential: Credential,
    *,
    attachments: dict[str, bytes] | None = None,
    role: str = "assessor",
    reason: str = "Assessment report issued by the assessor",
    location: str = "",
    ltv: LtvOptions | None = None,
) -> SignedReport:
    """Sign a PDF (PAdES) as assessor, or countersign it as reviewer.

    Args:
        in_path: The PDF to sign (for the reviewer: the one the assessor signed).
        out_path: The signed PDF to write (may equal ``in_path``).
        credential: The PKCS#12 file or token key, with its password or PIN.
        attachments: Files to embed before signing, by name (assessor only).
        role: ``assessor`` or ``reviewer``; names the field and the visible stamp.
        reason: The reason recorded in the signature.
        location: The place of signing, if wanted.
        ltv: Time stamp and validation data to add (B-T, B-LT, B-LTA); None for B-B.

    Returns:
        Who signed, as what, when, at which level, and which files were attached.

    Raises:
        SigningError: The credential cannot be used, the role's field is already signed, or
            the PDF cannot be read or written.
    """
    if role not in ROLE_FIELDS:
        raise SigningError(f"Unknown signing role {role!r}: assessor or reviewer.")
    writer = _open_writer(in_path)
    new_field = _field_spec(writer, role)
    now = dt.datetime.now(dt.UTC)
    for file_name in sorted(attachments or {}):
        _embed(writer, file_name, (attachments or {})[file_name], now)
    with open_signer(credential) as signer:
        name = common_name(signer.signing_cert)
        data, level, warnings = _sign(writer, signer, role, new_field, reason, location, ltv)
    write_file(out_path, data)
    logger.info("signed %s as %s (%s, %s)", out_path.name, name, role, level)
    return SignedReport(name, now, tuple(sorted(attachments or {})), role, level, warnings)


_NO_TSA = (
    "The time-stamping authority could not be reached; signed without a time stamp. "
    "Add one later with `assay report extend`."
)
_NO_CHAIN = (
    "Validation data was not embedded: the signer's certificate does not chain to a "
    "configured trust anchor (%s)."
)


def _sign(
    writer: Any,
    signer: Any,
    role: str,
    new_field: Any,
    reason: str,
    location: str,
    ltv: LtvOptions | None,
) -> tuple[bytes, str, tuple[str, ...]]:
    """Sign; without a reachable TSA or a chain to an anchor, sign with less and say so."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import (
        InvalidCertificateError,
        PathBuildingError,
        PathValidationError,
    )

    stamper, warnings = timestamper(ltv), []
    snapshot = io.BytesIO()
    writer.write(snapshot)
    while True:
        pdf_signer = _pdf_signer(signer, role, new_field, reason, location, ltv, stamper)
        output = io.BytesIO()
        try:
            params = {"role": ROLE_TITLES[role]}
            pdf_signer.sign_pdf(_reopen(snapshot), output=output, appearance_text_params=params)
        except TimestampRequestError:
            stamper = None
            warnings.append(_NO_TSA)
            continue
        except (PathBuildingError, PathValidationError, InvalidCertificateError) as exc:
            ltv = None
            warnings.append(_NO_CHAIN % exc)
            continue
        except (PdfError, PyhankoSigningError, ValueError) as exc:
            raise SigningError(f"Cannot sign: {exc}") from exc
        return output.getvalue(), _level(ltv, stamper is not None), tuple(warnings)


def _pdf_signer(
    signer: Any,
    role: str,
    new_field: Any,
    reason: str,
    location: str,
    ltv: LtvOptions | None,
    stamper: Any,
) -> Any:
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    meta = signers.PdfSignatureMetadata(
        field_name=ROLE_FIELDS[role],
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        **signing_context(ltv, archival=stamper is not None),
    )
    return signers.PdfSigner(
        meta,
        signer,
        timestamper=stamper,
        stamp_style=TextStampStyle(stamp_text=STAMP_TEXT, border_width=1),
        new_field_spec=new_field,
    )


def _reopen(snapshot: io.BytesIO) -> Any:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter(io.BytesIO(snapshot.getvalue()), strict=False)


def _level(ltv: LtvOptions | None, stamped: bool) -> str:
    embeds = ltv is not None and ltv.embeds
    if not stamped:
        return "B-B with validation data" if embeds else "B-B"
    return "B-LTA" if embeds else "B-T"


def write_file(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all; readable by its owner only when ``private``.

    The temporary file is created beside ``path`` under a fresh name that never follows a link.

    Raises:
        SigningError: The file cannot be written.
    """
    try:
        write_atomically(path, data, PRIVATE_MODE if private else SHARED_MODE)
    except OSError as exc:
        raise SigningError(f"Cannot write {path.name}: {exc.strerror or exc}") from exc
