"""Join the PDFs of a report's parts into one document (pypdf).

Pages are copied with their links and signature fields; the named destinations the links point
to are taken only from the part that holds each anchor (the others carry a stand-in, see
:mod:`app.reports.report_parts`); the outline is the parts' outlines one after the other; the
document information and language are the front part's; the empty signature fields of the
attestation page go into the document's form.

Each part embeds the subsets of the fonts it uses under WeasyPrint's tag for that font (the
same six letters in every part, for different glyphs). A PDF names one subset per tag, so the
subsets of the parts after the first are given tags of their own.
"""

from __future__ import annotations

import hashlib
import io
import logging
import string
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
    for number, part in enumerate(parts):
        reader = PdfReader(io.BytesIO(part.data))
        first = first or reader
        pages, retagged = {}, set()
        for page in reader.pages[part.skip :]:
            added = writer.add_page(page)
            pages[page.indirect_reference.idnum] = added.indirect_reference
            if number:
                _retag_subsets(added.get("/Resources"), number, retagged)
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


def _retag_subsets(resources: Any, part: int, seen: set[int]) -> None:
    """Give the font subsets under ``resources`` (and its forms') tags unique to ``part``."""
    from pypdf.generic import NameObject

    resources = resources.get_object() if resources is not None else None
    if not resources:
        return
    for font in (resources.get("/Font") or {}).values():
        if id(font.get_object()) in seen:
            continue
        seen.add(id(font.get_object()))
        for holder, key in _subset_names(font.get_object()):
            name = str(holder[key])
            holder[NameObject(key)] = NameObject(f"/{_part_tag(name[1:7], part)}{name[7:]}")
    for form in (resources.get("/XObject") or {}).values():
        form = form.get_object()
        if id(form) not in seen:
            seen.add(id(form))
            _retag_subsets(form.get("/Resources"), part, seen)


def _subset_names(font: Any) -> list[tuple[Any, str]]:
    """Return (dictionary, key) of every subset name of a font: base, descendants, descriptors."""
    found = []
    for each in [font, *(d.get_object() for d in font.get("/DescendantFonts") or ())]:
        if _is_subset(each.get("/BaseFont")):
            found.append((each, "/BaseFont"))
        descriptor = each.get("/FontDescriptor")
        if descriptor is not None and _is_subset(descriptor.get_object().get("/FontName")):
            found.append((descriptor.get_object(), "/FontName"))
    return found


def _is_subset(name: Any) -> bool:
    text = str(name or "")
    return len(text) > 8 and text[7] == "+" and text[1:7].isupper() and text[1:7].isalpha()


def _part_tag(tag: str, part: int) -> str:
    """Return six capital letters standing for ``tag`` in ``part`` (the same on every run)."""
    digest = hashlib.sha256(f"{tag}:{part}".encode()).digest()
    return "".join(string.ascii_uppercase[byte % 26] for byte in digest[:6])


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
