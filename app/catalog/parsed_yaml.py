"""Parsed framework YAML kept between runs, so a start does not parse the same text again.

Parsing the shipped frameworks' YAML is most of the time it takes to load the catalog (about
a third of a second of a window's start). The plain data a text parses into is kept in
Python's ``marshal`` format in the user's state folder, named by the SHA-256 of the text:
the same text gives the same file, a changed text another one. ``marshal`` gives back
strings, numbers, booleans, nulls, lists and mappings (with integer keys, such as a
question's levels) exactly and reads them many times faster than YAML is parsed; a text that
parses into anything else (a date, say) is parsed every time. A text that fails to parse is
never kept, so its problems are reported as before. What is read back is validated as the
parsed text would be.
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

from app.support import paths

logger = logging.getLogger(__name__)

FOLDER = "parsed-yaml"


def parse_kept(text: str, parse: Callable[[str], Any]) -> Any:
    """Return ``parse(text)``, from the kept copy when this text was parsed before.

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
    return paths.user_state_dir() / FOLDER / f"{digest}.v{marshal.version}"


def _read(path: Path) -> Any:
    try:
        return marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, TypeError) as exc:  # damaged: parse the text again
        logger.debug("kept YAML %s not read: %s", path.name, exc)
        return None


def _keep(path: Path, data: Any) -> None:
    """Write ``data`` when ``marshal`` gives it back exactly (atomically; errors ignored)."""
    if data is None or not _plain(data):
        return  # a date or another object: not kept
    encoded = marshal.dumps(data)
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
