"""Logging configuration: a rotating log file in the user log folder, quiet console."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.support import paths

logger = logging.getLogger(__name__)

LOG_FILE_NAME = "assay.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def log_file_path() -> Path:
    """Return the path of the application log file."""
    return paths.user_log_dir() / LOG_FILE_NAME


def configure_logging(level: int = logging.INFO, *, to_file: bool = True) -> None:
    """Send Assay's log records to the log file (and warnings to stderr).

    Args:
        level: The minimum level written to the file.
        to_file: Write to the rotating log file; off for short CLI runs in tests.
    """
    root = logging.getLogger("app")
    if getattr(root, "_assay_configured", False):
        return
    root.setLevel(level)
    if to_file:
        try:
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                log_file_path(), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter(_FORMAT))
            root.addHandler(handler)
        except OSError as exc:  # a read-only home must not stop the app
            logging.getLogger(__name__).warning("cannot open log file: %s", exc)
    root._assay_configured = True  # type: ignore[attr-defined]
