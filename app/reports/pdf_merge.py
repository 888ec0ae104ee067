"""Join the PDFs of a report's parts into one document (pypdf).

Pages are copied with their links and signature fields; the named destinations the links point
to are taken only from the part that holds each anchor (the others carry a stand-in, see
:mod:`app.reports.report_parts`); the outline is the parts' outlines one after the other; the
document information and language are the front part's; the empty signature fields of the
attestation page go into the document's form.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartPdf:
    """One part's PDF and what of it goes into the report.

    Attributes:
        data: The part's PDF.
        skip: Pages at its start left out (a part's stand-in cover).
        anchors: The anchors the part really holds.
    """

    data: bytes
    skip: int
    anchors: frozenset[str]


def merge_parts(parts: Sequence[PartPdf]) -> bytes:
    """Return one PDF of every part's pages in order, with links, outline and form fields."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    first: Any = None
    for part in parts:
        reader = PdfReader(io.BytesIO(part.data))
        first = first or reader
        pages = {}
        for page in reader.pages[part.skip :]:
            pages[page.indirect_reference.idnum] = writer.add_page(page).indirect_reference
        _add_destinations(writer, reader, pages, part.anchors)
        _add_outline(writer, reader.outline, pages, None)
    _add_signature_form(writer)
    writer.add_metadata(first.metadata or {})
    language = first.trailer["/Root"].get("/Lang")
    if language is not None:
        writer._root_object[NameObject("/Lang")] = language  # noqa: SLF001 - pypdf's catalog
    writer.pdf_header = first.pdf_header
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_destinations(
    writer: Any, reader: Any, pages: dict[int, Any], anchors: frozenset[str]
) -> None:
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject, TextStringObject

    for name, dest in sorted(reader.named_destinations.items()):
        page = pages.get(getattr(dest.page, "idnum", None))
        if name not in anchors or page is None:
            continue
        target = [page, NameObject("/XYZ"), FloatObject(dest.left), FloatObject(dest.top)]
        writer.add_named_destination_array(
            TextStringObject(name), ArrayObject([*target, NumberObject(0)])
        )


def _add_outline(writer: Any, items: list[Any], pages: dict[int, Any], parent: Any) -> None:
    from pypdf.generic import Fit

    last = None
    for item in items:
        if isinstance(item, list):
            _add_outline(writer, item, pages, last)
            continue
        page = pages.get(getattr(item.page, "idnum", None))
        if page is None:
            continue
        last = writer.add_outline_item(
            title=item.title,
            page_number=page,
            parent=parent,
            fit=Fit.xyz(item.left, item.top, item.zoom),
            is_open=bool(item.get("/%is_open%", True)),
        )


def _add_signature_form(writer: Any) -> None:
    """Put the empty signature fields of the pages into the document's form (``/SigFlags 1``)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    fields = ArrayObject()
    for page in writer.pages:
        for annotation in page.get("/Annots") or ():
            if annotation.get_object().get("/FT") == "/Sig":
                fields.append(annotation)
    if fields:
        form = DictionaryObject(
            {NameObject("/Fields"): fields, NameObject("/SigFlags"): NumberObject(1)}
        )
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)  # noqa: SLF001
