"""Pieces every OSCAL document of Assay shares: stable UUIDs, props, metadata, resources.

UUIDs are version-5 UUIDs of stable keys (the assessment's id and creation time, a question
id, an evidence hash…), so exporting the same assessment twice gives the same UUIDs and the
two exports can be compared line by line.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from app import __version__
from app.catalog.mapping import DOI_RESOLVER

logger = logging.getLogger(__name__)

#: The OSCAL release the documents follow (and the tests validate against).
OSCAL_VERSION = "1.2.3"
#: The namespace of Assay's own props and part names.
ASSAY_NS = "urn:assay:oscal"
#: The DOI scheme of OSCAL document ids.
DOI_SCHEME = "http://www.doi.org/"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, ASSAY_NS)
_TOKEN_BAD = re.compile(r"[^A-Za-z0-9._-]+")

JSON = dict[str, Any]


def stable_uuid(*parts: object) -> str:
    """Return the version-5 UUID of a key made of ``parts``."""
    return str(uuid.uuid5(_ROOT, "|".join(str(p) for p in parts)))


def file_part(text: str) -> str:
    """Return ``text`` safe for a file name: letters, digits, ``.``, ``-``, ``_``."""
    return _TOKEN_BAD.sub("-", text).strip("-") or "x"


def token(text: str) -> str:
    """Return ``text`` as an OSCAL token: letters, digits, ``.``, ``-``, ``_``; letter first."""
    cleaned = file_part(text)
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"_{cleaned}"


def timestamp(value: dt.datetime | dt.date | None) -> str | None:
    """Return an OSCAL date-time with a time zone (UTC when the value has none)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def prop(name: str, value: object, *, ns: str | None = ASSAY_NS, **extra: str) -> JSON:
    """Return one OSCAL prop; Assay's namespace unless ``ns`` is None (an OSCAL name)."""
    data: JSON = {"name": name, "value": str(value)}
    if ns:
        data["ns"] = ns
    return data | extra


def props(values: Mapping[str, object]) -> list[JSON]:
    """Return Assay props for every value that is not None or empty text."""
    return [prop(name, value) for name, value in values.items() if value not in (None, "")]


def compact(data: JSON) -> JSON:
    """Drop keys whose value is None or an empty list, text or mapping (OSCAL forbids them)."""
    return {k: v for k, v in data.items() if v is not None and v != [] and v != "" and v != {}}


def party(key: str, name: str, kind: str = "person") -> JSON:
    """Return a party with a stable UUID derived from ``key``."""
    return {"uuid": stable_uuid("party", key, kind, name), "type": kind, "name": name}


def metadata(
    title: str,
    last_modified: str,
    version: str,
    *,
    published: str | None = None,
    roles: Iterable[tuple[str, str]] = (),
    parties: Iterable[JSON] = (),
    responsible: Mapping[str, list[str]] | None = None,
    extra: JSON | None = None,
) -> JSON:
    """Return an OSCAL metadata block; ``responsible`` maps a role id to party UUIDs."""
    data: JSON = {
        "title": title,
        "published": published,
        "last-modified": last_modified,
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": [prop("generator", f"Assay {__version__}")],
        "roles": [{"id": rid, "title": text} for rid, text in roles],
        "parties": list(parties),
        "responsible-parties": [
            {"role-id": rid, "party-uuids": uuids}
            for rid, uuids in (responsible or {}).items()
            if uuids
        ],
    }
    extra = dict(extra or {})
    data["props"] += extra.pop("props", [])
    return compact(data | extra)


def publication_resource(key: str, title: str, identifier: str | None, url: str | None) -> JSON:
    """Return a back-matter resource naming a publication by its DOI or stable identifier.

    A DOI becomes a document id (and, without ``url``, a link through the DOI resolver); an
    https address becomes the link; any other identifier (a ``urn:``) a document id.
    """
    resource: JSON = {"uuid": stable_uuid("publication", key), "title": title}
    if identifier and identifier.startswith("10."):
        resource["document-ids"] = [{"scheme": DOI_SCHEME, "identifier": identifier}]
        url = url or DOI_RESOLVER + identifier
    elif identifier and identifier.startswith("https://"):
        url = url or identifier
    elif identifier:
        resource["document-ids"] = [{"identifier": identifier}]
    if url:
        resource["rlinks"] = [{"href": url}]
    return resource


def latest(*values: dt.datetime | None) -> dt.datetime | None:
    """Return the latest of some optional times (naive ones taken as UTC)."""
    present = [v if v.tzinfo else v.replace(tzinfo=dt.UTC) for v in values if v is not None]
    return max(present) if present else None
