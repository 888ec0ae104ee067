"""The HTML parser's cache of character patterns, made to find what it stores.

The layout engine parses report HTML with tinyhtml5. Its tokenizer reads text, attribute values
and tag names up to one of a few sets of characters, and keeps a compiled pattern for each set
in ``inputstream.characters_until_regex``. Version 2.1 stores the pattern under the wrong key
(``characters = cache[(characters, opposite)] = regex`` binds ``characters`` to the pattern
before it indexes the cache), so no lookup ever finds it: every run of text builds the
pattern's source again, half the parse time of a 400-answer report (0.74 s of CPU against 0.36 s
with the cache working). :func:`repair_html_parser_cache` stores each pattern under the key the
parser looks up, so the parser finds it; the pattern is the one the parser builds itself, and the
parsed document is the same.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)

_REPAIRED = "_assay_cache_repaired"


def repair_html_parser_cache() -> None:
    """Make the HTML parser's cache of character patterns find what it stores (once a process).

    Harmless on a version of the parser without the fault: the key it looks up then already
    holds the same pattern.
    """
    from tinyhtml5 import inputstream

    stream_class = inputstream.HTMLUnicodeInputStream
    original = stream_class.chars_until
    if getattr(original, _REPAIRED, False):
        return
    cache: dict[tuple[Any, bool], re.Pattern[str]] = inputstream.characters_until_regex

    @functools.wraps(original)  # keeps the parser's own method as ``__wrapped__``
    def chars_until(self: Any, characters: Iterable[str], opposite: bool = False) -> str:
        key = (characters, opposite)
        if key not in cache:
            cache[key] = characters_pattern(characters, opposite)
        result: str = original(self, characters, opposite)
        return result

    setattr(chars_until, _REPAIRED, True)
    stream_class.chars_until = chars_until
    logger.debug("HTML parser's pattern cache repaired")


def characters_pattern(characters: Iterable[str], opposite: bool) -> re.Pattern[str]:
    """Return the pattern tinyhtml5 matches a run with: none of ``characters``, or only them."""
    escaped = "".join(f"\\x{ord(character):02x}" for character in characters)
    return re.compile(f"[{escaped}]+" if opposite else f"[^{escaped}]+")
