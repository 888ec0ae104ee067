"""Name identities as a register does: by id, name, ARN, object id, app id or e-mail.

A client's AI register rarely writes an identity the way its cloud does: ``claims-agent-role``
for ``arn:aws:iam::…:role/claims-agent-role``, a display name or an app id for an Entra object
id. The exports keep every such name of an identity in its ``aliases`` attribute; this module
finds the one identity a register's name stands for (never guessing between two) and rewrites
the register's links to it, reporting each match.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from app.ingest.fields import IDENTITIES
from app.ingest.problems import WARNING, at, quote
from app.ingest.records import Link, ParsedInventory
from app.support.text import plural

logger = logging.getLogger(__name__)

_NAME_KEYS = ("object_id", "app_id", "unique_id")
AMBIGUOUS = ""


def names_of(ident: str, name: str, attributes: Mapping[str, Any]) -> list[str]:
    """Return every name an identity may be written by (its id first)."""
    found = [ident, name]
    found += [str(attributes.get(k) or "") for k in _NAME_KEYS]
    aliases = attributes.get("aliases")
    if isinstance(aliases, list):
        found += [str(a) for a in aliases]
    return [n for n in dict.fromkeys(found) if n]


def alias_index(identities: Iterable[tuple[str, str, Mapping[str, Any]]]) -> dict[str, str]:
    """Return folded name → identity id; a name shared by two identities maps to ``""``.

    Args:
        identities: ``(id, name, attributes)`` of every identity that may be named.
    """
    listed = list(identities)
    index: dict[str, str] = {ident.casefold(): ident for ident, _n, _a in listed}
    ids = set(index)  # an identity's own id always names it
    for ident, name, attributes in listed:
        for alias in names_of(ident, name, attributes)[1:]:
            key = alias.casefold()
            if key in ids:
                continue
            index[key] = AMBIGUOUS if index.get(key, ident) != ident else ident
    return index


def resolve_links(inventory: ParsedInventory, index: Mapping[str, str], known: set[str]) -> int:
    """Rewrite the links whose identity is named by another of its names; return how many.

    Args:
        inventory: The file's records; its links and problems are updated.
        index: From :func:`alias_index`, over the file's and the workspace's identities.
        known: The identity ids as they are (the file's and the workspace's).
    """
    rewritten: list[Link] = []
    count = 0
    for link in inventory.links:
        if link.identity in known:
            rewritten.append(link)
            continue
        found = index.get(link.identity.casefold())
        if found:
            count += 1
            rewritten.append(link._replace(identity=found))
            reason = f"identity {quote(link.identity)} of {link.system} is {quote(found)}"
            inventory.problems.append(at(link.source, link.column, reason, WARNING))
        else:
            if found == AMBIGUOUS:
                reason = (
                    f"identity {quote(link.identity)} of {link.system} matches several "
                    "identities by name; it is kept as written"
                )
                inventory.problems.append(at(link.source, link.column, reason, WARNING))
            rewritten.append(link)
    inventory.links = rewritten
    if count:
        logger.info("%s matched identities by another name", plural(count, "register link"))
    return count


def file_identities(inventory: ParsedInventory) -> list[tuple[str, str, Mapping[str, Any]]]:
    """Return ``(id, name, attributes)`` of the file's identities."""
    return [
        (r.key[0], str(r.values.get("name") or ""), r.attributes)
        for r in inventory.records[IDENTITIES]
    ]
