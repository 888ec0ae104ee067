"""What every CLI command shares: the context handed to handlers and JSON output."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from app.cli.progress_bar import TerminalProgress, terminal_progress
from app.services.errors import UserError
from app.services.workspace import Workspace, open_workspace
from app.storage.journal import jsonable
from app.storage.server_db import is_server_location
from app.support.preferences import load_preferences

logger = logging.getLogger(__name__)

Handler = Callable[["CliContext"], int]


class CliContext:
    """What a command handler gets: its parsed arguments, the workspace, and output helpers.

    Args:
        args: The parsed command line.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._workspace: Workspace | None = None

    @property
    def json(self) -> bool:
        """Return True when the user asked for JSON output."""
        return bool(getattr(self.args, "json", False))

    def workspace(self, *, create: bool = False) -> Workspace:
        """Open the workspace named by ``--workspace`` (or the default) once, lazily.

        A named workspace that does not exist is created only by commands that write
        (``create=True``), so a mistyped path in a reading command is an error rather than a
        new empty workspace. The default workspace is created on first use, as in the app.
        """
        if self._workspace is None:
            path = getattr(self.args, "workspace", None)
            actor = load_preferences().assessor_name or None
            location: Path | str | None = None
            if path:
                location = path if is_server_location(path) else Path(path)
            self._workspace = open_workspace(location, create=create or not path, actor=actor)
        return self._workspace

    def workspace_path(self) -> Path | None:
        """Return the workspace file named on the command line (or the default), if any.

        None for a workspace on a server (see :meth:`server_url`).
        """
        if self._workspace is not None:
            return self._workspace.path
        path = getattr(self.args, "workspace", None)
        if path and is_server_location(path):
            return None
        return Path(path).expanduser() if path else None

    def server_url(self) -> str | None:
        """Return the server URL named by ``--workspace``, if it names one."""
        path = getattr(self.args, "workspace", None)
        return path if path and is_server_location(path) else None

    def output(self, data: Any, text: str | Callable[[], str]) -> None:
        """Print ``data`` as JSON under ``--json``, otherwise the human-readable ``text``."""
        if self.json:
            print(terminal_safe(json.dumps(jsonable(data), indent=2, ensure_ascii=False)))
        else:
            print(terminal_safe(text() if callable(text) else text))

    def progress(self, label: str) -> AbstractContextManager[TerminalProgress]:
        """Return a progress bar for long work: drawn on a terminal, silent under ``--json``."""
        return terminal_progress(label, quiet=self.json)

    def close(self) -> None:
        """Close the workspace if one was opened."""
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None


def date_option(text: str | None, option: str) -> dt.date | None:
    """Return the date an option gives as YYYY-MM-DD (None when the option is not given).

    Raises:
        UserError: The text is not such a date.
    """
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option}: {text!r} is not a date (use YYYY-MM-DD)") from None


def table(rows: list[list[str]], headers: list[str]) -> str:
    """Format rows as a plain-text table with aligned columns."""
    if not rows:
        return "(none)"
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(str(cell))) for w, cell in zip(widths, row, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = zip(row, widths, strict=False)
        lines.append("  ".join(str(c).ljust(w) for c, w in cells).rstrip())
    return "\n".join(lines)


def warn(message: str) -> None:
    """Print a one-line warning on stderr."""
    print(terminal_safe(f"assay: warning: {message}"), file=sys.stderr)


#: Characters a terminal would act on rather than show: controls (ESC starts colour and cursor
#: sequences), and the bidirectional overrides that make text read differently than it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Return ``text`` with each character a terminal would act on shown as a JSON escape.

    Line feeds and tabs stay. The escape is also valid inside a JSON string.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
