"""Notes too long for a cell of the answer register: shortened there, printed whole after it.

The notes column of the answer register is a fifth of the page wide. One note of 30,000
characters filled twenty pages of that column, one character row after another, and made the
report a third slower. A note longer than :data:`CLIP` characters is shortened in the register
(its first characters, then a link to the rest) and printed in full, across the page, in the
appendix "Notes in full" right after the register. The reader loses no character: the full
note is the same text, and the shortened one is its beginning.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from app.reports.viewmodels import Answer, ReportData

logger = logging.getLogger(__name__)

#: Longest note printed whole in the answer register.
CLIP = 500
#: What the register shows of a note with a word too long for a line (it reads as a dump).
CLIP_UNBROKEN = 240
#: A word longer than this does not fit a line of the appendix: the note then breaks anywhere.
LONGEST_WORD = 60
#: Characters of a monospaced line of the appendix (they fit its width at its font size).
LINE = 120
#: The anchor of the appendix that prints long notes in full.
APPENDIX_ANCHOR = "appendix-notes"
APPENDIX_TITLE = "Notes in full"


@dataclass(frozen=True, slots=True)
class FullNote:
    """A note printed in full in the appendix.

    Attributes:
        anchor: The id of its place in the appendix (the register links to it).
        ref: The question's reference.
        title: The question's title.
        text: The whole note.
        beginning: What the register shows of it.
        lines: For a note holding a word too long for a line (a key, a hash, a pasted dump):
            the note cut into lines of :data:`LINE` characters, printed in the monospaced
            font, one line each, so that they fill the page's width and cost no search for
            a place to break; empty for other notes, which wrap as prose does.
    """

    anchor: str
    ref: str
    title: str
    text: str
    beginning: str
    lines: tuple[str, ...]


def long_notes(data: ReportData) -> dict[str, FullNote]:
    """Return the notes too long for the register, by question id (none in a client report)."""
    if data.is_client or "answers" not in data.chosen_appendices:
        return {}
    notes = {
        answer.question_id: _full_note(number, answer)
        for number, answer in enumerate(
            (a for a in data.answers if a.notes and len(a.notes) > CLIP), start=1
        )
    }
    if notes:
        logger.debug("%d notes printed in full in an appendix", len(notes))
    return notes


def _full_note(number: int, answer: Answer) -> FullNote:
    lines = fixed_lines(answer.notes)
    start = beginning(answer.notes, CLIP_UNBROKEN if lines else CLIP)
    return FullNote(f"note-{number}", answer.ref, answer.title, answer.notes, start, lines)


def beginning(text: str, limit: int = CLIP) -> str:
    """Return the first characters of ``text``: up to ``limit``, ending before a space if any.

    The cut falls at the last space of the second half of the first ``limit`` characters, else
    at ``limit`` moved back so that no combining mark is parted from its letter.
    """
    if len(text) <= limit:
        return text
    space = text.rfind(" ", limit // 2, limit)
    if space > 0:
        return text[:space]
    cut = limit
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut]


def fixed_lines(text: str) -> tuple[str, ...]:
    """Return ``text`` in lines of :data:`LINE` characters when it has a very long word.

    A text whose words are all :data:`LONGEST_WORD` characters or shorter gets no lines (it
    wraps as prose). The lines are printed as they are, never wrapped, so none is wider than
    :data:`LINE` monospaced cells: a wide character (most of Chinese, Japanese and Korean)
    takes two. No combining mark is parted from its letter.
    """
    if not any(len(word) > LONGEST_WORD for word in text.split()):
        return ()
    if text.isascii():  # one cell a character: plain slices
        return tuple(text[start : start + LINE] for start in range(0, len(text), LINE))
    lines: list[str] = []
    start = 0
    while len(text) - start > LINE:
        cut = _cut(text, start)
        while cut > start + 1 and cut < len(text) and unicodedata.combining(text[cut]):
            cut -= 1
        lines.append(text[start:cut])
        start = cut
    lines.append(text[start:])
    return tuple(line for line in lines if line)


def _cut(text: str, start: int) -> int:
    """Return where the line starting at ``start`` ends: after at most :data:`LINE` cells."""
    cells, end = 0, start
    while end < len(text) and end < start + LINE:
        cells += 2 if unicodedata.east_asian_width(text[end]) in "WF" else 1
        if cells > LINE:
            break
        end += 1
    return end
