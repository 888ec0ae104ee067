"""Tie a register's identity names to the identities the exports describe, both ways round.

- A register imported after the exports names an identity by its name, ARN, object id, app id
  or e-mail: its links are rewritten to the exported identity (:func:`resolve_links`).
- An export imported after the register describes an identity the register created under
  another name (a bare id from an ``identities`` cell): the register's systems are linked to the
  exported identity too, and a warning says so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from app.domain.record_kinds import IDENTITIES
from app.ingest.cloud.linking import alias_index, file_identities, names_of, resolve_links
from app.ingest.cloud.reader import is_export_format
from app.ingest.diff import Existing
from app.ingest.problems import WARNING, Problem, Source, quote
from app.ingest.records import Link, ParsedInventory

logger = logging.getLogger(__name__)


def link_identities(parsed: ParsedInventory, existing: Existing) -> set[str]:
    """Resolve the file's links by other names, and adopt the register's links for exports.

    Returns:
        The workspace identities an export's identity turned out to be (named otherwise).
    """
    rows = existing.records[IDENTITIES]
    mine = file_identities(parsed)
    known = {k[0] for k in rows} | {i for i, _n, _a in mine}
    if any(link.identity not in known for link in parsed.links):  # else none to resolve
        workspace = [
            (k[0], str(r.get("name") or ""), r.get("attributes") or {}) for k, r in rows.items()
        ]
        resolve_links(parsed, alias_index(mine + workspace), known)
    if is_export_format(parsed.format) and existing.links:
        return _adopt(parsed, existing, mine)
    return set()


def _adopt(
    parsed: ParsedInventory, existing: Existing, mine: list[tuple[str, str, Mapping[str, Any]]]
) -> set[str]:
    index = alias_index(mine)
    ids = {i for i, _n, _a in mine}
    systems_of: dict[str, list[str]] = {}
    for system, identity in existing.links:
        systems_of.setdefault(identity, []).append(system)
    present = {(k.system, k.identity) for k in parsed.links}
    matched: set[str] = set()
    for identity, systems in sorted(systems_of.items()):
        if identity in ids:
            continue
        row = existing.records[IDENTITIES].get((identity,), {})
        target = _match(index, names_of(identity, str(row.get("name") or ""), {}))
        if not target:
            continue
        matched.add(identity)
        source = Source(parsed.file_name, "", 0)
        for system in sorted(systems):
            if (system, target) not in present:
                parsed.links.append(Link(system, target, source, ""))
        reason = (
            f"the register's identity {quote(identity)} is {quote(target)} of this "
            f"export: {', '.join(sorted(systems))} will use it too"
        )
        parsed.problems.append(Problem(parsed.file_name, "", 0, "", reason, WARNING, "$"))
    return matched


def _match(index: dict[str, str], names: list[str]) -> str:
    for name in names:
        found = index.get(name.casefold())
        if found:
            return found
    return ""
