"""Lay out a long assessment report in parts, side by side, and join them into one PDF.

1. The body after the contents is cut into runs of sections of about equal cost
   (:mod:`app.reports.report_parts`); each worker of the pool lays out one run.
2. Meanwhile this process lays out the front (cover, document control, contents) once, to count
   its pages.
3. Each worker reports its page count; from the counts every part learns the number of its first
   page and the report's total, and builds its running headers and "Page X of Y" footers with
   them (:mod:`app.reports.page_numbers`). Each worker then reports the page of every anchor.
4. The front is laid out again with the contents showing those pages, while the workers write
   their PDFs; the PDFs are joined (:mod:`app.reports.pdf_merge`).

The pages look exactly as when the report is laid out in one piece. A short report, a report of
another shape, or a worker that fails falls back to laying out the report in one piece here.
"""

from __future__ import annotations

import logging

from app.reports.errors import ReportCancelled, ReportError
from app.reports.page_numbers import continued_page_numbers
from app.reports.pdf import lay_out, pdf_bytes, without_cycle_collection
from app.reports.pdf_merge import PartPdf, merge_parts
from app.reports.progress import Steps
from app.reports.render_pool import PartFailedError, RenderPool, Worker
from app.reports.report_parts import Chunk, ReportParts, anchors_in, split_report

logger = logging.getLogger(__name__)

MIN_WEIGHT = 150_000
"""Estimated cost (see ``report_parts``) below which a report is laid out in one piece: about
fifteen pages of tables, under two seconds."""


def render_in_parts(html: str, pool: RenderPool, steps: Steps) -> tuple[bytes, int] | None:
    """Return the PDF and page count of prepared report HTML laid out by the pool's workers.

    Returns:
        None when the report is better laid out in one piece (short, of another shape, or a
        worker failed); the caller then lays it out itself.

    Raises:
        ReportCancelled: The caller cancelled (the workers are killed).
    """
    parts = split_report(html)
    if parts is None or parts.weight < MIN_WEIGHT or pool.size < 2:
        return None
    groups = parts.groups(pool.size)
    if len(groups) < 2:
        return None
    try:
        return _render(parts, groups, pool.workers(len(groups)), steps)
    except ReportCancelled:
        pool.terminate()
        raise
    except (PartFailedError, ReportError) as exc:  # a hook the layout engine no longer takes
        logger.warning("report parts failed (%s); laying the report out in one piece", exc)
        pool.terminate()
        return None
    except BaseException:
        pool.terminate()
        raise


def _render(
    parts: ReportParts, groups: list[tuple[Chunk, ...]], workers: list[Worker], steps: Steps
) -> tuple[bytes, int]:
    steps.step(0.0, f"Laying out pages in {len(groups)} parts")
    for worker, group in zip(workers, groups, strict=True):
        worker.send(parts.part_html(group))
    with without_cycle_collection():
        front_pages = len(lay_out(parts.front_html()).pages)
    counts = [worker.receive("pages", steps) for worker in workers]
    firsts, total = _first_pages(front_pages, counts)
    for worker, first in zip(workers, firsts, strict=True):
        worker.send((first - 2, total))  # a part's page 2 follows its stand-in cover
    steps.step(0.6, f"Numbering {total} pages")
    owned = [anchors_in("".join(chunk.html for chunk in group)) for group in groups]
    pages: dict[str, int] = {}
    for worker, first, own in zip(workers, firsts, owned, strict=True):
        found = worker.receive("anchors", steps)
        pages.update({name: first + index - 1 for name, index in found.items() if name in own})
    steps.step(0.7, f"Writing {total} pages")
    with without_cycle_collection(), continued_page_numbers(lambda _pages: (0, total)):
        front = lay_out(parts.front_html(pages))
        if len(front.pages) != front_pages:
            raise PartFailedError("the contents took another number of pages with their numbers")
        front_pdf = pdf_bytes(front)
    pdfs = [worker.receive("pdf", steps) for worker in workers]
    steps.step(0.95, "Joining the parts")
    merged = merge_parts(
        [
            PartPdf(front_pdf, 0, anchors_in(parts.front)),
            *(PartPdf(pdf, 1, own) for pdf, own in zip(pdfs, owned, strict=True)),
        ]
    )
    logger.info("laid out %d pages in %d parts", total, len(groups))
    return merged, total


def _first_pages(front_pages: int, counts: list[int]) -> tuple[list[int], int]:
    """Return the number of each part's first page and the total (a part's cover is left out)."""
    firsts = []
    page = front_pages + 1
    for count in counts:
        firsts.append(page)
        page += count - 1
    return firsts, page - 1
