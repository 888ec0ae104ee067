"""A layout check for rendered PDFs: no two pieces of text overprint, none leaves the page.

It reads the character boxes of every page with pdfplumber and reports

- **overlap**: two characters of different words (or lines) whose boxes cross by more than a
  small tolerance in both directions — text printed over other text;
- **outside page**: a character whose box leaves the page box;
- **outside margin**: a character left of the left margin or right of the right margin (the
  running header and footer sit between the margins too, so any text there has overflowed its
  table cell, badge or figure).

Every problem names its page (1-based) and the strings involved, so a failing test says what to
fix. It knows nothing of Assay: any PDF can be checked, and :func:`check_pdf` is all a test
needs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MM = 72 / 25.4
#: The side margins of the reports' pages (base.css: 17 mm; the cover pads by 18 mm).
SIDE_MARGIN = 17 * MM
#: How far (in points) a box may cross another box, or a margin, before it counts.
TOLERANCE = 0.8
#: Share of the smaller character's height two boxes must share to overprint one another.
MIN_VERTICAL_SHARE = 0.35
_BUCKET = 24.0  # points; the side of the grid squares that characters are sorted into


@dataclass(frozen=True, slots=True)
class LayoutProblem:
    """One layout problem: where it is and what text is involved."""

    page: int
    kind: str
    text: str
    other: str = ""

    def __str__(self) -> str:
        against = f" x {self.other!r}" if self.other else ""
        return f"page {self.page}: {self.kind}: {self.text!r}{against}"


@dataclass(frozen=True, slots=True)
class _Glyph:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    word: int


def _glyphs(page: Any) -> tuple[list[_Glyph], list[str]]:
    """Return the page's visible characters, each tagged with the index of its word."""
    words = page.extract_words(
        keep_blank_chars=False, use_text_flow=True, return_chars=True, x_tolerance=1.5
    )
    glyphs: list[_Glyph] = []
    texts: list[str] = []
    for index, word in enumerate(words):
        texts.append(word["text"])
        for char in word["chars"]:
            if char["text"].strip():
                box = (char["x0"], char["top"], char["x1"], char["bottom"])
                glyphs.append(_Glyph(*box, char["text"], index))
    return glyphs, texts


def _buckets(glyphs: list[_Glyph]) -> dict[tuple[int, int], list[int]]:
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, g in enumerate(glyphs):
        for bx in range(int(g.x0 // _BUCKET), int(g.x1 // _BUCKET) + 1):
            for by in range(int(g.top // _BUCKET), int(g.bottom // _BUCKET) + 1):
                grid[(bx, by)].append(index)
    return grid


def _overprint(a: _Glyph, b: _Glyph) -> bool:
    across = min(a.x1, b.x1) - max(a.x0, b.x0)
    down = min(a.bottom, b.bottom) - max(a.top, b.top)
    height = min(a.bottom - a.top, b.bottom - b.top)
    return across > TOLERANCE and down > max(TOLERANCE, MIN_VERTICAL_SHARE * height)


def _same_glyph(a: _Glyph, b: _Glyph) -> bool:
    """Whether two characters are one glyph drawn twice (a fake bold or a shadow)."""
    box_a, box_b = (a.x0, a.top, a.x1, a.bottom), (b.x0, b.top, b.x1, b.bottom)
    return a.text == b.text and all(abs(p - q) < 0.05 for p, q in zip(box_a, box_b, strict=True))


def _overlaps(glyphs: list[_Glyph]) -> Iterator[tuple[int, int]]:
    """Yield each pair of words (by index) with at least one pair of overprinting characters."""
    seen: set[tuple[int, int]] = set()
    for members in _buckets(glyphs).values():
        for i, first in enumerate(members):
            a = glyphs[first]
            for second in members[i + 1 :]:
                b = glyphs[second]
                pair = (min(a.word, b.word), max(a.word, b.word))
                if a.word == b.word or pair in seen or _same_glyph(a, b):
                    continue
                if _overprint(a, b):
                    seen.add(pair)
                    yield pair


def _outside(glyphs: list[_Glyph], width: float, height: float) -> Iterator[tuple[str, int]]:
    """Yield (kind, word index) for each word with a character off the page or its margins."""
    reported: set[int] = set()
    for g in glyphs:
        if g.word in reported:
            continue
        off_page = min(g.x0, g.top) < -TOLERANCE
        if off_page or g.x1 > width + TOLERANCE or g.bottom > height + TOLERANCE:
            kind = "outside page"
        elif g.x0 < SIDE_MARGIN - TOLERANCE or g.x1 > width - SIDE_MARGIN + TOLERANCE:
            kind = "outside margin"
        else:
            continue
        reported.add(g.word)
        yield kind, g.word


def _line_of(texts: list[str], index: int) -> str:
    """The word with its neighbours, enough to find it on the page."""
    return " ".join(texts[max(index - 2, 0) : index + 3])


def check_page(page: Any, number: int) -> list[LayoutProblem]:
    """Return the layout problems of one pdfplumber page (``number`` is 1-based)."""
    glyphs, texts = _glyphs(page)
    problems = [LayoutProblem(number, "overlap", texts[a], texts[b]) for a, b in _overlaps(glyphs)]
    problems += [
        LayoutProblem(number, kind, texts[index], _line_of(texts, index))
        for kind, index in _outside(glyphs, float(page.width), float(page.height))
    ]
    return problems


def check_pdf(path: Path, pages: Iterable[int] | None = None) -> list[LayoutProblem]:
    """Return every layout problem of a PDF, page by page.

    Args:
        path: The PDF file.
        pages: 1-based page numbers to check (all when None).
    """
    import pdfplumber

    wanted = set(pages) if pages is not None else None
    problems: list[LayoutProblem] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            if wanted is None or number in wanted:
                problems += check_page(page, number)
            page.close()
    logger.info("%s: %d layout problem(s)", path.name, len(problems))
    return problems


def describe(problems: Iterable[LayoutProblem], limit: int = 40) -> str:
    """Return the problems one a line (at most ``limit``), for an assertion message."""
    items = list(problems)
    lines = [str(p) for p in items[:limit]]
    if len(items) > limit:
        lines.append(f"… and {len(items) - limit} more")
    return "\n".join(lines)
