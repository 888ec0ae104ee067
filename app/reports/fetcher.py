"""The only URLs a report may load: bundled templates and resources, and ``data:`` URIs.

WeasyPrint asks a URL fetcher for every stylesheet, font and image a document names. Ours
serves ``file:`` URLs that resolve (after following links) inside ``templates/`` or
``resources/``, decodes ``data:`` URIs, and refuses everything else — ``http:``, ``https:``,
``ftp:``, ``file:`` anywhere else — with a logged warning. A user-entered string can therefore
never make a report reach the network or read a local file, even if escaping failed.

This module has no WeasyPrint import; :mod:`app.reports.pdf` wraps :func:`fetch_local` in
WeasyPrint's fetcher class.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from app.reports.errors import FetchRefused
from app.support.paths import resources_dir, templates_dir

logger = logging.getLogger(__name__)

#: Largest ``data:`` URI accepted (a logo or a chart), in characters.
MAX_DATA_URI = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LocalResource:
    """Bytes served to the renderer, with their media type."""

    data: bytes
    media_type: str


def allowed_roots() -> tuple[Path, ...]:
    """Return the folders whose files a report may load."""
    return (templates_dir().resolve(), resources_dir().resolve())


def _refuse(url: str, reason: str) -> FetchRefused:
    shown = url if len(url) <= 120 else url[:117] + "..."
    logger.warning("report renderer refused to load %s: %s", shown, reason)
    return FetchRefused(f"refused to load {shown}: {reason}")


def _decode_data_uri(url: str) -> LocalResource:
    if len(url) > MAX_DATA_URI:
        raise _refuse(url, "data URI too large")
    header, sep, payload = url[len("data:") :].partition(",")
    if not sep:
        raise _refuse(url, "malformed data URI")
    parts = header.split(";")
    media_type = parts[0].strip() or "text/plain"
    try:
        if "base64" in (p.strip().lower() for p in parts[1:]):
            data = base64.b64decode(unquote(payload), validate=False)
        else:
            data = unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise _refuse(url, "undecodable data URI") from exc
    return LocalResource(data, media_type)


def _local_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise _refuse(url, "file URL on another host")
    try:
        path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise _refuse(url, "no such bundled file") from exc
    if not any(path.is_relative_to(root) for root in allowed_roots()):
        raise _refuse(url, "outside the bundled templates and resources")
    if not path.is_file():
        raise _refuse(url, "not a file")
    return path


def fetch_local(url: str) -> LocalResource:
    """Return the bytes behind a URL a report may load.

    Args:
        url: An absolute URL as the renderer resolved it.

    Returns:
        The resource's bytes and media type.

    Raises:
        FetchRefused: The URL is not a ``data:`` URI or a file inside the bundled templates or
            resources (logged as a warning).
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return _decode_data_uri(url)
    if scheme != "file":
        raise _refuse(url, f"{scheme or 'relative'} URLs are not allowed in reports")
    path = _local_path(url)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() == ".ttf":
        media_type = "font/ttf"
    return LocalResource(path.read_bytes(), media_type)
