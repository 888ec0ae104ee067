"""Parsed framework YAML kept between runs, so a start does not parse the same text again.

Parsing the shipped frameworks' YAML is most of the time it takes to load the catalog (about
a third of a second of a window's start). The plain data a shipped text parses into is kept
in Python's ``marshal`` format in the user's state folder, named by the SHA-256 of the text:
the same text gives the same file, a changed text another one. ``marshal`` gives back
strings, numbers, booleans, nulls, lists and mappings (with integer keys, such as a
question's levels) exactly and reads them many times faster than YAML is parsed; a text that
parses into anything else (a date, say) is parsed every time. A text that fails to parse is
never kept, so its problems are reported as before.

Each copy starts with a line naming this format and the app's version, then the SHA-256 of
what follows: a copy written by another version, cut short or changed in any byte is not
used (the text is parsed again and the copy replaced). Only the app's own shipped texts are
kept (the loader asks for it); a user's frameworks, imported texts and client data never
are. The folder is trusted as the rest of the user's state is: the check finds damage, not a
deliberate change made with the checksum to match; the loader validates what is read back as
it validates a parse, and a copy that fails validation is set aside for a fresh parse.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import app
from app.support import paths

logger = logging.getLogger(__name__)

FOLDER = "parsed-yaml"
#: The first line of every kept copy: its format and the version of the app that wrote it.
_HEADER = f"assay parsed YAML, marshal {marshal.version}, app {app.__version__}\n".encode()
_DIGEST_BYTES = 64  # the payload's SHA-256 in hexadecimal, then a newline


def parse_kept(text: str, parse: Callable[[str], Any]) -> Any:
    """Return ``parse(text)``, from the kept copy when this text was parsed before.

    Copies are named by the text alone: ``parse`` is always the loader's strict YAML parser.

    Raises:
        Exception: Whatever ``parse`` raises (a failed parse is not kept).
    """
    try:
        path = _kept_path(text)
    except OSError:  # no state folder (a read-only home): parse every time
        return parse(text)
    kept = _read(path)
    if kept is not None:
        return kept
    data = parse(text)
    _keep(path, data)
    return data


def _kept_path(text: str) -> Path:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return paths.user_state_dir() / FOLDER / f"{digest}.marshal"


def _read(path: Path) -> Any:
    try:
        kept = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.debug("kept YAML %s not read: %s", path.name, exc)
        return None
    payload = _checked_payload(kept)
    if payload is None:
        logger.info("kept YAML %s is from another version or damaged; parsing again", path.name)
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError) as exc:
        logger.info("kept YAML %s not read: %s", path.name, exc)
        return None


def _checked_payload(kept: bytes) -> bytes | None:
    """Return the payload of a kept copy when its header and checksum are right, else None."""
    start = len(_HEADER) + _DIGEST_BYTES + 1
    if not kept.startswith(_HEADER) or len(kept) < start:
        return None
    digest, payload = kept[len(_HEADER) : start - 1], kept[start:]
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    return payload


def _keep(path: Path, data: Any) -> None:
    """Write ``data`` when ``marshal`` gives it back exactly (atomically; errors ignored)."""
    if data is None or not _plain(data):
        return  # a date or another object: not kept
    payload = marshal.dumps(data)
    encoded = b"%s%s\n%s" % (_HEADER, hashlib.sha256(payload).hexdigest().encode(), payload)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError as exc:
        logger.debug("parsed YAML not kept: %s", exc)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(encoded)
        os.replace(temporary, path)
    except OSError as exc:
        logger.debug("parsed YAML not kept: %s", exc)
        Path(temporary).unlink(missing_ok=True)


_SCALARS = (str, int, float, bool, type(None))


def _plain(data: Any) -> bool:
    """Return True when ``data`` holds only scalars, lists and dicts."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif type(item) not in _SCALARS:
            return False
    return True
