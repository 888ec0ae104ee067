"""PDF reports: HTML from :mod:`app.reports.html`, laid out by WeasyPrint.

Every WeasyPrint call lives in this module (its native Pango stack is the most likely thing to
break in a bundle, so the problem stays in one place). Resources load only through
:class:`LocalOnlyFetcher` (bundled templates and resources, ``data:`` URIs).

The assessment report reserves a box on its attestation page (the element ``#signature-box``);
after layout its position is known, and an empty signature field is added there so that
:func:`app.reports.signing.sign_pdf` puts the visible signature in that box.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.reports.breaks import with_break_opportunities
from app.reports.compact import without_layout_whitespace
from app.reports.errors import ReportError
from app.reports.fetcher import fetch_local
from app.reports.html import base_url, render_html, render_portfolio_html
from app.reports.parser_cache import repair_html_parser_cache
from app.reports.progress import ProgressArg, Steps
from app.reports.viewmodels import PortfolioData, ReportData
from app.support.safe_files import write_atomically

if TYPE_CHECKING:
    from app.reports.render_pool import RenderPool

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "AssessorSignature"
SIGNATURE_ANCHOR = "signature-box"
REVIEWER_SIGNATURE_FIELD = "ReviewerSignature"
REVIEWER_SIGNATURE_ANCHOR = "reviewer-signature-box"
#: Each empty signature field and the anchor of the box it fills on the attestation page.
_SIGNATURE_FIELDS = (
    (SIGNATURE_FIELD, SIGNATURE_ANCHOR),
    (REVIEWER_SIGNATURE_FIELD, REVIEWER_SIGNATURE_ANCHOR),
)
_PX_TO_PT = 0.75  # CSS pixels (1/96 in) to PDF points (1/72 in)
_FONTTOOLS_NOTICE = "Using fontTools instead of HarfBuzz-Subset"


class _SkipFontToolsNotice(logging.Filter):
    """Drops WeasyPrint's per-font notice that it subsets fonts with fontTools.

    Without the HarfBuzz-Subset system library WeasyPrint repeats it for every font of every
    report; it is a packaging matter (see the system libraries in the design), not news.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_FONTTOOLS_NOTICE)


def _quiet_weasyprint() -> None:
    weasy = logging.getLogger("weasyprint")
    if not any(isinstance(f, _SkipFontToolsNotice) for f in weasy.filters):
        weasy.addFilter(_SkipFontToolsNotice())


def local_only_fetcher() -> Any:
    """Return a WeasyPrint URL fetcher that serves only bundled files and ``data:`` URIs.

    Anything else raises :class:`~app.reports.errors.FetchRefused` (logged as a warning);
    WeasyPrint then leaves the resource out and carries on.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        """WeasyPrint fetcher backed by :func:`app.reports.fetcher.fetch_local`."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            resource = fetch_local(url)
            return URLFetcherResponse(
                url, body=resource.data, headers={"Content-Type": resource.media_type}
            )

    return LocalOnlyFetcher(timeout=1, allow_redirects=False)


def _signature_box(document: Any, anchor_id: str) -> tuple[int, tuple[int, int, int, int]] | None:
    """Return (page index, PDF box) of a signature anchor, or None if absent."""
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get(anchor_id)
        if anchor is None:
            continue
        x1, y1, x2, y2 = anchor
        height = page.height
        box = (
            round(x1 * _PX_TO_PT),
            round((height - y2) * _PX_TO_PT),
            round(x2 * _PX_TO_PT),
            round((height - y1) * _PX_TO_PT),
        )
        return index, box
    return None


def _signature_field_adder(document: Any) -> Any:
    """Return a WeasyPrint finisher that adds an empty signature field over each signature box.

    The fields are written with the rest of the document (no second pass over the PDF, and
    the signing library is loaded only when a report is signed). Each field is what pyHanko
    itself writes for an empty visible field: a ``/Sig`` field merged with its widget
    annotation (locked, printed), an empty appearance, and ``/SigFlags 1`` in the form.
    """
    import pydyf

    located = [(name, _signature_box(document, anchor)) for name, anchor in _SIGNATURE_FIELDS]

    def finish(_document: Any, pdf: Any) -> None:
        # The page objects in their order (read from the objects, not from how the page
        # tree spells its references).
        pages = [
            o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Page"
        ]
        fields = pydyf.Array()
        for name, place in located:
            if place is None:
                continue
            page_index, (x1, y1, x2, y2) = place
            page = pages[page_index]
            appearance = pydyf.Stream(
                [], pydyf.Dictionary({"Type": "/XObject", "Subtype": "/Form",
                                      "BBox": pydyf.Array((0, 0, x2 - x1, y2 - y1))}),
            )  # fmt: skip
            pdf.add_object(appearance)
            field = pydyf.Dictionary(
                {
                    "FT": "/Sig",
                    "T": pydyf.String(name),
                    "Type": "/Annot",
                    "Subtype": "/Widget",
                    "F": 0b10000100,  # locked, printed
                    "Rect": pydyf.Array((x1, y1, x2, y2)),
                    "P": page.reference,
                    "AP": pydyf.Dictionary({"N": appearance.reference}),
                }
            )
            pdf.add_object(field)
            page.setdefault("Annots", pydyf.Array()).append(field.reference)
            fields.append(field.reference)
        if fields:
            form = pdf.catalog.setdefault("AcroForm", pydyf.Dictionary({"Fields": pydyf.Array()}))
            form["Fields"].extend(fields)
            form.setdefault("SigFlags", 1)

    return finish


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise ReportError(f"Cannot write {path.name}: {exc.strerror or exc}") from exc


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while WeasyPrint builds and paints the document.

    Layout allocates hundreds of thousands of boxes and styles that stay alive until the PDF
    is written; the collector kept walking all of them, a quarter of the CPU time of a
    56-page report. Nothing is lost: the cycles are collected as usual afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def prepared_html(html: str) -> str:
    """Return report HTML ready for layout: no indentation between blocks, long text cut.

    See :mod:`app.reports.compact` and :mod:`app.reports.breaks`.
    """
    return with_break_opportunities(without_layout_whitespace(html))


def parsed_html(html: str) -> Any:
    """Return WeasyPrint's parsed document of prepared report HTML, not yet laid out."""
    from weasyprint import HTML

    _quiet_weasyprint()
    repair_html_parser_cache()
    return HTML(string=html, base_url=base_url(), url_fetcher=local_only_fetcher())


def lay_out(html: str) -> Any:
    """Return the WeasyPrint document of prepared report HTML (see :func:`prepared_html`)."""
    return parsed_html(html).render()


def pdf_bytes(document: Any) -> bytes:
    """Return the PDF of a laid-out document, with its empty signature fields."""
    data: bytes = document.write_pdf(finisher=_signature_field_adder(document))
    return data


def html_to_pdf(
    html: str, out_path: Path, steps: Steps | None = None, *, pool: RenderPool | None = None
) -> int:
    """Lay out report HTML and write the PDF; return the number of pages.

    Args:
        html: HTML from :mod:`app.reports.html` (its links are relative to the templates).
        out_path: Where to write the PDF (written to a temporary name, then renamed).
        steps: Progress steps, checked for cancellation between layout and writing.
        pool: Worker processes that lay out a long report's sections side by side
            (:mod:`app.reports.parallel_pdf`); None lays out everything here.

    Raises:
        ReportCancelled: The caller asked to stop.
        ReportError: The PDF cannot be written.
    """
    steps = steps or Steps()
    steps.step(0.0, "Laying out pages")
    html = prepared_html(html)
    rendered = None
    if pool is not None:
        from app.reports.parallel_pdf import render_in_parts

        rendered = render_in_parts(html, pool, steps.sub(0.0, 0.95))
    if rendered is None:
        with without_cycle_collection():
            document = lay_out(html)
            steps.step(0.75, f"Writing {len(document.pages)} pages")
            rendered = pdf_bytes(document), len(document.pages)
    pdf, pages = rendered
    steps.step(0.95, "Saving")
    _write_atomically(out_path, pdf)
    logger.info("wrote %s (%d pages, %d bytes)", out_path.name, pages, len(pdf))
    return pages


def render_pdf(
    data: ReportData,
    out_path: Path,
    progress: ProgressArg = None,
    *,
    pool: RenderPool | None = None,
) -> int:
    """Render the assessment report to a PDF file.

    Args:
        data: The report's view-model.
        out_path: The PDF to write.
        progress: Optional progress object or callable (see :mod:`app.reports.progress`).
        pool: Worker processes for a long report's sections (see :func:`html_to_pdf`).

    Returns:
        The number of pages.

    Raises:
        ReportCancelled: The progress object asked to stop (no file is left behind).
        ReportError: The PDF cannot be written.
    """
    steps = Steps(progress)
    html = render_html(data, steps.sub(0.0, 0.3))
    pages = html_to_pdf(html, out_path, steps.sub(0.3, 1.0), pool=pool)
    steps.step(1.0, "Report ready")
    return pages


def render_portfolio_pdf(data: PortfolioData, out_path: Path, progress: ProgressArg = None) -> int:
    """Render the portfolio report (all AI systems) to a PDF file; see :func:`render_pdf`."""
    steps = Steps(progress)
    steps.step(0.0, "Drawing charts")
    html = render_portfolio_html(data)
    pages = html_to_pdf(html, out_path, steps.sub(0.3, 1.0))
    steps.step(1.0, "Report ready")
    return pages
