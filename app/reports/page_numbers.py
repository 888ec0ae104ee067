"""Page numbers of a report laid out in parts: every part counts on from the parts before it.

WeasyPrint numbers pages in two steps: it lays out every page of the document first, then
builds the page margins (running header, "Page X of Y" footer) page by page from each page's
counters. :func:`continued_page_numbers` steps in between: on the first margin it tells the
caller how many pages the part laid out and receives how far the part's pages are shifted in the
whole report and the report's total, and every margin is built with those numbers. A part can
therefore be laid out before the pages in front of it are counted; only its margins wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from app.reports.errors import ReportError

logger = logging.getLogger(__name__)

Numbering = Callable[[int], tuple[int, int]]
"""Given the pages a part laid out, return (what to add to each page number, total pages)."""


@contextmanager
def continued_page_numbers(numbering: Numbering) -> Iterator[None]:
    """Number the pages of the documents laid out in the block as part of a larger report.

    Args:
        numbering: Called once, when the part's pages are laid out and before its first
            margin is built, with the part's page count; returns the shift of its page numbers
            and the report's total page count.

    Raises:
        ReportError: The layout never built a margin, or keeps its counters in another shape
            (the hook rests on how WeasyPrint numbers pages; the caller then lays the report
            out in one piece).
    """
    import weasyprint.layout as layout

    original = layout.make_margin_boxes
    agreed: list[tuple[int, int]] = []

    def margin_boxes(context: Any, page: Any, state: Any) -> Any:
        try:
            quote_depth, counters, scopes, groups = state
            laid_out = counters["pages"][-1]
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise ReportError("the layout engine keeps its page counters another way") from exc
        if not agreed:
            agreed.append(numbering(laid_out))
        shift, total = agreed[0]
        counters = dict(counters)
        counters["page"] = [*counters["page"][:-1], counters["page"][-1] + shift]
        counters["pages"] = [total]
        return original(context, page, (quote_depth, counters, scopes, groups))

    layout.make_margin_boxes = margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = original
    if not agreed:
        raise ReportError("the layout engine did not number the pages of a report part")
