"""Small helpers for text shown to people: counted nouns in proper English.

Every sentence a report or message builds around a count goes through :func:`plural`, so no
reader ever sees "1 findings" or "0 hop(s)".
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

_IRREGULAR = {
    "identity": "identities",
    "entry": "entries",
    "category": "categories",
    "policy": "policies",
    "person": "people",
    "summary": "summaries",
    "was": "were",
    "is": "are",
    "has": "have",
}


def plural_of(word: str) -> str:
    """Return the plural of an English noun (the last word of ``word`` is inflected).

    Args:
        word: A noun or noun phrase, e.g. ``finding`` or ``evidence file``.

    Returns:
        ``findings``, ``evidence files``, ``identities``, ``hops``, ``boxes``.
    """
    head, _, last = word.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        inflected = _IRREGULAR[lower]
        if last[:1].isupper():
            inflected = inflected.capitalize()
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        inflected = last + "es"
    elif lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        inflected = last[:-1] + "ies"
    else:
        inflected = last + "s"
    return f"{head} {inflected}" if head else inflected


def plural(count: int, word: str, many: str | None = None, *, number: bool = True) -> str:
    """Return ``count`` with ``word`` in the right number: ``1 finding``, ``3 findings``.

    Counts of a thousand or more are grouped: ``1,250 rows``.

    Args:
        count: How many.
        word: The singular form.
        many: The plural form when :func:`plural_of` does not know it.
        number: False to return the word alone (``findings``), for headings and captions.

    Returns:
        The counted phrase.
    """
    form = word if count == 1 else many or plural_of(word)
    return f"{count:,} {form}" if number else form
