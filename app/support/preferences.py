"""The user's preferences: a small versioned JSON file in the user config folder.

Preferences belong to the person, not the engagement: assessor name and organisation, the
default certificate path (never its password), the signing set-up (PKCS#11 library, the
time-stamping authority, the trust anchors reports are verified against), theme, recent
workspace files and the team servers the user chose to remember (their address, never a
password). Workspace-wide settings live in the workspace itself.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.support import paths
from app.support.start_preferences import PREFERENCES_FILE

logger = logging.getLogger(__name__)

CURRENT_VERSION = 1
MAX_RECENT = 10


class Preferences(BaseModel):
    """What the user chose in the Settings dialog."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = CURRENT_VERSION
    assessor_name: str = ""
    assessor_organisation: str = ""
    default_certificate: str = ""
    pkcs11_library: str = ""
    tsa_url: str = ""
    trust_anchors: list[str] = Field(default_factory=list)
    theme: Literal["system", "light", "dark"] = "system"
    recent_workspaces: list[str] = Field(default_factory=list)
    recent_servers: list[str] = Field(default_factory=list)


def preferences_path() -> Path:
    """Return the path of the preferences file."""
    return paths.user_config_dir() / PREFERENCES_FILE


def load_preferences() -> Preferences:
    """Read the preferences; what cannot be read falls back to its default (logged).

    One bad field (a theme the app no longer knows, a list written as text) costs only that
    field: the others are kept. A file that is not JSON at all is kept beside the new one as
    ``preferences.json.unreadable`` so that the next save does not destroy what it held.
    """
    path = preferences_path()
    if not path.exists():
        return Preferences()
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable preferences %s: %s", path, exc)
        _keep_unreadable(path)
        return Preferences()
    if not isinstance(stored, dict):
        logger.warning("ignoring preferences %s: not a JSON object", path)
        _keep_unreadable(path)
        return Preferences()
    return _validated_keeping_good_fields(stored, path)


def _validated_keeping_good_fields(stored: dict[str, object], path: Path) -> Preferences:
    """Validate ``stored``, dropping each field that fails until the rest validates."""
    fields = dict(stored)
    while True:
        try:
            return Preferences.model_validate(fields)
        except ValidationError as exc:
            bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            bad &= fields.keys()
            if not bad:  # nothing left to drop: the model itself refuses
                logger.warning("ignoring preferences %s: %s", path, exc)
                return Preferences()
            logger.warning("preferences %s: default used for %s", path, ", ".join(sorted(bad)))
            for name in bad:
                del fields[name]


def _keep_unreadable(path: Path) -> None:
    """Copy an unreadable preferences file aside (once) so a later save does not lose it."""
    aside = path.with_name(path.name + ".unreadable")
    try:
        if not aside.exists():
            aside.write_bytes(path.read_bytes())
    except OSError as exc:
        logger.warning("could not keep unreadable preferences %s: %s", path, exc)


def save_preferences(prefs: Preferences) -> None:
    """Write the preferences atomically (a crash never leaves half a file)."""
    path = preferences_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(prefs.model_dump_json(indent=2), encoding="utf-8")
    os.replace(tmp, path)


def remember_workspace(prefs: Preferences, workspace: Path | str) -> Preferences:
    """Return preferences with ``workspace`` first in the recent list.

    A file is kept as its full path; a server as its URL, which never holds a password.
    """
    name = workspace if isinstance(workspace, str) else str(Path(workspace).resolve())
    recent = [name] + [item for item in prefs.recent_workspaces if item != name]
    return prefs.model_copy(update={"recent_workspaces": recent[:MAX_RECENT]})


def without_password(url: str) -> str:
    """Return a server address with any password taken out (``user:secret@`` → ``user@``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def remember_server(prefs: Preferences, url: str) -> Preferences:
    """Return preferences with the server at ``url`` first in the recent servers (no password)."""
    name = without_password(url)
    recent = [name] + [item for item in prefs.recent_servers if item != name]
    return prefs.model_copy(update={"recent_servers": recent[:MAX_RECENT]})
