"""Leave out the whitespace of the rendered HTML that the reader never sees.

The templates are indented for people; the indentation becomes text nodes between and inside
table rows, cells and blocks. CSS collapses whitespace at the start and end of a block and
between blocks, so the page looks the same without it, but WeasyPrint still builds a box for
each such node, styles it and lays out a line for it: in a 400-answer report, a tenth of the
layout time went to indentation. :func:`without_layout_whitespace` drops whitespace that
touches the tag of a block-level element (tables and their parts, blocks, list items, line
breaks); whitespace between two pieces of inline content (``<b>Owner:</b> <span>``) stays.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

#: Elements whose tags may lose the whitespace beside them (none of them is styled inline).
BLOCK_TAGS = (
    "body|section|nav|div|p|ul|ol|li|table|thead|tbody|tfoot|tr|td|th|caption|colgroup|col|"
    "h1|h2|h3|h4|h5|h6|figure|figcaption|br"
)
_TAG = rf"</?(?:{BLOCK_TAGS})\b[^>]*>"
# Whitespace before a block-level tag, or a block-level tag and the whitespace after it.
_SPACE = "[ \t\r\n\f]+"  # HTML's whitespace: a no-break space is text and stays
_BESIDE_BLOCK_TAG = re.compile(rf"{_SPACE}(?={_TAG})|({_TAG}){_SPACE}")


def without_layout_whitespace(html: str) -> str:
    """Return ``html`` without the whitespace beside block-level tags in its ``<body>``."""
    start = max(html.find("<body"), 0)
    return html[:start] + _BESIDE_BLOCK_TAG.sub(r"\1", html[start:])
