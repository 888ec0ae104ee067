"""Revocation data cached in the workspace, so a report can be signed B-LT offline later.

After each signature or extension the CRLs and OCSP responses the PDF embeds are kept in the
workspace (by SHA-256, once each); the next signature uses them when it cannot fetch. They
are public data; the journal records which were added, not their bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import Any

from app.services.unit import reads, writes
from app.services.workspace import Workspace
from app.storage.repositories.settings import SettingsRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

CACHE_KEY = "signing.revocation_cache"
#: Entries older than this are dropped when new ones are added.
MAX_AGE_DAYS = 400


@reads
def cached_revocation(uow: UnitOfWork) -> Any:
    """Return the cached CRLs and OCSP responses as the reports layer's revocation data."""
    from app.reports.errors import ReportError
    from app.reports.trust import RevocationData, parse_revocation

    entries = _stored(uow)
    data = RevocationData()
    for digest, entry in entries.items():
        try:
            data = data + parse_revocation(base64.b64decode(entry["der"]), digest)
        except (ReportError, KeyError, ValueError):
            logger.warning("ignoring an unreadable cached revocation entry %s", digest[:12])
    return data


def _stored(uow: UnitOfWork) -> dict[str, Any]:
    row = uow.repository(SettingsRepository).find(CACHE_KEY)
    return dict(row.value or {}) if row is not None else {}


def _entries(data: Any) -> dict[str, dict[str, str]]:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    found = {}
    for kind, items in (("crl", data.crls), ("ocsp", data.ocsps)):
        for item in items:
            der = item.dump()
            digest = hashlib.sha256(der).hexdigest()
            found[digest] = {"kind": kind, "der": base64.b64encode(der).decode(), "added": now}
    return found


def _fresh(entries: dict[str, Any]) -> dict[str, Any]:
    limit = dt.datetime.now(dt.UTC) - dt.timedelta(days=MAX_AGE_DAYS)
    return {k: v for k, v in entries.items() if dt.datetime.fromisoformat(v["added"]) > limit}


def cache_revocation(target: UnitOfWork | Workspace, pdf: Path) -> int:
    """Keep the revocation data a signed PDF embeds; return how many entries were new.

    The PDF is read before the write transaction opens.
    """
    from app.reports.ltv import revocation_in_pdf

    found = _entries(revocation_in_pdf(Path(pdf)))
    if not found:
        return 0
    added = _keep_entries(target, found)
    if added:
        logger.info("cached %s from %s", plural(added, "revocation entry"), Path(pdf).name)
    return added


@writes
def _keep_entries(uow: UnitOfWork, found: dict[str, dict[str, str]]) -> int:
    before = _stored(uow)
    added = sorted(set(found) - set(before))
    if not added:
        return 0
    uow.repository(SettingsRepository).store(
        CACHE_KEY, _fresh(before | {k: found[k] for k in added})
    )
    uow.record(
        "signing.revocation_cached",
        "workspace_setting",
        CACHE_KEY,
        before=None,
        after={"added": [{"sha256": k, "kind": found[k]["kind"]} for k in added]},
    )
    return len(added)
