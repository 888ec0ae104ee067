"""Where a workspace lives: a file path or a PostgreSQL URL, told apart and shown safely.

Light on purpose (standard library only): the window uses it before any database layer loads.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

#: URL schemes that name a workspace on a PostgreSQL server.
SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_location(location: object) -> bool:
    """Return True when ``location`` is a PostgreSQL URL rather than a file path."""
    if not isinstance(location, str):
        return False
    scheme, sep, _ = location.partition("://")
    return bool(sep) and scheme.lower() in SERVER_SCHEMES


def display_location(url: str) -> str:
    """Return the URL as shown to people and written anywhere: without its password."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, _, host = netloc.rpartition("@")
        user = credentials.partition(":")[0]
        netloc = f"{user}@{host}" if user else host
    scheme = "postgresql" if parts.scheme.lower() in SERVER_SCHEMES else parts.scheme
    return urlunsplit((scheme, netloc, parts.path, parts.query, ""))


def shown_location(location: object) -> str:
    """Return how a workspace location is shown: a path as it is, a URL without password."""
    if is_server_location(location):
        return display_location(str(location))
    return str(location)
