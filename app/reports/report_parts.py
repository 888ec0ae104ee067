"""Cut the HTML of a long assessment report into parts that lay out on their own.

The report's body is a row of sections; every section after the contents opens with a
``section-title`` heading that starts a new page, so the pages of a run of such sections do not
depend on what comes before them. Each part is a whole HTML document: the report's head, the
cover (it sets the running header's title, classification and client, and its page is left out
of the part's PDF) and its sections. The front part (cover, document control, contents) is laid
out last, once the page of every section is known: its contents print those pages as text.

A link to an anchor of another part would be dropped by the layout engine; each part therefore
carries an empty, invisible element for every such anchor, on its cover page, and the PDFs are
joined with each anchor taken from the part that really holds it (see :mod:`app.reports.pdf_merge`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_BODY = re.compile(r"<body\b[^>]*>")
_TOP = re.compile(r"<(?:section|nav)\b")  # every template's one top-level element
_OPENS_PAGE = re.compile(r'<section\b[^>]*><h1 class="section-title[ "]')
_CONTENTS = '<nav class="toc"'
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'\bhref="#([^"]+)"')
_TAG = re.compile(r"<[^>]*>")
#: One element costs the layout about as much as this many characters of text (measured on the
#: demo report: tables of many short cells cost more per character than paragraphs).
TAG_WEIGHT = 30
#: What a section costs before its first element (its heading, a new page): as much text.
SECTION_WEIGHT = 5_000
_PART_STYLE = (
    "<style>.part-anchors { position: absolute; width: 0; height: 0; overflow: hidden; }"
    "{contents}</style>"
)
#: The contents print the pages found by laying out the parts instead of looking them up.
_CONTENTS_STYLE = 'nav.toc a::after { content: leader(" ") attr(data-page); }'


@dataclass(frozen=True)
class Chunk:
    """One or more sections that stay together: the first one starts a page."""

    html: str
    weight: int


@dataclass(frozen=True)
class ReportParts:
    """The report's HTML cut at the sections that start a page.

    Attributes:
        head: Everything up to and including ``<body>``.
        tail: ``</body></html>``.
        cover: The cover section.
        front: The cover, the document control and the contents.
        body: The sections after the contents, in order.
    """

    head: str
    tail: str
    cover: str
    front: str
    body: tuple[Chunk, ...]

    @property
    def weight(self) -> int:
        """Return the estimated layout cost of the sections after the contents."""
        return sum(chunk.weight for chunk in self.body)

    def groups(self, count: int) -> list[tuple[Chunk, ...]]:
        """Return the body in at most ``count`` runs of sections of about equal cost."""
        return [
            tuple(self.body[a:b]) for a, b in balanced_runs([c.weight for c in self.body], count)
        ]

    def part_html(self, chunks: Sequence[Chunk]) -> str:
        """Return the HTML document of one part: head, cover (left out later) and its sections."""
        sections = "".join(chunk.html for chunk in chunks)
        return self._document(_with_anchors(self.cover, sections), sections, "")

    def front_html(self, pages: Mapping[str, int] | None = None) -> str:
        """Return the HTML document of the front part, its contents showing ``pages``.

        Args:
            pages: The page of each anchor the contents link to; None while only the front's
                own page count is wanted (every entry then shows 0).
        """
        pages = pages or {}
        at = self.front.index(_CONTENTS)
        contents = _REF.sub(
            lambda m: f'{m.group(0)} data-page="{pages.get(m.group(1), 0)}"', self.front[at:]
        )
        front = self.front[:at] + contents
        rest = front[len(self.cover) :]
        return self._document(_with_anchors(self.cover, front), rest, _CONTENTS_STYLE)

    def _document(self, cover: str, sections: str, contents_style: str) -> str:
        style = _PART_STYLE.replace("{contents}", contents_style)
        at = self.head.index("</head>")
        return self.head[:at] + style + self.head[at:] + cover + sections + self.tail


def anchors_in(html: str) -> frozenset[str]:
    """Return the ids of the elements in ``html``."""
    return frozenset(_ID.findall(html))


def _with_anchors(cover: str, sections: str) -> str:
    """Return the cover holding an empty element for each anchor ``sections`` link to elsewhere."""
    missing = sorted(set(_REF.findall(sections)) - anchors_in(sections))
    if not missing:
        return cover
    at = cover.index(">") + 1
    spans = "".join(f'<span id="{name}"></span>' for name in missing)
    return f'{cover[:at]}<div class="part-anchors">{spans}</div>{cover[at:]}'


def _weight(html: str) -> int:
    return SECTION_WEIGHT + html.count("<") * TAG_WEIGHT + len(_TAG.sub("", html))


def split_report(html: str) -> ReportParts | None:
    """Cut report HTML (as laid out, see :func:`app.reports.pdf.prepared_html`) into parts.

    Returns:
        The parts, or None when the HTML is not an assessment report of the expected shape
        (a cover, the contents, then sections that start a page).
    """
    body_tag = _BODY.search(html)
    end = html.rfind("</body>")
    if body_tag is None or end < 0 or "</head>" not in html[: body_tag.start()]:
        return None
    body = html[body_tag.end() : end]
    starts = [m.start() for m in _TOP.finditer(body)]
    if not starts or starts[0] != 0:
        return None
    tops = [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    contents = next((i for i, top in enumerate(tops) if top.startswith(_CONTENTS)), None)
    if contents is None or not tops[0].startswith('<section class="cover"'):
        return None
    chunks: list[str] = []
    for top in tops[contents + 1 :]:
        if chunks and not _OPENS_PAGE.match(top):
            chunks[-1] += top  # stays with the section before it
        else:
            chunks.append(top)
    if not chunks or not _OPENS_PAGE.match(chunks[0]):
        return None
    return ReportParts(
        head=html[: body_tag.end()],
        tail=html[end:],
        cover=tops[0],
        front="".join(tops[: contents + 1]),
        body=tuple(Chunk(c, _weight(c)) for c in chunks),
    )


def balanced_runs(weights: Sequence[int], count: int) -> list[tuple[int, int]]:
    """Cut ``weights`` into at most ``count`` runs (start, end) minimising the heaviest run."""
    n = len(weights)
    count = max(1, min(count, n))
    prefix = [0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    # best[k][i]: the heaviest run when the first i weights form k runs; cut[k][i]: last start.
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0
    for k in range(1, count + 1):
        for i in range(1, n + 1):
            for j in range(k - 1, i):
                heaviest = max(best[k - 1][j], prefix[i] - prefix[j])
                if heaviest < best[k][i]:
                    best[k][i], cut[k][i] = heaviest, j
    runs: list[tuple[int, int]] = []
    end = n
    for k in range(count, 0, -1):
        start = cut[k][end]
        runs.append((start, end))
        end = start
    return [run for run in reversed(runs) if run[0] < run[1]]
