"""How an identity is named to a reader: its id, with its display name beside an opaque id.

Entra ID names every principal by a GUID (its object id) and Google Cloud a service account's
key by a long number: an id a reader cannot recognise. Where the inventory holds a display name
for such an identity, every surface shows ``name (id)``; a readable id (an ARN, an e-mail, a
register's own name) is shown as it is.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_OPAQUE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{10,}", re.I)


def is_opaque(ident: str) -> bool:
    """Return True for an id no reader can recognise (a GUID, a long number)."""
    return _OPAQUE.fullmatch(ident.strip()) is not None


def readable(ident: str, name: str | None) -> str:
    """Return ``name (id)`` for an opaque id with a display name, else the id itself."""
    shown = (name or "").strip()
    if shown and shown != ident and is_opaque(ident):
        return f"{shown} ({ident})"
    return ident
