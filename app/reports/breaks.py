"""Break opportunities in long runs of text, so that page layout stays linear in their length.

WeasyPrint lays out one run of text (one text node) by shaping everything that is left of the
run again for each line it fills, so a run of *n* characters costs about *n²*: one note of
30,000 characters without a space took longer than the other 55 pages of its report together,
and prose without markup grows the same way only more slowly. A ``<wbr>`` between two pieces
makes them separate runs; each is shaped on its own and layout grows linearly.

:func:`with_break_opportunities` cuts every long text node of the body into pieces of at most
:data:`PIECE` characters: just before a space where the piece has one (the text looks exactly
as before), otherwise every :data:`PIECE` characters of an unbroken token (a line may then end
there; such a token already breaks anywhere in the report's table cells). It works on the
rendered HTML, so all free text of every template — notes, titles, identifiers,
justifications, evidence names — is covered without the templates knowing.
"""

from __future__ import annotations

import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

#: Longest piece of text laid out as one run; longer text nodes are cut into such pieces.
PIECE = 128
#: A text node shorter than this is left as it is (its layout is cheap).
LONG = 2 * PIECE

_WBR = "<wbr>"
# Autoescaping turns every "<" and ">" of user text into an entity, so in the rendered HTML a
# literal ">" ends a tag and a literal "<" starts one: what lies between is text.
_LONG_TEXT = re.compile(rf">([^<]{{{LONG},}})<")


def with_break_opportunities(html: str) -> str:
    """Return ``html`` with a ``<wbr>`` at least every :data:`PIECE` characters of body text.

    Only the ``<body>`` is changed (the head holds the title, metadata and the stylesheet,
    where markup would be read as text). Entities and combining marks are never cut.
    """
    start = max(html.find("<body"), 0)
    body, count = _LONG_TEXT.subn(_cut_match, html[start:])
    if count:
        logger.debug("cut %d long text runs into pieces", count)
    return html[:start] + body


def _cut_match(match: re.Match[str]) -> str:
    return ">" + _WBR.join(pieces(match.group(1))) + "<"


def pieces(text: str, size: int = PIECE) -> list[str]:
    """Cut ``text`` (escaped HTML text) into consecutive pieces of at most ``size`` characters.

    A piece ends before its last space when it has one in its second half (the space opens the
    next piece: a run that ends in a space makes WeasyPrint 70 put the word before it on a line
    of its own), else at ``size`` characters, moved back so that no entity (``&amp;``) or
    combining mark is split.
    """
    result: list[str] = []
    start = 0
    while len(text) - start > size:
        end = _cut_at(text, start, start + size)
        result.append(text[start:end])
        start = end
    result.append(text[start:])
    return result


def _cut_at(text: str, start: int, limit: int) -> int:
    space = max(text.rfind(" ", start, limit), text.rfind("\n", start, limit))
    if space >= start + (limit - start) // 2:
        return space
    cut = limit
    ampersand = text.rfind("&", start, cut)
    if ampersand > start and ";" not in text[ampersand:cut]:
        cut = ampersand
    while cut > start + 1 and (
        unicodedata.combining(text[cut]) or unicodedata.category(text[cut]) == "Cf"
    ):
        cut -= 1
    return cut
